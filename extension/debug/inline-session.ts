/**
 * Where the in-process debug adapter comes from: debug-adapter/session.ts (class KsimDebugSession),
 * bundled into dist/extension.js. This module is the only place in extension/ that names it.
 */
import type * as vscode from 'vscode';
import { KsimDebugSession } from '../../debug-adapter/session';

export type InlineSessionConstructor = new () => vscode.DebugAdapter;

/** The adapter class, or an Error explaining why it cannot be loaded. */
export function loadInlineSession(): InlineSessionConstructor | Error {
  if (typeof KsimDebugSession !== 'function') {
    return new Error('this build of the ksim extension does not contain the in-process debug adapter. ' +
      'Set "ksim.adapter.mode": "process" to run `ksim dap` instead.');
  }
  return KsimDebugSession as unknown as InlineSessionConstructor;
}
