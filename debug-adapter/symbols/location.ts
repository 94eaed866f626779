import { ByteReader } from './byte-reader';
import * as dwarfConstants from './dwarf-constants';
// Bound once: module-namespace reads are getters under CommonJS transpilers; these are hot.
const { DW_FORM, DW_LLE, DW_AT } = dwarfConstants;
import { CompileUnit, isBlockForm } from './dwarf-info';
import { DWARF_REGS, MemoryReader, RegName } from './interfaces';

/**
 * DWARF location expressions: a little stack machine program per variable saying where its value is
 * (an address, a register, or — in optimized code — the value itself computed from registers and
 * memory), and location lists that give a different expression per PC range.
 */

export type Location =
  | { kind: 'memory'; address: number }
  | { kind: 'register'; reg: RegName }
  | { kind: 'value'; bytes: Uint8Array }                  // DW_OP_stack_value / implicit_value
  | { kind: 'pieces'; pieces: { location: Location; size: number }[] }
  | { kind: 'optimized-out' }
  | { kind: 'unavailable'; reason: string };

export interface LocationContext {
  /** Register of the frame (DWARF register names); undefined = not recoverable in this frame. */
  reg(name: RegName): number | undefined;
  mem: MemoryReader;
  /** Frame base (DW_AT_frame_base of the function, already evaluated) for DW_OP_fbreg. */
  frameBase?: () => number | undefined;
  /** Canonical frame address of the frame (for DW_OP_call_frame_cfa). */
  cfa?: () => number | undefined;
  /** The unit (for DW_OP_addrx / constx). */
  cu?: CompileUnit;
  /** Object address for DW_OP_push_object_address. */
  objectAddress?: number;
}

export class LocationError extends Error {}

function regByNumber(n: number): RegName {
  const r = DWARF_REGS[n];
  if (!r) throw new LocationError(`DWARF register ${n} is not an i386 general register`);
  return r;
}

const u32 = (v: number) => v >>> 0;
const s32 = (v: number) => v | 0;

/**
 * Runs a location expression. `initial` is pushed first (e.g. the struct address for
 * data_member_location). Returns where the object is; values read through unavailable memory or
 * registers yield kind 'unavailable' with the reason.
 */
