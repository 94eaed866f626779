// Differential trace: the same kernel ELF runs in QEMU (the reference, single-stepped with a register dump
// per instruction) and in a ksim Cpu on a RAM-only bus; from the kernel's `trace_start` symbol on (it has
// loaded its own GDT, segments, stack and registers by then) the two register states are compared before
// every instruction: EIP, the eight GPRs, EFLAGS, CPL, segment selectors and their hidden base/limit/
// attributes, LDTR/TR, GDTR/IDTR and CR0/CR2/CR3/CR4.
//
// Alignment rules (see qemu-trace.ts for what QEMU logs):
// - Consecutive states at the same CS:EIP are collapsed on both sides (rep string iterations), so each
//   instruction is compared once, before it starts.
// - ksim's step() runs one instruction or delivers one exception; a faulting instruction thus goes straight
//   from its own state to the handler's, as in QEMU's log.
// Undefined flags: iced-x86 tells, per executed instruction, which flags it leaves undefined (Intel SDM).
// Such a flag may legitimately differ; when it does, ksim's flag is set to QEMU's value so the difference
// cannot propagate (through pushf, an interrupt frame, a later adc...) and be mistaken for a bug. Any other
// difference is a divergence: the run stops and reports the instruction, its bytes and the fields.

import { readFileSync } from 'fs';
import { Decoder, DecoderOptions, Formatter, FormatterSyntax, Mnemonic, OpKind, Register, RflagsBits } from 'iced-x86';
import { Cpu } from '../../../simulator/cpu/cpu';
import { RamBus } from '../harness/ram-bus';
import { loadElf32, readElf32 } from '../harness/elf32';
import { runQemuTrace, TraceState } from './qemu-trace';

const REG_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
const ARITH = 0x8d5;
/** EFLAGS bits compared: everything architectural except RF (QEMU keeps it internally). */
const EFLAGS_COMPARED = 0x3f7fd7 & ~0x10000;
const hex = (v: number, w = 8) => (v >>> 0).toString(16).padStart(w, '0');

interface InsnInfo {
  bytes: Uint8Array;
  text: string;
  /** Flags the instruction writes / leaves undefined (EFLAGS bit positions). */
  written: number;
  undefined: number;
  /** Shift/rotate by CL: a masked count of 0 writes no flag. */
  countInCl: boolean;
}

const ICED_TO_EFLAGS: [number, number][] = [[RflagsBits.OF, 0x800], [RflagsBits.SF, 0x80], [RflagsBits.ZF, 0x40],
  [RflagsBits.AF, 0x10], [RflagsBits.CF, 0x1], [RflagsBits.PF, 0x4], [RflagsBits.DF, 0x400]];
const toEflags = (r: number) => ICED_TO_EFLAGS.reduce((a, [i, e]) => (r & i ? a | e : a), 0);
const SHIFTS = new Set([Mnemonic.Shl, Mnemonic.Sal, Mnemonic.Shr, Mnemonic.Sar, Mnemonic.Rol, Mnemonic.Ror,
  Mnemonic.Rcl, Mnemonic.Rcr, Mnemonic.Shld, Mnemonic.Shrd]);

export interface DiffResult {
  kernel: string;
  /** Instructions compared (after collapsing rep iterations). */
  compared: number;
  /** QEMU dumps read in total (incl. rep iterations and the boot code before trace_start). */
  qemuStates: number;
  /** Undefined-flag differences that were synchronised. */
  undefinedFlagSyncs: number;
  qemuExit: number | null;
  /** isa-debug-exit value ksim's run wrote, or undefined. */
  ksimExitValue: number | undefined;
  divergence?: string;
}

export class KsimSide {
  readonly bus = new RamBus(32 << 20);
  readonly cpu: Cpu;
  private readonly infos = new Map<number, InsnInfo>();
  private readonly formatter = new Formatter(FormatterSyntax.Nasm);

  constructor(readonly elf: ReturnType<typeof readElf32>) {
    loadElf32(elf, this.bus.ram);
    this.cpu = new Cpu(this.bus, { id: 0 });
    this.cpu.enterFlatProtectedMode();
    this.cpu.eip = elf.entry;
    this.cpu.setReg32(0, 0x2badb002);
  }

  linearEip(): number { return (this.cpu.getSegment(1).base + this.cpu.eip) >>> 0; }

