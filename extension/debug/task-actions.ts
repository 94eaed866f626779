/**
 * The three actions of a task row in the Kernel Tasks view, and the per-session state behind two of them:
 *  - show backtrace: the DAP `stackTrace` of the task's thread (a task that is not running is a thread
 *    of its own when the launch has "showTasksAsThreads"; a running one is its CPU's thread);
 *  - break when it runs: ksim/breakWhenTaskRuns — the adapter stops (reason "task runs") right after
 *    the task is switched in, on any CPU, until the action is toggled off;
 *  - watch its state: ksim/watchTaskState — a write watch on the task's task_struct.state, kept apart
 *    from the breakpoints VS Code manages (stopped reason "data breakpoint").
 * Both toggles are persistent in the adapter, so the extension remembers which pids it armed and shows
 * them on the rows (tasks-model.ts decorates them); a new or ended session forgets them all, as the
 * adapter does.
 */
import * as vscode from 'vscode';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { KsimRequest, isUnavailable, type TaskBreakpointResponseBody, type KernelViewUnavailable } from '../../debug-adapter/protocol/kernel-views';
import { ksimRequest } from './kernel-requests';
import type { KsimSessionTracker } from './session-tracker';

/** Pids with an action armed, read by the Tasks view to decorate rows. */
export interface TaskMarks {
  readonly breakOnRun: ReadonlySet<number>;
  readonly watchingState: ReadonlySet<number>;
}

/** What a toggle did: the adapter's confirmation and the new state of the toggle. */
export interface ToggleResult { enabled: boolean; message: string }

export class TaskActions implements vscode.Disposable, TaskMarks {
  private readonly breakPids = new Set<number>();
  private readonly watchPids = new Set<number>();
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Fires when a toggle changed (the Tasks view re-decorates its rows). */
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly tracker: KsimSessionTracker) {
    this.disposables.push(
      this.changeEmitter,
      tracker.onDidStart(() => this.forgetAll()),
      tracker.onDidEnd(() => { if (!tracker.session) this.forgetAll(); }),
    );
  }

  get breakOnRun(): ReadonlySet<number> { return this.breakPids; }
  get watchingState(): ReadonlySet<number> { return this.watchPids; }

  /** Arm "break when it runs" for `pid`, or disarm it when it is armed. */
  async toggleBreakWhenRuns(pid: number): Promise<ToggleResult> {
    const enabled = !this.breakPids.has(pid);
    const r = await this.send(KsimRequest.breakWhenTaskRuns, { pid, enabled });
    this.apply(this.breakPids, pid, enabled);
    return { enabled, message: r.message };
  }

  /** Arm "watch its state" for `pid`, or disarm it when it is armed. */
  async toggleWatchState(pid: number): Promise<ToggleResult> {
    const enabled = !this.watchPids.has(pid);
    const r = await this.send(KsimRequest.watchTaskState, { pid, enabled });
    this.apply(this.watchPids, pid, enabled);
    return { enabled, message: r.message };
  }

  /** The frames of a task's thread, innermost first. */
  async backtrace(threadId: number, levels = 64): Promise<DebugProtocol.StackFrame[]> {
    const session = this.requireSession();
    const r = await session.customRequest('stackTrace', { threadId, startFrame: 0, levels }) as DebugProtocol.StackTraceResponse['body'];
    return r?.stackFrames ?? [];
  }

  /**
   * Both toggle requests answer { message }. An adapter that does not know the request yet answers
   * with the views' "not available" shape instead of a DAP error; that is a failure here too, so the
   * row is not marked as armed when nothing was armed.
   */
  private async send(command: typeof KsimRequest.breakWhenTaskRuns | typeof KsimRequest.watchTaskState,
    args: { pid: number; enabled: boolean }): Promise<TaskBreakpointResponseBody> {
    const session = this.requireSession();
    const r = await ksimRequest(session, command, args) as TaskBreakpointResponseBody | KernelViewUnavailable | undefined;
    if (isUnavailable(r)) throw new Error(r.reason);
    if (!r || typeof r.message !== 'string') throw new Error(`the debug adapter gave no answer to ${command}`);
    return r;
  }

  private requireSession(): vscode.DebugSession {
    const s = this.tracker.session;
    if (!s) throw new Error('no ksim debug session is running');
    return s;
  }

  private apply(set: Set<number>, pid: number, enabled: boolean): void {
    if (enabled) set.add(pid); else set.delete(pid);
    this.changeEmitter.fire();
  }

  private forgetAll(): void {
    if (!this.breakPids.size && !this.watchPids.size) return;
    this.breakPids.clear();
    this.watchPids.clear();
    this.changeEmitter.fire();
  }

  dispose(): void { for (const d of this.disposables) d.dispose(); }
}
