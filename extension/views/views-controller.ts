/**
 * Owns the six kernel views of the Run and Debug container and refreshes them on every stop: each
 * visible view sends its custom request(s), builds its rows with the pure builders in models/, marks the
 * rows that changed since the previous stop, and renders. Hidden views are refreshed when they become
 * visible. The time from the stop to the last visible view rendered is recorded (lastRefreshMs).
 */
import * as vscode from 'vscode';
import { KsimRequest, KernelViewUnavailable, isUnavailable, type TaskView } from '../../debug-adapter/protocol/kernel-views';
import { ksimView } from '../debug/kernel-requests';
import type { KsimSessionTracker } from '../debug/session-tracker';
import { ChangeTracker } from './change-tracker';
import { KernelTreeProvider } from './kernel-tree-provider';
import type { ViewNode } from './view-node';
import { buildTaskTree, decorateTaskRow, type TaskRowMarks } from './models/tasks-model';
import { buildCpuTree } from './models/cpus-model';
import { buildIrqTree } from './models/irqs-model';
import { buildBottomHalvesTree } from './models/bottom-halves-model';
import { buildWaitqueueTree } from './models/waitqueues-model';
import { KernelLog, buildDmesgNodes } from './models/dmesg-model';

export type KernelViewId = 'ksim.tasks' | 'ksim.cpus' | 'ksim.irqs' | 'ksim.bottomHalves' | 'ksim.waitqueues' | 'ksim.dmesg';
export const KERNEL_VIEW_IDS: KernelViewId[] = ['ksim.tasks', 'ksim.cpus', 'ksim.irqs', 'ksim.bottomHalves', 'ksim.waitqueues', 'ksim.dmesg'];

/** Result of loading one view: rows, or why there are none. */
type Loaded = { nodes: ViewNode[]; unavailable?: KernelViewUnavailable; emptyText?: string };

interface ViewSlot {
  id: KernelViewId;
  provider: KernelTreeProvider;
  view: vscode.TreeView<ViewNode>;
  changes: ChangeTracker;
  /** stop seq the view was last refreshed for; -1 = never. */
  refreshedFor: number;
}

export class KernelViewsController implements vscode.Disposable {
  private readonly slots = new Map<KernelViewId, ViewSlot>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly log: KernelLog;
  private readonly refreshEmitter = new vscode.EventEmitter<{ seq: number; ms: number }>();
  /** Fires after all visible views were refreshed for a stop. */
  readonly onDidRefresh = this.refreshEmitter.event;
  lastRefreshMs: number | undefined;

