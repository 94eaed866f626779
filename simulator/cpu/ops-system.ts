// System instructions: hlt/cli/sti, control and debug registers, descriptor-table registers
// (lgdt/lidt/sgdt/sidt/lldt/ltr/sldt/str), invlpg, clts, lmsw/smsw, lar/lsl/verr/verw/arpl,
// cpuid, rdtsc, rdmsr/wrmsr.
//
// Privileged ones raise #GP(0) outside ring 0 in protected mode; cli/sti need CPL <= IOPL.

import type { Cpu } from './cpu';
import type { Insn } from './insn';
import { Flag } from './registers';
import { desc, descAttr, descBase, descLimit, readDescriptor } from './segments';

function requireRing0(c: Cpu): void { if ((c.cr0 & 1) && c.cpl !== 0) c.fault(13, 0); }
function requireProtected(c: Cpu): void { if (!(c.cr0 & 1) || (c.flags & Flag.VM)) c.fault(6); }

export function hlt(c: Cpu): void { requireRing0(c); c.halt(); }

export function cli(c: Cpu): void {
  if ((c.cr0 & 1) && c.cpl > ((c.flags >> 12) & 3)) c.fault(13, 0);
  c.flags &= ~Flag.IF;
}
/** sti: interrupts stay blocked until after the next instruction (so `sti; hlt` cannot miss one). */
export function sti(c: Cpu): void {
  if ((c.cr0 & 1) && c.cpl > ((c.flags >> 12) & 3)) c.fault(13, 0);
  if (!(c.flags & Flag.IF)) { c.flags |= Flag.IF; c.inhibitInterrupts(); c.ifRaised(); }
}

export function clts(c: Cpu): void { requireRing0(c); c.cr0 &= ~8; }
export function privilegedNop(c: Cpu): void { requireRing0(c); }

export function movFromCr(c: Cpu, i: Insn): void {
  requireRing0(c);
  if (i.reg === 1 || i.reg > 4) c.fault(6);
  c.regs[i.rm] = c.getControlRegister(i.reg);
}
export function movToCr(c: Cpu, i: Insn): void {
  requireRing0(c);
  const v = c.regs[i.rm] >>> 0;
  switch (i.reg) {
    case 0:
      if ((v & 0x80000000) && !(v & 1)) c.fault(13, 0);
      if ((v & 0x20000000) && !(v & 0x40000000)) c.fault(13, 0); // NW without CD
      c.setControlRegister(0, v);
      break;
    case 2: c.cr2 = v; break;
    case 3: c.setControlRegister(3, v); break;
    case 4:
      if (v & ~0x7ff) c.fault(13, 0); // reserved bits (valid: VME PVI TSD DE PSE PAE MCE PGE PCE OSFXSR OSXMMEXCPT)
      if (v & 0x20) c.fault(13, 0); // PAE paging is not implemented: refuse to enable it
      c.setControlRegister(4, v);
      break;
    default: c.fault(6);
  }
}
export function movFromDr(c: Cpu, i: Insn): void {
  requireRing0(c);
  let r = i.reg;
  if (r === 4 || r === 5) { if (c.cr4 & 8) c.fault(6); r += 2; }
  c.regs[i.rm] = c.dr[r];
}
export function movToDr(c: Cpu, i: Insn): void {
  requireRing0(c);
  let r = i.reg;
  if (r === 4 || r === 5) { if (c.cr4 & 8) c.fault(6); r += 2; }
  const v = c.regs[i.rm] >>> 0;
  c.dr[r] = r === 6 ? (v | 0xffff0ff0) >>> 0 : r === 7 ? ((v | 0x400) & ~0xd000) >>> 0 : v;
}

// ---------------------------------------------------------------------------------- descriptor tables

