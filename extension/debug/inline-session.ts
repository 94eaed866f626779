/**
 * Where the in-process debug adapter comes from. The adapter (debug-adapter/session.ts, class
 * KsimDebugSession) is bundled into dist/extension.js; this module is the only place that names it, so
 * the rest of the extension builds and tests without it.
 */
import type * as vscode from 'vscode';

export type InlineSessionConstructor = new () => vscode.DebugAdapter;

/** The adapter class, or an Error explaining why it cannot be loaded. */
export function loadInlineSession(): InlineSessionConstructor | Error {
  return new Error('this build of the ksim extension does not contain the in-process debug adapter ' +
    '(debug-adapter/session.ts was not built). Set "ksim.adapter.mode": "process" to run `ksim dap` instead.');
}
