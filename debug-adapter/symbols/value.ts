import { MemoryReader, RegisterReader, RegName } from './interfaces';
import { BaseType, isSigned, resolveType, Type } from './types';

/**
 * A typed value of the target: where it lives (memory, register, nowhere for computed values) and its
 * bytes, read on demand. Bitfields keep the containing bytes plus bit position and width.
 */

export type ValueLocation =
  | { kind: 'memory'; address: number }
  | { kind: 'register'; reg: RegName }
  | { kind: 'none' };

export class EvalError extends Error {
  constructor(message: string) { super(message); this.name = 'EvalError'; }
}

export class Value {
  private cached?: Uint8Array | null;
  constructor(
    readonly type: Type,
    readonly loc: ValueLocation,
    readonly mem: MemoryReader | undefined,
    bytes?: Uint8Array,
    /** Why there is no value: 'optimized out' or an unavailability reason. */
    readonly problem?: string,
    readonly bitSize?: number,
    /** Bit position of a bitfield, from bit 0 of the byte at loc.address. */
    readonly bitPos?: number,
  ) { if (bytes) this.cached = bytes; }

  get size(): number { return this.type.size; }
  get isLvalue(): boolean { return this.loc.kind !== 'none'; }
  get address(): number | undefined { return this.loc.kind === 'memory' ? this.loc.address : undefined; }

  /** The value's bytes, or null when unreadable (this.problem or unmapped memory). */
  bytes(): Uint8Array | null {
    if (this.cached !== undefined) return this.cached;
    if (this.problem) return (this.cached = null);
    if (this.loc.kind === 'memory' && this.mem) {
      const n = this.bitSize !== undefined ? Math.ceil(((this.bitPos ?? 0) + this.bitSize) / 8) : this.size;
      this.cached = n === 0 ? new Uint8Array(0) : this.mem.read(this.loc.address, n);
      return this.cached;
    }
    return (this.cached = null);
  }

  /** Throws EvalError explaining why the value cannot be read. */
  need(): Uint8Array {
    const b = this.bytes();
    if (b) return b;
    throw new EvalError(this.unreadable()!);
  }

  /** Why the value's bytes cannot be read (need()'s error message), or undefined when they can. */
  unreadable(): string | undefined {
    if (this.bytes()) return undefined;
    if (this.problem) return this.problem === 'optimized out' ? 'value has been optimized out' : this.problem;
    if (this.loc.kind === 'memory') return `Cannot access memory at address 0x${this.loc.address.toString(16)}`;
    return 'value is not available';
  }
}

export function bytesToBigInt(b: Uint8Array, size: number): bigint {
  let v = 0n;
  for (let i = Math.min(size, b.length) - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
}

export function bigIntToBytes(v: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = BigInt.asUintN(size * 8, v);
  for (let i = 0; i < size; i++) { out[i] = Number(x & 0xffn); x >>= 8n; }
  return out;
}

/** Integer content of a scalar value (sign-extended for signed types; bitfields extracted). */
export function valueToBigInt(v: Value): bigint {
  const r = resolveType(v.type);
  const b = v.need();
  if (v.bitSize !== undefined) {
    let raw = bytesToBigInt(b, b.length) >> BigInt(v.bitPos ?? 0);
    raw = BigInt.asUintN(v.bitSize, raw);
    return isSigned(r) ? BigInt.asIntN(v.bitSize, raw) : raw;
  }
  if (r.kind === 'base' && r.encoding === 'float') return BigInt(Math.trunc(valueToFloat(v)));
  const size = r.size || 4;
  const raw = bytesToBigInt(b, size);
  return isSigned(r) ? BigInt.asIntN(size * 8, raw) : raw;
}

export function valueToFloat(v: Value): number {
  const r = resolveType(v.type);
  if (r.kind === 'base' && r.encoding === 'float') {
    const b = v.need();
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (r.size === 4) return dv.getFloat32(0, true);
    if (r.size === 8) return dv.getFloat64(0, true);
    throw new EvalError(`unsupported floating type of ${r.size} bytes`);
  }
  return Number(valueToBigInt(v));
}

export function isFloatType(t: Type): boolean {
  const r = resolveType(t);
  return r.kind === 'base' && r.encoding === 'float';
}

export function floatToBytes(x: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  if (size === 4) dv.setFloat32(0, x, true); else dv.setFloat64(0, x, true);
  return b;
}

/** Synthetic C types for literals and results of arithmetic. */
export const T = {
  int: { kind: 'base', name: 'int', size: 4, encoding: 'signed' } as BaseType,
  uint: { kind: 'base', name: 'unsigned int', size: 4, encoding: 'unsigned' } as BaseType,
  long: { kind: 'base', name: 'long', size: 4, encoding: 'signed' } as BaseType,
  ulong: { kind: 'base', name: 'unsigned long', size: 4, encoding: 'unsigned' } as BaseType,
  llong: { kind: 'base', name: 'long long', size: 8, encoding: 'signed' } as BaseType,
  ullong: { kind: 'base', name: 'unsigned long long', size: 8, encoding: 'unsigned' } as BaseType,
  char: { kind: 'base', name: 'char', size: 1, encoding: 'signed-char' } as BaseType,
  double: { kind: 'base', name: 'double', size: 8, encoding: 'float' } as BaseType,
  bool: { kind: 'base', name: '_Bool', size: 1, encoding: 'bool' } as BaseType,
};

/** An rvalue of an integer type. */
export function intValue(v: bigint, type: Type = T.int): Value {
  return new Value(type, { kind: 'none' }, undefined, bigIntToBytes(v, type.size || 4));
}

export function floatValue(x: number, type: Type = T.double): Value {
  return new Value(type, { kind: 'none' }, undefined, floatToBytes(x, type.size));
}

/** A register as a value (the frame's register, writable through RegisterReader.set). */
export function registerValue(regs: RegisterReader, name: RegName, type: Type): Value {
  const v = regs.get(name);
  if (v === undefined) return new Value(type, { kind: 'register', reg: name }, undefined, undefined, `register $${name} is not available in this frame`);
  return new Value(type, { kind: 'register', reg: name }, undefined, bigIntToBytes(BigInt(v >>> 0), type.size || 4));
}
