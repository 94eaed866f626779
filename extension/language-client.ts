/**
 * Starts the ksim language server for the kernel's C and assembly sources (any file: scheme document in
 * C or GNU assembler), with the kernel ELF whose DWARF answers. The client adds what only the editor
 * knows: while a ksim session is stopped, hovers also show the live value (DAP `evaluate`, context
 * "hover", in the selected stack frame); after each stop the adapter's ksim/profile feeds the code lenses.
 */
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { KsimRequest, isUnavailable } from '../debug-adapter/protocol/kernel-views';
import { ksimView } from './debug/kernel-requests';
import type { KsimSessionTracker } from './debug/session-tracker';

export function kernelForLanguageServer(extensionPath: string): string {
  const configured = vscode.workspace.getConfiguration('ksim').get<string>('languageServer.kernel', '');
  if (configured) return configured;
  const ws = (vscode.workspace.workspaceFolders ?? []).map((f) => path.join(f.uri.fsPath, 'simulator', 'guest', 'build', 'ksim-kernel.elf'));
  return [...ws, path.join(extensionPath, 'simulator', 'guest', 'build', 'ksim-kernel.elf')].find((p) => fs.existsSync(p)) ?? '';
}

/** Starts the client; resolves true once the server answered `initialize`, false when not started. */
export async function startLanguageClient(context: vscode.ExtensionContext, output: vscode.OutputChannel, tracker: KsimSessionTracker): Promise<boolean> {
  const cfg = vscode.workspace.getConfiguration('ksim');
  if (!cfg.get<boolean>('languageServer.enabled', true)) return false;
  const serverModule = context.asAbsolutePath(path.join('dist', 'language-server.js'));
  const kernel = kernelForLanguageServer(context.extensionPath);
  if (!fs.existsSync(serverModule) || !kernel) {
    output.appendLine(`language server not started: ${!fs.existsSync(serverModule) ? serverModule + ' is missing' : 'no kernel ELF found'}`);
    return false;
  }
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc },
  };
  const clientOptions: LanguageClientOptions = {
    // VS Code gives .h files the language id "cpp"; the kernel's headers (inline functions, structs)
    // are C, so they are selected by extension as well.
    documentSelector: [{ scheme: 'file', language: 'c' }, { scheme: 'file', language: 'ksim-gas' },
      { scheme: 'file', language: 'cpp', pattern: '**/*.h' }],
    initializationOptions: { kernel },
    middleware: {
      provideHover: async (document, position, token, next) => {
        const base = await next(document, position, token);
        const live = await liveValue(tracker, document, position);
        if (!live) return base;
        const parts = base ? [...base.contents] : [];
        parts.push(new vscode.MarkdownString(`**live** (${live.where}): \`${live.value}\``));
        return new vscode.Hover(parts, base?.range);
      },
    },
  };
  const client = new LanguageClient('ksim.languageServer', 'ksim kernel sources (DWARF)', serverOptions, clientOptions);
  context.subscriptions.push(client);
  // After each stop the code lenses get the run's profile so far; the server then asks VS Code to
  // refresh the lenses of every open editor (workspace/codeLens/refresh).
  let profileProblem = '';
  const sendProfile = async (session: vscode.DebugSession) => {
    const body = await ksimView(session, KsimRequest.profile, {});
    if (isUnavailable(body)) {
      // Said once per distinct reason, not at every stop.
      if (body.reason !== profileProblem) output.appendLine(`code lenses: no profile from the adapter: ${body.reason}`);
      profileProblem = body.reason;
      return;
    }
    profileProblem = '';
    if (client.isRunning()) await client.sendNotification('ksim/profile', body);
  };
  context.subscriptions.push(tracker.onDidStop((s) => {
    if (vscode.workspace.getConfiguration('ksim').get<boolean>('codeLens.enabled', true)) void sendProfile(s.session);
  }));
  try {
    await client.start();
    return true;
  } catch (e) {
    output.appendLine(`language server failed to start: ${e instanceof Error ? e.message : String(e)}`);
    return false;
  }
}

async function liveValue(tracker: KsimSessionTracker, document: vscode.TextDocument, position: vscode.Position): Promise<{ value: string; where: string } | undefined> {
  const stop = tracker.stopped;
  if (!stop) return undefined;
  const range = document.getWordRangeAtPosition(position, /[A-Za-z_][A-Za-z0-9_]*/);
  if (!range) return undefined;
  const item = vscode.debug.activeStackItem;
  const frameId = item instanceof vscode.DebugStackFrame && item.session === stop.session ? item.frameId : undefined;
  try {
    const r = await stop.session.customRequest('evaluate', { expression: document.getText(range), context: 'hover', frameId });
    return r?.result ? { value: String(r.result), where: frameId !== undefined ? 'selected frame' : 'globals' } : undefined;
  } catch {
    return undefined;
  }
}
