// Control transfer: jcc/jmp/call/ret (near and far), loop/jcxz, int n/int3/into/int1, iret.
//
// EIP already points at the next instruction when an executor runs, so relative targets are
// eip + displacement, truncated to the operand size (16-bit operand size wraps IP at 64 KiB). A
// target outside the CS limit raises #GP(0) before anything changes.

import type { Cpu } from './cpu';
import type { Insn } from './insn';
import { callFar, iret, jmpFar, retFar } from './far-transfers';
import { deliverEvent, EventKind } from './delivery';

function jumpTo(c: Cpu, target: number, os: number): void {
  const t = os === 4 ? target >>> 0 : target & 0xffff;
  if (t > c.segLimit[1]) c.fault(13, 0);
  c.eip = t;
}

export function jcc(c: Cpu, i: Insn): void { if (c.cond(i.op)) jumpTo(c, c.eip + i.imm, i.os); }
export function jmpRel(c: Cpu, i: Insn): void { jumpTo(c, c.eip + i.imm, i.os); }
export function jmpRm(c: Cpu, i: Insn): void { jumpTo(c, c.readRM(i), i.os); }

export function callRel(c: Cpu, i: Insn): void {
  const os = i.os, target = os === 4 ? (c.eip + i.imm) >>> 0 : (c.eip + i.imm) & 0xffff;
  if (target > c.segLimit[1]) c.fault(13, 0);
  c.push(os, c.eip);
  c.eip = target;
}
export function callRm(c: Cpu, i: Insn): void {
  const os = i.os, target = i.os === 4 ? c.readRM(i) >>> 0 : c.readRM(i);
  if (target > c.segLimit[1]) c.fault(13, 0);
  c.push(os, c.eip);
  c.eip = target;
}

/** c3 with 32-bit operand size, the common case. */
export function retNear32(c: Cpu): void {
  if (c.stack32) {
    const sp = c.regs[4] >>> 0;
    const t = c.read32(c.linR(2, sp, 4)) >>> 0;
    if (t > c.segLimit[1]) c.fault(13, 0);
    c.regs[4] = sp + 4;
    c.eip = t;
    return;
  }
  const t = c.peek(4, 0) >>> 0;
  if (t > c.segLimit[1]) c.fault(13, 0);
  c.regs[4] = (c.regs[4] & ~0xffff) | ((c.regs[4] + 4) & 0xffff);
  c.eip = t;
}
/** c3 / c2 imm16. */
export function retNear(c: Cpu, i: Insn): void {
  const os = i.os;
  const t = c.peek(os, 0) >>> 0;
  if (t > c.segLimit[1]) c.fault(13, 0);
  const sp = (c.stack32 ? c.regs[4] >>> 0 : c.regs[4] & 0xffff) + os + i.imm;
  c.regs[4] = c.stack32 ? sp : (c.regs[4] & ~0xffff) | (sp & 0xffff);
  c.eip = t;
}

/** e0 loopne (op 0), e1 loope (1), e2 loop (2). The counter is CX or ECX by address size. */
export function loop(c: Cpu, i: Insn): void {
  let n: number;
  if (i.a32) n = (c.regs[1] - 1) >>> 0; else n = (c.r16[2] - 1) & 0xffff;
  const take = n !== 0 && (i.op === 2 || (i.op === 1 ? c.zf() : !c.zf()));
  if (take) jumpTo(c, c.eip + i.imm, i.os);
  if (i.a32) c.regs[1] = n; else c.r16[2] = n;
}
export function jcxz(c: Cpu, i: Insn): void {
  if ((i.a32 ? c.regs[1] : c.r16[2]) === 0) jumpTo(c, c.eip + i.imm, i.os);
}

export function jmpFarImm(c: Cpu, i: Insn): void { jmpFar(c, i.imm2, i.imm); }
export function callFarImm(c: Cpu, i: Insn): void { callFar(c, i.imm2, i.imm, i.os); }
export function jmpFarMem(c: Cpu, i: Insn): void {
  const lin = c.linR(i.seg, c.ea(i), i.os + 2);
  const off = c.read(i.os, lin) >>> 0, sel = c.read16((lin + i.os) >>> 0);
  jmpFar(c, sel, off);
}
export function callFarMem(c: Cpu, i: Insn): void {
  const lin = c.linR(i.seg, c.ea(i), i.os + 2);
  const off = c.read(i.os, lin) >>> 0, sel = c.read16((lin + i.os) >>> 0);
  callFar(c, sel, off, i.os);
}
export function retFarImm(c: Cpu, i: Insn): void { retFar(c, i.os, i.imm); }

/** int n / int3: software interrupts (the gate's DPL must allow the CPL). */
export function intN(c: Cpu, i: Insn): void { c.softwareInterrupt(i.imm); }
export function into(c: Cpu): void { if (c.of()) c.softwareInterrupt(4); }
/** f1 (int1/icebp): a debug trap delivered like a hardware event (no DPL check). */
export function int1(c: Cpu): void { deliverEvent(c, 1, -1, EventKind.Interrupt, c.eip); }
export function iretOp(c: Cpu, i: Insn): void { iret(c, i.os); }