/** 0F 00: /0 sldt /1 str /2 lldt /3 ltr /4 verr /5 verw. */
export function group6(c: Cpu, i: Insn): void {
  requireProtected(c);
  switch (i.reg) {
    case 0: case 1: {
      const v = i.reg === 0 ? c.ldtSel : c.trSel;
      if (i.mem) c.write16(c.linW(i.seg, c.ea(i), 2), v); else c.setReg(i.os, i.rm, v);
      return;
    }
    case 2: {
      requireRing0(c);
      const sel = readSel(c, i);
      if ((sel & 0xfffc) === 0) { c.ldtSel = sel; c.ldtBase = 0; c.ldtLimit = 0; c.ldtAttr = 0; return; }
      if (sel & 4) c.fault(13, sel & 0xfffc);
      readDescriptor(c, sel);
      const attr = descAttr(desc.hi);
      if ((attr & 0x1f) !== 0x02) c.fault(13, sel & 0xfffc);
      if (!(attr & 0x80)) c.fault(11, sel & 0xfffc);
      c.ldtSel = sel; c.ldtBase = descBase(desc.lo, desc.hi); c.ldtLimit = descLimit(desc.lo, desc.hi); c.ldtAttr = attr;
      return;
    }
    case 3: {
      requireRing0(c);
      const sel = readSel(c, i);
      if ((sel & 0xfffc) === 0 || (sel & 4)) c.fault(13, sel & 0xfffc);
      readDescriptor(c, sel);
      const attr = descAttr(desc.hi);
      if ((attr & 0x1f) !== 0x09 && (attr & 0x1f) !== 0x01) c.fault(13, sel & 0xfffc);
      if (!(attr & 0x80)) c.fault(11, sel & 0xfffc);
      c.writeSys32((desc.addr + 4) >>> 0, desc.hi | 0x200); // mark busy
      c.trSel = sel; c.trBase = descBase(desc.lo, desc.hi); c.trLimit = descLimit(desc.lo, desc.hi); c.trAttr = attr | 2;
      return;
    }
    case 4: case 5: {
      const sel = readSel(c, i);
      c.setArith(Flag.ZF, accessible(c, sel, i.reg === 5) ? Flag.ZF : 0);
      return;
    }
    default: c.fault(6);
  }
}

function readSel(c: Cpu, i: Insn): number {
  return i.mem ? c.read16(c.linR(i.seg, c.ea(i), 2)) : c.getReg(2, i.rm);
}

/** verr/verw: is the segment readable (writable) at the current CPL and the selector's RPL? */
function accessible(c: Cpu, sel: number, write: boolean): boolean {
  if ((sel & 0xfffc) === 0) return false;
  if (!descriptorInTable(c, sel)) return false;
  const attr = descAttr(desc.hi);
  if (!(attr & 0x10)) return false;
  const dpl = (attr >> 5) & 3, code = (attr & 8) !== 0, conforming = code && (attr & 4) !== 0;
  if (!conforming && (dpl < c.cpl || dpl < (sel & 3))) return false;
  if (write) return !code && (attr & 2) !== 0;
  return !code || (attr & 2) !== 0;
}

/** Reads a descriptor without faulting: false when the selector is outside its table. */
function descriptorInTable(c: Cpu, sel: number): boolean {
  const limit = sel & 4 ? c.ldtLimit : c.gdtLimit;
  if ((sel & 4) && (c.ldtSel & 0xfffc) === 0) return false;
  if ((sel & 0xfff8) + 7 > limit) return false;
  readDescriptor(c, sel);
  return true;
}

/** lar / lsl: access rights / limit of a descriptor if visible at CPL and RPL; ZF tells. */
export function lar(c: Cpu, i: Insn): void { larLsl(c, i, false); }
export function lsl(c: Cpu, i: Insn): void { larLsl(c, i, true); }
function larLsl(c: Cpu, i: Insn, limit: boolean): void {
  requireProtected(c);
  const sel = i.mem ? c.read16(c.linR(i.seg, c.ea(i), 2)) : c.getReg(2, i.rm);
  let ok = (sel & 0xfffc) !== 0 && descriptorInTable(c, sel);
  if (ok) {
    const attr = descAttr(desc.hi), type = attr & 0x1f, dpl = (attr >> 5) & 3;
    const conformingCode = (type & 0x1c) === 0x1c;
    if (!(attr & 0x10)) {
      const okTypes = limit ? [1, 2, 3, 9, 11] : [1, 2, 3, 4, 5, 9, 11, 12];
      if (!okTypes.includes(type & 0xf)) ok = false;
    }
    if (!conformingCode && (dpl < c.cpl || dpl < (sel & 3))) ok = false;
  }
  if (!ok) { c.setArith(Flag.ZF, 0); return; }
  c.setArith(Flag.ZF, Flag.ZF);
  const v = limit ? descLimit(desc.lo, desc.hi) : (desc.hi & 0x00f0ff00);
  c.setReg(i.os, i.reg, i.os === 4 ? v >>> 0 : v & 0xffff);
}

export function arpl(c: Cpu, i: Insn): void {
  requireProtected(c);
  const dst = c.readRMWOperand(i), src = c.getReg(2, i.reg);
  if ((dst & 3) < (src & 3)) { c.setArith(Flag.ZF, Flag.ZF); c.writeRMWOperand(i, (dst & ~3) | (src & 3)); }
  else { c.setArith(Flag.ZF, 0); c.writeRMWOperand(i, dst); }
}

