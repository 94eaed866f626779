// A minimal x87 FPU: enough for a kernel to demonstrate lazy FPU context switching and for simple
// floating-point user code.
//
// The x87 is a stack of eight 80-bit registers addressed relative to TOP (ST(0) = R[TOP]), a status
// word (TOP in bits 11-13, condition codes C0-C3, exception flags), a control word (masks, rounding
// control) and a tag word (valid/zero/special/empty per register).
// Simplification (documented gap): values are held as IEEE doubles, so arithmetic has double rather
// than 80-bit extended precision; fnsave/fxsave store them converted to the 80-bit format, so state
// round-trips exactly for every value that came from a double. The rounding-control field is honoured
// by the arithmetic, fsqrt, fst m32, fild m64 and fist/frndint (x87-rounding.ts); precision control is
// not modelled (results keep 53 bits whatever PC says).
//
// Lazy FPU switching rests on #NM: with CR0.TS set (the OS sets it on every task switch) the first
// x87/fxsave instruction raises #NM (vector 7); the handler does clts, saves the previous owner's state
// and restores the current task's. CR0.EM set also raises #NM; wait/fwait raises it when TS and MP.

import type { Cpu } from './cpu';
import type { Insn } from './insn';
import { addRc, divRc, int64Rc, mulRc, sqrtRc, subRc, toFloat32Rc } from './x87-rounding';

export class Fpu {
  readonly st = new Float64Array(8);
  /** 1 = register empty (the tag word is derived from this and the values). */
  readonly empty = new Uint8Array(8).fill(1);
  top = 0;
  /** Status word without TOP (bits 11-13 are composed on read). */
  sw = 0;
  cw = 0x37f;
  /** Last instruction/operand pointers and opcode, saved by fnsave/fxsave. */
  fip = 0; fcs = 0; fdp = 0; fds = 0; fop = 0;
  mxcsr = 0x1f80;

  reset(): void {
    this.st.fill(0); this.empty.fill(1); this.top = 0; this.sw = 0; this.cw = 0x37f;
    this.fip = 0; this.fcs = 0; this.fdp = 0; this.fds = 0; this.fop = 0; this.mxcsr = 0x1f80;
  }
  /** fninit: like reset, but keeps MXCSR. */
  init(): void { const m = this.mxcsr; this.reset(); this.mxcsr = m; }
  statusWord(): number { return (this.sw & ~0x3800) | ((this.top & 7) << 11); }
  tagWord(): number {
    let t = 0;
    for (let r = 0; r < 8; r++) {
      let tag: number;
      if (this.empty[r]) tag = 3;
      else { const v = this.st[r]; tag = v === 0 ? 1 : Number.isFinite(v) ? 0 : 2; }
      t |= tag << (2 * r);
    }
    return t;
  }
  get(i: number): number { return this.st[(this.top + i) & 7]; }
  set(i: number, v: number): void { const r = (this.top + i) & 7; this.st[r] = v; this.empty[r] = 0; }
  isEmpty(i: number): boolean { return this.empty[(this.top + i) & 7] === 1; }
  push(v: number): void {
    this.top = (this.top - 1) & 7;
    if (!this.empty[this.top]) this.sw |= 0x41 | 0x200; // stack overflow: IE + SF + C1
    this.st[this.top] = v; this.empty[this.top] = 0;
  }
  pop(): void { this.empty[this.top] = 1; this.top = (this.top + 1) & 7; }
  /** Reads ST(i), flagging stack underflow (the masked response is the default NaN). */
  read(i: number): number {
    if (this.isEmpty(i)) { this.sw |= 0x41; return NaN; }
    return this.get(i);
  }
  /** Rounds per the control word's RC field (for fist/frndint). */
  round(v: number): number {
    switch ((this.cw >> 10) & 3) {
      case 0: { const f = Math.floor(v), d = v - f; return d > 0.5 ? f + 1 : d < 0.5 ? f : (f % 2 === 0 ? f : f + 1); }
      case 1: return Math.floor(v);
      case 2: return Math.ceil(v);
      default: return Math.trunc(v);
    }
  }
  /** Condition codes C0 (bit 8), C2 (bit 10), C3 (bit 14) for a comparison. */
  compareCodes(a: number, b: number): number {
    if (Number.isNaN(a) || Number.isNaN(b)) return 0x4500;
    return a < b ? 0x100 : a > b ? 0 : 0x4000;
  }
}