export function evaluateLocation(expr: Uint8Array, ctx: LocationContext, initial: number[] = []): Location {
  if (expr.length === 0) return { kind: 'optimized-out' };
  const r = new ByteReader(expr, 'location expression');
  const stack: number[] = [...initial];
  const pieces: { location: Location; size: number }[] = [];
  let pending: Location | undefined;     // register / implicit location of the current piece
  const pop = (): number => {
    if (stack.length === 0) throw new LocationError('location expression stack underflow');
    return stack.pop()!;
  };
  const readReg = (n: number): number => {
    const name = regByNumber(n);
    const v = ctx.reg(name);
    if (v === undefined) throw new LocationError(`register ${name} is not available in this frame`);
    return v;
  };
  const deref = (addr: number, size: number): number => {
    const b = ctx.mem.read(u32(addr), size);
    if (!b || b.length < size) throw new LocationError(`cannot read memory at 0x${u32(addr).toString(16)}`);
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + b[i];
    return u32(v);
  };
  try {
    while (!r.atEnd) {
      const op = r.u8();
      if (op >= 0x30 && op <= 0x4f) { stack.push(op - 0x30); continue; }              // lit0..31
      if (op >= 0x50 && op <= 0x6f) { pending = { kind: 'register', reg: regByNumber(op - 0x50) }; continue; } // reg0..31
      if (op >= 0x70 && op <= 0x8f) { stack.push(u32(readReg(op - 0x70) + r.sleb())); continue; } // breg0..31
      switch (op) {
        case 0x03: stack.push(r.u32()); break;                                         // addr
        case 0x06: stack.push(deref(pop(), 4)); break;                                 // deref
        case 0x08: stack.push(r.u8()); break;
        case 0x09: stack.push(u32(r.i8())); break;
        case 0x0a: stack.push(r.u16()); break;
        case 0x0b: stack.push(u32(r.i16())); break;
        case 0x0c: stack.push(r.u32()); break;
        case 0x0d: stack.push(u32(r.i32())); break;
        case 0x0e: stack.push(u32(r.u64() % 0x1_0000_0000)); break;
        case 0x0f: stack.push(u32(r.i64() % 0x1_0000_0000)); break;
        case 0x10: stack.push(u32(r.uleb() % 0x1_0000_0000)); break;                   // constu
        case 0x11: stack.push(u32(r.sleb() % 0x1_0000_0000)); break;                   // consts
        case 0x12: { const v = pop(); stack.push(v, v); break; }                        // dup
        case 0x13: pop(); break;                                                       // drop
        case 0x14: { if (stack.length < 2) throw new LocationError('stack underflow'); stack.push(stack[stack.length - 2]); break; }
        case 0x15: { const i = r.u8(); if (i >= stack.length) throw new LocationError('pick out of range'); stack.push(stack[stack.length - 1 - i]); break; }
        case 0x16: { const a = pop(), b = pop(); stack.push(a, b); break; }            // swap
        case 0x17: { const a = pop(), b = pop(), c = pop(); stack.push(a, c, b); break; } // rot
        case 0x19: stack.push(u32(Math.abs(s32(pop())))); break;                       // abs
        case 0x1a: { const b = pop(), a = pop(); stack.push(u32(a & b)); break; }
        case 0x1b: { const b = pop(), a = pop(); if (s32(b) === 0) throw new LocationError('division by zero'); stack.push(u32(Math.trunc(s32(a) / s32(b)))); break; }
        case 0x1c: { const b = pop(), a = pop(); stack.push(u32(a - b)); break; }      // minus
        case 0x1d: { const b = pop(), a = pop(); if (b === 0) throw new LocationError('modulo by zero'); stack.push(u32(a % b)); break; }
        case 0x1e: { const b = pop(), a = pop(); stack.push(u32(Math.imul(a, b))); break; }
        case 0x1f: stack.push(u32(-s32(pop()))); break;                                // neg
        case 0x20: stack.push(u32(~pop())); break;                                     // not
        case 0x21: { const b = pop(), a = pop(); stack.push(u32(a | b)); break; }
        case 0x22: { const b = pop(), a = pop(); stack.push(u32(a + b)); break; }      // plus
        case 0x23: stack.push(u32(pop() + r.uleb())); break;                           // plus_uconst
        case 0x24: { const b = pop(), a = pop(); stack.push(b >= 32 ? 0 : u32(a << b)); break; }
        case 0x25: { const b = pop(), a = pop(); stack.push(b >= 32 ? 0 : a >>> b); break; }
        case 0x26: { const b = pop(), a = pop(); stack.push(u32(s32(a) >> Math.min(b, 31))); break; }
        case 0x27: { const b = pop(), a = pop(); stack.push(u32(a ^ b)); break; }
        case 0x28: { const off = r.i16(); if (pop() !== 0) r.pos += off; break; }      // bra
        case 0x29: case 0x2a: case 0x2b: case 0x2c: case 0x2d: case 0x2e: {           // eq ge gt le lt ne (signed)
          const b = s32(pop()), a = s32(pop());
          const res = op === 0x29 ? a === b : op === 0x2a ? a >= b : op === 0x2b ? a > b : op === 0x2c ? a <= b : op === 0x2d ? a < b : a !== b;
          stack.push(res ? 1 : 0);
          break;
        }
        case 0x2f: { const off = r.i16(); r.pos += off; break; }                        // skip
        case 0x90: pending = { kind: 'register', reg: regByNumber(r.uleb()) }; break;  // regx
        case 0x91: {                                                                   // fbreg
          const off = r.sleb();
          const fb = ctx.frameBase?.();
          if (fb === undefined) throw new LocationError('frame base is not available');
          stack.push(u32(fb + off));
          break;
        }
        case 0x92: { const reg = r.uleb(); stack.push(u32(readReg(reg) + r.sleb())); break; } // bregx
        case 0x93: case 0x9d: {                                                        // piece, bit_piece
          const size = r.uleb();
          if (op === 0x9d) r.uleb();
          let loc: Location;
          if (pending) loc = pending;
          else if (stack.length) loc = { kind: 'memory', address: pop() };
          else loc = { kind: 'optimized-out' };
          pieces.push({ location: loc, size: op === 0x9d ? Math.ceil(size / 8) : size });
          pending = undefined;
          break;
        }
        case 0x94: { const n = r.u8(); stack.push(deref(pop(), n)); break; }           // deref_size
        case 0x96: break;                                                              // nop
        case 0x97:                                                                     // push_object_address
          if (ctx.objectAddress === undefined) throw new LocationError('no object address');
          stack.push(ctx.objectAddress);
          break;
        case 0x9c: {                                                                   // call_frame_cfa
          const cfa = ctx.cfa?.();
          if (cfa === undefined) throw new LocationError('CFA is not available');
          stack.push(cfa);
          break;
        }
        case 0x9e: {                                                                   // implicit_value
          const n = r.uleb();
          pending = { kind: 'value', bytes: r.bytesN(n).slice() };
          break;
        }
        case 0x9f: {                                                                   // stack_value
          const v = pop();
          pending = { kind: 'value', bytes: new Uint8Array([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]) };
          break;
        }
        case 0xa1: case 0xfb: {                                                        // addrx
          const i = r.uleb();
          if (!ctx.cu) throw new LocationError('DW_OP_addrx without a unit');
          stack.push(ctx.cu.addressAtIndex(i));
          break;
        }
        case 0xa2: case 0xfc: {                                                        // constx
          const i = r.uleb();
          if (!ctx.cu) throw new LocationError('DW_OP_constx without a unit');
          stack.push(ctx.cu.addressAtIndex(i));
          break;
        }
        case 0xa3: case 0xf3:                                                          // entry_value
          return { kind: 'unavailable', reason: 'value at function entry (DW_OP_entry_value) is not recoverable' };
        case 0xa0: case 0xf2:                                                          // implicit_pointer
          return { kind: 'unavailable', reason: 'implicit pointer (pointer to an optimized-out object)' };
        case 0xf0: break;                                                              // GNU_uninit
        case 0xe0: case 0x9b:
          return { kind: 'unavailable', reason: 'thread-local storage is not supported' };
        default:
          return { kind: 'unavailable', reason: `unsupported DWARF operation 0x${op.toString(16)}` };
      }
    }
  } catch (e) {
    if (e instanceof LocationError) return { kind: 'unavailable', reason: e.message };
    if (e instanceof Error) return { kind: 'unavailable', reason: e.message };
    throw e;
  }
  if (pieces.length) return { kind: 'pieces', pieces };
  if (pending) return pending;
  if (stack.length === 0) return { kind: 'optimized-out' };
  return { kind: 'memory', address: stack[stack.length - 1] };
}

