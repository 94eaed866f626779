// The debug engine: one machine, its kernel's symbols, and everything a debugger does with them -
// breakpoints, run control, task-following steps, threads, stacks. The DAP session (../session.ts)
// translates requests into calls here and engine events into DAP events; nothing here knows DAP.

import type { SymbolFile } from '../symbols/program';
import type { DeliveryEvent, StopReason } from '../../simulator/cpu/hooks';
import { KernelLayout, MissingKernelSymbol } from '../kernel/layout';
import { TaskReader, type TaskSummary } from '../kernel/tasks';
import { BreakpointTable, type CodeBreakpoint, type DataBreakpointSpec, type KernelWatch } from './breakpoints';
import { renderLogMessage } from './breakpoint-conditions';
import { Disassembler, type DisassembledInstruction } from './disassembler';
import { RunControl, type RunEnd, type StopDecision, type StopInfo } from './run-control';
import { REG, SREG, type TargetCpu, type TargetMachine, type TargetRunResult } from './target';
import { unwind, type EngineFrame, type Regs, type ReadMemory, type UnwindContext } from './unwind';
import { describeDelivery, describeTripleFault, ExceptionFilters, type ExceptionFilterId } from './exceptions';
import { UserPrograms } from './user-programs';

export interface EngineEvents {
  stopped(info: StopInfo): void;
  output(text: string, category: 'console' | 'stdout' | 'stderr' | 'important'): void;
  exited(exitCode: number, message?: string): void;
}

export interface EngineOptions {
  stepIntoInterrupts: boolean;
  showTasksAsThreads: boolean;
  disassemblyFlavor: 'att' | 'intel';
  /** Instructions per run slice (responsiveness vs. speed). */
  sliceInstructions?: number;
  /** Run to each stop synchronously, without yielding to the event loop (bench, scripts). */
  synchronous?: boolean;
}

export interface ThreadDescription {
  id: number;
  name: string;
  /** CPU threads: the CPU index. */
  cpu?: number;
  /** The task shown by this thread (the CPU's current task, or the sleeping task). */
  task?: TaskSummary;
}

/** Evaluates a C condition/log expression at a stop; supplied by the session (symbols' evaluator). */
export type ConditionEvaluator = (expression: string, cpu: number) => { truthy: boolean; text: string };

/** First CPU-thread id; CPU n is thread n + 1. Task threads start at TASK_THREAD_BASE. */
export const TASK_THREAD_BASE = 1000;

type StepKind = 'in' | 'over' | 'out';

/** The state of a step in progress (see stepLine / afterInstruction). */
interface StepState {
  cpu: number;
  kind: StepKind;
  granularity: 'line' | 'instruction';
  refFunction?: number;
  refLine?: number;
  refFile?: string;
  startEsp: number;
  stackBase: number;
  prevPc: number;
  prevEsp: number;
  prevInsn?: DisassembledInstruction;
  delivery?: DeliveryEvent;
  count: number;
  startedInUser: boolean;
  /** A context switch happened during this step: the step now continues in the next task. */
  switched?: boolean;
}

const STEP_LIMIT = 5_000_000;

/** Start of the kernel's linear mapping of physical memory (asm-i386/page.h __PAGE_OFFSET). */
const PAGE_OFFSET = 0xc0000000;

export class Engine {
  readonly breakpoints = new BreakpointTable();
  readonly layout?: KernelLayout;
  readonly tasks?: TaskReader;
  /** The user programs linked into the kernel (initramfs_table), with their symbols for user frames. */
  readonly userPrograms?: UserPrograms;
  /** Why kernel awareness is off (no symbols, or a kernel without task_struct...). */
  readonly kernelAwarenessError?: string;
  readonly disassembler: Disassembler;
  readonly exceptionFilters = new ExceptionFilters();
  stopId = 0;
  lastStop?: StopInfo;
  conditionEvaluator?: ConditionEvaluator;
  private readonly runControl: RunControl;
  private step?: StepState;
  /** Extra stop predicates of the custom run-control requests (continueToInterrupt...). */
  private deliveryStop?: (cpu: number, e: DeliveryEvent) => string | undefined;
  private readonly taskThreadIds = new Map<number, number>();
  private readonly threadTasks = new Map<number, number>();
  private nextTaskThreadId = TASK_THREAD_BASE + 1;
  /** Per CPU: CPU watch id -> data breakpoint or kernel watch. */
  private watchIds: Map<number, DataBreakpointSpec | KernelWatch>[] = [];
  private pendingOutputStop?: StopInfo;
  private exited = false;

  constructor(
    readonly machine: TargetMachine,
    readonly symbols: SymbolFile | undefined,
    readonly options: EngineOptions,
    private readonly events: EngineEvents,
  ) {
    this.disassembler = new Disassembler(options.disassemblyFlavor);
    this.runControl = new RunControl(machine, { sliceInstructions: options.sliceInstructions ?? 2_000_000 });
    if (symbols) {
      this.layout = new KernelLayout(symbols);
      this.userPrograms = new UserPrograms(symbols);
      try {
        this.tasks = new TaskReader(this.layout);
      } catch (e) {
        this.kernelAwarenessError = (e as Error).message;
      }
    } else {
      this.kernelAwarenessError = 'the kernel has no symbols';
    }
    this.breakpoints.onChange(() => this.armBreakpoints());
  }

  // ------------------------------------------------------------------ memory and registers

  get cpuCount(): number { return this.machine.cpus.length; }

