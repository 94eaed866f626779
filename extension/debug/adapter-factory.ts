/**
 * Starts the ksim debug adapter for a session, in one of two ways (setting `ksim.adapter.mode`):
 *  - inline (default): the adapter runs inside the extension host, no process, no serialization —
 *    `new DebugAdapterInlineImplementation(new KsimDebugSession())`;
 *  - process: `node bin/ksim.js dap`, the same adapter other editors (nvim-dap, Emacs) use, on stdio.
 * When the adapter cannot start, the error names the cause and the way out instead of a bare failure.
 */
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadInlineSession } from './inline-session';

export class AdapterStartError extends Error {}

export class KsimAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly extensionPath: string, private readonly output: vscode.OutputChannel) {}

  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    const cfg = vscode.workspace.getConfiguration('ksim');
    const mode = cfg.get<string>('adapter.mode', 'inline');
    this.output.appendLine(`starting the ksim debug adapter (${mode}) for "${session.name}"`);
    if (mode === 'process') {
      const cli = path.join(this.extensionPath, 'bin', 'ksim.js');
      const dist = path.join(this.extensionPath, 'dist', 'cli.js');
      if (!fs.existsSync(cli) || !fs.existsSync(dist)) {
        throw new AdapterStartError(`ksim: cannot start \`ksim dap\`: ${!fs.existsSync(cli) ? cli : dist} is missing (run \`npm run build\`).`);
      }
      const node = cfg.get<string>('adapter.nodePath', 'node') || 'node';
      return new vscode.DebugAdapterExecutable(node, [cli, 'dap'], { cwd: this.extensionPath });
    }
    const Session = loadInlineSession();
    if (Session instanceof Error) throw new AdapterStartError(`ksim: cannot start the debug adapter: ${Session.message}`);
    try {
      return new vscode.DebugAdapterInlineImplementation(new Session());
    } catch (e) {
      throw new AdapterStartError(`ksim: the debug adapter failed to start: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
