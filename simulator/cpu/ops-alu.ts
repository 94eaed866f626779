// Integer arithmetic, logic, shifts/rotates, multiply/divide, bit operations and flag instructions.
//
// Conventions: operand values are masked to the operand size (`os` bytes); 32-bit values are kept as
// signed int32 (V8 keeps those unboxed), unsigned views are taken locally with `>>> 0`. Results
// that ALU instructions produce are recorded for lazy flags (flags.ts) instead of computing EFLAGS.
// Memory destinations use the read-modify-write path (readRMWOperand / writeRMWOperand), whose read
// already checks write permission, so a flag update is never followed by a faulting write.

import type { Cpu } from './cpu';
import type { Insn } from './insn';
import { Lazy, SIZE_INDEX, SIZE_MASK, SIZE_SIGN } from './flags';
import { Flag } from './registers';

function mask(os: number, v: number): number { return os === 4 ? v | 0 : v & (os === 2 ? 0xffff : 0xff); }
/** Sign-extends an `os`-byte value to a JS int. */
function sx(os: number, v: number): number { return os === 4 ? v | 0 : os === 2 ? (v << 16) >> 16 : (v << 24) >> 24; }

/** The eight classic ALU operations: 0 add 1 or 2 adc 3 sbb 4 and 5 sub 6 xor 7 cmp. */
export function alu(c: Cpu, op: number, os: number, a: number, b: number): number {
  const si = SIZE_INDEX[os];
  let r: number;
  switch (op) {
    case 0: r = mask(os, a + b); c.setLazy(Lazy.ADD, si, a, b, r); return r;
    case 1: r = mask(os, a | b); c.setLazy(Lazy.LOGIC, si, a, b, r); return r;
    case 2: { const cf = c.cf(); r = mask(os, a + b + cf); c.setLazy(cf ? Lazy.ADC1 : Lazy.ADD, si, a, b, r); return r; }
    case 3: { const cf = c.cf(); r = mask(os, a - b - cf); c.setLazy(cf ? Lazy.SBB1 : Lazy.SUB, si, a, b, r); return r; }
    case 4: r = mask(os, a & b); c.setLazy(Lazy.LOGIC, si, a, b, r); return r;
    case 6: r = mask(os, a ^ b); c.setLazy(Lazy.LOGIC, si, a, b, r); return r;
    default: r = mask(os, a - b); c.setLazy(Lazy.SUB, si, a, b, r); return r;
  }
}

export function aluRmReg(c: Cpu, i: Insn): void {
  const os = i.os, b = c.getReg(os, i.reg);
  if (!i.mem) {
    const r = alu(c, i.op, os, c.getReg(os, i.rm), b);
    if (i.op !== 7) c.setReg(os, i.rm, r);
    return;
  }
  if (i.op === 7) { alu(c, 7, os, c.readRM(i), b); return; }
  const a = c.readRMWOperand(i);
  c.writeRMWOperand(i, alu(c, i.op, os, a, b));
}

export function aluRegRm(c: Cpu, i: Insn): void {
  const os = i.os;
  const b = c.readRM(i);
  const r = alu(c, i.op, os, c.getReg(os, i.reg), b);
  if (i.op !== 7) c.setReg(os, i.reg, r);
}

export function aluRmImm(c: Cpu, i: Insn): void {
  const os = i.os;
  if (!i.mem) {
    const r = alu(c, i.op, os, c.getReg(os, i.rm), i.imm);
    if (i.op !== 7) c.setReg(os, i.rm, r);
    return;
  }
  if (i.op === 7) { alu(c, 7, os, c.readRM(i), i.imm); return; }
  const a = c.readRMWOperand(i);
  c.writeRMWOperand(i, alu(c, i.op, os, a, i.imm));
}

export function testRmReg(c: Cpu, i: Insn): void { alu(c, 4, i.os, c.readRM(i), c.getReg(i.os, i.reg)); }
export function testRmImm(c: Cpu, i: Insn): void { alu(c, 4, i.os, c.readRM(i), i.imm); }

