import { SymbolFile } from './program';
import { resolveType, Type, typeToString } from './types';
import { EvalError, Value, valueToBigInt, valueToFloat } from './value';

/**
 * Text for values, in gdb's conventions so kernel developers read what they expect: chars as
 * `65 'A'`, enums by name (flag enums as `(A | B)`), pointers with the symbol they point into
 * (`0xc0345000 <init_task>`), char pointers and arrays as strings, repeats folded (`<repeats 16 times>`),
 * `<optimized out>` and `<error: ...>` instead of wrong numbers.
 */

export interface FormatOptions {
  hex?: boolean;
  /** Elements shown per array before "..." (gdb's `print elements`, default 200). */
  maxElements?: number;
  /** Nesting depth for structs inside structs. */
  maxDepth?: number;
}

const REPEAT_THRESHOLD = 10;

export function formatValue(syms: SymbolFile | undefined, v: Value, opts: FormatOptions = {}, depth = 0): string {
  if (v.problem) return v.problem === 'optimized out' ? '<optimized out>' : `<unavailable: ${v.problem}>`;
  // A value printed from its own bytes that cannot be read shows need()'s error, as formatInner's throw
  // would, but without building an Error: a struct at an unmapped address has hundreds of such members,
  // and an Error (with its stack trace) per member was most of a variables refresh.
  if (printedFromOwnBytes(v.type)) {
    const why = v.unreadable();
    if (why !== undefined) return `<error: ${why}>`;
  }
  try {
    return formatInner(syms, v, opts, depth);
  } catch (e) {
    if (e instanceof EvalError) return `<error: ${e.message}>`;
    throw e;
  }
}

/** Types formatInner prints by reading the value's bytes first (scalars, pointers, char arrays). */
function printedFromOwnBytes(type: Type): boolean {
  const t = resolveType(type);
  if (t.kind === 'base' || t.kind === 'enum' || t.kind === 'pointer') return true;
  if (t.kind !== 'array') return false;
  const el = resolveType(t.element);
  return el.kind === 'base' && el.size === 1 && (el.encoding === 'signed-char' || el.encoding === 'unsigned-char');
}

function charLiteral(c: number): string {
  const esc: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 27: '\\033', 39: "\\'", 92: '\\\\' };
  if (esc[c]) return esc[c];
  if (c >= 32 && c < 127) return String.fromCharCode(c);
  return '\\' + (c & 0xff).toString(8).padStart(3, '0');
}

function strChar(c: number): string {
  if (c === 34) return '\\"';
  if (c === 39) return "'";
  return charLiteral(c);
}

/** gdb-style string body of bytes with runs of more than 10 equal chars folded. */
export function formatCharArray(bytes: Uint8Array, limit = 200): string {
  // gdb prints the whole array but not one final NUL (the C string terminator).
  let n = bytes.length;
  if (n > 0 && bytes[n - 1] === 0) n--;
  const parts: string[] = [];
  let cur = '';
  let i = 0;
  const shown = Math.min(n, limit);
  while (i < shown) {
    let j = i;
    while (j < shown && bytes[j] === bytes[i]) j++;
    const run = j - i;
    if (run > REPEAT_THRESHOLD) {
      if (cur) { parts.push(`"${cur}"`); cur = ''; }
      parts.push(`'${charLiteral(bytes[i])}' <repeats ${run} times>`);
    } else {
      for (let k = 0; k < run; k++) cur += strChar(bytes[i]);
    }
    i = j;
  }
  if (cur || parts.length === 0) parts.push(`"${cur}"`);
  let s = parts.join(', ');
  if (n > limit) s += '...';
  return s;
}

function formatInt(x: bigint, hex: boolean): string {
  if (!hex) return x.toString();
  return '0x' + (x < 0n ? BigInt.asUintN(64, x) : x).toString(16);
}