// ---------------------------------------------------------------------------------- 80-bit format

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Writes `v` as an 80-bit extended real (64-bit significand with explicit integer bit) at lin. */
function writeExt80(c: Cpu, lin: number, v: number): void {
  f64[0] = v;
  const lo = u32[0], hi = u32[1];
  const sign = hi >>> 31;
  let exp = (hi >>> 20) & 0x7ff;
  let mHi: number, mLo: number, e: number;
  const fracHi = hi & 0xfffff;
  if (exp === 0 && fracHi === 0 && lo === 0) { mHi = 0; mLo = 0; e = 0; }
  else if (exp === 0x7ff) { e = 0x7fff; mHi = (0x80000000 | (fracHi << 11) | (lo >>> 21)) >>> 0; mLo = (lo << 11) >>> 0; if (fracHi || lo) mHi |= 0x40000000; }
  else {
    let fh = fracHi, fl = lo;
    if (exp === 0) { // double denormal: normalise
      exp = 1;
      while (!(fh & 0x100000)) { fh = (fh << 1) | (fl >>> 31); fl = (fl << 1) >>> 0; exp--; }
      fh &= 0xfffff;
    }
    e = exp - 1023 + 16383;
    mHi = (0x80000000 | (fh << 11) | (fl >>> 21)) >>> 0;
    mLo = (fl << 11) >>> 0;
  }
  c.write32(lin, mLo); c.write32((lin + 4) >>> 0, mHi); c.write16((lin + 8) >>> 0, (sign << 15) | e);
}
function readExt80(c: Cpu, lin: number): number {
  const mLo = c.read32(lin) >>> 0, mHi = c.read32((lin + 4) >>> 0) >>> 0, se = c.read16((lin + 8) >>> 0);
  const sign = se & 0x8000 ? -1 : 1, e = se & 0x7fff;
  if (e === 0x7fff) return (mHi & 0x7fffffff) || mLo ? NaN : sign * Infinity;
  if (e === 0 && mHi === 0 && mLo === 0) return sign * 0;
  return sign * (mHi * 4294967296 + mLo) * Math.pow(2, e - 16383 - 63);
}

// ---------------------------------------------------------------------------------- #NM and dispatch

function checkNm(c: Cpu): void { if (c.cr0 & 0xc) c.fault(7); }

/** 9B wait/fwait: #NM when TS and MP are both set. */
export function fwait(c: Cpu): void { if ((c.cr0 & 0xa) === 0xa) c.fault(7); }

function memLin(c: Cpu, i: Insn, size: number, write: boolean): number {
  const off = c.ea(i);
  return write ? c.linW(i.seg, off, size) : c.linR(i.seg, off, size);
}
const f32 = new Float32Array(1);
const f32u = new Uint32Array(f32.buffer);
function readFloat32(c: Cpu, lin: number): number { f32u[0] = c.read32(lin); return f32[0]; }
function writeFloat32(c: Cpu, lin: number, v: number): void { f32[0] = toFloat32Rc((c.fpu.cw >> 10) & 3, v); c.write32(lin, f32u[0]); }
function readFloat64(c: Cpu, lin: number): number { u32[0] = c.read32(lin); u32[1] = c.read32((lin + 4) >>> 0); return f64[0]; }
function writeFloat64(c: Cpu, lin: number, v: number): void {
  f64[0] = v; const lo = u32[0], hi = u32[1];
  c.probeWrite(lin, 4); c.probeWrite((lin + 4) >>> 0, 4);
  c.write32(lin, lo); c.write32((lin + 4) >>> 0, hi);
}