/** 40+r / 48+r: inc/dec register (op 0 inc, 1 dec). */
export function incDec(c: Cpu, i: Insn): void {
  const os = i.os, a = c.getReg(os, i.rm);
  const r = mask(os, i.op ? a - 1 : a + 1);
  c.setLazyKeepCf(i.op ? Lazy.DEC : Lazy.INC, SIZE_INDEX[os], a, r);
  c.setReg(os, i.rm, r);
}
/** FE/FF /0 /1. */
export function incDecRm(c: Cpu, i: Insn): void {
  const os = i.os, a = c.readRMWOperand(i);
  const r = mask(os, i.op ? a - 1 : a + 1);
  c.setLazyKeepCf(i.op ? Lazy.DEC : Lazy.INC, SIZE_INDEX[os], a, r);
  c.writeRMWOperand(i, r);
}

export function notRm(c: Cpu, i: Insn): void { c.writeRMWOperand(i, mask(i.os, ~c.readRMWOperand(i))); }
export function negRm(c: Cpu, i: Insn): void {
  const a = c.readRMWOperand(i);
  c.writeRMWOperand(i, alu(c, 5, i.os, 0, a));
}

// ---------------------------------------------------------------------------------- multiply/divide

/** Unsigned 32x32 -> 64 multiply without losing precision: returns the low half, high half in mulHi. */
let mulHi = 0;
function mul32(a: number, b: number): number {
  a >>>= 0; b >>>= 0;
  const aL = a & 0xffff, aH = a >>> 16, bL = b & 0xffff, bH = b >>> 16;
  const ll = aL * bL, lh = aL * bH, hl = aH * bL, hh = aH * bH;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  mulHi = (hh + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 65536)) >>> 0;
  return (((mid & 0xffff) << 16) | (ll & 0xffff)) >>> 0;
}
/** Signed 32x32 -> 64: low half returned, high half (as unsigned) in mulHi. */
function imul32(a: number, b: number): number {
  const lo = mul32(a >>> 0, b >>> 0);
  let hi = mulHi;
  if (a & 0x80000000) hi -= b >>> 0;
  if (b & 0x80000000) hi -= a >>> 0;
  mulHi = hi >>> 0;
  return lo;
}

/** Flags after multiplies: CF=OF as given, SF/ZF/PF from the low result (undefined in the SDM), AF 0. */
function mulFlags(c: Cpu, os: number, low: number, overflow: boolean): void {
  c.setResultFlags(SIZE_INDEX[os], low, overflow ? 1 : 0, overflow);
}

export function mul(c: Cpu, i: Insn): void {
  const src = c.readRM(i);
  if (i.os === 1) { const r = c.r8[0] * src; c.r16[0] = r; mulFlags(c, 1, r & 0xff, (r & 0xff00) !== 0); }
  else if (i.os === 2) { const r = c.r16[0] * src; c.r16[0] = r; c.r16[4] = r >>> 16; mulFlags(c, 2, r & 0xffff, (r >>> 16) !== 0); }
  else { const lo = mul32(c.regs[0] >>> 0, src); c.regs[0] = lo; c.regs[2] = mulHi; mulFlags(c, 4, lo, mulHi !== 0); }
}
export function imul1(c: Cpu, i: Insn): void {
  const src = c.readRM(i);
  if (i.os === 1) { const r = sx(1, c.r8[0]) * sx(1, src); c.r16[0] = r; mulFlags(c, 1, r & 0xff, r !== sx(1, r & 0xff)); }
  else if (i.os === 2) { const r = sx(2, c.r16[0]) * sx(2, src); c.r16[0] = r; c.r16[4] = r >> 16; mulFlags(c, 2, r & 0xffff, r !== sx(2, r & 0xffff)); }
  else {
    const lo = imul32(c.regs[0], src); c.regs[0] = lo; c.regs[2] = mulHi;
    mulFlags(c, 4, lo, mulHi !== ((lo & 0x80000000) ? 0xffffffff : 0));
  }
}
function imulTrunc(c: Cpu, os: number, a: number, b: number): number {
  if (os === 4) {
    // The low half is Math.imul's. The product overflows int32 exactly when the double product is
    // outside the int32 range: below 2^53 in magnitude the double is exact, above it rounding cannot
    // bring it back into range. (No high half needed, no heap numbers.)
    const lo = Math.imul(a, b);
    const p = (a | 0) * (b | 0);
    mulFlags(c, 4, lo, p !== lo);
    return lo;
  }
  const r = sx(os, a) * sx(os, b);
  const lo = mask(os, r);
  mulFlags(c, os, lo, r !== sx(os, lo));
  return lo;
}
/** 0F AF: reg = reg * r/m. */
export function imul2(c: Cpu, i: Insn): void {
  const b = c.readRM(i);
  c.setReg(i.os, i.reg, imulTrunc(c, i.os, c.getReg(i.os, i.reg), b));
}
/** 69 / 6B: reg = r/m * imm. */
export function imul3(c: Cpu, i: Insn): void {
  const a = c.readRM(i);
  c.setReg(i.os, i.reg, imulTrunc(c, i.os, a, i.imm));
}

