// String instructions: movs, cmps, stos, lods, scas, ins, outs, with rep/repe/repne.
//
// The source is seg:(E)SI with seg = DS unless overridden, the destination always ES:(E)DI; the
// address size picks SI/DI/CX or ESI/EDI/ECX; EFLAGS.DF picks the direction. A rep instruction is
// interruptible between iterations: after a slice of iterations, or when an event is pending (an
// interrupt, a debugger stop), it leaves EIP on itself with the registers updated, exactly the
// architectural state of an interrupted rep, and resumes on the next execution.

import type { Cpu } from './cpu';
import type { Insn } from './insn';
import { alu } from './ops-alu';
import { checkIoPermission } from './ops-data';

/** Iterations executed before a rep instruction yields (keeps interrupt latency bounded). */
const REP_SLICE = 4096;

function si(c: Cpu, a32: number): number { return a32 ? c.regs[6] >>> 0 : c.r16[12]; }
function di(c: Cpu, a32: number): number { return a32 ? c.regs[7] >>> 0 : c.r16[14]; }
function cx(c: Cpu, a32: number): number { return a32 ? c.regs[1] >>> 0 : c.r16[2]; }
function advSi(c: Cpu, a32: number, d: number): void { if (a32) c.regs[6] += d; else c.r16[12] += d; }
function advDi(c: Cpu, a32: number, d: number): void { if (a32) c.regs[7] += d; else c.r16[14] += d; }
function decCx(c: Cpu, a32: number): number { if (a32) return (--c.regs[1]) >>> 0; return --c.r16[2]; }
function srcSeg(i: Insn): number { return i.segOverride >= 0 ? i.segOverride : 3; }
function step(c: Cpu, os: number): number { return (c.flags & 0x400) ? -os : os; }

/** After one rep iteration: true if the instruction must yield now (EIP back on it). */
function yieldRep(c: Cpu, n: number): boolean {
  if (n >= REP_SLICE || c.events !== 0) { c.eip = c.instrStart; return true; }
  return false;
}

export function movs(c: Cpu, i: Insn): void {
  const os = i.os, a = i.a32, d = step(c, os), ss = srcSeg(i);
  if (!i.rep) {
    const v = c.read(os, c.linR(ss, si(c, a), os));
    c.write(os, c.linW(0, di(c, a), os), v);
    advSi(c, a, d); advDi(c, a, d);
    return;
  }
  let n = 0;
  while (cx(c, a) !== 0) {
    if (a && stringFastPath.enabled) {
      // As many elements as the run rule allows at once (see copyRun), with the same yield points.
      const k = copyRun(c, os, d, ss, Math.min(c.regs[1] >>> 0, c.events !== 0 ? 1 : REP_SLICE - n));
      if (k > 0) {
        c.regs[6] += d * k;
        c.regs[7] += d * k;
        c.regs[1] -= k;
        n += k;
        if (c.regs[1] === 0) return;
        if (yieldRep(c, n)) return;
        continue;
      }
    }
    const v = c.read(os, c.linR(ss, si(c, a), os));
    c.write(os, c.linW(0, di(c, a), os), v);
    advSi(c, a, d); advDi(c, a, d);
    if (decCx(c, a) === 0) return;
    if (yieldRep(c, ++n)) return;
  }
}

export function stos(c: Cpu, i: Insn): void {
  const os = i.os, a = i.a32, d = step(c, os), v = c.getReg(os, 0);
  if (!i.rep) { c.write(os, c.linW(0, di(c, a), os), v); advDi(c, a, d); return; }
  let n = 0;
  while (cx(c, a) !== 0) {
    if (a && stringFastPath.enabled) {
      // As many elements as the run rule allows at once (see storeRun), with the same yield points.
      const k = storeRun(c, os, v, d, Math.min(c.regs[1] >>> 0, c.events !== 0 ? 1 : REP_SLICE - n));
      if (k > 0) {
        c.regs[7] += d * k;
        c.regs[1] -= k;
        n += k;
        if (c.regs[1] === 0) return;
        if (yieldRep(c, n)) return;
        continue;
      }
    }
    c.write(os, c.linW(0, di(c, a), os), v);
    advDi(c, a, d);
    if (decCx(c, a) === 0) return;
    if (yieldRep(c, ++n)) return;
  }
}

