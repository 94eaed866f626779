// Running the machine without blocking the adapter.
//
// The machine is synchronous: run(n) executes up to n instructions and returns. A debugger must keep
// answering requests (pause, threads, evaluate in the REPL) while the guest runs, so the engine runs the
// machine in slices of a few million instructions, one slice per setImmediate turn; between slices the
// event loop delivers DAP requests. A pause is a flag the next slice boundary honours (and a
// requestStop() so a long slice ends at the next instruction boundary).
//
// When a debugger hook stops the machine (breakpoint, step, watch, delivery), the engine's `decide`
// callback looks at the stop and says whether it is a real stop for the user or an internal one to run
// through (a breakpoint whose condition is false, a temporary step breakpoint in the wrong task).

import type { TargetMachine, TargetRunResult } from './target';

export type StopDecision = { stop: false } | { stop: true; info: StopInfo };

/** Why the machine stopped, in the engine's words (the session maps it to a DAP `stopped` event). */
export interface StopInfo {
  reason: 'entry' | 'breakpoint' | 'step' | 'pause' | 'data breakpoint' | 'exception' | 'instruction breakpoint'
    | 'function breakpoint' | 'goto' | 'context switch' | 'interrupt' | 'task runs' | 'halted';
  /** Index of the CPU the stop concerns. */
  cpu: number;
  description?: string;
  text?: string;
  hitBreakpointIds?: number[];
}

export type RunEnd =
  | { kind: 'stopped'; info: StopInfo }
  | { kind: 'exited'; exitCode: number; message?: string }
  /** A CPU triple-faulted (its runState is 'shutdown'): the engine decides between a stop and the end. */
  | { kind: 'shutdown'; cpu: number };

export interface RunControlOptions {
  /** Instructions per slice. Larger = faster, smaller = more responsive pause. */
  sliceInstructions: number;
}

export class RunControl {
  private running = false;
  private pauseRequested = false;
  private generation = 0;

  /** Instruction count (all CPUs) at which the current run ends with a 'pause' stop (continueFor), if any. */
  private stopAt?: number;

  constructor(private readonly machine: TargetMachine, private readonly options: RunControlOptions) {}

  /** Make the next run end after `instructions` more instructions, all CPUs together (undefined: no limit). */
  limitNextRun(instructions: number | undefined): void {
    this.stopAt = instructions === undefined ? undefined : this.machine.instructionsRetired + instructions;
  }

  get isRunning(): boolean { return this.running; }

  /**
   * Run until `decide` accepts a hook stop, a pause, or the machine ends. `decide` is called for every
   * hook stop with the run result; `onEnd` once at the end. Returns immediately; runs in slices.
   */
  start(decide: (result: TargetRunResult) => StopDecision, onEnd: (end: RunEnd) => void): void {
    if (this.running) throw new Error('the machine is already running');
    this.running = true;
    this.pauseRequested = false;
    const myGeneration = ++this.generation;
    const slice = () => {
      if (myGeneration !== this.generation) return; // cancelled by terminate
      let end: RunEnd | undefined;
      try {
        end = this.runOneSlice(decide);
      } catch (e) {
        end = { kind: 'exited', exitCode: -1, message: `the simulator failed: ${(e as Error).stack ?? e}` };
      }
      if (end) {
        this.running = false;
        onEnd(end);
      } else {
        setImmediate(slice);
      }
    };
    setImmediate(slice);
  }

  /**
   * The same run without yielding to the event loop between slices: for measurements and scripts that
   * drive the engine without a DAP client (npm run bench). `maxSlices` bounds a run that never stops.
   */
  runSync(decide: (result: TargetRunResult) => StopDecision, onEnd: (end: RunEnd) => void, maxSlices = 100_000): void {
    if (this.running) throw new Error('the machine is already running');
    this.running = true;
    this.pauseRequested = false;
    let end: RunEnd | undefined;
    for (let i = 0; i < maxSlices && !end; i++) end = this.runOneSlice(decide);
    this.running = false;
    onEnd(end ?? { kind: 'stopped', info: { reason: 'pause', cpu: 0, description: `no stop within ${maxSlices} slices` } });
  }

  /** One slice; returns how the run ended, or undefined to keep going. */
  private runOneSlice(decide: (result: TargetRunResult) => StopDecision): RunEnd | undefined {
    // Several hook stops can happen in one slice (conditions that say "run on"); keep slicing through
    // them within a bounded number of machine.run calls so the event loop still gets its turn.
    let budget = this.options.sliceInstructions;
    for (let rounds = 0; rounds < 4096 && budget > 0; rounds++) {
      if (this.pauseRequested) return { kind: 'stopped', info: { reason: 'pause', cpu: 0 } };
      const before = this.machine.time;
      if (this.stopAt !== undefined) {
        const left = this.stopAt - this.machine.instructionsRetired;
        if (left <= 0) { this.stopAt = undefined; return { kind: 'stopped', info: { reason: 'pause', cpu: 0, description: 'ran the requested number of instructions' } }; }
        budget = Math.min(budget, left);
      }
      const result = this.machine.run(budget);
      budget -= Math.max(1, this.machine.time - before);
      switch (result.reason) {
        case 'budget':
          return undefined;
        case 'stopped': {
          if (this.pauseRequested) return { kind: 'stopped', info: { reason: 'pause', cpu: result.cpuIndex ?? 0 } };
          const d = decide(result);
          if (d.stop) return { kind: 'stopped', info: d.info };
          continue;
        }
        case 'exit':
          return { kind: 'exited', exitCode: result.exitCode ?? 0 };
        case 'shutdown':
          return { kind: 'shutdown', cpu: result.cpuIndex ?? 0 };
        case 'all-halted':
          return { kind: 'stopped', info: { reason: 'halted', cpu: 0, description: 'every CPU halted with interrupts off' } };
        case 'idle':
          return { kind: 'stopped', info: { reason: 'halted', cpu: 0, description: 'every CPU waits for an interrupt that nothing will send' } };
      }
    }
    return undefined;
  }

  /** Ask a running machine to stop at the next instruction boundary. */
  pause(): void {
    if (!this.running) return;
    this.pauseRequested = true;
    this.machine.requestStop();
  }

  /** Forget any run in progress (terminate/restart). */
  cancel(): void {
    this.generation++;
    this.running = false;
  }
}