/** The arithmetic of D8/DC/DE /0-/7: add mul com comp sub subr div divr, rounded per the control word's RC. */
function arith(f: Fpu, op: number, a: number, b: number): number {
  const rc = (f.cw >> 10) & 3;
  switch (op) {
    case 0: return addRc(rc, a, b);
    case 1: return mulRc(rc, a, b);
    case 4: return subRc(rc, a, b);
    case 5: return subRc(rc, b, a);
    case 6: if (b === 0 && !Number.isNaN(a)) f.sw |= 4; return divRc(rc, a, b);
    default: if (a === 0 && !Number.isNaN(b)) f.sw |= 4; return divRc(rc, b, a);
  }
}

function setCompare(c: Cpu, f: Fpu, a: number, b: number): void {
  f.sw = (f.sw & ~0x4700) | f.compareCodes(a, b);
}
/** fcomi/fucomi: the comparison lands in ZF/PF/CF. */
function setCompareEflags(c: Cpu, a: number, b: number): void {
  const bits = Number.isNaN(a) || Number.isNaN(b) ? 0x45 : a < b ? 1 : a > b ? 0 : 0x40;
  c.setArith(0x8d5, bits);
}

function intRange(v: number, bits: number): boolean { const lim = 2 ** (bits - 1); return Number.isFinite(v) && v >= -lim && v < lim; }

/** D8-DF. i.op = (opcode & 7) << 3 | reg. */
export function x87(c: Cpu, i: Insn): void {
  checkNm(c);
  const f = c.fpu;
  const grp = i.op >> 3, reg = i.op & 7;
  f.fop = (grp << 8) | (reg << 3) | (i.mem ? 0 : 0xc0 | i.rm);
  if (i.mem) { x87Mem(c, i, f, grp, reg); f.fip = c.instrStart; f.fcs = c.segSel[1]; return; }
  const sti = i.rm;
  switch (grp) {
    case 0: { // D8: st0 = st0 op st(i)
      const a = f.read(0), b = f.read(sti);
      if (reg === 2 || reg === 3) { setCompare(c, f, a, b); if (reg === 3) f.pop(); return; }
      f.set(0, arith(f, reg, a, b)); return;
    }
    case 1: // D9
      switch (reg) {
        case 0: { const v = f.read(sti); f.push(v); return; }
        case 1: { const a = f.read(0), b = f.read(sti); f.set(0, b); f.set(sti, a); return; }
        case 2: if (sti === 0) return; break; // fnop
        case 4:
          if (sti === 0) { f.set(0, -f.read(0)); return; }
          if (sti === 1) { f.set(0, Math.abs(f.read(0))); return; }
          if (sti === 4) { setCompare(c, f, f.read(0), 0); return; }
          if (sti === 5) { fxam(f); return; }
          break;
        case 5: {
          const k = [1, Math.log2(10), Math.LOG2E, Math.PI, Math.log10(2), Math.LN2, 0][sti];
          if (k !== undefined) { f.push(k); return; }
          break;
        }
        case 7:
          if (sti === 2) { f.set(0, sqrtRc((f.cw >> 10) & 3, f.read(0))); return; }
          if (sti === 4) { f.set(0, f.round(f.read(0))); return; }
          break;
      }
      break;
    case 2: // DA
      if (reg === 5 && sti === 1) { setCompare(c, f, f.read(0), f.read(1)); f.pop(); f.pop(); return; } // fucompp
      break;
    case 3: // DB
      if (reg === 4) {
        if (sti === 3) { f.init(); return; } // fninit
        if (sti === 2) { f.sw &= 0x7f00; return; } // fnclex
        if (sti === 0 || sti === 1 || sti === 4) return; // feni/fdisi/fsetpm: no-ops on a P6
      }
      if (reg === 5 || reg === 6) { setCompareEflags(c, f.read(0), f.read(sti)); return; } // fucomi/fcomi
      break;
    case 4: // DC: st(i) = st(i) op st0 (sub/div operands reversed relative to D8)
      if (reg === 2 || reg === 3) { setCompare(c, f, f.read(0), f.read(sti)); if (reg === 3) f.pop(); return; }
      f.set(sti, arith(f, reg ^ (reg >= 4 ? 1 : 0), f.read(sti), f.read(0))); return;
    case 5: // DD
      if (reg === 0) { f.empty[(f.top + sti) & 7] = 1; return; } // ffree
      if (reg === 2 || reg === 3) { f.set(sti, f.read(0)); if (reg === 3) f.pop(); return; }
      if (reg === 4 || reg === 5) { setCompare(c, f, f.read(0), f.read(sti)); if (reg === 5) f.pop(); return; }
      break;
    case 6: // DE: op and pop
      if (reg === 3 && sti === 1) { setCompare(c, f, f.read(0), f.read(1)); f.pop(); f.pop(); return; } // fcompp
      if (reg === 2 || reg === 3) break;
      f.set(sti, arith(f, reg ^ (reg >= 4 ? 1 : 0), f.read(sti), f.read(0))); f.pop(); return;
    case 7: // DF
      if (reg === 4 && sti === 0) { c.r16[0] = f.statusWord(); return; } // fnstsw ax
      if (reg === 5 || reg === 6) { setCompareEflags(c, f.read(0), f.read(sti)); f.pop(); return; } // fucomip/fcomip
      break;
  }
  c.fault(6);
}