  /** Decoded facts about the instruction at a linear address (code is identity-mapped in our kernels). */
  info(lin: number): InsnInfo {
    let i = this.infos.get(lin);
    if (i) return i;
    const bytes = this.bus.ram.slice(lin, lin + 15);
    const is32 = (this.cpu.getSegment(1).access & 0x4000) !== 0;
    const d = new Decoder(is32 ? 32 : 16, bytes, DecoderOptions.None);
    d.ip = BigInt(lin);
    const insn = d.decode();
    const m = insn.mnemonic;
    const lastOp = insn.opCount - 1;
    i = {
      bytes: bytes.slice(0, insn.length),
      text: this.formatter.format(insn),
      written: toEflags(insn.rflagsModified),
      undefined: toEflags(insn.rflagsUndefined),
      countInCl: SHIFTS.has(m) && insn.opKind(lastOp) === OpKind.Register && insn.opRegister(lastOp) === Register.CL,
    };
    insn.free();
    d.free();
    this.infos.set(lin, i);
    return i;
  }

  state(): TraceState {
    const c = this.cpu;
    const seg = (s: number) => { const g = c.getSegment(s); return { selector: g.selector, base: g.base >>> 0, limit: g.limit >>> 0, flags: g.access }; };
    return {
      regs: REG_NAMES.map((_, r) => c.getReg32(r)), eip: c.eip >>> 0, eflags: c.getEflags(), cpl: c.cpl,
      segs: [0, 1, 2, 3, 4, 5].map(seg), ldtSelector: c.ldtr.selector,
      tr: { selector: c.tr.selector, base: c.tr.base >>> 0, limit: c.tr.limit >>> 0, flags: c.tr.access },
      gdt: c.gdtr, idt: c.idtr,
      cr: [c.getControlRegister(0), 0, c.getControlRegister(2), c.getControlRegister(3), c.getControlRegister(4)].map((v) => v >>> 0),
    };
  }

  /** Executes the current instruction to completion (all rep iterations); returns what it was. */
  advance(): InsnInfo {
    const lin = this.linearEip();
    const info = this.info(lin);
    const cs = this.cpu.getSegment(1).selector;
    for (let guard = 0; guard < 1_000_000; guard++) {
      this.cpu.step();
      if (this.cpu.runState !== 'running' || this.bus.exitValue !== undefined) break;
      if (this.cpu.eip !== (lin - this.cpu.getSegment(1).base) >>> 0 || this.cpu.getSegment(1).selector !== cs) break;
    }
    return info;
  }
}

