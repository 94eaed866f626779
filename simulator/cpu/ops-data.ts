// Data movement: mov/lea/xchg, the stack (push/pop/pusha/popa/pushf/popf/enter/leave), segment
// register moves and far-pointer loads, xlat, port I/O.

import type { Cpu } from './cpu';
import type { Insn } from './insn';
import { Flag } from './registers';

export function nop(): void { /* nothing */ }

export function movRmReg(c: Cpu, i: Insn): void { c.writeRM(i, c.getReg(i.os, i.reg)); }
/** 89 with a register destination, 32-bit or 16-bit. */
export function movRmRegRR(c: Cpu, i: Insn): void { c.setReg(i.os, i.rm, c.getReg(i.os, i.reg)); }
export function movRegRm(c: Cpu, i: Insn): void { c.setReg(i.os, i.reg, c.readRM(i)); }
/** 8B with a memory source and 32-bit operand: the most common load. */
export function movReg32Mem(c: Cpu, i: Insn): void {
  let a = i.disp;
  if (i.base >= 0) a += c.regs[i.base];
  if (i.index >= 0) a += c.regs[i.index] << i.scale;
  const off = i.a32 ? a >>> 0 : a & 0xffff;
  c.regs[i.reg] = c.read32(c.linR(i.seg, off, 4));
}
export function movRmImm(c: Cpu, i: Insn): void { c.writeRM(i, i.imm); }
export function movReg32Imm(c: Cpu, i: Insn): void { c.regs[i.rm] = i.imm; }

export function lea(c: Cpu, i: Insn): void {
  const off = c.ea(i);
  c.setReg(i.os, i.reg, i.os === 4 ? off : off & 0xffff);
}

export function xchgRmReg(c: Cpu, i: Insn): void {
  const os = i.os;
  const a = c.readRMWOperand(i);
  const b = c.getReg(os, i.reg);
  c.writeRMWOperand(i, b);
  c.setReg(os, i.reg, a);
}

/** 8C: mov r/m16, Sreg (a 32-bit register destination gets the selector zero-extended). */
export function movRmSreg(c: Cpu, i: Insn): void {
  if (i.reg > 5) c.fault(6);
  const sel = c.segSel[i.reg] & 0xffff;
  if (i.mem) c.write16(c.linW(i.seg, c.ea(i), 2), sel);
  else c.setReg(i.os, i.rm, sel);
}
/** 8E: mov Sreg, r/m16 (mov ss inhibits interrupts for one instruction). */
export function movSregRm(c: Cpu, i: Insn): void {
  const sel = c.readRM(i);
  c.loadSeg(i.reg, sel);
  if (i.reg === 2) c.inhibitInterrupts();
}

/** c4 les (op 0), c5 lds (3), 0f b2 lss (2), 0f b4 lfs (4), 0f b5 lgs (5): reg, segment <- m16:16/32. */
export function loadFarPointer(c: Cpu, i: Insn): void {
  const off = c.ea(i);
  const lin = c.linR(i.seg, off, i.os + 2);
  const v = c.read(i.os, lin);
  const sel = c.read16((lin + i.os) >>> 0);
  c.loadSeg(i.op, sel);
  c.setReg(i.os, i.reg, v);
  if (i.op === 2) c.inhibitInterrupts();
}

// ---------------------------------------------------------------------------------- stack

