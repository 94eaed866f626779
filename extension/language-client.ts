/**
 * The language client placeholder: the DWARF language server (language-server/server.ts) is not part
 * of this build yet, so nothing is started.
 */
import type * as vscode from 'vscode';

export function startLanguageClient(_context: vscode.ExtensionContext, _output: vscode.OutputChannel): void {
  /* started once extension/language-server/server.ts exists */
}
