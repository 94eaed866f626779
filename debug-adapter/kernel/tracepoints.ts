// Non-stopping tracepoints at kernel addresses, for the timeline and "break when a task runs".
//
// A tracepoint is a persistent internal engine breakpoint whose `matches` records what it saw and
// answers false, so the engine resumes at once and the user never sees a stop. Splitting a machine
// run at a breakpoint never changes what the guest does (simulator/machine/README.md, "Splitting a run
// into several calls never changes what the machine does"), so tracing keeps runs deterministic. They
// are armed at the session's first stop (view-requests.ts startTracingAtStop), so the boot to it runs
// at full speed. Being engine breakpoints they fire however the machine runs - continue, line and
// instruction steps (a CPU that single-steps still reports breakpoints, and the engine then goes on
// with the step: Engine.decide), run-to-return, continueTo* - so nothing is inferred between stops.

import type { Engine } from '../engine/engine';
import { REG } from '../engine/target';
import type { InternalBreakpoint } from '../engine/breakpoints';
import type { TaskRef } from '../protocol/kernel-views';
import { MissingKernelSymbol } from './layout';
import { indirectCallSites, type IndirectCallSite } from './timeline-call-sites';

/** A context switch seen at __switch_to's entry (fastcall: prev in %eax, next in %edx). */
export interface SwitchRecord { time: number; cpu: number; prev: TaskRef; next: TaskRef; eip: number; inferred?: boolean }

/**
 * One run of a deferred function, seen at the dispatcher's indirect call (timeline-call-sites.ts):
 * a softirq action (h->action), a tasklet function (t->func) or a work function (f). `start` is the
 * virtual time of the callee's first instruction, `end` the time the call returned (null while it runs).
 */
export interface BottomHalfRecord {
  cpu: number; kind: 'softirq' | 'tasklet' | 'work'; start: number; end: number | null;
  /** The CPU it returned on (a work function may sleep and be resumed elsewhere). */
  endCpu?: number;
  /** The function run. */
  func: number;
  /** Softirq number (index in softirq_vec), for 'softirq'. */
  softirq?: number;
  /** Its argument (h, t->data, work->data). */
  data: number;
  /** task_struct of the task it ran in (the one current at the call), when known. */
  task?: number;
}

/** Bound on records kept (oldest dropped first), like the machine's trace ring. */
const MAX_RECORDS = 20000;
/** Bound on runs of one call site waiting for their return at the same time (a few, one per sleeping work item). */
const MAX_OPEN_RUNS = 64;

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

  private names?: Map<number, string>;
  /** Softirq names by number, from the kernel's enum (HI_SOFTIRQ, TIMER_SOFTIRQ, ...). */
  softirqNames(): Map<number, string> {
    return this.names ??= this.e.layout?.enumContaining('TIMER_SOFTIRQ') ?? new Map();
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
    // Bottom halves: a tracepoint on each indirect call of the dispatchers, one per run.
    const sites: [BottomHalfRecord['kind'], string[]][] = [
      ['softirq', ['__do_softirq']],
      ['tasklet', ['tasklet_action_common', 'tasklet_action', 'tasklet_hi_action']],
      ['work', ['run_workqueue']],
    ];
    const softirqVec = this.e.layout?.address('softirq_vec');
    const actionSize = this.e.layout?.sizeOf('struct softirq_action') ?? 8;
    for (const [kind, names] of sites) {
      const seen = new Set<number>();
      for (const name of names) {
        for (const f of this.e.symbols?.findFunctions(name) ?? []) {
          for (const r of f.ranges) {
            for (const site of indirectCallSites(this.e.reader(0), r.start, r.end)) {
              if (seen.has(site.address)) continue;
              seen.add(site.address);
              this.armCallSite(kind, site, kind === 'softirq' ? softirqVec : undefined, actionSize);
            }
          }
        }
      }
      if (!seen.size) missing.push(`an indirect call in ${names.join('/')} (${kind} runs)`);
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

  /**
   * Two tracepoints per call site: at the call, open a record and remember it by %esp; at the return
   * address, the record whose %esp matches is the run that returns (a nested run of the same
   * dispatcher - a hardirq's softirqs inside a softirq is impossible, but another task's work item
   * is not - has another stack pointer). The esp alone identifies the run: each task has its own
   * kernel stack, and a work function that slept may return on another CPU.
   */
  private armCallSite(kind: BottomHalfRecord['kind'], site: IndirectCallSite, softirqVec: number | undefined, actionSize: number): void {
    const running = new Map<number, BottomHalfRecord>();
    this.e.breakpoints.addInternal({
      address: site.address, persistent: true,
      matches: (cpu) => {
        const c = this.e.cpu(cpu);
        const esp = c.getReg32(REG.esp);
        const read32 = (a: number) => this.e.read32(cpu, a);
        const func = site.target((r) => c.getReg32(r), read32);
        if (func === undefined) return false;
        const data = read32(esp) ?? 0;
        // The call retires as one instruction: the callee's first instruction runs at now + 1.
        const rec: BottomHalfRecord = { cpu, kind, start: this.now(cpu) + 1, end: null, func, data, task: this.taskOf(cpu) };
        if (softirqVec !== undefined && data >= softirqVec && (data - softirqVec) % actionSize === 0) rec.softirq = (data - softirqVec) / actionSize;
        const pending = running.get(esp);
        if (pending) {
          // Seen here before with this very stack pointer, and the call has not returned: it never
          // executed - an interrupt was delivered at this boundary after the tracepoint, and its iret
          // came back to the call. Same run, starting now.
          Object.assign(pending, rec);
          return false;
        }
        this.push(this.bottomHalves, rec);
        running.set(esp, rec);
        if (running.size > MAX_OPEN_RUNS) running.delete(running.keys().next().value!); // runs that never returned
        return false;
      },
      onHit: () => {},
    });
    this.e.breakpoints.addInternal({
      address: site.returnAddress, persistent: true,
      matches: (cpu) => {
        const esp = this.e.cpu(cpu).getReg32(REG.esp);
        const rec = running.get(esp);
        if (rec) { rec.end = this.now(cpu); rec.endCpu = cpu; running.delete(esp); }
        return false;
      },
      onHit: () => {},
    });
  }

  /** The task running on `cpu` (from its kernel stack), or undefined in user mode or early boot. */
  private taskOf(cpu: number): number | undefined {
    try { return this.e.currentTask(cpu); } catch { return undefined; }
  }
}
