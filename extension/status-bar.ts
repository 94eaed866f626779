/**
 * The ksim status bar item: virtual time (jiffies, instructions) and the task on each CPU, from the
 * adapter's ksim/status events. Visible only while a ksim session exists; click opens the timeline.
 */
import * as vscode from 'vscode';
import type { StatusEventBody } from '../debug-adapter/protocol/kernel-views';
import type { KsimSessionTracker } from './debug/session-tracker';
import { statusText, statusTooltip } from './status-text';

export class KsimStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('ksim.status', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [];
  last: StatusEventBody | undefined;

  constructor(tracker: KsimSessionTracker) {
    this.item.name = 'ksim virtual time';
    this.item.command = 'ksim.showTimeline';
    this.disposables.push(
      this.item,
      tracker.onDidStart(() => { this.item.text = '$(loading~spin) ksim · starting'; this.item.tooltip = 'ksim: booting the kernel'; this.show(); }),
      tracker.onDidStatus((s) => this.update(s)),
      tracker.onDidStop(() => { if (this.last && this.last.state === 'running') this.update({ ...this.last, state: 'stopped' }); }),
      tracker.onDidEnd(() => { if (!tracker.session) { this.item.hide(); this.last = undefined; } }),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('ksim.statusBar.enabled') && !this.enabled()) this.item.hide(); }),
    );
  }

  private enabled(): boolean { return vscode.workspace.getConfiguration('ksim').get<boolean>('statusBar.enabled', true); }
  private show(): void { if (this.enabled()) this.item.show(); }

  update(s: StatusEventBody): void {
    this.last = s;
    this.item.text = statusText(s);
    this.item.tooltip = new vscode.MarkdownString(statusTooltip(s));
    this.show();
  }

  dispose(): void { for (const d of this.disposables) d.dispose(); }
}
