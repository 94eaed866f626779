// Non-stopping tracepoints at kernel addresses, for the timeline and "break when a task runs".
//
// A tracepoint is a persistent internal engine breakpoint whose `matches` records what it saw and
// answers false, so the engine resumes at once and the user never sees a stop. Splitting a machine
// run at a breakpoint never changes what the guest does (simulator/machine/README.md, "Splitting a run
// into several calls never changes what the machine does"), so tracing keeps runs deterministic. They
// are armed only when a session first asks for a view that needs them: a session that never opens the
// timeline pays nothing.

import type { Engine } from '../engine/engine';
import { REG } from '../engine/target';
import type { InternalBreakpoint } from '../engine/breakpoints';
import type { TaskRef } from '../protocol/kernel-views';
import { MissingKernelSymbol } from './layout';

/** A context switch seen at __switch_to's entry (fastcall: prev in %eax, next in %edx). */
export interface SwitchRecord { time: number; cpu: number; prev: TaskRef; next: TaskRef; eip: number; inferred?: boolean }

/** A bottom-half run seen at a function's entry and its return. */
export interface BottomHalfRecord { cpu: number; kind: 'softirq' | 'tasklet' | 'work'; start: number; end: number | null; name: string; func?: number }

/** Bound on records kept (oldest dropped first), like the machine's trace ring. */
const MAX_RECORDS = 20000;
/** Bound on bottom-half runs waiting for their return at the same time (nesting is a few levels). */
const MAX_OPEN_RETURNS = 64;

export class KernelTracepoints {
  readonly switches: SwitchRecord[] = [];
  readonly bottomHalves: BottomHalfRecord[] = [];
  dropped = 0;
  /** Virtual time at which tracing started (nothing before it was seen). */
  readonly since: number;
  private armed = false;
  /** Pids a "break when task runs" waits for; checked at each switch. */
  readonly breakPids = new Set<number>();

  constructor(private readonly e: Engine) {
    this.since = e.machine.time;
  }

  /** Virtual time of `cpu` right now (inside a slice a CPU runs ahead of machine.time). */
  now(cpu: number): number {
    const m = this.e.machine as unknown as { cpuNow?: (i: number) => number };
    return typeof m.cpuNow === 'function' ? m.cpuNow(cpu) : this.e.machine.time;
  }

  ref(task: number): TaskRef {
    const s = this.e.taskSummary(task);
    return s ? { pid: s.pid, comm: s.comm, address: s.address } : { pid: -1, comm: '?', address: task };
  }

  private push<T>(list: T[], item: T): void {
    list.push(item);
    if (list.length > MAX_RECORDS) { list.splice(0, list.length - MAX_RECORDS); this.dropped++; }
  }

  /** Arm the tracepoints the kernel has symbols for; returns the names that were not found. */
  arm(): string[] {
    if (this.armed) return [];
    this.armed = true;
    const missing: string[] = [];
    const fn = (name: string) => this.e.symbols?.findFunctions(name)[0]?.lowPc;
    const sw = fn('__switch_to');
    if (sw === undefined) missing.push("function '__switch_to'");
    else {
      this.e.breakpoints.addInternal({
        address: sw, persistent: true,
        matches: (cpu) => {
          const c = this.e.cpu(cpu);
          const rec: SwitchRecord = { time: this.now(cpu), cpu, prev: this.ref(c.getReg32(REG.eax)), next: this.ref(c.getReg32(REG.edx)), eip: sw };
          this.push(this.switches, rec);
          return false;
        },
        onHit: () => {},
      });
    }
    // Bottom halves: entry of the function opens a span; a one-shot tracepoint at its return address
    // (matched by the stack pointer, so a nested run on another stack cannot close it) ends it.
    const spans: [string, BottomHalfRecord['kind'], string][] = [
      ['__do_softirq', 'softirq', 'softirqs'],
      ['tasklet_action', 'tasklet', 'TASKLET_SOFTIRQ'],
      ['tasklet_hi_action', 'tasklet', 'HI_SOFTIRQ'],
      ['run_workqueue', 'work', 'run_workqueue'],
    ];
    for (const [name, kind, label] of spans) {
      const a = fn(name);
      if (a === undefined) { missing.push(`function '${name}'`); continue; }
      this.e.breakpoints.addInternal({
        address: a, persistent: true,
        matches: (cpu) => { this.openBottomHalf(cpu, kind, label, a); return false; },
        onHit: () => {},
      });
    }
    return missing;
  }