function fxam(f: Fpu): void {
  const v = f.get(0);
  let cc: number;
  if (f.isEmpty(0)) cc = 0x4100;
  else if (Number.isNaN(v)) cc = 0x100;
  else if (!Number.isFinite(v)) cc = 0x500;
  else if (v === 0) cc = 0x4000;
  else cc = 0x400;
  if (v < 0 || Object.is(v, -0)) cc |= 0x200;
  f.sw = (f.sw & ~0x4700) | cc;
}

function x87Mem(c: Cpu, i: Insn, f: Fpu, grp: number, reg: number): void {
  switch (grp) {
    case 0: case 4: { // D8 m32fp / DC m64fp arithmetic
      const v = grp === 0 ? readFloat32(c, memLin(c, i, 4, false)) : readFloat64(c, memLin(c, i, 8, false));
      const a = f.read(0);
      if (reg === 2 || reg === 3) { setCompare(c, f, a, v); if (reg === 3) f.pop(); return; }
      f.set(0, arith(f, reg, a, v)); return;
    }
    case 2: case 6: { // DA m32int / DE m16int arithmetic
      const lin = memLin(c, i, grp === 2 ? 4 : 2, false);
      const v = grp === 2 ? c.read32(lin) | 0 : (c.read16(lin) << 16) >> 16;
      const a = f.read(0);
      if (reg === 2 || reg === 3) { setCompare(c, f, a, v); if (reg === 3) f.pop(); return; }
      f.set(0, arith(f, reg, a, v)); return;
    }
    case 1: // D9
      switch (reg) {
        case 0: f.push(readFloat32(c, memLin(c, i, 4, false))); return;
        case 2: case 3: writeFloat32(c, memLin(c, i, 4, true), f.read(0)); if (reg === 3) f.pop(); return;
        case 4: loadEnv(c, i, f); return;
        case 5: f.cw = c.read16(memLin(c, i, 2, false)) | 0x40; return; // fldcw
        case 6: storeEnv(c, i, f); return;
        case 7: c.write16(memLin(c, i, 2, true), f.cw); return; // fnstcw
      }
      break;
    case 3: // DB
      switch (reg) {
        case 0: f.push(c.read32(memLin(c, i, 4, false)) | 0); return;
        case 1: case 2: case 3: {
          const v = f.read(0), r = reg === 1 ? Math.trunc(v) : f.round(v);
          c.write32(memLin(c, i, 4, true), intRange(r, 32) ? r : 0x80000000);
          if (reg !== 2) f.pop(); return;
        }
        case 5: f.push(readExt80(c, memLin(c, i, 10, false))); return;
        case 7: { const lin = memLin(c, i, 10, true); c.probeWrite(lin, 4); c.probeWrite((lin + 6) >>> 0, 4); writeExt80(c, lin, f.read(0)); f.pop(); return; }
      }
      break;
    case 5: // DD
      switch (reg) {
        case 0: f.push(readFloat64(c, memLin(c, i, 8, false))); return;
        case 1: case 2: case 3: {
          if (reg === 1) { // fisttp m64 is SSE3: not on this CPU
            break;
          }
          writeFloat64(c, memLin(c, i, 8, true), f.read(0)); if (reg === 3) f.pop(); return;
        }
        case 4: frstor(c, i, f); return;
        case 6: fnsave(c, i, f); return;
        case 7: c.write16(memLin(c, i, 2, true), f.statusWord()); return; // fnstsw m16
      }
      break;
    case 7: // DF
      switch (reg) {
        case 0: f.push((c.read16(memLin(c, i, 2, false)) << 16) >> 16); return;
        case 2: case 3: {
          const r = f.round(f.read(0));
          c.write16(memLin(c, i, 2, true), intRange(r, 16) ? r & 0xffff : 0x8000);
          if (reg === 3) f.pop(); return;
        }
        case 5: {
          const lin = memLin(c, i, 8, false);
          const lo = c.read32(lin) >>> 0, hi = c.read32((lin + 4) >>> 0) | 0;
          f.push(int64Rc((f.cw >> 10) & 3, hi, lo)); return;
        }
        case 7: {
          const lin = memLin(c, i, 8, true);
          c.probeWrite(lin, 4); c.probeWrite((lin + 4) >>> 0, 4);
          const r = f.round(f.read(0));
          if (intRange(r, 64)) {
            const hi = Math.floor(r / 4294967296), lo = r - hi * 4294967296;
            c.write32(lin, lo >>> 0); c.write32((lin + 4) >>> 0, hi | 0);
          } else { c.write32(lin, 0); c.write32((lin + 4) >>> 0, 0x80000000); }
          f.pop(); return;
        }
      }
      break;
  }
  c.fault(6);
}

