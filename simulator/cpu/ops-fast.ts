// Specialised executors for the most frequent 32-bit forms. Each does exactly what the generic
// executor in ops-alu.ts / ops-data.ts / ops-control.ts does for that form, without the operand-size
// and register-vs-memory dispatch (the decoder picks them only for the form they handle). The
// hardware vectors and QEMU traces check them like every other executor.

import type { Cpu } from './cpu';
import type { Insn } from './insn';
import { Lazy } from './flags';

/** 32-bit ALU op, register destination i.rm, register source i.reg (01/09/../39 and swapped 03/../3B). */
export function aluRR32(c: Cpu, i: Insn): void {
  const regs = c.regs;
  const a = regs[i.rm], b = regs[i.reg];
  aluStore32(c, i, a, b);
}
/** 32-bit ALU op with an immediate, register destination i.rm (81/83 mod=3, 05/0D/..). */
export function aluRI32(c: Cpu, i: Insn): void {
  aluStore32(c, i, c.regs[i.rm], i.imm);
}
/** 32-bit ALU op, register destination i.reg, memory source (03/0B/../3B with a memory operand). */
export function aluRM32(c: Cpu, i: Insn): void {
  const b = c.read32(c.linR(i.seg, c.ea(i), 4));
  const a = c.regs[i.reg];
  let r: number;
  switch (i.op) {
    case 0: r = (a + b) | 0; c.lfOp = Lazy.ADD; break;
    case 1: r = a | b; c.lfOp = Lazy.LOGIC; break;
    case 2: { const cf = c.cf(); r = (a + b + cf) | 0; c.lfOp = cf ? Lazy.ADC1 : Lazy.ADD; break; }
    case 3: { const cf = c.cf(); r = (a - b - cf) | 0; c.lfOp = cf ? Lazy.SBB1 : Lazy.SUB; break; }
    case 4: r = a & b; c.lfOp = Lazy.LOGIC; break;
    case 6: r = a ^ b; c.lfOp = Lazy.LOGIC; break;
    default: r = (a - b) | 0; c.lfOp = Lazy.SUB; break;
  }
  c.lfSize = 2; c.lfA = a; c.lfB = b; c.lfRes = r;
  if (i.op !== 7) c.regs[i.reg] = r;
}

function aluStore32(c: Cpu, i: Insn, a: number, b: number): void {
  let r: number;
  switch (i.op) {
    case 0: r = (a + b) | 0; c.lfOp = Lazy.ADD; break;
    case 1: r = a | b; c.lfOp = Lazy.LOGIC; break;
    case 2: { const cf = c.cf(); r = (a + b + cf) | 0; c.lfOp = cf ? Lazy.ADC1 : Lazy.ADD; break; }
    case 3: { const cf = c.cf(); r = (a - b - cf) | 0; c.lfOp = cf ? Lazy.SBB1 : Lazy.SUB; break; }
    case 4: r = a & b; c.lfOp = Lazy.LOGIC; break;
    case 6: r = a ^ b; c.lfOp = Lazy.LOGIC; break;
    default: r = (a - b) | 0; c.lfOp = Lazy.SUB; break;
  }
  c.lfSize = 2; c.lfA = a; c.lfB = b; c.lfRes = r;
  if (i.op !== 7) c.regs[i.rm] = r;
}

/** 85 /r test r32, r32. */
export function testRR32(c: Cpu, i: Insn): void {
  const a = c.regs[i.rm], b = c.regs[i.reg];
  c.lfOp = Lazy.LOGIC; c.lfSize = 2; c.lfA = a; c.lfB = b; c.lfRes = a & b;
}

/** 40+r / 48+r with 32-bit operand size (op 0 inc, 1 dec); CF is kept. */
export function incDec32(c: Cpu, i: Insn): void {
  const a = c.regs[i.rm];
  const r = i.op ? (a - 1) | 0 : (a + 1) | 0;
  c.flags = (c.flags & ~1) | c.cf();
  c.lfOp = i.op ? Lazy.DEC : Lazy.INC; c.lfSize = 2; c.lfA = a; c.lfB = 1; c.lfRes = r;
  c.regs[i.rm] = r;
}

/** 89 / 8B between registers. */
export function movRR32(c: Cpu, i: Insn): void { c.regs[i.rm] = c.regs[i.reg]; }
/** 89 /r with a memory destination. */
export function movStore32(c: Cpu, i: Insn): void { c.write32(c.linW(i.seg, c.ea(i), 4), c.regs[i.reg]); }
/** C7 /0 with a memory destination. */
export function movStoreImm32(c: Cpu, i: Insn): void { c.write32(c.linW(i.seg, c.ea(i), 4), i.imm); }
/** 8D lea r32 with 32-bit addressing. */
export function lea32(c: Cpu, i: Insn): void {
  let a = i.disp;
  if (i.base >= 0) a += c.regs[i.base];
  if (i.index >= 0) a += c.regs[i.index] << i.scale;
  c.regs[i.reg] = a;
}

/**
 * jcc with 32-bit operand size. After the common flag producers (cmp/sub and test/and/or/xor on
 * 32-bit operands) the condition is read straight from the lazy record's operands.
 */
export function jcc32(c: Cpu, i: Insn): void {
  let t: boolean;
  const op = c.lfOp;
  if (op === Lazy.SUB && c.lfSize === 2) {
    const a = c.lfA, b = c.lfB;
    switch (i.op) {
      case 2: t = (a >>> 0) < (b >>> 0); break;
      case 3: t = (a >>> 0) >= (b >>> 0); break;
      case 4: t = a === b; break;
      case 5: t = a !== b; break;
      case 6: t = (a >>> 0) <= (b >>> 0); break;
      case 7: t = (a >>> 0) > (b >>> 0); break;
      case 8: t = c.lfRes < 0; break;
      case 9: t = c.lfRes >= 0; break;
      case 12: t = a < b; break;
      case 13: t = a >= b; break;
      case 14: t = a <= b; break;
      case 15: t = a > b; break;
      default: t = c.cond(i.op);
    }
  } else if (op === Lazy.LOGIC && c.lfSize === 2) {
    const r = c.lfRes;
    switch (i.op) {
      case 4: case 6: t = r === 0; break;
      case 5: case 7: t = r !== 0; break;
      case 8: case 12: t = r < 0; break;
      case 9: case 13: t = r >= 0; break;
      case 14: t = r <= 0; break;
      case 15: t = r > 0; break;
      default: t = c.cond(i.op);
    }
  } else if ((op === Lazy.INC || op === Lazy.DEC || op === Lazy.ADD) && (i.op === 4 || i.op === 5)) {
    t = (c.lfRes === 0) === (i.op === 4);
  } else t = c.cond(i.op);
  if (t) {
    const target = (c.eip + i.imm) >>> 0;
    if (target > c.segLimit[1]) c.fault(13, 0);
    c.eip = target;
  }
}