  /**
   * ksim/breakWhenTaskRuns: stop when a task with one of `breakPids` is switched in. At __switch_to's
   * entry (%edx = next) a match plants a one-shot tracepoint at the return address __switch_to will
   * pop (label 1 or ret_from_fork), so the stop shows next already running in its own context.
   */
  setBreakWhenRuns(pid: number, enabled: boolean): void {
    const sw = this.e.symbols?.findFunctions('__switch_to')[0]?.lowPc;
    if (sw === undefined) throw new MissingKernelSymbol("function '__switch_to'");
    if (enabled) this.breakPids.add(pid); else this.breakPids.delete(pid);
    this.e.breakpoints.removePersistent((bp) => bp === this.breakEntry);
    this.breakEntry = undefined;
    if (!this.breakPids.size) return;
    const entry: InternalBreakpoint = {
      address: sw, persistent: true,
      matches: (cpu) => {
        const next = this.ref(this.e.cpu(cpu).getReg32(REG.edx));
        return this.breakPids.has(next.pid);
      },
      onHit: (cpu) => {
        const c = this.e.cpu(cpu);
        const prev = this.ref(c.getReg32(REG.eax));
        const next = this.ref(c.getReg32(REG.edx));
        const esp = c.getReg32(REG.esp);
        const ra = this.e.read32(cpu, esp);
        const text = `CPU ${cpu}: ${next.comm} [pid ${next.pid}] is switched in (after ${prev.comm} [pid ${prev.pid}])`;
        if (ra === undefined) return { reason: 'task runs', cpu, description: `${next.comm} [pid ${next.pid}] runs`, text };
        const back = (esp + 4) >>> 0;
        const ret: InternalBreakpoint = {
          address: ra, persistent: true,
          matches: (c2) => c2 === cpu && this.e.cpu(c2).getReg32(REG.esp) === back,
          onHit: () => {
            this.e.breakpoints.removePersistent((bp) => bp === ret);
            return { reason: 'task runs', cpu, description: `${next.comm} [pid ${next.pid}] runs`, text };
          },
        };
        this.e.breakpoints.addInternal(ret);
        return undefined;
      },
    };
    this.breakEntry = entry;
    this.e.breakpoints.addInternal(entry);
  }

  private breakEntry?: InternalBreakpoint;
  private readonly openReturns = new Set<InternalBreakpoint>();

  private openBottomHalf(cpu: number, kind: BottomHalfRecord['kind'], name: string, func: number): void {
    const esp = this.e.cpu(cpu).getReg32(REG.esp);
    const ra = this.e.read32(cpu, esp);
    const rec: BottomHalfRecord = { cpu, kind, start: this.now(cpu), end: null, name, func };
    this.push(this.bottomHalves, rec);
    if (ra === undefined) return;
    const back = (esp + 4) >>> 0;
    const bp: InternalBreakpoint = {
      address: ra, persistent: true,
      matches: (c: number) => {
        if (rec.end !== null || c !== cpu || this.e.cpu(c).getReg32(REG.esp) !== back) return false;
        rec.end = this.now(c);
        this.openReturns.delete(bp);
        this.e.breakpoints.removePersistent((x) => x === bp);
        return false;
      },
      onHit: () => {},
    };
    // A run that never returns (its task exited inside it) must not leave its tracepoint forever.
    this.openReturns.add(bp);
    if (this.openReturns.size > MAX_OPEN_RETURNS) {
      const oldest = this.openReturns.values().next().value!;
      this.openReturns.delete(oldest);
      this.e.breakpoints.removePersistent((x) => x === oldest);
    }
    this.e.breakpoints.addInternal(bp);
  }
}
