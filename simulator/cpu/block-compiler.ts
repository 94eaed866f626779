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
// or after MAX_BLOCK instructions. When that last instruction jumps back to the block's own start (a
// loop: `dec ecx; jnz top`, `stos; add; loop`), the function goes round again instead of returning, as
// long as one more whole pass fits in the run's budget. A block is cached in the CodePage (so a write
// to the page drops it with the page's decoded instructions) and is only entered at the EIP it was
// compiled for (the same physical page may be mapped at several linear addresses). The generated
// functions are also shared by every machine in the process, keyed by the code's bytes (`shared`).
//
// (Tried and measured, not kept: traces that go on past conditional branches and through near
// jmp/call on the same page. They made kernel blocks longer, but the larger functions cost more to
// compile than the dispatches they saved: launch to the first stop got slower, steady state no faster.)

import type { Cpu } from './cpu';
import type { CodePage } from './code-cache';
import type { Handler, Insn } from './insn';
import * as C from './ops-control';
import * as Y from './ops-system';
import * as D from './ops-data';
import * as Q from './ops-fast';
import * as A from './ops-alu';
import { Lazy } from './flags';

export const MAX_BLOCK = 48;
/**
 * Executions of an address before its block is generated. Generating and compiling a function costs
 * about as much as interpreting ten thousand instructions, so only code that keeps running is worth
 * it (the counter is a Uint8Array: at most 255).
 */
export const HOT = 250;
/** Executions of an address before a block already generated for the same code (shared) is used. */
export const HOT_SHARED = 24;