function symbolSuffix(syms: SymbolFile | undefined, addr: number): string {
  if (!syms || addr === 0) return '';
  const s = syms.symbolAt(addr);
  if (!s) return '';
  if (s.symbol.size && s.offset >= s.symbol.size && s.symbol.type !== 'func') return '';
  return s.offset ? ` <${s.symbol.name}+${s.offset}>` : ` <${s.symbol.name}>`;
}

function readCString(v: Value, addr: number, limit: number): Uint8Array | null {
  if (!v.mem) return null;
  const out: number[] = [];
  for (let i = 0; i < limit; i++) {
    const b = v.mem.read(addr + i, 1);
    if (!b) return out.length ? Uint8Array.from(out) : null;
    if (b[0] === 0) break;
    out.push(b[0]);
  }
  return Uint8Array.from(out);
}

function formatInner(syms: SymbolFile | undefined, v: Value, opts: FormatOptions, depth: number): string {
  const t = resolveType(v.type);
  const hex = !!opts.hex;
  switch (t.kind) {
    case 'void': return 'void';
    case 'base': {
      if (t.encoding === 'float') {
        const x = valueToFloat(v);
        if (Number.isInteger(x) && Math.abs(x) < 1e16) return x.toString();
        return t.size === 4 ? parseFloat(x.toPrecision(9)).toString() : parseFloat(x.toPrecision(17)).toString();
      }
      const x = valueToBigInt(v);
      if (t.encoding === 'bool') return x === 0n ? 'false' : x === 1n ? 'true' : x.toString();
      if ((t.encoding === 'signed-char' || t.encoding === 'unsigned-char') && t.size === 1 && v.bitSize === undefined) {
        return `${formatInt(x, hex)} '${charLiteral(Number(BigInt.asUintN(8, x)))}'`;
      }
      return formatInt(x, hex);
    }
    case 'enum': {
      const x = Number(valueToBigInt(v));
      const hit = t.enumerators.find((e) => e.value === x);
      if (hit) return hit.name;
      // gdb's flag enums: every enumerator is 0 or a set of bits not shared with the others.
      const vals = t.enumerators.map((e) => e.value);
      const flag = vals.every((a, i) => a >= 0 && vals.every((b, j) => i === j || (a & b) === 0));
      if (flag && x > 0) {
        const names: string[] = [];
        let rest = x;
        for (const e of t.enumerators) if (e.value !== 0 && (rest & e.value) === e.value) { names.push(e.name); rest &= ~e.value; }
        if (names.length) return `(${names.join(' | ')}${rest ? ` | unknown: 0x${rest.toString(16)}` : ''})`;
      }
      return x.toString();
    }
    case 'pointer': {
      const addr = Number(BigInt.asUintN(32, valueToBigInt(v)));
      const target = resolveType(t.target);
      const head = '0x' + addr.toString(16);
      if (target.kind === 'base' && target.size === 1 && (target.encoding === 'signed-char' || target.encoding === 'unsigned-char') && addr !== 0) {
        const s = readCString(v, addr, opts.maxElements ?? 200);
        // gdb: the address, the symbol it points into (`print symbol`), then the string.
        return s ? `${head}${symbolSuffix(syms, addr)} ${formatCharArray(Uint8Array.from([...s, 0]))}` : `${head} <error: Cannot access memory at address ${head}>`;
      }
      return head + symbolSuffix(syms, addr);
    }
    case 'function': {
      const addr = v.address ?? 0;
      return `{${typeToString(v.type)}} 0x${addr.toString(16)}${symbolSuffix(syms, addr)}`;
    }
    case 'array': {
      const el = resolveType(t.element);
      const count = t.count ?? 0;
      if (el.kind === 'base' && el.size === 1 && (el.encoding === 'signed-char' || el.encoding === 'unsigned-char')) {
        return formatCharArray(v.need().slice(0, count), opts.maxElements ?? 200);
      }
      const items = valueChildren(syms, v, opts.maxElements ?? 200).map((c) => formatValue(syms, c.value, opts, depth + 1));
      return '{' + foldRepeats(items).join(', ') + (count > (opts.maxElements ?? 200) ? '...' : '') + '}';
    }
    case 'struct': case 'union': {
      if ((opts.maxDepth ?? 8) <= depth) return '{...}';
      const parts = valueChildren(syms, v).map((c) => `${c.name} = ${formatValue(syms, c.value, opts, depth + 1)}`);
      return '{' + parts.join(', ') + '}';
    }
    default: return '?';
  }
}

