// Entry point of the kernel-view custom requests (contract: ../protocol/kernel-views.ts). The session
// hands every ksim/* view request here; the timeline, context-switch, interrupt, timer, work-queue and
// wait-queue views are answered in this folder's newer modules, the rest by KernelViews (views.ts).
//
// Per engine (a restart creates a new one) it keeps the tracepoints and the per-stop samplers, so what
// the timeline and the Context Switch panel know survives between requests.

import type { Engine } from '../engine/engine';
import type { KernelViewUnavailable, TaskBreakpointResponseBody } from '../protocol/kernel-views';
import { ContextSwitchTracker } from './context-switch';
import { MissingKernelSymbol } from './layout';
import { buildProfile, isProfiling } from './profile';
import { SubsystemViews } from './subsystem-views';
import { buildTimeline, StopSampler } from './timeline';
import { KernelTracepoints } from './tracepoints';
import { TaskStateWatches } from './task-state-watch';
import type { KernelViews } from './views';

interface PerEngine { tp: KernelTracepoints; sampler: StopSampler; cs: ContextSwitchTracker; stateWatches: TaskStateWatches; missing?: string[] }
const state = new WeakMap<Engine, PerEngine>();

function stateOf(e: Engine): PerEngine {
  let s = state.get(e);
  if (!s) {
    const tp = new KernelTracepoints(e);
    s = { tp, sampler: new StopSampler(e, tp), cs: new ContextSwitchTracker(e, tp), stateWatches: new TaskStateWatches(e) };
    state.set(e, s);
  }
  return s;
}

const HANDLED = new Set(['ksim/timeline', 'ksim/contextSwitch', 'ksim/irqs', 'ksim/timers', 'ksim/workqueues', 'ksim/waitqueues', 'ksim/profile']);

/**
 * Called at every stop: tracing (the tracepoints behind the timeline and the Context Switch panel)
 * starts at the first stop of a session, so a timeline opened later shows what happened since. Not at
 * launch: the boot to the first stop runs at full speed. Cost measured by `npm run bench --
 * adapter-tracing` (see ../README.md).
 */
export function startTracingAtStop(e: Engine): void {
  try {
    const s = stateOf(e);
    if (!s.missing) s.missing = s.tp.arm();
  } catch { /* tracing is an extra: a kernel it cannot trace is still debugged (the views say why) */ }
}

/** True when `command` is a kernel view request (answered here or by KernelViews). */
export function isKernelViewRequest(views: KernelViews, command: string): boolean {
  return HANDLED.has(command) || command === 'ksim/breakWhenTaskRuns' || command === 'ksim/watchTaskState' || views.handles(command);
}

/** Answer one ksim/* view request with its KernelView<T> body. */
export function kernelViewRequest(e: Engine, views: KernelViews, command: string, args: Record<string, unknown>, running: boolean): unknown {
  if (command === 'ksim/breakWhenTaskRuns') return breakWhenTaskRuns(e, views, args);
  if (command === 'ksim/watchTaskState') return watchTaskState(e, args);
  if (running) return views.request(command, args, running);
  const s = stateOf(e);
  // Every request at a stop is a chance to notice what changed since the previous stop.
  try { s.sampler.sample(); s.cs.sample(); } catch { /* a sample is best effort; the view below reports errors */ }
  if (!HANDLED.has(command)) return views.request(command, args, running);
  const warnings: string[] = [];
  try {
    let body: object;
    const sub = new SubsystemViews(e, warnings);
    switch (command) {
      case 'ksim/timeline': {
        // Tracing started at the session's first stop (startTracingAtStop); arm now if it did not.
        if (!s.missing) s.missing = s.tp.arm();
        if (s.missing.length) warnings.push(`no tracepoint for ${s.missing.join(', ')}`);
        body = buildTimeline(e, s.tp, { from: num(args.from), to: num(args.to), maxItems: num(args.maxItems) });
        break;
      }
      case 'ksim/contextSwitch':
        if (!s.missing) s.missing = s.tp.arm();
        body = s.cs.view(num(args.cpu));
        break;
      case 'ksim/irqs': body = sub.irqs(!!args.includeUnused); break;
      case 'ksim/timers': body = sub.timers(); break;
      case 'ksim/workqueues': body = sub.workqueues(); break;
      case 'ksim/waitqueues': body = sub.waitqueues(); break;
      case 'ksim/profile':
        // Per-function execution counts (profile.ts); counting is switched on at launch unless "profile": false.
        if (!e.symbols) return unavailable('the kernel has no symbols, so there are no functions to profile', 'symbols');
        if (!isProfiling(e.machine)) return unavailable("profiling is off (launch attribute 'profile' is false)", 'error');
        body = buildProfile(e.machine, e.symbols, num(args.limit));
        break;
      default: return unavailable(`unknown view ${command}`, 'error');
    }
    return { available: true, stopId: e.stopId, time: e.machine.time, jiffies: views.jiffies(), ...(warnings.length ? { warnings } : {}), ...body };
  } catch (err) {
    if (err instanceof MissingKernelSymbol) return unavailable(err.message, 'symbols', [err.missing]);
    return unavailable((err as Error).message, 'error');
  }
}

/** ksim/breakWhenTaskRuns: answered with a confirmation; bad arguments are DAP errors (thrown). */
function breakWhenTaskRuns(e: Engine, views: KernelViews, args: Record<string, unknown>): TaskBreakpointResponseBody {
  const pid = args.pid;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid < 0) throw new Error(`'pid' must be a process id, got ${JSON.stringify(pid)}`);
  const enabled = args.enabled !== false;
  const s = stateOf(e);
  s.tp.setBreakWhenRuns(pid, enabled);
  void views;
  let name = `pid ${pid}`;
  if (!e.isRunning && e.tasks) {
    const addr = e.tasks.allTasks(e.reader(e.lastStop?.cpu ?? 0)).find((a) => e.taskSummary(a)?.pid === pid);
    const t = addr !== undefined ? e.taskSummary(addr) : undefined;
    if (t) name = `${t.comm} [${t.pid}]`;
  }
  return { message: enabled ? `will stop when ${name} is switched in` : `no longer stopping when ${name} is switched in` };
}

/** ksim/watchTaskState: a write watch on the task's state (task-state-watch.ts); bad arguments are DAP errors. */
function watchTaskState(e: Engine, args: Record<string, unknown>): TaskBreakpointResponseBody {
  const pid = args.pid;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid < 0) throw new Error(`'pid' must be a process id, got ${JSON.stringify(pid)}`);
  return { message: stateOf(e).stateWatches.set(pid, args.enabled !== false) };
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function unavailable(reason: string, cause: KernelViewUnavailable['cause'], missing?: string[]): KernelViewUnavailable {
  return { available: false, reason, cause, ...(missing ? { missing } : {}) };
}