export class Block {
  constructor(
    readonly eip: number,
    readonly length: number,
    /**
     * Runs the block; `left` (>= length) is the instruction budget left. A block that ends with a
     * jump back to its own start loops inside the function while a whole pass still fits in `left`.
     */
    readonly run: (c: Cpu, left: number) => void,
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
/** Block enders that may jump back to the block's start (then the block loops; see generate). */
const BACKWARD = new Set<Handler>([C.jcc, Q.jcc32, C.jmpRel, C.loop, C.jcxz]);

/**
 * Compiled blocks shared by every machine in the process, by the code they were built from (see
 * compileBlock). A new Machine (a test, the debugger relaunching) then reuses the functions V8 has
 * already optimised instead of generating and warming up new ones. Cleared when it grows too large.
 */
const shared = new Map<string, Block>();
/** The EIPs that some shared block starts at: most addresses have none, and then no key is built. */
const sharedEips = new Set<number>();
const SHARED_MAX = 5_000;

/**
 * Builds the block starting at `lin` (which is in `page`, already decoded at least for its first
 * instruction; `phys` is the physical address of that page). Returns undefined when the block would
 * be a single instruction (nothing to gain).
 */
export function compileBlock(c: Cpu, lin: number, page: CodePage, phys: number, decode: (lin: number) => Insn | undefined): Block | undefined {
  const t = scanBlock(c, lin, page, phys, decode);
  if (t === undefined) return undefined;
  if (t.key !== undefined) {
    const hit = shared.get(t.key);
    if (hit !== undefined) return hit;
  }
  const block = generate(c.code32, c.eip, t.insns, t.eips, t.offs, page.counts);
  if (t.key !== undefined) {
    if (shared.size >= SHARED_MAX) { shared.clear(); sharedEips.clear(); }
    shared.set(t.key, block);
    sharedEips.add(c.eip);
  }
  return block;
}

/**
 * The block compileBlock would return if it was already generated (by any machine in this process),
 * else undefined. Cheap enough to ask long before HOT.
 */
export function findSharedBlock(c: Cpu, lin: number, page: CodePage, phys: number, decode: (lin: number) => Insn | undefined): Block | undefined {
  if (page.counts !== undefined || !sharedEips.has(c.eip)) return undefined;
  const t = scanBlock(c, lin, page, phys, decode);
  return t?.key === undefined ? undefined : shared.get(t.key);
}

/** The instructions of the block at `lin` (see compileBlock), and its key in `shared`. */
function scanBlock(c: Cpu, lin: number, page: CodePage, phys: number, decode: (lin: number) => Insn | undefined):
    { insns: Insn[]; eips: number[]; offs: number[]; key: string | undefined } | undefined {
  const eip0 = c.eip;
  const code32 = c.code32;
  const insns: Insn[] = [];
  const eips: number[] = [];
  const offs: number[] = [];
  let off = lin & 0xfff;
  let eip = eip0;
  while (insns.length < MAX_BLOCK && off < 0x1000) {
    let insn = page.insns[off];
    if (insn === undefined) insn = decode((lin & ~0xfff) + off);
    if (insn === undefined) break;
    if (off + insn.len > 0x1000) break;
    insns.push(insn);
    eips.push(eip);
    offs.push(off);
    eip = code32 ? (eip + insn.len) >>> 0 : (eip + insn.len) & 0xffff;
    off += insn.len;
    if (ENDERS.has(insn.exec)) break;
  }
  if (insns.length < 2) return undefined;
  // The same bytes at the same EIP and page offset in the same mode make the same block (decoding
  // depends only on the bytes and CS.D), so its function can be shared. Not while profiling: those
  // blocks hold this RAM's counters.
  let key: string | undefined;
  if (page.counts === undefined) {
    key = `${code32 ? 1 : 0}:${eip0}:${lin & 0xfff}`;
    const ram = c.ram;
    for (let k = 0; k < insns.length; k++) {
      key += `:${offs[k]}=`;
      for (let b = 0; b < insns[k].len; b++) key += String.fromCharCode(65 + (ram[phys + offs[k] + b] >>> 4), 65 + (ram[phys + offs[k] + b] & 15));
    }
  }
  return { insns, eips, offs, key };
}

/** Generates the block's function (see the file comment for what it must preserve). */
function generate(code32: boolean, eip0: number, insns: Insn[], eips: number[], offs: number[], K: Float64Array | undefined): Block {
  const params: string[] = [];
  const args: unknown[] = [];
  const n = insns.length;
  let body = '';
  let pending = 0; // retired instructions not yet added to c.instructionCount
  const flush = () => { if (pending) { body += `c.instructionCount += ${pending};\n`; pending = 0; } };
  // Profiling (execution-counts.ts): count each instruction as it begins, like the interpreter, so an
  // early exit or a fault leaves exactly the instructions that began counted. Only pages created while
  // profiling is on have counters, and switching profiling drops every block, so a block never counts
  // into a stale array nor misses counts.
  if (K !== undefined) { params.push('K'); args.push(K); }
  for (let k = 0; k < insns.length; k++) {
    const i = insns[k];
    if (K !== undefined) body += `K[${offs[k]}]++;\n`;
    const start = eips[k] >>> 0;
    const next = code32 ? (start + i.len) >>> 0 : (start + i.len) & 0xffff;
    const last = k === insns.length - 1;
    const inline = code32 ? inlineCode(i, start, next) : undefined;
    if (inline !== undefined && inline.pure) {
      // Register-only work: cannot fault, cannot change EIP or raise events.
      body += inline.code;
      pending++;
      if (last) { body += `c.eip = ${next};\n`; flush(); }
      continue;
    }
    flush();
    if (inline !== undefined && inline.memory) {
      // A memory access written inline: it can fault (instrStart is the fault's return address, and
      // the fault path rewinds EIP to it) or raise an event (a write into code), but it cannot
      // change EIP, so EIP is only stored where the block is left.
      body += `c.instrStart = ${start};\n${inline.code}c.instructionCount++;\n`;
      body += last ? `c.eip = ${next};\n` : `if (c.events !== 0) { c.eip = ${next}; return; }\n`;
      continue;
    }
    body += `c.instrStart = ${start}; c.eip = ${next};\n`;
    if (inline !== undefined) body += inline.code;
    else {
      params.push(`h${k}`, `i${k}`);
      args.push(i.exec, i);
      body += `h${k}(c, i${k});\n`;
    }
    body += 'c.instructionCount++;\n';
    if (!last) { body += `if (c.events !== 0 || c.eip !== ${next}) return;\n`; continue; }
    // The block's last instruction: when it jumped back to the block's start and one more whole pass
    // fits in the budget, go round again (a loop runs without returning to the dispatch loop).
    if (BACKWARD.has(i.exec)) body += `if (c.events === 0 && c.eip === ${eip0} && (left -= ${n}) >= ${n}) continue;\n`;
  }
  const source = `return function block_${eip0.toString(16)}(c, left) {\nconst R = c.regs;\nfor (;;) {\n${body}return;\n}\n};`;
  const factory = new Function(...params, source);
  return new Block(eip0, n, factory(...args) as (c: Cpu, left: number) => void);
}

/** Effective-address expression for a 32-bit ModRM memory operand (an int32; linR takes it unsigned). */
function eaExpr(i: Insn): string {
  let e = `${i.disp | 0}`;
  if (i.base >= 0) e += ` + R[${i.base}]`;
  if (i.index >= 0) e += ` + (R[${i.index}] << ${i.scale})`;
  return `((${e}) | 0)`;
}

const ALU_EXPR: (string | undefined)[] = ['(a + b) | 0', 'a | b', undefined, undefined, 'a & b', '(a - b) | 0', 'a ^ b', '(a - b) | 0'];
const ALU_LAZY = [Lazy.ADD, Lazy.LOGIC, 0, 0, Lazy.LOGIC, Lazy.SUB, Lazy.LOGIC, Lazy.SUB];

/**
 * JavaScript for the most frequent 32-bit forms, written out in the block so V8 compiles them in
 * place (same semantics as the executors in ops-fast.ts). `pure` forms touch only registers and the
 * lazy-flag record. Returns undefined for everything else (the block then calls the executor).
 */
function inlineCode(i: Insn, start: number, next: number): { code: string; pure: boolean; memory?: boolean } | undefined {
  void start;
  const h = i.exec;
  if (h === Q.aluRR32 || h === Q.aluRI32) {
    const expr = ALU_EXPR[i.op];
    if (expr === undefined) return undefined;
    const b = h === Q.aluRR32 ? `R[${i.reg}]` : `${i.imm | 0}`;
    const store = i.op === 7 ? '' : ` R[${i.rm}] = r;`;
    return { pure: true, code: `{ const a = R[${i.rm}], b = ${b}; const r = ${expr}; c.lfOp = ${ALU_LAZY[i.op]}; c.lfSize = 2; c.lfA = a; c.lfB = b; c.lfRes = r;${store} }\n` };
  }
  if (h === Q.testRR32) return { pure: true, code: `{ const a = R[${i.rm}], b = R[${i.reg}]; c.lfOp = ${Lazy.LOGIC}; c.lfSize = 2; c.lfA = a; c.lfB = b; c.lfRes = a & b; }\n` };
  if (h === Q.movRR32) return { pure: true, code: `R[${i.rm}] = R[${i.reg}];\n` };
  if (h === Q.lea32) return { pure: true, code: `R[${i.reg}] = ${eaExpr(i)};\n` };
  if (h === Q.incDec32) {
    const op = i.op ? '-' : '+';
    return { pure: true, code: `{ const a = R[${i.rm}]; const r = (a ${op} 1) | 0; c.flags = (c.flags & ~1) | c.cf(); c.lfOp = ${i.op ? Lazy.DEC : Lazy.INC}; c.lfSize = 2; c.lfA = a; c.lfB = 1; c.lfRes = r; R[${i.rm}] = r; }\n` };
  }
  if (h === D.movReg32Imm) return { pure: true, code: `R[${i.rm}] = ${i.imm | 0};\n` };
  if (h === A.shift && i.os === 4 && !i.mem && (i.imm & 0x1f) !== 0 && i.imm > 0 && i.op >= 4) {
    // shl/sal, shr, sar r32 by a constant: flags computed eagerly, as shift() does.
    const n = i.imm & 0x1f;
    let expr: string;
    if (i.op === 5) expr = `const r = a >>> ${n}; const cf = (a >>> ${n - 1}) & 1; c.setResultFlags(2, r, cf, a < 0);`;
    else if (i.op === 7) expr = `const r = a >> ${n}; const cf = (a >> ${n - 1}) & 1; c.setResultFlags(2, r, cf, false);`;
    else expr = `const r = a << ${n}; const cf = (a >>> ${32 - n}) & 1; c.setResultFlags(2, r, cf, (r < 0) !== (cf !== 0));`;
    return { pure: true, code: `{ const a = R[${i.rm}]; ${expr} R[${i.rm}] = r; }\n` };
  }
  if (!i.a32) return undefined;
  if (h === Q.aluRM32) {
    const expr = ALU_EXPR[i.op];
    if (expr === undefined) return undefined;
    const store = i.op === 7 ? '' : ` R[${i.reg}] = r;`;
    return { pure: false, memory: true, code: `{ const b = c.read32(c.linR(${i.seg}, ${eaExpr(i)}, 4)); const a = R[${i.reg}]; const r = ${expr}; c.lfOp = ${ALU_LAZY[i.op]}; c.lfSize = 2; c.lfA = a; c.lfB = b; c.lfRes = r;${store} }\n` };
  }
  if (h === D.movReg32Mem) return { pure: false, memory: true, code: `R[${i.reg}] = c.read32(c.linR(${i.seg}, ${eaExpr(i)}, 4));\n` };
  if (h === Q.movStore32) return { pure: false, memory: true, code: `c.write32(c.linW(${i.seg}, ${eaExpr(i)}, 4), R[${i.reg}]);\n` };
  if (h === Q.movStoreImm32) return { pure: false, memory: true, code: `c.write32(c.linW(${i.seg}, ${eaExpr(i)}, 4), ${i.imm | 0});\n` };
  if (h === Q.jcc32) {
    const target = (next + i.imm) >>> 0;
    const fast = JCC_SUB[i.op];
    const cond = fast ? `(c.lfOp === ${Lazy.SUB} && c.lfSize === 2 ? (${fast}) : c.cond(${i.op}))` : `c.cond(${i.op})`;
    return { pure: false, code: `if (${cond}) { if (${target} > c.segLimit[1]) c.fault(13, 0); c.eip = ${target}; }\n` };
  }
  return undefined;
}

/** Conditions after a 32-bit cmp/sub, from its operands (a = lfA, b = lfB as int32). */
const JCC_SUB: (string | undefined)[] = [
  undefined, undefined,
  '(c.lfA >>> 0) < (c.lfB >>> 0)', '(c.lfA >>> 0) >= (c.lfB >>> 0)',
  'c.lfA === c.lfB', 'c.lfA !== c.lfB',
  '(c.lfA >>> 0) <= (c.lfB >>> 0)', '(c.lfA >>> 0) > (c.lfB >>> 0)',
  'c.lfRes < 0', 'c.lfRes >= 0', undefined, undefined,
  'c.lfA < c.lfB', 'c.lfA >= c.lfB', 'c.lfA <= c.lfB', 'c.lfA > c.lfB',
];
