import { SymbolsError } from './errors';

/**
 * A little-endian cursor over one section's bytes, with the variable-length integer encodings DWARF uses
 * (LEB128) and bounds checks that turn a truncated section into a SymbolsError naming section and offset.
 */
export class ByteReader {
  private readonly view: DataView;
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly section: string,
    start = 0,
    /** Offset of bytes[0] inside the named section, for error messages (sub-readers over a slice). */
    readonly baseOffset = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  get length(): number { return this.bytes.length; }
  get atEnd(): boolean { return this.pos >= this.bytes.length; }

  fail(detail: string, at = this.pos): never {
    throw new SymbolsError(this.section, this.baseOffset + at, detail);
  }

  need(n: number): void {
    if (this.pos + n > this.bytes.length || this.pos < 0) {
      this.fail(`truncated: need ${n} byte(s), section has ${Math.max(0, this.bytes.length - this.pos)} left`);
    }
  }

  u8(): number { this.need(1); return this.bytes[this.pos++]; }
  i8(): number { this.need(1); return this.view.getInt8(this.pos++); }
  u16(): number { this.need(2); const v = this.view.getUint16(this.pos, true); this.pos += 2; return v; }
  i16(): number { this.need(2); const v = this.view.getInt16(this.pos, true); this.pos += 2; return v; }
  u24(): number { this.need(3); const b = this.bytes, p = this.pos; this.pos += 3; return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16); }
  u32(): number { this.need(4); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  i32(): number { this.need(4); const v = this.view.getInt32(this.pos, true); this.pos += 4; return v; }
  /** 64-bit value as a JS number (exact up to 2^53; DWARF values on i386 fit). */
  u64(): number { const lo = this.u32(); const hi = this.u32(); return hi * 0x1_0000_0000 + lo; }
  i64(): number { const lo = this.u32(); const hi = this.i32(); return hi * 0x1_0000_0000 + lo; }
  /** Unsigned integer of `size` bytes (1, 2, 4 or 8). */
  uN(size: number): number {
    switch (size) {
      case 1: return this.u8();
      case 2: return this.u16();
      case 4: return this.u32();
      case 8: return this.u64();
      default: return this.fail(`unsupported integer size ${size}`);
    }
  }

  /** Unsigned LEB128: 7 bits per byte, low group first, high bit = "more bytes follow". */
  uleb(): number {
    let result = 0, mul = 1, byte: number;
    do {
      byte = this.u8();
      result += (byte & 0x7f) * mul;
      mul *= 128;
    } while (byte & 0x80);
    return result;
  }

  /** Signed LEB128: as uleb, then the sign bit of the last group extends. */
  sleb(): number {
    let result = 0, mul = 1, byte: number;
    do {
      byte = this.u8();
      result += (byte & 0x7f) * mul;
      mul *= 128;
    } while (byte & 0x80);
    if (byte & 0x40) result -= mul;
    return result;
  }

  /** NUL-terminated string (UTF-8). */
  cstring(): string {
    const start = this.pos;
    const end = this.bytes.indexOf(0, start);
    if (end < 0) this.fail('unterminated string', start);
    this.pos = end + 1;
    return utf8(this.bytes, start, end);
  }

  bytesN(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(n: number): void { this.need(n); this.pos += n; }
}

const decoder = new TextDecoder('utf-8');
export function utf8(bytes: Uint8Array, start: number, end: number): string {
  // Fast path for ASCII (nearly every identifier and path).
  let ascii = true;
  for (let i = start; i < end; i++) if (bytes[i] >= 0x80) { ascii = false; break; }
  if (ascii && end - start < 64) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]);
    return s;
  }
  return decoder.decode(bytes.subarray(start, end));
}

/** NUL-terminated string at `offset` in a string section (.strtab, .debug_str, .debug_line_str). */
export function stringAt(bytes: Uint8Array, offset: number, section: string): string {
  if (offset < 0 || offset >= bytes.length) {
    throw new SymbolsError(section, offset, `string offset out of range (section size 0x${bytes.length.toString(16)})`);
  }
  const end = bytes.indexOf(0, offset);
  if (end < 0) throw new SymbolsError(section, offset, 'unterminated string');
  return utf8(bytes, offset, end);
}