function foldRepeats(items: string[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < items.length) {
    let j = i;
    while (j < items.length && items[j] === items[i]) j++;
    if (j - i > REPEAT_THRESHOLD) out.push(`${items[i]} <repeats ${j - i} times>`);
    else for (let k = i; k < j; k++) out.push(items[k]);
    i = j;
  }
  return out;
}

/**
 * The expandable parts of a value: struct/union members (anonymous members spliced in), array
 * elements ([0], [1], ... up to `limit`), and for a pointer to a struct/union its target's members.
 */
export function valueChildren(syms: SymbolFile | undefined, v: Value, limit = 1000): { name: string; value: Value }[] {
  const t = resolveType(v.type);
  if (t.kind === 'struct' || t.kind === 'union') {
    const out: { name: string; value: Value }[] = [];
    for (const m of t.members) {
      const bitPos = m.bitPosition !== undefined ? m.bitPosition - m.offset * 8 : undefined;
      let mv: Value;
      if (v.loc.kind === 'memory') mv = new Value(m.type, { kind: 'memory', address: (v.loc.address + m.offset) >>> 0 }, v.mem, undefined, undefined, m.bitSize, bitPos);
      else {
        const b = v.bytes();
        const n = m.bitSize !== undefined ? Math.ceil(((bitPos ?? 0) + m.bitSize) / 8) : m.type.size;
        mv = b ? new Value(m.type, { kind: 'none' }, undefined, b.slice(m.offset, m.offset + n), undefined, m.bitSize, bitPos)
          : new Value(m.type, { kind: 'none' }, undefined, undefined, v.problem ?? 'value is not available');
      }
      if (m.name === undefined) {
        const mt = resolveType(m.type);
        if (mt.kind === 'struct' || mt.kind === 'union') { out.push(...valueChildren(syms, mv, limit)); continue; }
      }
      out.push({ name: m.name ?? '<anonymous>', value: mv });
    }
    return out;
  }
  if (t.kind === 'array') {
    const el = t.element;
    const count = Math.min(t.count ?? 0, limit);
    const out: { name: string; value: Value }[] = [];
    const b = v.loc.kind === 'memory' ? undefined : v.bytes();
    for (let i = 0; i < count; i++) {
      out.push({
        name: `[${i}]`,
        value: v.loc.kind === 'memory' ? new Value(el, { kind: 'memory', address: (v.loc.address + i * el.size) >>> 0 }, v.mem)
          : new Value(el, { kind: 'none' }, undefined, b ? b.slice(i * el.size, (i + 1) * el.size) : undefined, b ? undefined : 'value is not available'),
      });
    }
    return out;
  }
  if (t.kind === 'pointer') {
    const target = resolveType(t.target);
    if (target.kind === 'struct' || target.kind === 'union') {
      let addr: number;
      try { addr = Number(BigInt.asUintN(32, valueToBigInt(v))); } catch { return []; }
      if (addr === 0) return [];
      return valueChildren(syms, new Value(t.target, { kind: 'memory', address: addr }, v.mem), limit);
    }
  }
  return [];
}

/** Whether a value has children to expand in a variables view. */
export function hasChildren(v: Value): boolean {
  const t = resolveType(v.type);
  if (t.kind === 'struct' || t.kind === 'union') return true;
  if (t.kind === 'array') return (t.count ?? 0) > 0;
  if (t.kind === 'pointer') { const r = resolveType(t.target); return r.kind === 'struct' || r.kind === 'union'; }
  return false;
}

export function typeName(t: Type): string { return typeToString(t); }