// ---------------------------------------------------------------------------------- environment, fnsave/frstor

/** 14-byte (16-bit operand size) or 28-byte environment. */
function storeEnvAt(c: Cpu, lin: number, os: number, f: Fpu): number {
  const vals = [f.cw, f.statusWord(), f.tagWord(), f.fip, (f.fcs & 0xffff) | ((f.fop & 0x7ff) << 16), f.fdp, f.fds];
  const size = os === 4 ? 4 : 2;
  for (let k = 0; k < 7; k++) {
    if (size === 4) c.write32((lin + 4 * k) >>> 0, k < 3 ? vals[k] | 0xffff0000 : vals[k]);
    else c.write16((lin + 2 * k) >>> 0, vals[k] & 0xffff);
  }
  return 7 * size;
}
function loadEnvAt(c: Cpu, lin: number, os: number, f: Fpu): number {
  const size = os === 4 ? 4 : 2;
  const rd = (k: number) => size === 4 ? c.read32((lin + 4 * k) >>> 0) : c.read16((lin + 2 * k) >>> 0);
  const cw = rd(0) & 0xffff, sw = rd(1) & 0xffff, tw = rd(2) & 0xffff;
  f.fip = rd(3); const cs = rd(4); f.fdp = rd(5); f.fds = rd(6) & 0xffff;
  f.cw = cw; f.sw = sw & ~0x3800; f.top = (sw >> 11) & 7;
  f.fcs = cs & 0xffff; f.fop = (cs >>> 16) & 0x7ff;
  for (let r = 0; r < 8; r++) f.empty[r] = ((tw >> (2 * r)) & 3) === 3 ? 1 : 0;
  return 7 * size;
}
function storeEnv(c: Cpu, i: Insn, f: Fpu): void {
  const lin = memLin(c, i, i.os === 4 ? 28 : 14, true);
  c.probeWrite(lin, 4); c.probeWrite((lin + (i.os === 4 ? 24 : 10)) >>> 0, 4);
  storeEnvAt(c, lin, i.os, f);
  f.cw |= 0x3f; // fnstenv masks all exceptions afterwards
}
function loadEnv(c: Cpu, i: Insn, f: Fpu): void { loadEnvAt(c, memLin(c, i, i.os === 4 ? 28 : 14, false), i.os, f); }