export function div(c: Cpu, i: Insn): void {
  const d = i.os === 4 ? c.readRM(i) >>> 0 : c.readRM(i);
  if (d === 0) c.fault(0);
  if (i.os === 1) {
    const n = c.r16[0], q = Math.floor(n / d);
    if (q > 0xff) c.fault(0);
    c.r8[0] = q; c.r8[1] = n % d;
  } else if (i.os === 2) {
    const n = ((c.r16[4] << 16) | c.r16[0]) >>> 0, q = Math.floor(n / d);
    if (q > 0xffff) c.fault(0);
    c.r16[0] = q; c.r16[4] = n % d;
  } else {
    const hi = c.regs[2] >>> 0, lo = c.regs[0] >>> 0;
    if (hi >= d) c.fault(0);
    if (hi === 0) { c.regs[0] = Math.floor(lo / d); c.regs[2] = lo % d; return; }
    const n = (BigInt(hi) << 32n) | BigInt(lo), bd = BigInt(d);
    c.regs[0] = Number(n / bd); c.regs[2] = Number(n % bd);
  }
}
export function idiv(c: Cpu, i: Insn): void {
  const d = sx(i.os, c.readRM(i));
  if (d === 0) c.fault(0);
  if (i.os === 1) {
    const n = sx(2, c.r16[0]), q = Math.trunc(n / d);
    if (q > 127 || q < -128) c.fault(0);
    c.r8[0] = q; c.r8[1] = n % d;
  } else if (i.os === 2) {
    const n = (c.r16[4] << 16) | c.r16[0], q = Math.trunc(n / d);
    if (q > 32767 || q < -32768) c.fault(0);
    c.r16[0] = q; c.r16[4] = n % d;
  } else {
    const n = (BigInt(c.regs[2]) << 32n) | BigInt(c.regs[0] >>> 0), bd = BigInt(d);
    const q = n / bd;
    if (q > 2147483647n || q < -2147483648n) c.fault(0);
    c.regs[0] = Number(q); c.regs[2] = Number(n % bd);
  }
}

// ---------------------------------------------------------------------------------- shifts

/**
 * C0/C1/D0-D3 group 2: 0 rol 1 ror 2 rcl 3 rcr 4 shl 5 shr 6 sal(=shl) 7 sar. The count is masked to
 * 5 bits; a zero count changes nothing (not even flags). OF is defined by the SDM for 1-bit shifts
 * only; for larger counts we compute the same formula (deterministic, as the SDM allows).
 */
