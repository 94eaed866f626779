/**
 * ksim's VS Code extension: the debugger contribution, the kernel views, the webviews, the status bar and
 * the language client. It is thin on purpose — every kernel fact comes from the debug adapter through
 * DAP and the ksim/* custom requests (debug-adapter/protocol/kernel-views.ts).
 *
 * activate() returns a small API (the views' data, the last timeline) used by the integration tests.
 */
import * as vscode from 'vscode';
import { KsimSessionTracker } from './debug/session-tracker';
import { KsimConfigurationProvider, KsimDynamicConfigurations } from './debug/configuration-provider';
import { KsimAdapterFactory } from './debug/adapter-factory';
import { KernelViewsController } from './views/views-controller';
import { ChangedRowDecorations } from './views/kernel-tree-provider';
import { TimelinePanel } from './webviews/timeline-panel';
import { ContextSwitchPanel } from './webviews/context-switch-panel';
import { KsimStatusBar } from './status-bar';
import { TaskActions } from './debug/task-actions';
import { registerCommands, revealInViews } from './commands';
import { startLanguageClient } from './language-client';

export interface KsimExtensionApi {
  tracker: KsimSessionTracker;
  views: KernelViewsController;
  timeline: TimelinePanel;
  contextSwitch: ContextSwitchPanel;
  statusBar: KsimStatusBar;
  /** Tasks view row actions (backtrace, break when it runs, watch its state) and the armed pids. */
  taskActions: TaskActions;
  /** Resolves when the language client has started (undefined when it is disabled or cannot start). */
  languageClientReady: Promise<boolean>;
}

export function activate(context: vscode.ExtensionContext): KsimExtensionApi {
  const output = vscode.window.createOutputChannel('ksim');
  const tracker = new KsimSessionTracker();
  const taskActions = new TaskActions(tracker);
  const views = new KernelViewsController(tracker, output, taskActions, taskActions.onDidChange);
  const timeline = new TimelinePanel(context.extensionUri, tracker, (t) => void revealInViews(views, t));
  const contextSwitch = new ContextSwitchPanel(context.extensionUri, tracker);
  const statusBar = new KsimStatusBar(tracker);

  context.subscriptions.push(
    output, tracker, taskActions, views, timeline, contextSwitch, statusBar,
    vscode.debug.registerDebugConfigurationProvider('ksim', new KsimConfigurationProvider()),
    vscode.debug.registerDebugConfigurationProvider('ksim', new KsimDynamicConfigurations(), vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    vscode.debug.registerDebugAdapterDescriptorFactory('ksim', new KsimAdapterFactory(context.extensionPath, output)),
    vscode.window.registerFileDecorationProvider(new ChangedRowDecorations()),
    ...registerCommands({ context, tracker, views, timeline, contextSwitch, taskActions }),
  );
  const languageClientReady = startLanguageClient(context, output, tracker);
  return { tracker, views, timeline, contextSwitch, statusBar, taskActions, languageClientReady };
}

export function deactivate(): void { /* disposables are released through context.subscriptions */ }