export function pushReg32(c: Cpu, i: Insn): void {
  const v = c.regs[i.reg];
  if (c.stack32) {
    const n = (c.regs[4] - 4) >>> 0;
    c.write32(c.linW(2, n, 4), v);
    c.regs[4] = n;
  } else c.push32(v);
}
export function pushReg(c: Cpu, i: Insn): void { c.push(i.os, c.getReg(i.os, i.reg)); }
export function popReg32(c: Cpu, i: Insn): void {
  if (c.stack32) {
    const sp = c.regs[4] >>> 0;
    const v = c.read32(c.linR(2, sp, 4));
    c.regs[4] = sp + 4;
    c.regs[i.reg] = v; // pop esp: the popped value wins
  } else { const v = c.pop32(); c.regs[i.reg] = v; }
}
export function popReg(c: Cpu, i: Insn): void { const v = c.pop(i.os); c.setReg(i.os, i.reg, v); }
export function pushImm(c: Cpu, i: Insn): void { c.push(i.os, i.imm); }
export function pushRm(c: Cpu, i: Insn): void { c.push(i.os, c.readRM(i)); }
/** 8F /0: pop r/m. The address is computed with ESP already incremented (SDM). */
export function popRm(c: Cpu, i: Insn): void {
  const esp0 = c.regs[4];
  const v = c.pop(i.os);
  try { c.writeRM(i, v); } catch (e) { c.regs[4] = esp0; throw e; }
}
export function pushSreg(c: Cpu, i: Insn): void {
  const sel = c.segSel[i.reg] & 0xffff;
  if (i.os === 4) {
    // A 32-bit push of a segment register writes only the low 16 bits (P6 and later).
    const sp = c.stack32 ? (c.regs[4] - 4) >>> 0 : (c.regs[4] - 4) & 0xffff;
    c.write16(c.linW(2, sp, 4), sel);
    c.regs[4] = c.stack32 ? sp : (c.regs[4] & ~0xffff) | sp;
  } else c.push16(sel);
}
export function popSreg(c: Cpu, i: Insn): void {
  const sel = c.peek(i.os, 0) & 0xffff;
  c.loadSeg(i.reg, sel);
  const sp = (c.stack32 ? c.regs[4] >>> 0 : c.regs[4] & 0xffff) + i.os;
  c.regs[4] = c.stack32 ? sp : (c.regs[4] & ~0xffff) | (sp & 0xffff);
  if (i.reg === 2) c.inhibitInterrupts();
}

export function pusha(c: Cpu, i: Insn): void {
  const os = i.os, esp0 = c.regs[4];
  const vals = [0, 1, 2, 3, 4, 5, 6, 7].map(r => c.getReg(os, r));
  try { for (const v of vals) c.push(os, v); } catch (e) { c.regs[4] = esp0; throw e; }
}
export function popa(c: Cpu, i: Insn): void {
  const os = i.os, vals: number[] = [];
  for (let k = 0; k < 8; k++) vals.push(c.peek(os, k * os));
  for (let r = 7; r >= 0; r--) if (r !== 4) c.setReg(os, r, vals[7 - r]);
  const sp = (c.stack32 ? c.regs[4] >>> 0 : c.regs[4] & 0xffff) + 8 * os;
  c.regs[4] = c.stack32 ? sp : (c.regs[4] & ~0xffff) | (sp & 0xffff);
}

export function pushf(c: Cpu, i: Insn): void {
  // pushf clears VM and RF in the pushed image.
  c.push(i.os, i.os === 4 ? c.getEflags() & 0x00fcffff : c.getEflags() & 0xffff);
}
/** popf: which bits change depends on CPL and IOPL (IOPL only at CPL 0, IF only at CPL <= IOPL). */
export function popf(c: Cpu, i: Insn): void {
  const v = c.peek(i.os, 0);
  const old = c.getEflags();
  let m = 0x244dd5 | 0x100 | 0x4000; // status, TF, DF, NT, AC, ID (RF/VM/VIF/VIP are not popped)
  m &= ~0x10000;
  const iopl = (old >> 12) & 3;
  if (c.cpl === 0) m |= 0x3000 | 0x200;
  else if (c.cpl <= iopl) m |= 0x200;
  if (i.os === 2) m &= 0xffff;
  const sp = (c.stack32 ? c.regs[4] >>> 0 : c.regs[4] & 0xffff) + i.os;
  c.regs[4] = c.stack32 ? sp : (c.regs[4] & ~0xffff) | (sp & 0xffff);
  c.setEflags((old & ~m) | (v & m));
  c.ifRaised();
}