export function shift(c: Cpu, i: Insn): void {
  const count = (i.imm < 0 ? c.r8[4] : i.imm) & 0x1f;
  const os = i.os;
  if (count === 0) { c.readRM(i); return; }
  const a = c.readRMWOperand(i);
  const bits = os * 8, si = SIZE_INDEX[os], sign = SIZE_SIGN[si], m = SIZE_MASK[si];
  let r: number, cf: number, of: boolean;
  switch (i.op) {
    case 0: { // rol
      const n = count % bits;
      r = n === 0 ? a : mask(os, (a << n) | (a >>> (bits - n)));
      cf = r & 1;
      of = ((r & sign) !== 0) !== (cf !== 0);
      c.setArith(Flag.CF | Flag.OF, cf | (of ? Flag.OF : 0));
      c.writeRMWOperand(i, r);
      return;
    }
    case 1: { // ror
      const n = count % bits;
      r = n === 0 ? a : mask(os, (a >>> n) | (a << (bits - n)));
      cf = (r & sign) ? 1 : 0;
      of = ((r & sign) !== 0) !== ((r & (sign >>> 1)) !== 0);
      c.setArith(Flag.CF | Flag.OF, cf | (of ? Flag.OF : 0));
      c.writeRMWOperand(i, r);
      return;
    }
    case 2: { // rcl: rotate the (bits+1)-bit quantity CF:value left
      const n = count % (bits + 1);
      let v = a, carry = c.cf();
      for (let k = 0; k < n; k++) { const out = (v & sign) ? 1 : 0; v = mask(os, (v << 1) | carry); carry = out; }
      r = v; cf = carry;
      of = ((r & sign) !== 0) !== (cf !== 0);
      c.setArith(Flag.CF | Flag.OF, cf | (of ? Flag.OF : 0));
      c.writeRMWOperand(i, r);
      return;
    }
    case 3: { // rcr
      const n = count % (bits + 1);
      let v = a, carry = c.cf();
      of = ((a & sign) !== 0) !== (carry !== 0);
      for (let k = 0; k < n; k++) { const out = v & 1; v = (v >>> 1) | (carry ? sign : 0); carry = out; }
      r = mask(os, v); cf = carry;
      c.setArith(Flag.CF | Flag.OF, cf | (of ? Flag.OF : 0));
      c.writeRMWOperand(i, r);
      return;
    }
    case 4: case 6: // shl/sal
      r = count >= 32 ? 0 : mask(os, a << count);
      cf = count <= bits ? (a >>> (bits - count)) & 1 : 0;
      of = ((r & sign) !== 0) !== (cf !== 0);
      break;
    case 5: // shr
      r = count >= bits ? 0 : a >>> count;
      cf = count <= bits ? (a >>> (count - 1)) & 1 : 0;
      of = (a & sign) !== 0;
      break;
    default: { // sar
      const s = sx(os, a);
      r = mask(os, s >> Math.min(count, 31));
      cf = (s >> Math.min(count - 1, 31)) & 1;
      of = false;
    }
  }
  c.setResultFlags(si, r & m, cf, of);
  c.writeRMWOperand(i, r);
}

/** 0F A4/A5 shld (op 0), 0F AC/AD shrd (op 1): shift r/m, filling from the reg operand. */
export function shiftDouble(c: Cpu, i: Insn): void {
  const count = (i.imm < 0 ? c.r8[4] : i.imm) & 0x1f;
  if (count === 0) { c.readRM(i); return; }
  const os = i.os, bits = os * 8, si = SIZE_INDEX[os], sign = SIZE_SIGN[si];
  const a = c.readRMWOperand(i), src = c.getReg(os, i.reg);
  let r: number, cf: number;
  if (os === 4) {
    if (i.op === 0) { r = ((a << count) | (src >>> (32 - count))) >>> 0; cf = (a >>> (32 - count)) & 1; }
    else { r = ((a >>> count) | (src << (32 - count))) >>> 0; cf = (a >>> (count - 1)) & 1; }
  } else {
    // 16-bit: shift the 32-bit a:src (or src:a) pair; counts above 16 give an undefined (but fixed) result.
    if (i.op === 0) {
      const pair = ((a << 16) | src) >>> 0;
      const wide = count < 32 ? (pair << count) | (count > 16 ? (a << (count - 16)) : 0) : 0;
      r = (wide >>> 16) & 0xffff;
      cf = count <= 16 ? (a >>> (16 - count)) & 1 : (src >>> (32 - count)) & 1;
    } else {
      const pair = ((src << 16) | a) >>> 0;
      r = (pair >>> count) & 0xffff;
      if (count > 16) r = ((pair >>> count) | (a << (32 - count))) & 0xffff;
      cf = (pair >>> (count - 1)) & 1;
    }
  }
  const of = ((r & sign) !== 0) !== ((a & sign) !== 0);
  c.setResultFlags(si, r, cf, of);
  c.writeRMWOperand(i, r);
  void bits;
}

// ---------------------------------------------------------------------------------- bit operations

