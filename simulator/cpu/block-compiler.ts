// Hot straight-line code is compiled into one JavaScript function per basic block.
//
// The interpreter pays, per instruction, a decoded-page lookup and a megamorphic call through
// `insn.exec`. For a block that runs often, we generate (new Function) a function that executes its
// instructions in sequence, calling each executor through its own call site: V8 sees one target per
// site and inlines the executor. Semantics are unchanged because the generated code does exactly what
// the interpreter loop does per instruction (set instrStart and EIP, run the executor, count it) and
// leaves the block as soon as anything unusual happens:
//   - c.events != 0 (interrupt request, halt, watch hit, self-modifying write, ...);
//   - EIP is not the next instruction (a rep string instruction yielding, a taken branch);
//   - a fault (the executor throws, exactly as in the interpreter).
// A block ends at the first control transfer or mode-changing instruction, at the end of the page,
// or after MAX_BLOCK instructions. It is cached in the CodePage (so a write to the page drops it with
// the page's decoded instructions) and is only entered at the EIP it was compiled for (the same
// physical page may be mapped at several linear addresses).

import type { Cpu } from './cpu';
import type { CodePage } from './code-cache';
import type { Handler, Insn } from './insn';
import * as C from './ops-control';
import * as Y from './ops-system';
import * as D from './ops-data';
import * as Q from './ops-fast';

export const MAX_BLOCK = 48;
/** Executions of an address before its block is compiled. */
export const HOT = 24;

export class Block {
  constructor(
    readonly eip: number,
    readonly length: number,
    readonly run: (c: Cpu) => void,
  ) {}
}

/** Marks an offset where no block is worth compiling (never matches an EIP). */
export const NO_BLOCK = new Block(-1, 0, () => undefined);

/** Executors after which a block must end: they change EIP, the mode, or the address space. */
const ENDERS = new Set<Handler>([
  C.jcc, Q.jcc32, C.jmpRel, C.jmpRm, C.callRel, C.callRm, C.retNear32, C.retNear, C.loop, C.jcxz,
  C.jmpFarImm, C.callFarImm, C.jmpFarMem, C.callFarMem, C.retFarImm, C.intN, C.into, C.int1, C.iretOp,
  Y.hlt, Y.movToCr, Y.group7, Y.group6, Y.wrmsr, D.popf, D.popSreg, D.movSregRm, D.loadFarPointer,
]);

/**
 * Builds the block starting at `lin` (which is in `page`, already decoded at least for its first
 * instruction). Returns undefined when the block would be a single instruction (nothing to gain).
 */
export function compileBlock(c: Cpu, lin: number, page: CodePage, decode: (lin: number) => Insn | undefined): Block | undefined {
  const eip0 = c.eip;
  const insns: Insn[] = [];
  const eips: number[] = [];
  let off = lin & 0xfff;
  let eip = eip0;
  while (insns.length < MAX_BLOCK && off < 0x1000) {
    let insn = page.insns[off];
    if (insn === undefined) insn = decode((lin & ~0xfff) + off);
    if (insn === undefined) break;
    if (off + insn.len > 0x1000) break;
    insns.push(insn);
    eips.push(eip);
    eip = c.code32 ? (eip + insn.len) >>> 0 : (eip + insn.len) & 0xffff;
    off += insn.len;
    if (ENDERS.has(insn.exec)) break;
  }
  if (insns.length < 2) return undefined;
  const params: string[] = [];
  const args: unknown[] = [];
  let body = '';
  for (let k = 0; k < insns.length; k++) {
    const start = eips[k] >>> 0;
    const next = c.code32 ? (start + insns[k].len) >>> 0 : (start + insns[k].len) & 0xffff;
    params.push(`h${k}`, `i${k}`);
    args.push(insns[k].exec, insns[k]);
    body += `c.instrStart = ${start}; c.eip = ${next}; h${k}(c, i${k}); c.instructionCount++;\n`;
    if (k < insns.length - 1) body += `if (c.events !== 0 || c.eip !== ${next}) return;\n`;
  }
  const factory = new Function(...params, `return function block_${eip0.toString(16)}(c) {\n${body}};`);
  return new Block(eip0, insns.length, factory(...args) as (c: Cpu) => void);
}