  cpu(index: number): TargetCpu {
    const c = this.machine.cpus[index];
    if (!c) throw new Error(`there is no CPU ${index} (the machine has ${this.cpuCount})`);
    return c;
  }

  /** Debugger reads through CPU `cpu`'s page tables (no side effects). */
  reader(cpu: number): ReadMemory {
    return (a, n) => this.machine.readLinear(cpu, a >>> 0, n);
  }

  read32(cpu: number, address: number): number | undefined {
    const b = this.machine.readLinear(cpu, address >>> 0, 4);
    return b ? (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0 : undefined;
  }

  registersOf(cpu: number): Regs {
    const c = this.cpu(cpu);
    return {
      eax: c.getReg32(REG.eax), ecx: c.getReg32(REG.ecx), edx: c.getReg32(REG.edx), ebx: c.getReg32(REG.ebx),
      esp: c.getReg32(REG.esp), ebp: c.getReg32(REG.ebp), esi: c.getReg32(REG.esi), edi: c.getReg32(REG.edi),
      eip: c.eip, eflags: c.getEflags(), cs: c.getSegment(SREG.cs).selector,
    };
  }

  /** Linear address of the instruction pointer (CS base + EIP; 0 base in the kernel's flat model). */
  pc(cpu: number): number {
    const c = this.cpu(cpu);
    return (c.getSegment(SREG.cs).base + c.eip) >>> 0;
  }

  // ------------------------------------------------------------------ kernel awareness basics

  /** task_struct running on CPU `cpu` (from its kernel stack), or undefined. */
  currentTask(cpu: number): number | undefined {
    if (!this.tasks) return undefined;
    const c = this.cpu(cpu);
    if (c.cpl === 3) {
      // In user mode the kernel stack of the running task is the TSS's esp0.
      const esp0 = this.read32(cpu, c.tr.base + 4);
      return esp0 !== undefined ? this.tasks.taskFromStack(this.reader(cpu), (esp0 - 4) >>> 0) : undefined;
    }
    return this.tasks.taskFromStack(this.reader(cpu), c.getReg32(REG.esp));
  }

  taskSummary(task: number): TaskSummary | undefined {
    return this.tasks?.summary(this.reader(this.lastStop?.cpu ?? 0), task);
  }

  describeTask(t: TaskSummary | undefined): string {
    return t ? `${t.comm} [pid ${t.pid}]` : '?';
  }

  // ------------------------------------------------------------------ threads

  threads(): ThreadDescription[] {
    const out: ThreadDescription[] = [];
    const running = new Set<number>();
    for (let i = 0; i < this.cpuCount; i++) {
      const c = this.cpu(i);
      const taskAddr = c.runState === 'wait-for-sipi' ? undefined : this.currentTask(i);
      const task = taskAddr !== undefined ? this.taskSummary(taskAddr) : undefined;
      if (taskAddr !== undefined) running.add(taskAddr);
      let what: string;
      if (c.runState === 'wait-for-sipi') what = 'not started';
      else if (c.runState === 'shutdown') what = 'shut down';
      else what = task ? `${task.comm} [pid ${task.pid}]` : (c.runState === 'halted' ? 'halted' : 'running');
      out.push({ id: i + 1, name: `CPU ${i} · ${what}`, cpu: i, task });
    }
    if (this.options.showTasksAsThreads && this.tasks) {
      try {
        for (const addr of this.tasks.allTasks(this.reader(this.lastStop?.cpu ?? 0))) {
          if (running.has(addr)) continue;
          const t = this.taskSummary(addr);
          if (!t || t.letter === 'X') continue;
          out.push({ id: this.threadIdOfTask(addr), name: `${t.comm} [pid ${t.pid}] ${t.letter}`, task: t });
        }
      } catch (e) {
        if (!(e instanceof MissingKernelSymbol)) throw e;
      }
    }
    return out;
  }

  threadIdOfTask(task: number): number {
    let id = this.taskThreadIds.get(task);
    if (id === undefined) {
      id = this.nextTaskThreadId++;
      this.taskThreadIds.set(task, id);
      this.threadTasks.set(id, task);
    }
    return id;
  }

  /** CPU index for a CPU thread id, or the CPU running the task of a task thread; undefined if asleep. */
  cpuOfThread(threadId: number): number | undefined {
    if (threadId >= 1 && threadId <= this.cpuCount) return threadId - 1;
    const task = this.threadTasks.get(threadId);
    if (task === undefined) return undefined;
    for (let i = 0; i < this.cpuCount; i++) if (this.currentTask(i) === task) return i;
    return undefined;
  }

  taskOfThread(threadId: number): number | undefined {
    return this.threadTasks.get(threadId);
  }

  // ------------------------------------------------------------------ stacks

  /** Frames of a thread: a CPU's live state, or a sleeping task's saved context. */
  frames(threadId: number): EngineFrame[] {
    const cpu = this.cpuOfThread(threadId);
    if (cpu !== undefined) {
      const c = this.cpu(cpu);
      if (c.runState === 'wait-for-sipi') return [];
      return unwind(this.unwindContext(cpu, this.currentTask(cpu), this.stopFrameOptions(cpu)), this.registersOf(cpu), c.cpl === 3);
    }
    const task = this.threadTasks.get(threadId);
    if (task === undefined) throw new Error(`unknown thread ${threadId}`);
    return this.taskFrames(task);
  }

  /**
   * A task that is not running was switched out by switch_to (seed 003:774): its thread.esp points at
   * the ebp and eflags pushed there, and thread.eip is label 1 (switch_to_resume) - or ret_from_fork for
   * a child that never ran. Unwinding starts from that saved context.
   */
  taskFrames(task: number): EngineFrame[] {
    const cpu = this.lastStop?.cpu ?? 0;
    const t = this.taskSummary(task);
    if (!t || !t.threadEip) return [];
    const ebp = this.read32(cpu, t.threadEsp) ?? 0;
    // The sleeping task's user frames are in its own address space: read through its page directory.
    const ctx = this.unwindContext(cpu, task);
    ctx.read = this.taskMemory(task, cpu);
    return unwind(ctx, { eip: t.threadEip, esp: t.threadEsp, ebp }, false).map((f) => ({ ...f, read: ctx.read }));
  }

  /**
   * Memory as task `task` sees it. A running task: through its CPU. A sleeping one: kernel addresses
   * are mapped alike in every address space, user addresses are translated through the task's own page
   * directory mm->pgd (a kernel virtual address, so physical = pgd - PAGE_OFFSET) the way the MMU would
   * after switch_mm loaded it into CR3: 10 bits of directory index, 10 of table index, 12 of offset,
   * or a 4 MiB page when the directory entry has PS (bit 7) set.
   */
  taskMemory(task: number, cpu: number): ReadMemory {
    for (let i = 0; i < this.cpuCount; i++) if (this.cpu(i).runState !== 'wait-for-sipi' && this.currentTask(i) === task) return this.reader(i);
    const kernel = this.reader(cpu);
    const mm = this.taskSummary(task)?.mm;
    const pgdField = this.layout?.member('struct mm_struct', 'pgd');
    const pgd = mm && pgdField ? this.read32(cpu, mm + pgdField.offset) : undefined;
    if (!pgd || pgd < PAGE_OFFSET) return kernel;
    const phys32 = (a: number) => { const b = this.machine.readPhysical(a, 4); return b ? (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0 : undefined; };
    const translate = (a: number): number | undefined => {
      const pde = phys32((pgd - PAGE_OFFSET + (a >>> 22) * 4) >>> 0);
      if (pde === undefined || !(pde & 1)) return undefined;
      if (pde & 0x80) return ((pde & 0xffc00000) | (a & 0x3fffff)) >>> 0;
      const pte = phys32(((pde & 0xfffff000) + ((a >>> 12) & 0x3ff) * 4) >>> 0);
      if (pte === undefined || !(pte & 1)) return undefined;
      return ((pte & 0xfffff000) | (a & 0xfff)) >>> 0;
    };
    return (address, length) => {
      if (address >>> 0 >= PAGE_OFFSET) return kernel(address, length);
      const out = new Uint8Array(length);
      for (let done = 0; done < length;) {
        const a = (address + done) >>> 0;
        const chunk = Math.min(length - done, 0x1000 - (a & 0xfff));
        const p = translate(a);
        const b = p === undefined ? null : this.machine.readPhysical(p, chunk);
        if (!b) return null;
        out.set(b, done);
        done += chunk;
      }
      return out;
    };
  }

  /**
   * What the unwinder needs: kernel symbols, and for the user-mode frames below the entry frame the
   * symbols of the program `task` runs (its comm is the name execve found it under).
   */
  unwindContext(cpu: number, task?: number, stop?: Pick<UnwindContext, 'breakpointFunction' | 'showInlineEntry'>): UnwindContext {
    const comm = task !== undefined ? this.taskSummary(task)?.comm : undefined;
    return { symbols: this.symbols, layout: this.layout, read: this.reader(cpu), userSymbols: this.userPrograms?.symbols(comm), ...stop };
  }

  /**
   * The symbols that describe the code a CPU executes now: in user mode the program its task runs
   * (see user-programs.ts), else the kernel's. Line steps use them to step through user code too.
   */
  codeSymbols(cpu: number): SymbolFile | undefined {
    const c = this.cpu(cpu);
    if (c.cpl !== 3 || !this.userPrograms) return this.symbols;
    const task = this.currentTask(cpu);
    return this.userPrograms.symbols(task !== undefined ? this.taskSummary(task)?.comm : undefined);
  }

  /**
   * gdb's rule for inlined calls starting exactly at the stop pc depends on why the CPU stopped
   * (symbols README, Unwinding): after `break f` the frame of f is shown, after a line or instruction
   * breakpoint every such frame is, after a step none. Only for the CPU of the last stop.
   */
  private stopFrameOptions(cpu: number): Pick<UnwindContext, 'breakpointFunction' | 'showInlineEntry'> {
    const s = this.lastStop;
    if (!s || s.cpu !== cpu || !s.hitBreakpointIds?.length) return {};
    const hit = this.breakpoints.allCode().filter((b) => s.hitBreakpointIds!.includes(b.id));
    const functions = hit.filter((b) => b.kind === 'function' && b.functionName).map((b) => b.functionName!);
    if (hit.some((b) => b.kind !== 'function')) return { showInlineEntry: true };
    return functions.length ? { breakpointFunction: functions } : {};
  }

  // ------------------------------------------------------------------ breakpoints

  /** Arm every breakpoint address on every CPU (kernel text is mapped identically on all of them). */
  private armBreakpoints(): void {
    const want = this.breakpoints.armedAddresses();
    for (const c of this.machine.cpus) {
      const have = c.hooks.breakpoints;
      for (const a of [...have]) if (!want.has(a)) c.hooks.removeBreakpoint(a);
      for (const a of want) if (!have.has(a)) c.hooks.addBreakpoint(a);
    }
  }

  /** Replace the data breakpoints the client manages (DAP setDataBreakpoints); kernel watches stay. */
  setDataBreakpoints(specs: DataBreakpointSpec[]): void {
    this.breakpoints.setData(specs);
    this.armWatches();
  }

  /**
   * Replace the watches one kernel-awareness feature owns (`owner`, e.g. 'task-state' for
   * ksim/watchTaskState). They are armed beside the client's data breakpoints and never touched by
   * setDataBreakpoints, which replaces the client's whole set each time.
   */
  setKernelWatches(owner: string, watches: KernelWatch[]): void {
    if (watches.length) this.kernelWatches.set(owner, watches); else this.kernelWatches.delete(owner);
    this.armWatches();
  }
  private readonly kernelWatches = new Map<string, KernelWatch[]>();

  /** One watch range per CPU for each data breakpoint and kernel watch (linear addresses). */
  private armWatches(): void {
    const all: (DataBreakpointSpec | KernelWatch)[] = [...this.breakpoints.dataBps, ...[...this.kernelWatches.values()].flat()];
    this.watchIds = this.machine.cpus.map((c) => {
      c.hooks.clearWatches();
      const m = new Map<number, DataBreakpointSpec | KernelWatch>();
      for (const s of all) {
        const id = c.hooks.addWatch({
          start: s.address, length: s.size, physical: false,
          read: s.access !== 'write', write: s.access !== 'read',
        });
        m.set(id, s);
      }
      return m;
    });
  }

  /** Print a line in the Debug Console (kernel-awareness features that act on their own). */
  say(text: string): void { this.events.output(text, 'console'); }

  /** Exception filter "kernel oops / panic": breakpoints on the kernel's panic and die functions. */
  setPanicBreakpoints(on: boolean): void {
    const bps: CodeBreakpoint[] = [];
    if (on && this.symbols) {
      for (const name of ExceptionFilters.PANIC_FUNCTIONS) {
        const fns = this.symbols.findFunctions(name);
        if (fns.length) bps.push({ id: this.breakpoints.newId(), kind: 'function', functionName: name, addresses: fns.map((f) => f.lowPc), verified: true, hits: 0 });
      }
    }
    this.breakpoints.setSpecial(bps);
  }

  /**
   * Delivery hooks serve exception breakpoints, hidden interrupts while stepping and
   * continueToInterrupt. An armed hook takes the CPU off its fast path, so it is armed only while one
   * of those needs it.
   */
  updateDeliveryHooks(): void {
    const needed = this.exceptionFilters.needsDeliveryHook() || this.step !== undefined || this.deliveryStop !== undefined;
    this.machine.cpus.forEach((c, i) => {
      if (needed && !c.hooks.onDelivery) c.hooks.onDelivery = (e) => this.onDelivery(i, e);
      else if (!needed && c.hooks.onDelivery) c.hooks.onDelivery = undefined;
    });
  }

  private onDelivery(cpu: number, e: DeliveryEvent): boolean {
    if (this.step && this.step.cpu === cpu && !this.step.delivery) this.step.delivery = e;
    if (this.exceptionFilters.matches(e, (name) => this.symbolAddress(name))) return true;
    if (this.deliveryStop && this.deliveryStop(cpu, e) !== undefined) return true;
    return false;
  }

  symbolAddress(name: string): number | undefined {
    return this.layout?.address(name);
  }

  // ------------------------------------------------------------------ run control

  get isRunning(): boolean { return this.runControl.isRunning; }

  /** Resume all CPUs until something stops the machine. */
  continue(): void {
    this.step = undefined;
    this.setSingleStep(undefined);
    this.breakpoints.clearInternal();
    this.startRunning();
  }

  pause(): void { this.runControl.pause(); }

  /** Continue, but stop (reason 'pause') after `instructions` instructions of all CPUs (bench, scripts). */
  continueFor(instructions: number): void {
    this.runControl.limitNextRun(instructions);
    this.continue();
  }

  terminate(): void { this.runControl.cancel(); this.exited = true; }

  /** Run until the next delivery matching `pred`, which returns the stop text (continueToInterrupt). */
  continueUntilDelivery(pred: (cpu: number, e: DeliveryEvent) => string | undefined): void {
    this.deliveryStop = pred;
    this.continue();
  }

  /**
   * Run until a context switch (continueToContextSwitch): break at __switch_to (fastcall: prev in
   * %eax, next in %edx; seed 003:826), filter, then finish the switch so the stop is in next's
   * context after label 1.
   */
  continueToContextSwitch(filter: { cpu?: number; nextPid?: number; prevPid?: number }): void {
    const entry = this.symbols?.findFunctions('__switch_to')[0]?.lowPc;
    if (entry === undefined) throw new MissingKernelSymbol("function '__switch_to'");
    this.step = undefined;
    this.setSingleStep(undefined);
    this.breakpoints.clearInternal();
    let pending: { prev: string; next: string; esp: number; cpu: number } | undefined;
    this.breakpoints.addInternal({
      address: entry,
      matches: (cpu) => {
        if (filter.cpu !== undefined && filter.cpu !== cpu) return false;
        const c = this.cpu(cpu);
        const prev = this.taskSummary(c.getReg32(REG.eax));
        const next = this.taskSummary(c.getReg32(REG.edx));
        if (filter.prevPid !== undefined && prev?.pid !== filter.prevPid) return false;
        if (filter.nextPid !== undefined && next?.pid !== filter.nextPid) return false;
        pending = { prev: this.describeTask(prev), next: this.describeTask(next), esp: c.getReg32(REG.esp), cpu };
        return true;
      },
      onHit: (cpu) => {
        // Finish __switch_to: its ret pops next->thread.eip (label 1 or ret_from_fork).
        const ra = this.read32(cpu, this.cpu(cpu).getReg32(REG.esp));
        const p = pending!;
        this.breakpoints.clearInternal();
        if (ra === undefined) { this.finishStop({ reason: 'context switch', cpu }); return; }
        this.breakpoints.addInternal({
          address: ra,
          matches: (c2) => c2 === p.cpu && this.cpu(c2).getReg32(REG.esp) === ((p.esp + 4) >>> 0),
          onHit: (c2) => this.finishStop({
            reason: 'context switch', cpu: c2, description: `context switch on CPU ${c2}`,
            text: `CPU ${c2}: ${p.prev} → ${p.next}`,
          }),
        });
      },
    });
    this.startRunning();
  }

  private startRunning(): void {
    if (this.exited) throw new Error('the machine has exited');
    if (this.runControl.isRunning) return;
    this.updateDeliveryHooks();
    if (this.options.synchronous) this.runControl.runSync((r) => this.decide(r), (end) => this.onRunEnd(end));
    else this.runControl.start((r) => this.decide(r), (end) => this.onRunEnd(end));
  }

  private onRunEnd(end: RunEnd): void {
    this.runControl.limitNextRun(undefined);
    this.setSingleStep(undefined);
    this.deliveryStop = undefined;
    if (end.kind === 'shutdown') end = this.tripleFaultEnd(end.cpu);
    if (end.kind === 'exited') {
      this.exited = true;
      this.events.exited(end.exitCode, end.message);
      return;
    }
    this.step = undefined;
    this.breakpoints.clearInternal();
    this.updateDeliveryHooks();
    this.stopId++;
    this.lastStop = end.info;
    this.events.stopped(end.info);
  }

  /**
   * A CPU triple-faulted. With the 'triple-fault' filter on (the default) the first time is a stop, so
   * the registers, stack and memory at the fault can be inspected; the machine cannot go on from a
   * shutdown, so the next run ends the session (exit code 4, as `ksim run`) with the CPU's report.
   */
  private tripleFaultEnd(cpu: number): Exclude<RunEnd, { kind: 'shutdown' }> {
    const report = this.cpu(cpu).shutdownReport;
    const description = describeTripleFault(cpu, report);
    if (this.exceptionFilters.enabled.has('triple-fault') && !this.tripleFaultShown) {
      this.tripleFaultShown = true;
      return { kind: 'stopped', info: { reason: 'exception', cpu, description, text: report?.trim() || description } };
    }
    return { kind: 'exited', exitCode: 4, message: `the machine shut down (${description})${report ? `\n${report.trim()}` : ''}` };
  }
  private tripleFaultShown = false;

  /** Internal callbacks that decide to stop set this; decide() returns it. */
  private finishStop(info: StopInfo): void {
    this.pendingOutputStop = info;
  }

  private setSingleStep(cpu: number | undefined): void {
    this.machine.cpus.forEach((c, i) => { if (c.hooks.singleStep !== (i === cpu)) c.hooks.singleStep = i === cpu; });
  }

  private stoppedCpuIndex(r: TargetRunResult): number {
    if (r.cpuIndex !== undefined) return r.cpuIndex;
    const s = this.machine.stoppedCpu;
    if (s !== undefined && s >= 0) return s;
    const i = this.machine.cpus.findIndex((c) => c.stopReason.kind !== 'none' && c.stopReason.kind !== 'budget');
    return i >= 0 ? i : 0;
  }

  /** A hook stopped the machine: is this a stop for the user? */
  private decide(r: TargetRunResult): StopDecision {
    const cpu = this.stoppedCpuIndex(r);
    const reason: StopReason = this.cpu(cpu).stopReason;
    this.pendingOutputStop = undefined;
    switch (reason.kind) {
      case 'breakpoint': {
        // A single-stepping CPU that lands on a breakpoint reports it instead of the step. When it is
        // no stop (a tracepoint, a false condition), the instruction was still stepped: go on with it.
        const stepping = this.step?.cpu === cpu && this.cpu(cpu).hooks.singleStep;
        this.onBreakpoint(cpu, reason.address);
        if (stepping && !this.pendingOutputStop && this.step?.cpu === cpu) this.afterInstruction();
        break;
      }
      case 'step': if (this.step && this.step.cpu === cpu) this.afterInstruction(); break;
      case 'watch': this.onWatch(cpu, reason.id, reason.address, reason.size, reason.access); break;
      case 'delivery': this.onDeliveryStop(cpu, reason.event); break;
      default: break; // 'requested' left over from a pause, 'halted'...: keep running
    }
    const info = this.pendingOutputStop as StopInfo | undefined;
    this.pendingOutputStop = undefined;
    return info ? { stop: true, info } : { stop: false };
  }

  private onBreakpoint(cpu: number, address: number): void {
    for (const bp of this.breakpoints.internalAt(address)) {
      if (bp.matches(cpu)) {
        const stop = bp.onHit(cpu); // a tracepoint that decides to stop returns the stop (kernel/tracepoints.ts)
        if (stop) this.finishStop(stop);
        if (this.pendingOutputStop) return;
      }
    }
    const hit: number[] = [];
    let reason: StopInfo['reason'] = 'breakpoint';
    for (const bp of this.breakpoints.userAt(address)) {
      if (this.breakpoints.isSpecial(bp.id)) {
        const fn = bp.functionName ?? 'panic';
        this.finishStop({ reason: 'exception', cpu, description: `kernel ${fn === 'panic' ? 'panic' : 'oops'}`, text: `the kernel called ${fn}()` });
        return;
      }
      if (bp.userPrograms && !this.runsUserProgram(cpu, address, bp.userPrograms)) continue;
      if (!this.userBreakpointStops(bp, cpu)) continue;
      hit.push(bp.id);
      if (bp.kind === 'function') reason = 'function breakpoint';
      else if (bp.kind === 'instruction') reason = 'instruction breakpoint';
    }
    if (hit.length) this.finishStop({ reason, cpu, hitBreakpointIds: hit });
  }

  /** A user-code breakpoint's address was reached: is the CPU in user mode running a program that has code there? */
  private runsUserProgram(cpu: number, address: number, programs: { name: string; addresses: number[] }[]): boolean {
    if (this.cpu(cpu).cpl !== 3) return false;
    const task = this.currentTask(cpu);
    const comm = task !== undefined ? this.taskSummary(task)?.comm : undefined;
    return programs.some((p) => p.name === comm && p.addresses.includes(address));
  }

  /** Condition, hit condition and log message of one user breakpoint; true when it stops. */
  private userBreakpointStops(bp: { condition?: string; hitCondition?: (n: number) => boolean; logMessage?: CodeBreakpoint['logMessage']; hits: number; id: number }, cpu: number): boolean {
    if (bp.condition) {
      if (!this.conditionEvaluator) return true;
      try {
        if (!this.conditionEvaluator(bp.condition, cpu).truthy) return false;
      } catch (e) {
        this.events.output(`breakpoint ${bp.id}: condition '${bp.condition}' failed: ${(e as Error).message}; stopping\n`, 'important');
        return true;
      }
    }
    bp.hits++;
    if (bp.hitCondition && !bp.hitCondition(bp.hits)) return false;
    if (bp.logMessage) {
      const text = renderLogMessage(bp.logMessage, (expr) => {
        if (!this.conditionEvaluator) throw new Error('no expression evaluator');
        return this.conditionEvaluator(expr, cpu).text;
      });
      this.events.output(text + '\n', 'console');
      return false;
    }
    return true;
  }

  private onWatch(cpu: number, id: number, address: number, size: number, access: 'read' | 'write'): void {
    const spec = this.watchIds[cpu]?.get(id);
    if (!spec) return;
    if ('onHit' in spec) {
      const stop = spec.onHit(cpu);
      if (stop) this.finishStop(stop);
      return;
    }
    if (!this.userBreakpointStops(spec, cpu)) return;
    this.finishStop({
      reason: 'data breakpoint', cpu, hitBreakpointIds: [spec.id],
      description: `${access} of ${spec.description}`,
      text: `${access} of ${size} byte(s) at 0x${address.toString(16)} (${spec.description}) on CPU ${cpu}`,
    });
  }

  private onDeliveryStop(cpu: number, e: DeliveryEvent): void {
    const custom = this.deliveryStop?.(cpu, e);
    if (custom !== undefined) {
      this.finishStop({ reason: 'interrupt', cpu, description: custom, text: custom });
      return;
    }
    if (this.exceptionFilters.matches(e, (n) => this.symbolAddress(n))) {
      const c = this.cpu(cpu);
      const text = describeDelivery(e, c.getControlRegister(2), (a) => this.symbols?.describeAddress(a));
      this.finishStop({ reason: 'exception', cpu, description: text, text });
    }
  }

  // ------------------------------------------------------------------ stepping

  /**
   * Start a step on the CPU running `threadId`. Line steps repeat instruction steps until a new line
   * starts; calls are run over with a breakpoint at the return address that only fires when the stack
   * pointer is back where it was - so it fires in the same *task*, whichever CPU that task runs on
   * then (each task has its own kernel stack). That is what makes stepping over schedule() return in
   * the same task after other tasks ran.
   */
  startStep(threadId: number, kind: StepKind, granularity: 'line' | 'instruction'): void {
    const cpu = this.cpuOfThread(threadId);
    if (cpu === undefined) throw new Error('this task is not running on any CPU; select a CPU thread to step');
    const c = this.cpu(cpu);
    this.breakpoints.clearInternal();
    this.deliveryStop = undefined;
    const pc = this.pc(cpu);
    const syms = this.codeSymbols(cpu);
    const loc = syms?.lineAt(pc);
    const esp = c.getReg32(REG.esp);
    this.step = {
      cpu, kind, granularity, refFunction: syms?.functionAt(pc)?.lowPc, refLine: loc?.line, refFile: loc?.file,
      startEsp: esp, stackBase: this.stackBase(esp), prevPc: pc, prevEsp: esp, count: 0, startedInUser: c.cpl === 3,
    };
    if (kind === 'out') {
      const frames = unwind(this.unwindContext(cpu, this.currentTask(cpu)), this.registersOf(cpu), c.cpl === 3).filter((f) => f.kind !== 'inline');
      const caller = frames[1];
      if (!caller || caller.kind === 'entry') throw new Error('cannot step out: the caller of this frame is not known');
      this.runToReturn(caller.pc, caller.regs.esp);
    } else {
      this.stepOneInstruction();
    }
    this.startRunning();
  }

  private stackBase(esp: number): number {
    const size = this.tasks?.threadSize ?? 8192;
    return (esp & ~(size - 1)) >>> 0;
  }

  /** Execute one instruction on the stepping CPU (or run over a call when stepping over). */
  private stepOneInstruction(): void {
    const s = this.step!;
    const cpu = s.cpu;
    const c = this.cpu(cpu);
    s.prevPc = this.pc(cpu);
    s.prevEsp = c.getReg32(REG.esp);
    s.prevInsn = this.disassembler.classifyOne(this.reader(cpu), s.prevPc);
    s.delivery = undefined;
    const isCall = s.prevInsn.kind === 'call' || s.prevInsn.kind === 'indirect-call';
    if (isCall && s.kind === 'over' && (s.granularity === 'instruction' || s.refLine !== undefined)) {
      this.runToReturn((s.prevPc + s.prevInsn.length) >>> 0, s.prevEsp);
      return;
    }
    this.setSingleStep(cpu);
  }

  /**
   * Run (all CPUs, no single-step) until `address` executes with esp == `esp`, i.e. until the frame that
   * called returns - in the same task, on any CPU. Then continue the step from there.
   */
  private runToReturn(address: number, esp: number, then: 'continue-step' | 'stop' = 'continue-step'): void {
    this.setSingleStep(undefined);
    // The same stack pointer is not enough in user mode: every process of a program has its stack at
    // the same addresses, so the return must also happen in the task that made the call.
    const task = this.step ? this.currentTask(this.step.cpu) : undefined;
    this.breakpoints.addInternal({
      address,
      matches: (cpu) => this.cpu(cpu).getReg32(REG.esp) === (esp >>> 0) && (task === undefined || this.currentTask(cpu) === task),
      onHit: (cpu) => {
        this.breakpoints.clearInternal();
        const s = this.step;
        if (!s) return;
        s.cpu = cpu; // the task may now run on another CPU: follow it
        if (then === 'stop' || s.kind === 'out') { this.finishStop({ reason: 'step', cpu }); return; }
        this.checkStepEnd(true);
      },
    });
  }

  /** Called after each single-stepped instruction. */
  private afterInstruction(): void {
    const s = this.step!;
    s.count++;
    if (s.count > STEP_LIMIT) {
      this.events.output(`step stopped after ${STEP_LIMIT} instructions without reaching a new line\n`, 'important');
      this.finishStop({ reason: 'step', cpu: s.cpu });
      return;
    }
    const c = this.cpu(s.cpu);
    const e = s.delivery;
    if (e) {
      // An interrupt or exception was delivered instead of (or after) the instruction. Unless the user
      // asked to step into interrupts, run the handler unseen until its iret comes back here.
      const hide = !this.options.stepIntoInterrupts &&
        (e.kind === 'interrupt' || e.kind === 'nmi' || e.kind === 'exception' || (e.kind === 'software' && s.kind === 'over'));
      if (hide) {
        const espBack = s.prevEsp;
        this.setSingleStep(undefined);
        this.breakpoints.addInternal({
          address: e.returnEip, // flat segments: linear == eip for the kernel and user code of this kernel
          matches: (cpu) => cpu === s.cpu && this.cpu(cpu).getReg32(REG.esp) === espBack,
          onHit: () => { this.breakpoints.clearInternal(); this.checkStepEnd(true); },
        });
        return;
      }
      this.finishStop({ reason: 'step', cpu: s.cpu, description: `entered the handler of vector ${e.vector}` });
      return;
    }
    const pc = this.pc(s.cpu);
    const esp = c.getReg32(REG.esp);
    // A context switch: the stack pointer moved to another task's kernel stack (switch_to step 4).
    const base = this.stackBase(esp);
    if (c.cpl === 0 && !s.startedInUser && base !== s.stackBase && this.tasks) {
      const prev = this.tasks.taskFromStack(this.reader(s.cpu), s.stackBase);
      const next = this.tasks.taskFromStack(this.reader(s.cpu), esp);
      if (prev !== undefined && next !== undefined && prev !== next) {
        this.events.output(`context switch on CPU ${s.cpu}: ${this.describeTask(this.taskSummary(prev))} → ${this.describeTask(this.taskSummary(next))}\n`, 'console');
      }
      s.stackBase = base;
      s.startEsp = esp;
      s.switched = true;
    }
    const insn = s.prevInsn;
    if (insn && (insn.kind === 'call' || insn.kind === 'indirect-call') && esp === ((s.prevEsp - 4) >>> 0) && pc !== ((s.prevPc + insn.length) >>> 0)) {
      // Entered a callee.
      const retAddr = (s.prevPc + insn.length) >>> 0;
      if (s.granularity === 'instruction') { this.finishStop({ reason: 'step', cpu: s.cpu }); return; }
      const syms = this.codeSymbols(s.cpu);
      const calleeHasLines = syms?.lineAt(pc) !== undefined && syms?.functionAt(pc)?.die !== undefined;
      if (s.kind === 'in' && calleeHasLines) { this.stopPastPrologue(syms!, syms!.functionAt(pc)!, pc, esp); return; }
      if (s.refLine === undefined && calleeHasLines) {
        // Stepping in code without line info (entry asm, ret_from_fork): stop in the first C function.
        this.finishStop({ reason: 'step', cpu: s.cpu });
        return;
      }
      this.runToReturn(retAddr, s.prevEsp);
      return;
    }
    if (s.granularity === 'instruction') { this.finishStop({ reason: 'step', cpu: s.cpu }); return; }
    const fnNow = this.codeSymbols(s.cpu)?.functionAt(pc);
    if (insn && (insn.kind === 'branch' || insn.kind === 'indirect-branch') && fnNow && fnNow.lowPc === pc && fnNow.lowPc !== s.refFunction) {
      // A jump to another function's entry (switch_to's `jmp __switch_to`): a call in all but name;
      // its ret pops the address on top of the stack. Stepping in, it is entered like a called function.
      const syms = this.codeSymbols(s.cpu);
      if (s.kind === 'in' && syms?.lineAt(pc) !== undefined && fnNow.die !== undefined) { this.stopPastPrologue(syms, fnNow, pc, esp); return; }
      const ra = this.read32(s.cpu, esp);
      if (ra !== undefined) { this.runToReturn(ra, (esp + 4) >>> 0); return; }
    }
    this.checkStepEnd(false);
  }

  /** A step into `fn` (entered at `pc`) stops past its prologue, in the same task (kernel stack). */
  private stopPastPrologue(syms: SymbolFile, fn: NonNullable<ReturnType<SymbolFile['functionAt']>>, pc: number, esp: number): void {
    const post = syms.postPrologueAddress(fn) ?? pc;
    if (post === pc) { this.finishStop({ reason: 'step', cpu: this.step!.cpu }); return; }
    this.setSingleStep(undefined);
    this.breakpoints.addInternal({
      address: post,
      matches: (cpu) => this.stackBase(this.cpu(cpu).getReg32(REG.esp)) === this.stackBase(esp),
      onHit: (cpu) => { this.breakpoints.clearInternal(); this.finishStop({ reason: 'step', cpu }); },
    });
  }

  /** Decide whether the line step is complete at the current pc; otherwise step another instruction. */
  private checkStepEnd(afterReturn: boolean): void {
    const s = this.step!;
    const c = this.cpu(s.cpu);
    if (s.granularity === 'instruction') { this.finishStop({ reason: 'step', cpu: s.cpu }); return; }
    const pc = this.pc(s.cpu);
    if (c.cpl === 3 && !s.startedInUser) {
      this.finishStop({ reason: 'step', cpu: s.cpu, description: 'returned to user mode' });
      return;
    }
    const syms = this.codeSymbols(s.cpu);
    const loc = syms?.lineAt(pc);
    const fn = syms?.functionAt(pc);
    if (s.switched && fn?.lowPc !== s.refFunction) {
      // After a switch the next task resumes where it switched out (label 1 in schedule's switch_to,
      // the same function) - or, for a task that never ran, in ret_from_fork: stop there, at its start.
      this.finishStop({ reason: 'step', cpu: s.cpu, description: `the next task starts in ${fn?.name ?? this.symbols?.describeAddress(pc) ?? 'unknown code'}` });
      return;
    }
    if (loc && fn) {
      const esp = c.getReg32(REG.esp);
      if (fn.lowPc !== s.refFunction) {
        if (esp > s.startEsp || s.refLine === undefined) {
          // Returned into a caller (or arrived in C from asm): finish the caller's current line first,
          // as gdb does when a step lands in the middle of a statement.
          const atLineStart = loc.address === pc && (loc.isStmt || this.statementStartsAt(syms!, loc, pc));
          if (atLineStart && !afterReturn) { this.finishStop({ reason: 'step', cpu: s.cpu }); return; }
          s.refFunction = fn.lowPc;
          s.refLine = loc.line;
          s.refFile = loc.file;
          s.startEsp = esp;
        }
      } else if (loc.address === pc && (loc.line !== s.refLine || loc.file !== s.refFile) && (loc.isStmt || this.statementStartsAt(syms!, loc, pc))) {
        this.finishStop({ reason: 'step', cpu: s.cpu });
        return;
      }
    }
    this.stepOneInstruction();
  }

  /**
   * Several line-table rows can share an address (`17:3 is_stmt` then `17:6`); lineAt answers the last
   * one. A statement of that line starts here when `break file:line` would stop at this very address.
   */
  private statementStartsAt(syms: SymbolFile, loc: { file: string; line: number }, pc: number): boolean {
    // Asked once per instruction while a line step runs: the symbols answer from the stepped unit's line
    // table and memoise the rare full file:line resolution (see isStatementStartOfLine).
    try {
      return syms.isStatementStartOfLine(loc.file, loc.line, pc);
    } catch {
      return false;
    }
  }

  // ------------------------------------------------------------------ helpers for the session

  disassemble(cpu: number, address: number, instructionOffset: number, count: number): DisassembledInstruction[] {
    const read = this.reader(cpu);
    let start = address >>> 0;
    if (instructionOffset < 0) {
      const fnStart = this.symbols?.functionAt(address)?.lowPc;
      start = this.disassembler.boundaryBefore(read, address, -instructionOffset, fnStart);
      return this.disassembler.decodeRun(read, start, count);
    }
    const rows = this.disassembler.decodeRun(read, start, instructionOffset + count);
    return rows.slice(instructionOffset);
  }
}

export type { StopInfo, EngineFrame, ExceptionFilterId };
