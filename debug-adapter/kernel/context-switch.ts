// ksim/contextSwitch: the two kernel stacks of a process switch, for the Context Switch panel.
//
// switch_to (include/asm/system.h of the teaching kernel, ULK3 §3.3.3) runs, with prev in %eax and next
// in %edx:  pushfl; pushl %ebp; movl %esp,prev->thread.esp; movl next->thread.esp,%esp;
// movl $1f,prev->thread.eip; pushl next->thread.eip; jmp __switch_to; 1: (switch_to_resume) popl %ebp;
// popfl. The moment `movl next->thread.esp,%esp` retires, the CPU runs on next's kernel stack and
// "current" (derived from esp) is next. This module finds that instruction block in the kernel's code,
// tells which phase a CPU is in, draws both stacks around the relevant esp, and records the
// instructions the user steps through, with the switch registers before and after each one.

import type { Engine } from '../engine/engine';
import { REG } from '../engine/target';
import type { ContextSwitchBody, StackWord, SwitchRegisters, SwitchSide, SwitchStep, TaskRef } from '../protocol/kernel-views';
import { MissingKernelSymbol } from './layout';
import type { KernelTracepoints } from './tracepoints';

const STACK_WORDS = 24;

interface Sample { stopId: number; cpu: number; eip: number; instruction: string; symbol?: string; prev: number; next: number; regs: SwitchRegisters }

export class ContextSwitchTracker {
  private region?: { start: number; resume: number; end: number };
  private switchTo?: { start: number; end: number };
  private last?: Sample;
  private steps: SwitchStep[] = [];
  /** The last prev/next pair seen on each CPU (task_struct addresses). */
  private pairs = new Map<number, { prev: number; next: number }>();

  constructor(private readonly e: Engine, private readonly tp: KernelTracepoints) {}

  /** Locate the switch_to instruction block: the 7 instructions before switch_to_resume, and the 2 after. */
  private locate(): { start: number; resume: number; end: number } {
    if (this.region) return this.region;
    const s = this.e.symbols;
    const resume = this.e.layout?.address('switch_to_resume');
    if (!s || resume === undefined) throw new MissingKernelSymbol("symbol 'switch_to_resume'");
    const fn = s.functionAt(resume);
    const sw = s.findFunctions('__switch_to')[0];
    if (!fn || !sw) throw new MissingKernelSymbol("function '__switch_to'");
    const read = this.e.reader(0);
    const insns = this.e.disassembler.decodeRun(read, fn.lowPc, Math.min(4096, resume - fn.lowPc + 8));
    const upto = insns.filter((i) => i.address < resume);
    if (upto.length < 7 || upto[upto.length - 7].text.indexOf('pushf') < 0) {
      throw new Error('switch_to_resume is not preceded by the switch_to instruction block (pushfl ... jmp __switch_to)');
    }
    const after = this.e.disassembler.decodeRun(read, resume, 2);
    this.region = { start: upto[upto.length - 7].address, resume, end: (after[1].address + after[1].length) >>> 0 };
    this.switchTo = { start: sw.lowPc, end: sw.highPc ?? sw.lowPc + 1 };
    return this.region;
  }

  private phaseOf(cpu: number): { phase: ContextSwitchBody['phase']; prev?: number; next?: number } {
    const r = this.locate();
    const c = this.e.cpu(cpu);
    const eip = this.e.pc(cpu);
    const esp = c.getReg32(REG.esp);
    if (eip >= r.start && eip < r.resume) {
      const prev = c.getReg32(REG.eax), next = c.getReg32(REG.edx);
      const onPrev = this.e.tasks?.taskFromStack(this.e.reader(cpu), esp) === prev;
      return { phase: onPrev ? 'before-stack-switch' : 'after-stack-switch', prev, next };
    }
    if (this.switchTo && eip >= this.switchTo.start && eip < this.switchTo.end) return { phase: 'after-stack-switch' };
    if (eip >= r.resume && eip < r.end) return { phase: 'done' };
    return { phase: 'outside' };
  }

  private regs(cpu: number, prev: number, next: number): SwitchRegisters {
    const l = this.e.layout!;
    const c = this.e.cpu(cpu);
    const espOff = l.member('struct task_struct', 'thread.esp')?.offset;
    const eipOff = l.member('struct task_struct', 'thread.eip')?.offset;
    if (espOff === undefined || eipOff === undefined) throw new MissingKernelSymbol('field task_struct.thread.esp/eip');
    const r = (a: number) => this.e.read32(cpu, a) ?? 0;
    return {
      esp: c.getReg32(REG.esp), eip: this.e.pc(cpu),
      prevThreadEsp: r(prev + espOff), prevThreadEip: r(prev + eipOff),
      nextThreadEsp: r(next + espOff), nextThreadEip: r(next + eipOff),
    };
  }

