/**
 * The ksim commands (palette, view menus, debug toolbar, keybindings). Each forwards to the adapter or
 * opens a panel; none computes kernel state itself.
 */
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KsimRequest, CodeRef } from '../debug-adapter/protocol/kernel-views';
import { ksimRequest } from './debug/kernel-requests';
import type { KsimSessionTracker } from './debug/session-tracker';
import { defaultConfiguration } from './debug/configuration-provider';
import { parseIrq } from './commands-parse';
import type { KernelViewsController } from './views/views-controller';
import type { ViewNode } from './views/view-node';
import type { TimelinePanel, RevealTarget } from './webviews/timeline-panel';
import type { ContextSwitchPanel } from './webviews/context-switch-panel';
import type { TaskActions } from './debug/task-actions';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  tracker: KsimSessionTracker;
  views: KernelViewsController;
  timeline: TimelinePanel;
  contextSwitch: ContextSwitchPanel;
  taskActions: TaskActions;
}

export async function openLocation(file: string, line: number): Promise<void> {
  if (!fs.existsSync(file)) { void vscode.window.showWarningMessage(`ksim: source file not found: ${file}`); return; }
  const doc = await vscode.workspace.openTextDocument(file);
  const pos = new vscode.Position(Math.max(0, line - 1), 0);
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), preview: true });
}

