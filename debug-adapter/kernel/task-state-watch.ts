// ksim/watchTaskState: stop when a task's state changes - "pipeline [9] state R → S".
//
// A write watch on task_struct.state of the task (set_current_state, wake_up_process and friends write
// it), owned by this module and armed through Engine.setKernelWatches, so the client's own data
// breakpoints (setDataBreakpoints replaces them all every time) never remove it. A write that leaves
// the state as it was (TASK_RUNNING written over TASK_RUNNING) runs on: the watch is about changes.
//
// Exit: 2.6.11's exit_notify writes exit_state (EXIT_ZOMBIE or EXIT_DEAD), not state, and a dead task's
// task_struct is freed soon after. So a second watch on exit_state ends the watch when the task exits,
// with a line in the Debug Console, before its memory can be reused by something else.

import type { Engine } from '../engine/engine';
import type { KernelWatch } from '../engine/breakpoints';
import type { StopInfo } from '../engine/run-control';
import { MissingKernelSymbol } from './layout';
import { stateLetter } from './tasks';

interface WatchedTask { pid: number; comm: string; task: number; state: number }

export class TaskStateWatches {
  private readonly watched = new Map<number, WatchedTask>();

  constructor(private readonly e: Engine) {}

  /** Add or remove the watch of `pid`; returns the confirmation for the response. Throws on bad input. */
  set(pid: number, enabled: boolean): string {
    if (!enabled) {
      const w = this.watched.get(pid);
      this.watched.delete(pid);
      this.arm();
      return `no longer watching the state of ${w ? `${w.comm} [${pid}]` : `pid ${pid}`}`;
    }
    if (this.e.isRunning) throw new Error('the machine is running; pause it to add a state watch');
    const t = this.findTask(pid);
    if (t.letter === 'Z' || t.letter === 'X') throw new Error(`${t.comm} [${pid}] has exited; its state will not change`);
    this.watched.set(pid, { pid, comm: t.comm, task: t.address, state: t.state });
    this.arm();
    return `will stop when the state of ${t.comm} [${pid}] changes (now ${t.letter})`;
  }

  private findTask(pid: number) {
    const e = this.e;
    if (!e.tasks || !e.layout) throw new MissingKernelSymbol('struct task_struct');
    const read = e.reader(e.lastStop?.cpu ?? 0);
    for (const a of e.tasks.allTasks(read)) {
      const s = e.taskSummary(a);
      if (s?.pid === pid) return s;
    }
    throw new Error(`there is no task with pid ${pid}`);
  }

  private arm(): void {
    const layout = this.e.layout;
    const state = layout?.member('struct task_struct', 'state');
    if (!state) throw new MissingKernelSymbol('field struct task_struct.state');
    const exitState = layout!.member('struct task_struct', 'exit_state');
    const watches: KernelWatch[] = [];
    for (const w of this.watched.values()) {
      watches.push({ address: (w.task + state.offset) >>> 0, size: state.size ?? 4, access: 'write', onHit: (cpu) => this.stateWritten(w, cpu) });
      if (exitState) watches.push({ address: (w.task + exitState.offset) >>> 0, size: exitState.size ?? 4, access: 'write', onHit: () => this.exitStateWritten(w) });
    }
    this.e.setKernelWatches('task-state', watches);
  }

  private stateWritten(w: WatchedTask, cpu: number): StopInfo | undefined {
    const now = this.e.taskSummary(w.task);
    if (!now || now.state === w.state) return undefined;
    const before = stateLetter(w.state, now.exitState);
    w.state = now.state;
    return {
      reason: 'data breakpoint', cpu,
      description: `${w.comm} [${w.pid}] state ${before.letter} → ${now.letter}`,
      text: `${w.comm} [${w.pid}]: ${before.name} → ${now.stateName}, written on CPU ${cpu}`,
    };
  }

  private exitStateWritten(w: WatchedTask): undefined {
    const now = this.e.taskSummary(w.task);
    if (now && (now.letter === 'Z' || now.letter === 'X')) {
      this.watched.delete(w.pid);
      this.arm();
      this.e.say(`${w.comm} [${w.pid}] exited (${now.stateName}): its state watch is removed\n`);
    }
    return undefined;
  }
}