/** 0F 01: /0 sgdt /1 sidt /2 lgdt /3 lidt /4 smsw /6 lmsw /7 invlpg. */
export function group7(c: Cpu, i: Insn): void {
  switch (i.reg) {
    case 0: case 1: {
      if (!i.mem) c.fault(6);
      const lin = c.linW(i.seg, c.ea(i), 6);
      c.probeWrite(lin, 4); c.probeWrite((lin + 2) >>> 0, 4);
      const isG = i.reg === 0;
      c.write16(lin, isG ? c.gdtLimit : c.idtLimit);
      const base = isG ? c.gdtBase : c.idtBase;
      c.write32((lin + 2) >>> 0, i.os === 4 ? base : base & 0xffffff);
      return;
    }
    case 2: case 3: {
      if (!i.mem) c.fault(6);
      requireRing0(c);
      const lin = c.linR(i.seg, c.ea(i), 6);
      const limit = c.read16(lin);
      let base = c.read32((lin + 2) >>> 0);
      if (i.os === 2) base &= 0xffffff;
      if (i.reg === 2) { c.gdtLimit = limit; c.gdtBase = base >>> 0; } else { c.idtLimit = limit; c.idtBase = base >>> 0; }
      return;
    }
    case 4: {
      const v = c.cr0 & 0xffff;
      if (i.mem) c.write16(c.linW(i.seg, c.ea(i), 2), v); else c.setReg(i.os, i.rm, i.os === 4 ? c.cr0 >>> 0 : v);
      return;
    }
    case 6: {
      requireRing0(c);
      const v = i.mem ? c.read16(c.linR(i.seg, c.ea(i), 2)) : c.getReg(2, i.rm);
      // lmsw changes PE MP EM TS only and cannot clear PE.
      c.setControlRegister(0, (c.cr0 & ~0xe) | (v & 0xf) | (c.cr0 & 1));
      return;
    }
    case 7: {
      if (!i.mem) c.fault(6);
      requireRing0(c);
      c.invlpg((c.segBase[i.seg] + c.ea(i)) >>> 0);
      return;
    }
    default: c.fault(6);
  }
}

// ---------------------------------------------------------------------------------- identification, time, MSRs

/**
 * cpuid. We advertise a GenuineIntel family 6 (P6) processor: signature 0x663; EDX features FPU,
 * PSE, TSC, MSR, CX8, APIC, PGE, CMOV, FXSR; ECX none (no SSE3/BMI; `rep bsf` is plain bsf).
 * EBX[31:24] is the initial APIC id = CPU index. Leaves above 1 and extended leaves return zeros.
 */
export const CPUID_FEATURES_EDX = (1 << 0) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 8) | (1 << 9) | (1 << 13) | (1 << 15) | (1 << 24);
export const CPUID_SIGNATURE = 0x00000663;

export function cpuid(c: Cpu): void {
  const leaf = c.regs[0] >>> 0;
  let a = 0, b = 0, cc = 0, d = 0;
  if (leaf === 0) { a = 1; b = 0x756e6547; d = 0x49656e69; cc = 0x6c65746e; } // "GenuineIntel"
  else if (leaf === 1) { a = CPUID_SIGNATURE; b = (c.id & 0xff) << 24; cc = 0; d = CPUID_FEATURES_EDX; }
  c.regs[0] = a; c.regs[3] = b; c.regs[1] = cc; c.regs[2] = d;
}

/** The time-stamp counter: instructions retired (plus the offset an IA32_TSC write sets). */
export function tsc(c: Cpu): number { return c.instructionCount + c.tscOffset; }

export function rdtsc(c: Cpu): void {
  if ((c.cr4 & 4) && (c.cr0 & 1) && c.cpl !== 0) c.fault(13, 0);
  const t = tsc(c);
  c.regs[0] = t % 4294967296; c.regs[2] = Math.floor(t / 4294967296);
}

export const MSR_TSC = 0x10;
export const MSR_APIC_BASE = 0x1b;

export function rdmsr(c: Cpu): void {
  requireRing0(c);
  const n = c.regs[1] >>> 0;
  let v: number;
  if (n === MSR_TSC) v = tsc(c);
  else if (n === MSR_APIC_BASE) v = c.apicBaseMsr >>> 0;
  else c.fault(13, 0);
  c.regs[0] = v % 4294967296; c.regs[2] = Math.floor(v / 4294967296);
}
export function wrmsr(c: Cpu): void {
  requireRing0(c);
  const n = c.regs[1] >>> 0, lo = c.regs[0] >>> 0, hi = c.regs[2] >>> 0;
  if (n === MSR_TSC) c.tscOffset = hi * 4294967296 + lo - c.instructionCount;
  else if (n === MSR_APIC_BASE) {
    if (hi !== 0 || (lo & 0x6ff)) c.fault(13, 0); // reserved bits
    c.apicBaseMsr = ((lo & 0xfffff800) | (lo & 0x800) | (c.apicBaseMsr & 0x100)) >>> 0;
  } else c.fault(13, 0);
}
