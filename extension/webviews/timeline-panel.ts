/**
 * Hosts the Kernel Timeline webview: asks the adapter for ksim/timeline at every stop, posts it to the
 * webview, and turns the webview's "reveal" clicks into selections in the side bar views.
 */
import * as vscode from 'vscode';
import { KsimRequest, TimelineEvent, TimelineSpan, TimelineResponseBody } from '../../debug-adapter/protocol/kernel-views';
import { ksimView } from '../debug/kernel-requests';
import type { KsimSessionTracker } from '../debug/session-tracker';
import { TIMELINE_BODY, webviewHtml } from './webview-html';

export type RevealTarget = { event?: TimelineEvent; span?: TimelineSpan };

export class TimelinePanel implements vscode.Disposable {
  static readonly viewType = 'ksim.timeline';
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];
  /** Last body posted (for tests through the extension API). */
  lastBody: TimelineResponseBody | undefined;

  constructor(private readonly extensionUri: vscode.Uri, private readonly tracker: KsimSessionTracker,
              private readonly onReveal: (t: RevealTarget) => void) {
    this.disposables.push(
      tracker.onDidStop(() => { if (this.panel) void this.update(); }),
      tracker.onDidResume(() => this.post({ type: 'state', text: 'Running… the timeline updates at the next stop.' })),
      tracker.onDidEnd(() => { if (!tracker.session) this.post({ type: 'state', text: 'No ksim session is running.' }); }),
    );
  }

  get isOpen(): boolean { return this.panel !== undefined; }

  show(): void {
    if (this.panel) { this.panel.reveal(); return; }
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist', 'media');
    const panel = vscode.window.createWebviewPanel(TimelinePanel.viewType, 'Kernel Timeline', vscode.ViewColumn.Beside, {
      enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [media, dist],
    });
    panel.iconPath = vscode.Uri.joinPath(media, 'icons', 'ksim-view.svg');
    panel.webview.html = webviewHtml({
      title: 'Kernel Timeline', cspSource: panel.webview.cspSource, bodyHtml: TIMELINE_BODY,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'timeline.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'timeline', 'timeline.css')).toString(),
    });
    panel.webview.onDidReceiveMessage((m: { type: string } & RevealTarget) => {
      if (m.type === 'ready') { this.ready = true; void this.update(); }
      else if (m.type === 'refresh') void this.update();
      else if (m.type === 'reveal') this.onReveal(m);
    }, undefined, this.disposables);
    panel.onDidDispose(() => { this.panel = undefined; this.ready = false; }, undefined, this.disposables);
    this.panel = panel;
  }

  async update(): Promise<void> {
    if (!this.panel || !this.ready) return;
    const session = this.tracker.session;
    if (!session) { this.post({ type: 'state', text: 'No ksim session is running. Start one with F5 (Debug the Bundled Kernel).' }); return; }
    if (!this.tracker.stopped) { this.post({ type: 'state', text: 'Running… the timeline updates at the next stop.' }); return; }
    const maxItems = vscode.workspace.getConfiguration('ksim').get<number>('timeline.maxItems', 20000);
    const body = await ksimView(session, KsimRequest.timeline, { maxItems });
    this.lastBody = body;
    this.post({ type: 'timeline', body });
  }

  private post(m: unknown): void { if (this.panel && this.ready) void this.panel.webview.postMessage(m); }

  dispose(): void { this.panel?.dispose(); for (const d of this.disposables) d.dispose(); }
}