/**
 * Whether rep stos / rep movs (32-bit addressing) handle runs of elements at once (storeRun, copyRun). Off, every element goes through the
 * architectural one-element path; tests run both ways and compare.
 */
export const stringFastPath = { enabled: true };

/**
 * The fast path of rep stos (32-bit addressing): stores up to `max` elements of `os` bytes, starting at
 * ES:EDI and moving by `d` bytes each, that lie in the same page of RAM, with one translation and one
 * TypedArray.fill. Returns how many it stored (the caller advances EDI/ECX), or 0 when the next element
 * must take the one-element path. That path is taken whenever the run would differ from storing the
 * elements one by one:
 *   - a watch range is armed (checked per access), or the page holds decoded code (the first store
 *     invalidates it and raises an event that makes the rep yield after that element);
 *   - the element straddles a page, lies beyond the ES limit, or maps outside RAM (device memory);
 *   - the run would be a single element.
 * The one translation is the one the first element's store would do (same #PF with the same CR2 and
 * error code, same accessed/dirty bits; later elements of the page would hit the TLB), so a fault is
 * raised at the first element of a page with ECX/EDI counting exactly the elements stored before it.
 * The page is marked dirty for snapshots like any store.
 */
function storeRun(c: Cpu, os: number, v: number, d: number, max: number): number {
  if (max < 2 || c.watchArmed) return 0;
  const off = c.regs[7] >>> 0;
  const lin = (c.segBase[0] + off) >>> 0;
  let k = runLength(off, lin, os, d, c.segWLim[0]);
  if (k > max) k = max;
  if (k < 2) return 0;
  const p = c.xlate(lin, true);
  const pg = p >>> 12;
  // An event raised by the translation itself (its accessed/dirty update hit a page of decoded code)
  // makes the element path yield after one element: let it.
  if ((pg + 1) * 0x1000 > c.ramLen || c.code.pageHasCode[pg] || c.events !== 0) return 0;
  const low = d > 0 ? p : p - (k - 1) * os;   // the lowest byte written
  if (os === 4) {
    if (low & 3) return 0;
    c.ram32.fill(v, low >>> 2, (low >>> 2) + k);
  } else if (os === 2) {
    if (low & 1) return 0;
    c.ram16.fill(v, low >>> 1, (low >>> 1) + k);
  } else {
    c.ram.fill(v, low, low + k);
  }
  c.dirty[pg] = 1;
  return k;
}

export function lods(c: Cpu, i: Insn): void {
  const os = i.os, a = i.a32, d = step(c, os), ss = srcSeg(i);
  if (!i.rep) { c.setReg(os, 0, c.read(os, c.linR(ss, si(c, a), os))); advSi(c, a, d); return; }
  let n = 0;
  while (cx(c, a) !== 0) {
    c.setReg(os, 0, c.read(os, c.linR(ss, si(c, a), os)));
    advSi(c, a, d);
    if (decCx(c, a) === 0) return;
    if (yieldRep(c, ++n)) return;
  }
}

/** cmps: compares [src] with ES:[dst] (flags of src - dst). repe stops on ZF=0, repne on ZF=1. */
export function cmps(c: Cpu, i: Insn): void {
  const os = i.os, a = i.a32, d = step(c, os), ss = srcSeg(i);
  let n = 0;
  for (;;) {
    if (i.rep && cx(c, a) === 0) return;
    const x = c.read(os, c.linR(ss, si(c, a), os));
    const y = c.read(os, c.linR(0, di(c, a), os));
    alu(c, 7, os, x, y);
    advSi(c, a, d); advDi(c, a, d);
    if (!i.rep) return;
    if (decCx(c, a) === 0) return;
    if ((x === y) !== (i.rep === 1)) return;
    if (yieldRep(c, ++n)) return;
  }
}

