/**
 * The HTML shell of ksim's webviews. Security: a Content-Security-Policy that allows nothing by default,
 * styles and images only from the extension (the webview's own `cspSource`), and scripts only when they
 * carry this page's random nonce — so no inline handler, no eval and no remote content can run.
 */
import { randomBytes } from 'node:crypto';

export interface WebviewShell {
  title: string;
  /** webview.cspSource */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  /** Trusted markup placed before the script (toolbar, containers). */
  bodyHtml: string;
  nonce?: string;
}

/** 128 random bits, base64: unguessable per page load. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function webviewHtml(s: WebviewShell): string {
  const nonce = s.nonce ?? makeNonce();
  const esc = (x: string) => x.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy(s.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${esc(s.styleUri)}">
<title>${esc(s.title)}</title>
</head>
<body>
${s.bodyHtml}
<script nonce="${nonce}" src="${esc(s.scriptUri)}"></script>
</body>
</html>`;
}

export const TIMELINE_BODY = `<header>
<h1>Kernel Timeline</h1>
<button id="fit" title="Show the whole trace (0)">Fit</button>
<button id="last-switch" title="Select the last context switch">Last switch</button>
<button id="refresh" title="Ask the adapter again">Refresh</button>
<span id="status" role="status">Waiting for a ksim session to stop…</span>
</header>
<div class="legend" aria-hidden="true">
<span class="sw sw-task">task</span><span class="sw sw-idle">idle</span>
<span class="sw sw-syscall">syscall</span><span class="sw sw-exception">exception</span>
<span class="sw sw-hardirq">hardirq</span><span class="sw sw-softirq">softirq</span>
<span class="sw sw-tasklet">tasklet</span><span class="sw sw-work">work</span>
<span class="sw sw-switch">context switch</span><span class="sw sw-ipi">IPI</span>
</div>
<div id="timeline"></div>
<div id="card" role="tooltip" hidden></div>
<div id="live" class="sr-only" aria-live="polite"></div>`;

export const CONTEXT_SWITCH_BODY = `<header>
<h1>Context Switch</h1>
<button id="refresh" title="Ask the adapter again">Refresh</button>
</header>
<main id="content"><p class="muted">Waiting for a ksim session to stop…</p></main>`;