/** Compares QEMU's dump with ksim's state; returns the differing fields. */
function compareStates(q: TraceState, k: TraceState, undefMask: number): string[] {
  const d: string[] = [];
  if (q.eip !== k.eip) d.push(`eip qemu=${hex(q.eip)} ksim=${hex(k.eip)}`);
  for (let r = 0; r < 8; r++) if (q.regs[r] !== k.regs[r]) d.push(`${REG_NAMES[r]} qemu=${hex(q.regs[r])} ksim=${hex(k.regs[r])}`);
  const fd = (q.eflags ^ k.eflags) & EFLAGS_COMPARED & ~(undefMask & ARITH);
  if (fd) d.push(`eflags qemu=${hex(q.eflags)} ksim=${hex(k.eflags)} (differ ${hex(fd, 6)})`);
  if (q.cpl !== k.cpl) d.push(`cpl qemu=${q.cpl} ksim=${k.cpl}`);
  for (let s = 0; s < 6; s++) {
    const a = q.segs[s], b = k.segs[s];
    if (a.selector !== b.selector) { d.push(`${SEG_NAMES[s]} selector qemu=${hex(a.selector, 4)} ksim=${hex(b.selector, 4)}`); continue; }
    const realMode = (q.cr[0] & 1) === 0;
    if ((a.selector & ~3) === 0 && s !== 1 && !realMode) continue; // null selector: the hidden part is unusable
    if (a.base !== b.base) d.push(`${SEG_NAMES[s]}.base qemu=${hex(a.base)} ksim=${hex(b.base)}`);
    if (a.limit !== b.limit) d.push(`${SEG_NAMES[s]}.limit qemu=${hex(a.limit)} ksim=${hex(b.limit)}`);
    // QEMU prints descriptor bits 8-23 of the high dword: access byte at 8-15, G/DB/L/AVL at 20-23.
    // ksim: access byte at 0-7, flags nibble at 12-15. The accessed bit and AVL are not compared.
    // In real mode a segment load sets base and limit only; the attributes the two keep are not comparable.
    if (realMode) continue;
    const qa = (a.flags >>> 8) & 0xfe, ka = b.flags & 0xfe;
    const qg = (a.flags >>> 20) & 0xc, kg = (b.flags >>> 12) & 0xc;
    if (qa !== ka || qg !== kg) d.push(`${SEG_NAMES[s]}.attributes qemu=${hex(qa, 2)}/${qg} ksim=${hex(ka, 2)}/${kg}`);
  }
  if (q.ldtSelector !== k.ldtSelector) d.push(`ldtr qemu=${hex(q.ldtSelector, 4)} ksim=${hex(k.ldtSelector, 4)}`);
  if (q.tr.selector !== k.tr.selector || q.tr.base !== k.tr.base || q.tr.limit !== k.tr.limit) {
    d.push(`tr qemu=${hex(q.tr.selector, 4)}:${hex(q.tr.base)}+${hex(q.tr.limit)} ksim=${hex(k.tr.selector, 4)}:${hex(k.tr.base)}+${hex(k.tr.limit)}`);
  }
  if (q.gdt.base !== k.gdt.base || q.gdt.limit !== k.gdt.limit) d.push(`gdtr qemu=${hex(q.gdt.base)}/${hex(q.gdt.limit, 4)} ksim=${hex(k.gdt.base)}/${hex(k.gdt.limit, 4)}`);
  if (q.idt.base !== k.idt.base || q.idt.limit !== k.idt.limit) d.push(`idtr qemu=${hex(q.idt.base)}/${hex(q.idt.limit, 4)} ksim=${hex(k.idt.base)}/${hex(k.idt.limit, 4)}`);
  for (const n of [0, 2, 3, 4]) if (q.cr[n] !== k.cr[n]) d.push(`cr${n} qemu=${hex(q.cr[n])} ksim=${hex(k.cr[n])}`);
  return d;
}

/**
 * Runs one kernel in both machines and compares them instruction by instruction. `perturb` (for the
 * harness's own test) may disturb ksim before an instruction executes.
 */