export function scas(c: Cpu, i: Insn): void {
  const os = i.os, a = i.a32, d = step(c, os), acc = c.getReg(os, 0);
  let n = 0;
  for (;;) {
    if (i.rep && cx(c, a) === 0) return;
    const y = c.read(os, c.linR(0, di(c, a), os));
    alu(c, 7, os, acc, y);
    advDi(c, a, d);
    if (!i.rep) return;
    if (decCx(c, a) === 0) return;
    if ((acc === y) !== (i.rep === 1)) return;
    if (yieldRep(c, ++n)) return;
  }
}

export function ins(c: Cpu, i: Insn): void {
  const os = i.os, a = i.a32, d = step(c, os), port = c.r16[4];
  checkIoPermission(c, port, os);
  let n = 0;
  for (;;) {
    if (i.rep && cx(c, a) === 0) return;
    const lin = c.linW(0, di(c, a), os);
    c.probeWrite(lin, os);
    c.write(os, lin, c.bus.ioRead(port, os as 1 | 2 | 4));
    advDi(c, a, d);
    if (!i.rep) return;
    if (decCx(c, a) === 0) return;
    if (yieldRep(c, ++n)) return;
  }
}

export function outs(c: Cpu, i: Insn): void {
  const os = i.os, a = i.a32, d = step(c, os), ss = srcSeg(i), port = c.r16[4];
  checkIoPermission(c, port, os);
  let n = 0;
  for (;;) {
    if (i.rep && cx(c, a) === 0) return;
    c.bus.ioWrite(port, os as 1 | 2 | 4, c.read(os, c.linR(ss, si(c, a), os)) >>> 0);
    advSi(c, a, d);
    if (!i.rep) return;
    if (decCx(c, a) === 0) return;
    if (yieldRep(c, ++n)) return;
  }
}

/**
 * How many elements of `os` bytes, from offset `off` (linear `lin`) moving by `d`, lie wholly inside
 * lin's page, inside the segment limit `lim`, without the offset wrapping: 0 when the first element
 * straddles a page or breaks the limit (the one-element path then does it, faulting as it must).
 */
function runLength(off: number, lin: number, os: number, d: number, lim: number): number {
  if (off + os - 1 > lim) return 0;
  const inPage = lin & 0xfff;
  if (inPage + os > 0x1000) return 0;
  if (d > 0) return Math.min(Math.floor((0x1000 - inPage) / os), Math.floor((lim - off + 1) / os));
  return Math.min(Math.floor(inPage / os), Math.floor(off / os)) + 1;
}

/**
 * The fast path of rep movs (32-bit addressing), like storeRun: copies up to `max` elements whose
 * source (seg `ss`:ESI) and destination (ES:EDI) each stay inside one page of RAM, with one copyWithin.
 * The first element's translations are done in the element path's order (source read, then
 * destination write), so faults, CR2 and accessed/dirty bits are the same. Besides storeRun's cases,
 * the one-element path is taken when source and destination bytes overlap (one element at a time
 * replicates a pattern there, a block copy would not).
 */
function copyRun(c: Cpu, os: number, d: number, ss: number, max: number): number {
  if (max < 2 || c.watchArmed) return 0;
  const soff = c.regs[6] >>> 0, doff = c.regs[7] >>> 0;
  const slin = (c.segBase[ss] + soff) >>> 0, dlin = (c.segBase[0] + doff) >>> 0;
  let k = Math.min(runLength(soff, slin, os, d, c.segRLim[ss]), runLength(doff, dlin, os, d, c.segWLim[0]));
  if (k > max) k = max;
  if (k < 2) return 0;
  const sp = c.xlate(slin, false);
  const dp = c.xlate(dlin, true);
  const spg = sp >>> 12, dpg = dp >>> 12;
  if ((spg + 1) * 0x1000 > c.ramLen || (dpg + 1) * 0x1000 > c.ramLen || c.code.pageHasCode[dpg] || c.events !== 0) return 0;
  const bytes = k * os;
  const slow = d > 0 ? sp : sp - (k - 1) * os, dlow = d > 0 ? dp : dp - (k - 1) * os;
  if (slow < dlow + bytes && dlow < slow + bytes) return 0;
  c.ram.copyWithin(dlow, slow, slow + bytes);
  c.dirty[dpg] = 1;
  return k;
}