  /**
   * `marks` (the Tasks view row actions) decorate task rows; `onDidChangeMarks` re-decorates them in
   * place between stops, without asking the adapter again or touching the change highlight.
   */
  constructor(private readonly tracker: KsimSessionTracker, private readonly output: vscode.OutputChannel,
    private readonly marks?: TaskRowMarks, onDidChangeMarks?: vscode.Event<void>) {
    const cfg = vscode.workspace.getConfiguration('ksim');
    this.log = new KernelLog(cfg.get<number>('views.maxLogLines', 500));
    for (const id of KERNEL_VIEW_IDS) {
      const provider = new KernelTreeProvider(id);
      provider.highlightChanges = cfg.get<boolean>('views.highlightChanges', true);
      const view = vscode.window.createTreeView(id, { treeDataProvider: provider, showCollapseAll: id !== 'ksim.dmesg' });
      const slot: ViewSlot = { id, provider, view, changes: new ChangeTracker(), refreshedFor: -1 };
      this.slots.set(id, slot);
      this.disposables.push(view, view.onDidChangeVisibility((e) => { if (e.visible) void this.refreshSlot(slot); }));
    }
    this.disposables.push(
      tracker.onDidStop(() => void this.refreshVisible()),
      tracker.onDidResume(() => this.setRunningMessage()),
      tracker.onDidStart(() => this.resetForNewSession()),
      tracker.onDidEnd(() => { if (!tracker.session) this.clearAll(); }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('ksim.views.highlightChanges')) {
          const on = vscode.workspace.getConfiguration('ksim').get<boolean>('views.highlightChanges', true);
          for (const s of this.slots.values()) { s.provider.highlightChanges = on; s.provider.setRoots([...s.provider.rootNodes]); }
        }
      }),
      this.refreshEmitter,
    );
    if (onDidChangeMarks) this.disposables.push(onDidChangeMarks(() => this.redecorateTasks()));
  }

  private redecorateTasks(): void {
    const provider = this.provider('ksim.tasks');
    const walk = (nodes: readonly ViewNode[]) => {
      for (const n of nodes) {
        const task = n.data?.task as TaskView | undefined;
        if (task) decorateTaskRow(n, task, this.marks);
        if (n.children) walk(n.children);
      }
    };
    walk(provider.rootNodes);
    provider.setRoots([...provider.rootNodes]);
  }

  provider(id: KernelViewId): KernelTreeProvider { return this.slots.get(id)!.provider; }
  treeView(id: KernelViewId): vscode.TreeView<ViewNode> { return this.slots.get(id)!.view; }
  kernelLogText(): string { return this.log.text(); }

  /** Refresh every view now (command "Refresh Kernel Views"), visible or not. */
  async refreshAll(): Promise<void> {
    const stop = this.tracker.stopped;
    await Promise.all([...this.slots.values()].map((s) => this.refreshSlot(s, true)));
    if (stop) this.refreshEmitter.fire({ seq: stop.seq, ms: this.lastRefreshMs ?? 0 });
  }

  private async refreshVisible(): Promise<void> {
    const stop = this.tracker.stopped;
    if (!stop) return;
    const t0 = performance.now();
    await Promise.all([...this.slots.values()].filter((s) => s.view.visible).map((s) => this.refreshSlot(s)));
    if (this.tracker.stopped !== stop) return;
    this.lastRefreshMs = performance.now() - t0;
    this.output.appendLine(`views refreshed for stop #${stop.seq} in ${this.lastRefreshMs.toFixed(1)} ms`);
    this.refreshEmitter.fire({ seq: stop.seq, ms: this.lastRefreshMs });
  }

  private async refreshSlot(slot: ViewSlot, force = false): Promise<void> {
    const stop = this.tracker.stopped;
    const session = this.tracker.session;
    if (!session) return;
    if (!stop) { if (slot.refreshedFor === -1) this.setRunningMessage(); return; }
    if (!force && slot.refreshedFor === stop.seq) return;
    slot.refreshedFor = stop.seq;
    slot.provider.session = session;
    let loaded: Loaded;
    try {
      loaded = await this.load(slot.id, session);
    } catch (e) {
      loaded = { nodes: [], unavailable: { available: false, cause: 'error', reason: e instanceof Error ? e.message : String(e) } };
    }
    if (this.tracker.stopped !== stop) return; // resumed meanwhile: the answer is stale
    if (slot.id !== 'ksim.dmesg') slot.changes.mark(loaded.nodes);
    slot.provider.setRoots(loaded.nodes);
    slot.view.message = loaded.unavailable ? unavailableMessage(loaded.unavailable) :
      loaded.nodes.length === 0 ? loaded.emptyText : undefined;
  }

  private async load(id: KernelViewId, session: vscode.DebugSession): Promise<Loaded> {
    switch (id) {
      case 'ksim.tasks': {
        const b = await ksimView(session, KsimRequest.tasks, {});
        if (isUnavailable(b)) return { nodes: [], unavailable: b };
        return { nodes: buildTaskTree(b, this.marks), emptyText: 'The kernel has no tasks yet.' };
      }
      case 'ksim.cpus': {
        const b = await ksimView(session, KsimRequest.cpus, {});
        if (isUnavailable(b)) return { nodes: [], unavailable: b };
        return { nodes: buildCpuTree(b) };
      }
      case 'ksim.irqs': {
        const b = await ksimView(session, KsimRequest.irqs, {});
        if (isUnavailable(b)) return { nodes: [], unavailable: b };
        return { nodes: buildIrqTree(b), emptyText: 'No interrupt line has an action or a count yet.' };
      }
      case 'ksim.bottomHalves': {
        const [s, w, t] = await Promise.all([
          ksimView(session, KsimRequest.softirqs, {}), ksimView(session, KsimRequest.workqueues, {}), ksimView(session, KsimRequest.timers, {}),
        ]);
        if (isUnavailable(s) && isUnavailable(w) && isUnavailable(t)) return { nodes: [], unavailable: s };
        return { nodes: buildBottomHalvesTree(s, w, t) };
      }
      case 'ksim.waitqueues': {
        const b = await ksimView(session, KsimRequest.waitqueues, {});
        if (isUnavailable(b)) return { nodes: [], unavailable: b };
        return { nodes: buildWaitqueueTree(b), emptyText: 'No task sleeps on a wait queue.' };
      }
      case 'ksim.dmesg': {
        const since = this.log.nextSeq;
        const b = await ksimView(session, KsimRequest.dmesg, { since });
        if (isUnavailable(b)) return { nodes: [], unavailable: b };
        this.log.merge(b);
        return { nodes: buildDmesgNodes(this.log.all(), since), emptyText: 'The kernel has not printed anything yet.' };
      }
    }
  }

  private setRunningMessage(): void {
    for (const s of this.slots.values()) {
      if (s.provider.rootNodes.length) s.view.message = 'Running… (values as of the last stop)';
      else s.view.message = 'The kernel is running. The view fills in at the next stop (pause, breakpoint).';
    }
  }

  private resetForNewSession(): void {
    this.log.reset();
    for (const s of this.slots.values()) { s.changes.reset(); s.refreshedFor = -1; }
  }

  private clearAll(): void {
    for (const s of this.slots.values()) { s.provider.setRoots([]); s.view.message = undefined; s.refreshedFor = -1; }
  }

  /** Data of a view as plain rows (for integration tests and the `ksim.views.dump` command). */
  snapshot(id: KernelViewId): { message?: string; nodes: readonly ViewNode[] } {
    const s = this.slots.get(id)!;
    return { message: s.view.message, nodes: s.provider.rootNodes };
  }

  dispose(): void { for (const d of this.disposables) d.dispose(); }
}

export function unavailableMessage(u: KernelViewUnavailable): string {
  switch (u.cause) {
    case 'symbols': return `Not available for this kernel: ${u.reason}` + (u.missing?.length ? ` (missing: ${u.missing.join(', ')})` : '');
    case 'running': return 'The kernel is running. The view fills in at the next stop.';
    case 'no-session': return u.reason;
    default: return u.reason;
  }
}