/** fnsave: environment + ST(0)..ST(7) as 80-bit reals (94 or 108 bytes), then fninit. */
function fnsave(c: Cpu, i: Insn, f: Fpu): void {
  const total = i.os === 4 ? 108 : 94;
  const lin = memLin(c, i, total, true);
  c.probeWrite(lin, 1); c.probeWrite((lin + total - 1) >>> 0, 1);
  const n = storeEnvAt(c, lin, i.os, f);
  for (let k = 0; k < 8; k++) writeExt80(c, (lin + n + 10 * k) >>> 0, f.get(k));
  f.init();
}
function frstor(c: Cpu, i: Insn, f: Fpu): void {
  const total = i.os === 4 ? 108 : 94;
  const lin = memLin(c, i, total, false);
  const n = loadEnvAt(c, lin, i.os, f);
  for (let k = 0; k < 8; k++) f.st[(f.top + k) & 7] = readExt80(c, (lin + n + 10 * k) >>> 0);
}

// ---------------------------------------------------------------------------------- 0F AE

/** 0F AE: /0 fxsave /1 fxrstor /2 ldmxcsr /3 stmxcsr (SSE: #UD here) /5 lfence /6 mfence /7 sfence. */
export function group15(c: Cpu, i: Insn): void {
  if (!i.mem) { if (i.reg >= 5) return; c.fault(6); }
  switch (i.reg) {
    case 0: case 1: {
      checkNm(c);
      const off = c.ea(i);
      const lin = i.reg === 0 ? c.linW(i.seg, off, 512) : c.linR(i.seg, off, 512);
      if (lin & 15) c.fault(13, 0);
      if (i.reg === 0) fxsave(c, lin, c.fpu); else fxrstor(c, lin, c.fpu);
      return;
    }
    case 7: return; // clflush: not advertised, but harmless as a no-op
    default: c.fault(6);
  }
}

/** fxsave layout: FCW FSW FTW(abridged: 1 bit per register, 1 = valid) FOP FIP FCS FDP FDS MXCSR, ST0-7 at 32+16k. */
function fxsave(c: Cpu, lin: number, f: Fpu): void {
  c.probeWrite(lin, 1); c.probeWrite((lin + 511) >>> 0, 1); // 512 bytes span at most two pages
  let ftw = 0;
  for (let r = 0; r < 8; r++) if (!f.empty[r]) ftw |= 1 << r;
  c.write16(lin, f.cw); c.write16((lin + 2) >>> 0, f.statusWord());
  c.write16((lin + 4) >>> 0, ftw); c.write16((lin + 6) >>> 0, f.fop);
  c.write32((lin + 8) >>> 0, f.fip); c.write32((lin + 12) >>> 0, f.fcs);
  c.write32((lin + 16) >>> 0, f.fdp); c.write32((lin + 20) >>> 0, f.fds);
  c.write32((lin + 24) >>> 0, f.mxcsr); c.write32((lin + 28) >>> 0, 0xffbf);
  for (let k = 0; k < 8; k++) {
    const a = (lin + 32 + 16 * k) >>> 0;
    writeExt80(c, a, f.get(k));
    c.write16((a + 10) >>> 0, 0); c.write32((a + 12) >>> 0, 0);
  }
}
function fxrstor(c: Cpu, lin: number, f: Fpu): void {
  const mx = c.read32((lin + 24) >>> 0);
  if (mx & 0xffff0000) c.fault(13, 0);
  f.cw = c.read16(lin);
  const sw = c.read16((lin + 2) >>> 0);
  f.sw = sw & ~0x3800; f.top = (sw >> 11) & 7;
  const ftw = c.read16((lin + 4) >>> 0) & 0xff;
  for (let r = 0; r < 8; r++) f.empty[r] = (ftw >> r) & 1 ? 0 : 1;
  f.fop = c.read16((lin + 6) >>> 0) & 0x7ff;
  f.fip = c.read32((lin + 8) >>> 0) >>> 0; f.fcs = c.read16((lin + 12) >>> 0);
  f.fdp = c.read32((lin + 16) >>> 0) >>> 0; f.fds = c.read16((lin + 20) >>> 0);
  f.mxcsr = mx >>> 0;
  for (let k = 0; k < 8; k++) f.st[(f.top + k) & 7] = readExt80(c, (lin + 32 + 16 * k) >>> 0);
}