/** bt/bts/btr/btc (op 0..3) with the bit offset in a register: memory forms address a bit string. */
export function btRmReg(c: Cpu, i: Insn): void {
  const os = i.os, bits = os * 8;
  const off = c.getReg(os, i.reg);
  if (!i.mem) { btApplyReg(c, i, off & (bits - 1)); return; }
  const soff = sx(os, off);
  const byteOff = os === 4 ? (soff >> 5) * 4 : (soff >> 4) * 2;
  const bit = soff & (bits - 1);
  const offset = i.a32 ? (c.ea(i) + byteOff) >>> 0 : (c.ea(i) + byteOff) & 0xffff;
  btApplyMem(c, i, offset, bit);
}
/** 0F BA /4-7: bit offset immediate (modulo the operand size). */
export function btRmImm(c: Cpu, i: Insn): void {
  const bit = i.imm & (i.os * 8 - 1);
  if (!i.mem) { btApplyReg(c, i, bit); return; }
  btApplyMem(c, i, c.ea(i), bit);
}
function btApplyReg(c: Cpu, i: Insn, bit: number): void {
  const v = c.getReg(i.os, i.rm);
  const cf = (v >>> bit) & 1;
  c.setArith(Flag.CF, cf);
  if (i.op === 0) return;
  const b = 1 << bit;
  c.setReg(i.os, i.rm, i.op === 1 ? v | b : i.op === 2 ? v & ~b : v ^ b);
}
function btApplyMem(c: Cpu, i: Insn, offset: number, bit: number): void {
  const os = i.os;
  if (i.op === 0) {
    const v = c.read(os, c.linR(i.seg, offset, os));
    c.setArith(Flag.CF, (v >>> bit) & 1);
    return;
  }
  const v = c.readRMW(os, c.linW(i.seg, offset, os));
  c.setArith(Flag.CF, (v >>> bit) & 1);
  const b = 1 << bit;
  c.writeRMW(os, mask(os, i.op === 1 ? v | b : i.op === 2 ? v & ~b : v ^ b));
}