/**
 * The expression of a location attribute valid at `pc`: the attribute itself when it is an
 * expression (exprloc/block), else the entry of its location list (.debug_loc or .debug_loclists)
 * whose range contains pc. null = no entry covers pc (the variable is optimized out there).
 */
export function locationExpressionAt(cu: CompileUnit, form: number, value: number | Uint8Array, pc: number): Uint8Array | null {
  if (value instanceof Uint8Array) return value;
  if (isBlockForm(form)) return null;
  const s = cu.owner.sections;
  const base0 = cu.header().num(DW_AT.low_pc) ?? 0;
  if (cu.version < 5) {
    const r = new ByteReader(s.loc, '.debug_loc', value);
    let base = base0;
    for (;;) {
      const a = r.u32(), b = r.u32();
      if (a === 0 && b === 0) return null;
      if (a === 0xffffffff) { base = b; continue; }
      const len = r.u16();
      const expr = r.bytesN(len);
      if (pc >= base + a && pc < base + b) return expr;
    }
  }
  let off = value;
  if (form === DW_FORM.loclistx) {
    const r0 = new ByteReader(s.loclists, '.debug_loclists', cu.loclistsBase + value * cu.offsetSize);
    off = cu.loclistsBase + r0.uN(cu.offsetSize);
  }
  const r = new ByteReader(s.loclists, '.debug_loclists', off);
  let base = base0;
  for (;;) {
    const at = r.pos;
    const kind = r.u8();
    let start = 0, end = 0, hasRange = true;
    switch (kind) {
      case DW_LLE.end_of_list: return null;
      case DW_LLE.base_addressx: base = cu.addressAtIndex(r.uleb()); hasRange = false; break;
      case DW_LLE.startx_endx: start = cu.addressAtIndex(r.uleb()); end = cu.addressAtIndex(r.uleb()); break;
      case DW_LLE.startx_length: start = cu.addressAtIndex(r.uleb()); end = start + r.uleb(); break;
      case DW_LLE.offset_pair: start = base + r.uleb(); end = base + r.uleb(); break;
      case DW_LLE.default_location: start = 0; end = 0x1_0000_0000; break;
      case DW_LLE.base_address: base = r.u32(); hasRange = false; break;
      case DW_LLE.start_end: start = r.u32(); end = r.u32(); break;
      case DW_LLE.start_length: start = r.u32(); end = start + r.uleb(); break;
      case DW_LLE.GNU_view_pair: r.uleb(); r.uleb(); hasRange = false; break;
      default: r.fail(`unknown location list entry kind 0x${kind.toString(16)}`, at);
    }
    if (!hasRange) continue;
    const expr = r.bytesN(r.uleb());
    if (pc >= start && pc < end) return expr;
  }
}
