/**
 * Context Switch panel webview script (bundled to dist/media/context-switch.js). The extension posts the
 * ksim/contextSwitch answer after every stop; this script renders it with render.ts.
 */
import type { ContextSwitchResponseBody } from '../../debug-adapter/protocol/kernel-views';
import { contextSwitchHtml, escapeHtml } from './render';

declare function acquireVsCodeApi(): { postMessage(m: unknown): void };
const vscode = acquireVsCodeApi();
const content = document.getElementById('content')!;

window.addEventListener('message', (m: MessageEvent<{ type: 'contextSwitch'; body: ContextSwitchResponseBody } | { type: 'state'; text: string }>) => {
  const msg = m.data;
  if (msg.type === 'state') { content.innerHTML = `<p class="muted">${escapeHtml(msg.text)}</p>`; return; }
  if (!msg.body.available) { content.innerHTML = `<p class="muted">Not available: ${escapeHtml(msg.body.reason)}</p>`; return; }
  content.innerHTML = contextSwitchHtml(msg.body);
});
document.getElementById('refresh')?.addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
document.body.dataset.ksimReady = 'true';
vscode.postMessage({ type: 'ready' });