/** Kernel sources shipped with the extension (simulator/guest), for "Open Kernel Source…". */
export function kernelSourceFiles(root: string, limit = 2000): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      if (out.length >= limit) return;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) { if (e.name !== 'build' && !e.name.startsWith('.')) walk(p); }
      else if (/\.(c|h|S|s|ld|lds)$/.test(e.name) || e.name === 'Makefile') out.push(path.relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

export function registerCommands(d: CommandDeps): vscode.Disposable[] {
  const { tracker, views } = d;
  const session = (): vscode.DebugSession | undefined => {
    const s = tracker.session;
    if (!s) void vscode.window.showInformationMessage('ksim: no ksim debug session is running. Press F5 or run "ksim: Debug the Bundled Kernel".');
    return s;
  };
  const guarded = (f: (...a: any[]) => Promise<unknown>) => async (...a: any[]) => {
    try { await f(...a); } catch (e) { void vscode.window.showErrorMessage(`ksim: ${e instanceof Error ? e.message : String(e)}`); }
  };
  const pidOf = (n: ViewNode | undefined): number | undefined => n?.data?.pid as number | undefined;
  const reg = vscode.commands.registerCommand;

  return [
    reg('ksim.debugBundledKernel', guarded(async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      const ok = await vscode.debug.startDebugging(folder, defaultConfiguration());
      if (!ok) void vscode.window.showErrorMessage('ksim: the debug session did not start (see the Debug Console and the "ksim" output).');
    })),
    reg('ksim.breakInSchedule', guarded(async () => {
      const exists = vscode.debug.breakpoints.some((b) => b instanceof vscode.FunctionBreakpoint && b.functionName === 'schedule');
      if (!exists) vscode.debug.addBreakpoints([new vscode.FunctionBreakpoint('schedule', true)]);
      void vscode.window.showInformationMessage('ksim: function breakpoint on schedule() is set. The next context switch decision stops there.');
    })),
    reg('ksim.continueToContextSwitch', guarded(async (n?: ViewNode) => {
      const s = session(); if (!s) return;
      const cpu = n?.contextValue === 'cpu' ? n.data?.cpu as number : undefined;
      await ksimRequest(s, KsimRequest.continueToContextSwitch, cpu !== undefined ? { cpu } : {});
    })),
    reg('ksim.continueToInterrupt', guarded(async (n?: ViewNode) => {
      const s = session(); if (!s) return;
      const irq = n?.contextValue === 'irqLine' ? n.data?.irq as number : undefined;
      await ksimRequest(s, KsimRequest.continueToInterrupt, irq !== undefined ? { irq } : {});
    })),
    reg('ksim.irq.continueTo', guarded(async (n?: ViewNode) => {
      const s = session(); if (!s || !n) return;
      await ksimRequest(s, KsimRequest.continueToInterrupt, { irq: n.data?.irq as number });
    })),
    reg('ksim.raiseIrq', guarded(async (n?: ViewNode) => {
      const s = session(); if (!s) return;
      let irq = n?.data?.irq as number | undefined;
      if (irq === undefined) {
        const text = await vscode.window.showInputBox({ title: 'ksim: Raise IRQ', prompt: 'IRQ line to pulse (0–23)', placeHolder: '4',
          validateInput: (v) => { const r = parseIrq(v); return typeof r === 'string' ? r : undefined; } });
        if (text === undefined) return;
        irq = parseIrq(text) as number;
      }
      const r = await ksimRequest(s, KsimRequest.raiseIrq, { irq });
      void vscode.window.showInformationMessage(`ksim: ${r?.message ?? `IRQ ${irq} raised`}`);
    })),
    reg('ksim.irq.raise', guarded(async (n?: ViewNode) => { await vscode.commands.executeCommand('ksim.raiseIrq', n); })),
    reg('ksim.showTimeline', guarded(async () => { d.timeline.show(); })),
    reg('ksim.showContextSwitch', guarded(async () => { d.contextSwitch.show(); })),
    reg('ksim.refreshViews', guarded(async () => {
      await views.refreshAll();
      await Promise.all([d.timeline.update(), d.contextSwitch.update()]);
    })),
    reg('ksim.openKernelLog', guarded(async () => {
      const doc = await vscode.workspace.openTextDocument({ content: views.kernelLogText(), language: 'log' });
      await vscode.window.showTextDocument(doc, { preview: true });
    })),
    reg('ksim.openKernelSource', guarded(async () => {
      const roots = [path.join(d.context.extensionPath, 'simulator', 'guest'),
        ...(vscode.workspace.workspaceFolders ?? []).map((f) => path.join(f.uri.fsPath, 'simulator', 'guest'))];
      const root = roots.find((r) => fs.existsSync(r));
      if (!root) { void vscode.window.showWarningMessage('ksim: the kernel sources are not installed with this extension.'); return; }
      const pick = await vscode.window.showQuickPick(kernelSourceFiles(root), { title: 'ksim: Open Kernel Source', placeHolder: 'kernel/sched.c', matchOnDescription: true });
      if (pick) await openLocation(path.join(root, pick), 1);
    })),
    reg('ksim.openLocation', guarded(async (file: string, line: number) => openLocation(file, line))),
    reg('ksim.task.showBacktrace', guarded(async (n?: ViewNode) => {
      if (!session() || !n) return;
      const threadId = n.data?.threadId as number | undefined;
      if (threadId === undefined) { void vscode.window.showInformationMessage(`ksim: ${n.label} is not listed as a thread (launch with "showTasksAsThreads": true).`); return; }
      const frames = await d.taskActions.backtrace(threadId);
      const pick = await vscode.window.showQuickPick(frames.map((f, i) => ({
        label: `#${i} ${f.name}`, description: f.source?.path ? `${path.basename(f.source.path)}:${f.line}` : f.instructionPointerReference ?? '', frame: f,
      })), { title: `Backtrace of ${n.label}` });
      if (pick?.frame.source?.path) await openLocation(pick.frame.source.path, pick.frame.line);
    })),
    // The two toggles: the same command arms and disarms (the row's menu names what a click will do).
    reg('ksim.task.breakWhenRuns', guarded(async (n?: ViewNode) => {
      const pid = pidOf(n); if (!session() || pid === undefined) return;
      const r = await d.taskActions.toggleBreakWhenRuns(pid);
      void vscode.window.showInformationMessage(`ksim: ${r.message}`);
    })),
    reg('ksim.task.watchState', guarded(async (n?: ViewNode) => {
      const pid = pidOf(n); if (!session() || pid === undefined) return;
      const r = await d.taskActions.toggleWatchState(pid);
      void vscode.window.showInformationMessage(`ksim: ${r.message}`);
    })),
    reg('ksim.task.clearBreakWhenRuns', guarded(async (n?: ViewNode) => {
      const pid = pidOf(n); if (pid === undefined || !d.taskActions.breakOnRun.has(pid)) return;
      const r = await d.taskActions.toggleBreakWhenRuns(pid);
      void vscode.window.showInformationMessage(`ksim: ${r.message}`);
    })),
    reg('ksim.task.unwatchState', guarded(async (n?: ViewNode) => {
      const pid = pidOf(n); if (pid === undefined || !d.taskActions.watchingState.has(pid)) return;
      const r = await d.taskActions.toggleWatchState(pid);
      void vscode.window.showInformationMessage(`ksim: ${r.message}`);
    })),
    reg('ksim.task.revealSource', guarded(async (n?: ViewNode) => {
      const eip = n?.data?.savedEip as CodeRef | undefined;
      if (eip?.file && eip.line) await openLocation(eip.file, eip.line);
      else void vscode.window.showInformationMessage('ksim: no source line is known for this task\'s saved eip.');
    })),
  ];
}

/** Timeline click → select the matching row in the side bar views. */
export async function revealInViews(views: KernelViewsController, t: RevealTarget): Promise<void> {
  const pid = t.event?.next?.pid ?? t.span?.task?.pid ?? t.event?.prev?.pid;
  const irq = t.span?.irq;
  if (irq !== undefined) {
    const node = views.provider('ksim.irqs').find(`irq${irq}`);
    if (node) { await views.treeView('ksim.irqs').reveal(node, { select: true, focus: false, expand: true }); return; }
  }
  if (pid !== undefined) {
    const node = views.provider('ksim.tasks').findBy((n) => n.data?.pid === pid && (n.contextValue ?? '').startsWith('task'));
    if (node) { await views.treeView('ksim.tasks').reveal(node, { select: true, focus: false, expand: false }); return; }
  }
  const cpu = t.event?.cpu ?? t.span?.cpu;
  if (cpu !== undefined) {
    const node = views.provider('ksim.cpus').find(`cpu${cpu}`);
    if (node) await views.treeView('ksim.cpus').reveal(node, { select: true, focus: false, expand: true });
  }
}
