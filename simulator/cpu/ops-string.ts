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
    c.write(os, c.linW(0, di(c, a), os), v);
    advDi(c, a, d);
    if (decCx(c, a) === 0) return;
    if (yieldRep(c, ++n)) return;
  }
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