export function bsf(c: Cpu, i: Insn): void {
  const v = c.readRM(i);
  if (v === 0) { c.setArith(Flag.ZF, Flag.ZF); return; }
  c.setArith(Flag.ZF, 0);
  c.setReg(i.os, i.reg, 31 - Math.clz32(v & -v));
}
export function bsr(c: Cpu, i: Insn): void {
  const v = c.readRM(i);
  if (v === 0) { c.setArith(Flag.ZF, Flag.ZF); return; }
  c.setArith(Flag.ZF, 0);
  c.setReg(i.os, i.reg, 31 - Math.clz32(v));
}
export function bswap(c: Cpu, i: Insn): void {
  const v = c.regs[i.rm];
  if (i.os === 2) { c.r16[i.rm << 1] = 0; return; } // 16-bit bswap is undefined; real CPUs give 0
  c.regs[i.rm] = ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

// ---------------------------------------------------------------------------------- moves with flags/conditions

export function setcc(c: Cpu, i: Insn): void { c.writeRM(i, c.cond(i.op) ? 1 : 0); }
export function cmov(c: Cpu, i: Insn): void {
  const v = c.readRM(i);
  if (c.cond(i.op)) c.setReg(i.os, i.reg, v);
}
/** movzx: i.os = source size, i.op = destination size. */
export function movzx(c: Cpu, i: Insn): void { c.setReg(i.op, i.reg, c.readRM(i)); }
export function movsx(c: Cpu, i: Insn): void { c.setReg(i.op, i.reg, mask(i.op, sx(i.os, c.readRM(i)))); }

export function cbw(c: Cpu, i: Insn): void {
  if (i.os === 4) c.regs[0] = (c.r16[0] << 16) >> 16; else c.r16[0] = (c.r8[0] << 24) >> 24;
}
export function cwd(c: Cpu, i: Insn): void {
  if (i.os === 4) c.regs[2] = c.regs[0] >> 31; else c.r16[4] = (c.r16[0] & 0x8000) ? 0xffff : 0;
}

export function xadd(c: Cpu, i: Insn): void {
  const os = i.os, src = c.getReg(os, i.reg);
  const dst = c.readRMWOperand(i);
  const r = alu(c, 0, os, dst, src);
  c.setReg(os, i.reg, dst);
  c.writeRMWOperand(i, r);
}
export function cmpxchg(c: Cpu, i: Insn): void {
  const os = i.os;
  const dst = c.readRMWOperand(i);
  const acc = c.getReg(os, 0);
  alu(c, 7, os, acc, dst);
  if (acc === dst) c.writeRMWOperand(i, c.getReg(os, i.reg));
  else { c.writeRMWOperand(i, dst); c.setReg(os, 0, dst); }
}
export function cmpxchg8b(c: Cpu, i: Insn): void {
  const lin = c.linW(i.seg, c.ea(i), 8);
  c.probeWrite(lin, 4); c.probeWrite((lin + 4) >>> 0, 4);
  const lo = c.read32(lin), hi = c.read32((lin + 4) >>> 0);
  if (lo === c.regs[0] && hi === c.regs[2]) {
    c.write32(lin, c.regs[3]); c.write32((lin + 4) >>> 0, c.regs[1]);
    c.setArith(Flag.ZF, Flag.ZF);
  } else {
    c.write32(lin, lo); c.write32((lin + 4) >>> 0, hi);
    c.regs[0] = lo; c.regs[2] = hi;
    c.setArith(Flag.ZF, 0);
  }
}

// ---------------------------------------------------------------------------------- flag instructions

export function clc(c: Cpu): void { c.setArith(Flag.CF, 0); }
export function stc(c: Cpu): void { c.setArith(Flag.CF, Flag.CF); }
export function cmc(c: Cpu): void { c.setArith(Flag.CF, c.cf() ^ 1); }
export function cld(c: Cpu): void { c.flags &= ~Flag.DF; }
export function std(c: Cpu): void { c.flags |= Flag.DF; }
export function lahf(c: Cpu): void { c.r8[1] = (c.getEflags() & 0xd5) | 2; }
export function sahf(c: Cpu): void { c.setArith(0xd5, c.r8[1]); }
/** d6 (undocumented): AL = CF ? FF : 00. */
export function salc(c: Cpu): void { c.r8[0] = c.cf() ? 0xff : 0; }

// ---------------------------------------------------------------------------------- BCD adjust

export function daa(c: Cpu): void {
  const al = c.r8[0], cf = c.cf(), af = c.af() !== 0;
  let r = al, ncf = 0, naf = 0;
  if ((al & 0xf) > 9 || af) { r = (r + 6) & 0xff; naf = Flag.AF; ncf = cf | (al + 6 > 0xff ? 1 : 0); }
  if (al > 0x99 || cf) { r = (r + 0x60) & 0xff; ncf = 1; }
  c.r8[0] = r;
  c.setResultFlags(0, r, ncf, false, naf);
}
export function das(c: Cpu): void {
  const al = c.r8[0], cf = c.cf(), af = c.af() !== 0;
  let r = al, ncf = 0, naf = 0;
  if ((al & 0xf) > 9 || af) { r = (r - 6) & 0xff; naf = Flag.AF; ncf = cf | (al < 6 ? 1 : 0); }
  if (al > 0x99 || cf) { r = (r - 0x60) & 0xff; ncf = 1; }
  c.r8[0] = r;
  c.setResultFlags(0, r, ncf, false, naf);
}
export function aaa(c: Cpu): void {
  const af = c.af() !== 0;
  if ((c.r8[0] & 0xf) > 9 || af) { c.r16[0] = c.r16[0] + 0x106; c.r8[0] &= 0xf; c.setResultFlags(0, c.r8[0], 1, false, Flag.AF); }
  else { c.r8[0] &= 0xf; c.setResultFlags(0, c.r8[0], 0, false, 0); }
}
export function aas(c: Cpu): void {
  const af = c.af() !== 0;
  if ((c.r8[0] & 0xf) > 9 || af) { c.r16[0] = c.r16[0] - 6; c.r8[1] = c.r8[1] - 1; c.r8[0] &= 0xf; c.setResultFlags(0, c.r8[0], 1, false, Flag.AF); }
  else { c.r8[0] &= 0xf; c.setResultFlags(0, c.r8[0], 0, false, 0); }
}
export function aam(c: Cpu, i: Insn): void {
  if (i.imm === 0) c.fault(0);
  const al = c.r8[0];
  c.r8[1] = Math.floor(al / i.imm); c.r8[0] = al % i.imm;
  c.setResultFlags(0, c.r8[0], 0, false);
}
export function aad(c: Cpu, i: Insn): void {
  const r = (c.r8[0] + c.r8[1] * i.imm) & 0xff;
  c.r8[0] = r; c.r8[1] = 0;
  c.setResultFlags(0, r, 0, false);
}
