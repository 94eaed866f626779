/**
 * Hosts the Context Switch panel: after every stop, the adapter's ksim/contextSwitch view of the CPU
 * that stopped (prev and next stacks, thread.esp/eip, the instructions stepped in switch_to).
 */
import * as vscode from 'vscode';
import { KsimRequest, ContextSwitchResponseBody } from '../../debug-adapter/protocol/kernel-views';
import { ksimView } from '../debug/kernel-requests';
import type { KsimSessionTracker } from '../debug/session-tracker';
import { CONTEXT_SWITCH_BODY, webviewHtml } from './webview-html';

export class ContextSwitchPanel implements vscode.Disposable {
  static readonly viewType = 'ksim.contextSwitch';
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];
  lastBody: ContextSwitchResponseBody | undefined;

  constructor(private readonly extensionUri: vscode.Uri, private readonly tracker: KsimSessionTracker) {
    this.disposables.push(
      tracker.onDidStop(() => { if (this.panel) void this.update(); }),
      tracker.onDidEnd(() => { if (!tracker.session) this.post({ type: 'state', text: 'No ksim session is running.' }); }),
    );
  }

  show(): void {
    if (this.panel) { this.panel.reveal(undefined, true); return; }
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist', 'media');
    const panel = vscode.window.createWebviewPanel(ContextSwitchPanel.viewType, 'Context Switch',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [media, dist] });
    panel.iconPath = vscode.Uri.joinPath(media, 'icons', 'ksim-view.svg');
    panel.webview.html = webviewHtml({
      title: 'Context Switch', cspSource: panel.webview.cspSource, bodyHtml: CONTEXT_SWITCH_BODY,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'context-switch.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'context-switch', 'context-switch.css')).toString(),
    });
    panel.webview.onDidReceiveMessage((m: { type: string }) => {
      if (m.type === 'ready') { this.ready = true; void this.update(); }
      else if (m.type === 'refresh') void this.update();
    }, undefined, this.disposables);
    panel.onDidDispose(() => { this.panel = undefined; this.ready = false; }, undefined, this.disposables);
    this.panel = panel;
  }

  async update(): Promise<void> {
    if (!this.panel || !this.ready) return;
    const session = this.tracker.session;
    if (!session) { this.post({ type: 'state', text: 'No ksim session is running.' }); return; }
    if (!this.tracker.stopped) { this.post({ type: 'state', text: 'Running…' }); return; }
    const body = await ksimView(session, KsimRequest.contextSwitch, {});
    this.lastBody = body;
    this.post({ type: 'contextSwitch', body });
  }

  private post(m: unknown): void { if (this.panel && this.ready) void this.panel.webview.postMessage(m); }

  dispose(): void { this.panel?.dispose(); for (const d of this.disposables) d.dispose(); }
}