export async function diffKernel(elfPath: string, perturb?: (k: KsimSide, index: number) => void): Promise<DiffResult> {
  const elf = readElf32(readFileSync(elfPath));
  const traceStart = elf.symbols.get('trace_start');
  if (traceStart === undefined) throw new Error(`${elfPath}: no trace_start symbol`);
  const code = elf.segments.filter((s) => s.flags & 1);
  const lo = Math.min(...code.map((s) => s.vaddr)), hi = Math.max(...code.map((s) => s.vaddr + s.memsz));
  let dfilter = `0x${lo.toString(16)}+0x${(hi - lo).toString(16)}`;
  // code copied elsewhere at run time (a real-mode trampoline) is traced when the kernel names the range
  const xb = elf.symbols.get('DFILTER_EXTRA_BASE'), xs = elf.symbols.get('DFILTER_EXTRA_SIZE');
  if (xb !== undefined && xs !== undefined) dfilter += `,0x${xb.toString(16)}+0x${xs.toString(16)}`;

  const k = new KsimSide(elf);
  for (let i = 0; k.cpu.eip !== traceStart; i++) {
    if (i > 100_000 || k.cpu.runState !== 'running') throw new Error(`ksim did not reach trace_start (eip ${hex(k.cpu.eip)}, ${k.cpu.runState})`);
    k.cpu.step();
  }

  const result: DiffResult = { kernel: elfPath, compared: 0, qemuStates: 0, undefinedFlagSyncs: 0, qemuExit: null, ksimExitValue: undefined };
  let started = false;
  let prevEip = -1, prevCs = -1;
  let undefMask = 0;
  let last: InsnInfo | undefined;
  let lastEip = 0;
  const recent: string[] = [];

  const run = await runQemuTrace(elfPath, dfilter, (q) => {
    if (!started) { if (q.eip !== traceStart) return true; started = true; }
    if (q.eip === prevEip && q.segs[1].selector === prevCs) return true; // a further rep iteration
    prevEip = q.eip; prevCs = q.segs[1].selector;

    const ks = k.state();
    const diffs = compareStates(q, ks, undefMask);
    if (diffs.length) {
      const where = last
        ? `after #${result.compared - 1} at ${hex(lastEip)}: ${last.text}  [${Array.from(last.bytes, (b) => hex(b, 2)).join(' ')}]`
        : 'at trace_start';
      result.divergence = `divergence before instruction #${result.compared} (eip ${hex(q.eip)}), ${where}\n  ` +
        diffs.join('\n  ') + `\n  recent instructions:\n    ${recent.join('\n    ')}`;
      return false;
    }
    const fdiff = (q.eflags ^ ks.eflags) & ARITH;
    if (fdiff) { // only undefined flags can differ here: take QEMU's values
      k.cpu.setEflags((ks.eflags & ~fdiff) | (q.eflags & fdiff));
      result.undefinedFlagSyncs++;
    }
    result.compared++;

    if (k.cpu.runState !== 'running' || k.bus.exitValue !== undefined) {
      result.divergence = `QEMU continues at ${hex(q.eip)} but ksim has stopped (${k.cpu.runState}, exit ${k.bus.exitValue})`;
      return false;
    }
    if (perturb) perturb(k, result.compared - 1); // harness self-test only
    lastEip = k.linearEip();
    const clCount = k.cpu.getReg32(1) & 31;
    last = k.advance();
    if (!(last.countInCl && clCount === 0)) undefMask = (undefMask & ~last.written) | last.undefined;
    recent.push(`${hex(lastEip)}: ${last.text}`);
    if (recent.length > 6) recent.shift();
    return true;
  });
  result.qemuStates = run.states;
  result.qemuExit = run.exitCode;
  result.ksimExitValue = k.bus.exitValue;
  if (!result.divergence && run.exitCode !== null) {
    const expected = k.bus.exitValue === undefined ? undefined : ((k.bus.exitValue << 1) | 1) & 0xff;
    if (expected !== run.exitCode) result.divergence = `QEMU exited with ${run.exitCode}, ksim's isa-debug-exit gives ${expected}`;
  }
  if (!started) result.divergence = `QEMU never reached trace_start (${hex(traceStart)})`;
  return result;
}

/**
 * The trace above single-steps ksim. Its fast path — run(budget), where the CPU may execute whole decoded
 * blocks — must end every kernel in exactly the same state: registers, segments, control registers and
 * all of RAM. Budgets vary (1..4999 instructions) so run() is cut at many different points. Returns the
 * differences (empty when identical) and the instructions executed.
 */
export function crossCheckRunLoop(elfPath: string): { diffs: string[]; instructions: number } {
  const elf = readElf32(readFileSync(elfPath));
  const stepped = new KsimSide(elf);
  let guard = 0;
  while (stepped.bus.exitValue === undefined && stepped.cpu.runState === 'running' && guard++ < 20_000_000) stepped.cpu.step();
  const fast = new KsimSide(elf);
  let budget = 1;
  guard = 0;
  while (fast.bus.exitValue === undefined && fast.cpu.runState === 'running' && guard++ < 100_000) {
    budget = (budget * 1103515245 + 12345) % 4999 + 1; // deterministic, varied cut points
    fast.cpu.run(budget);
  }
  const diffs: string[] = [];
  if (stepped.bus.exitValue === undefined) diffs.push(`step(): no exit (${stepped.cpu.runState})`);
  if (fast.bus.exitValue !== stepped.bus.exitValue) diffs.push(`exit value step()=${stepped.bus.exitValue} run()=${fast.bus.exitValue}`);
  // run() may have gone on after the exit write (into the kernel's final `jmp $`): both sit on it or just before
  const a = stepped.state(), b = fast.state();
  // compareStates takes its first state in QEMU's attribute layout (descriptor bits 8-23)
  for (const sg of a.segs) sg.flags = ((sg.flags & 0xff) << 8) | (((sg.flags >>> 12) & 0xf) << 20);
  diffs.push(...compareStates(a, b, 0));
  const ra = stepped.bus.ram, rb = fast.bus.ram;
  for (let i = 0; i < ra.length; i++) {
    if (ra[i] !== rb[i]) { diffs.push(`RAM differs first at ${hex(i)}: step()=${hex(ra[i], 2)} run()=${hex(rb[i], 2)}`); break; }
  }
  return { diffs, instructions: stepped.cpu.instructionCount };
}