/** enter imm16, imm8: make a stack frame with `level` nested frame pointers. */
export function enter(c: Cpu, i: Insn): void {
  const os = i.os, size = i.imm, level = i.imm2 & 31;
  const esp0 = c.regs[4], ebp0 = c.regs[5];
  try {
    c.push(os, c.getReg(os, 5));
    const frame = c.getReg(c.stack32 ? 4 : 2, 4);
    if (level > 0) {
      let bp = c.stack32 ? ebp0 >>> 0 : ebp0 & 0xffff;
      for (let k = 1; k < level; k++) {
        bp = c.stack32 ? (bp - os) >>> 0 : (bp - os) & 0xffff;
        c.push(os, c.read(os, c.linR(2, bp, os)));
      }
      c.push(os, frame);
    }
    const sp = c.stack32 ? (c.regs[4] - size) >>> 0 : (c.regs[4] - size) & 0xffff;
    c.xlate(c.linW(2, sp, 1), true); // the new stack top must be writable
    c.setReg(os, 5, frame);
    c.regs[4] = c.stack32 ? sp : (c.regs[4] & ~0xffff) | sp;
  } catch (e) { c.regs[4] = esp0; c.regs[5] = ebp0; throw e; }
}
export function leave(c: Cpu, i: Insn): void {
  const bp = c.stack32 ? c.regs[5] >>> 0 : c.regs[5] & 0xffff;
  const v = c.read(i.os, c.linR(2, bp, i.os));
  const sp = bp + i.os;
  c.regs[4] = c.stack32 ? sp : (c.regs[4] & ~0xffff) | (sp & 0xffff);
  c.setReg(i.os, 5, v);
}

export function bound(c: Cpu, i: Insn): void {
  const os = i.os, lin = c.linR(i.seg, c.ea(i), 2 * os);
  const sx = (v: number) => os === 4 ? v | 0 : (v << 16) >> 16;
  const lo = sx(c.read(os, lin)), hi = sx(c.read(os, (lin + os) >>> 0)), idx = sx(c.getReg(os, i.reg));
  if (idx < lo || idx > hi) c.fault(5);
}

export function xlat(c: Cpu, i: Insn): void {
  const off = i.a32 ? (c.regs[3] + c.r8[0]) >>> 0 : (c.r16[6] + c.r8[0]) & 0xffff;
  c.r8[0] = c.read8(c.linR(i.seg, off, 1));
}

// ---------------------------------------------------------------------------------- port I/O

/**
 * In protected mode, I/O at CPL > IOPL is allowed only for ports whose bits are clear in the TSS's
 * I/O permission bitmap (its offset is the word at TSS+0x66); otherwise #GP(0).
 */
export function checkIoPermission(c: Cpu, port: number, size: number): void {
  if (!(c.cr0 & 1) || c.cpl <= ((c.flags >> 12) & 3)) return;
  if ((c.trAttr & 0xf) !== 0xb && (c.trAttr & 0xf) !== 0x9) c.fault(13, 0);
  if (c.trLimit < 0x67) c.fault(13, 0);
  const mapBase = c.readSys16((c.trBase + 0x66) >>> 0);
  const byteOff = mapBase + (port >>> 3);
  if (byteOff + 1 > c.trLimit) c.fault(13, 0);
  const bits = c.readSys16((c.trBase + byteOff) >>> 0);
  const m = ((1 << size) - 1) << (port & 7);
  if (bits & m) c.fault(13, 0);
}

export function inOp(c: Cpu, i: Insn): void {
  const port = i.imm < 0 ? c.r16[4] : i.imm;
  checkIoPermission(c, port, i.os);
  const v = c.bus.ioRead(port, i.os as 1 | 2 | 4);
  c.setReg(i.os, 0, i.os === 4 ? v >>> 0 : v & (i.os === 2 ? 0xffff : 0xff));
}
export function outOp(c: Cpu, i: Insn): void {
  const port = i.imm < 0 ? c.r16[4] : i.imm;
  checkIoPermission(c, port, i.os);
  c.bus.ioWrite(port, i.os as 1 | 2 | 4, c.getReg(i.os, 0) >>> 0);
}

export { Flag };