  /** Called at every stop a request sees: records the instruction stepped since the previous stop. */
  sample(): void {
    if (!this.e.layout || !this.e.tasks) return;
    let ph;
    try { ph = this.phaseOf(this.e.lastStop?.cpu ?? 0); } catch { return; }
    const cpu = this.e.lastStop?.cpu ?? 0;
    if (this.last && this.last.stopId === this.e.stopId) return;
    if (ph.prev !== undefined && ph.next !== undefined) this.pairs.set(cpu, { prev: ph.prev, next: ph.next });
    const pair = this.pairs.get(cpu);
    if (ph.phase === 'outside' || !pair) {
      if (this.last && this.last.cpu === cpu && this.last.stopId === this.e.stopId - 1 && pair) this.record(cpu, pair);
      this.last = undefined;
      return;
    }
    if (this.last && (this.last.cpu !== cpu || this.last.stopId !== this.e.stopId - 1)) this.last = undefined;
    if (!this.last) this.steps = [];
    else this.record(cpu, pair);
    const eip = this.e.pc(cpu);
    const insn = this.e.disassembler.decodeOne(this.e.reader(cpu), eip);
    this.last = { stopId: this.e.stopId, cpu, eip, instruction: insn.text, symbol: this.e.symbols?.describeAddress(eip), prev: pair.prev, next: pair.next, regs: this.regs(cpu, pair.prev, pair.next) };
  }

  private record(cpu: number, pair: { prev: number; next: number }): void {
    const l = this.last!;
    this.steps.push({ eip: l.eip, instruction: l.instruction, symbol: l.symbol, before: l.regs, after: this.regs(cpu, pair.prev, pair.next) });
    if (this.steps.length > 256) this.steps.shift();
  }

  view(cpuArg: number | undefined): ContextSwitchBody {
    const cpu = cpuArg ?? this.e.lastStop?.cpu ?? 0;
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.e.cpuCount) throw new Error(`there is no CPU ${cpuArg}`);
    if (!this.e.tasks) throw new MissingKernelSymbol('task_struct');
    const ph = this.phaseOf(cpu);
    let pair = ph.prev !== undefined && ph.next !== undefined ? { prev: ph.prev, next: ph.next } : this.pairs.get(cpu);
    // Once on next's stack, the pair must end in the running task; an older pair is from another switch.
    if (pair && (ph.phase === 'after-stack-switch' || ph.phase === 'done') && ph.prev === undefined && pair.next !== this.e.currentTask(cpu)) pair = undefined;
    if (!pair || ph.phase === 'outside') {
      // Outside switch_to, or inside __switch_to where %eax/%edx no longer hold prev/next: the last
      // switch on this CPU the tracepoints saw (or the stop samples inferred), if any.
      const last = [...this.tp.switches].reverse().find((s) => s.cpu === cpu);
      if (last) pair = { prev: last.prev.address, next: last.next.address };
    }
    if (!pair) return { cpu, phase: ph.phase, prev: null, next: null, now: null, steps: [] };
    const running = this.e.currentTask(cpu);
    const now = this.regs(cpu, pair.prev, pair.next);
    const side = (task: number): SwitchSide => {
      const s = this.e.taskSummary(task);
      const ref: TaskRef = s ? { pid: s.pid, comm: s.comm, address: s.address } : { pid: -1, comm: '?', address: task };
      const live = running === task && ph.phase !== 'outside' ? now.esp : running === task ? now.esp : s?.threadEsp ?? 0;
      const threadEsp = s?.threadEsp;
      const words: StackWord[] = [];
      const top = s ? (s.threadInfo + this.e.tasks!.threadSize) >>> 0 : undefined;
      const from = (live - 4 * 4) >>> 0;
      for (let i = 0; i < STACK_WORDS; i++) {
        const a = (from + 4 * i) >>> 0;
        if (top !== undefined && a >= top) break;
        const v = this.e.read32(cpu, a);
        if (v === undefined) break;
        const marks: string[] = [];
        if (a === now.esp && running === task) marks.push('esp');
        if (threadEsp !== undefined && a === threadEsp) marks.push('thread.esp');
        const sym = this.e.symbols?.isExecutable(v) ? this.e.symbols.describeAddress(v) : undefined;
        words.push({ address: a, value: v, ...(sym ? { symbol: sym } : {}), ...(marks.length ? { marks } : {}) });
      }
      const frames = (running === task ? this.e.frames(cpu + 1) : this.e.taskFrames(task))
        .filter((f) => f.kind !== 'entry')
        .map((f) => ({ name: f.function ?? '??', eip: f.pc, file: f.file, line: f.line }));
      return { task: ref, stack: words, stackTop: top, frames };
    };
    return { cpu, phase: ph.phase, prev: side(pair.prev), next: side(pair.next), now, steps: ph.phase === 'outside' ? [] : [...this.steps] };
  }
}
