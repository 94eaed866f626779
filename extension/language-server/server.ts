/**
 * The ksim language server (bundled to dist/language-server.js, started by extension/language-client.ts).
 * Serves the kernel's C and assembly sources from the kernel ELF's DWARF: hover layouts, go to
 * definition, workspace symbols, and code lenses with the last run's per-function profile (sent by the
 * extension as the `ksim/profile` notification, from the adapter's ksim/profile request).
 */
import {
  createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind, MarkupKind, SymbolKind,
  type InitializeParams, type Hover, type Location, type CodeLens, type WorkspaceSymbol,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadSymbols } from '../../debug-adapter/symbols';
import type { ProfileBody } from '../../debug-adapter/protocol/kernel-views';
import { KernelDwarfIndex } from './dwarf-index';
import { wordAt, profileLensTitle } from './text-utils';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
let index: KernelDwarfIndex | undefined;
let kernelPath = '';
let sourceRoot = '';
/** The last profile, by entry address (exact: static functions may share a name) and by name. */
let profile: { byAddress: Map<number, FunctionCounts>; byName: Map<string, FunctionCounts> } | undefined;
interface FunctionCounts { calls: number; instructions: number }
let totalInstructions = 0;

/** DWARF paths are the build machine's; find the file here by the longest existing tail under the
 *  kernel's source tree (the ELF lives in <tree>/build/). */
function resolveSource(file: string): string | undefined {
  if (existsSync(file)) return file;
  const parts = file.split(/[\\/]/).filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const candidate = path.join(sourceRoot, ...parts.slice(i));
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function uriOf(file: string): string | undefined {
  const p = resolveSource(file);
  return p ? pathToFileURL(p).toString() : undefined;
}

connection.onInitialize((params: InitializeParams) => {
  kernelPath = (params.initializationOptions as { kernel?: string } | undefined)?.kernel ?? '';
  sourceRoot = path.dirname(path.dirname(kernelPath));
  try {
    index = new KernelDwarfIndex(loadSymbols(readFileSync(kernelPath)));
  } catch (e) {
    connection.console.error(`ksim language server: cannot read ${kernelPath}: ${e instanceof Error ? e.message : e}`);
  }
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      definitionProvider: true,
      workspaceSymbolProvider: true,
      codeLensProvider: { resolveProvider: false },
    },
    serverInfo: { name: 'ksim-dwarf', version: '0.1.0' },
  };
});

connection.onHover(({ textDocument, position }): Hover | null => {
  const doc = documents.get(textDocument.uri);
  if (!doc || !index) return null;
  const w = wordAt(doc.getText({ start: { line: position.line, character: 0 }, end: { line: position.line + 1, character: 0 } }), position.character);
  if (!w) return null;
  const text = index.hover(w.word, w.previous);
  return text ? { contents: { kind: MarkupKind.Markdown, value: text } } : null;
});

connection.onDefinition(({ textDocument, position }): Location[] => {
  const doc = documents.get(textDocument.uri);
  if (!doc || !index) return [];
  const w = wordAt(doc.getText({ start: { line: position.line, character: 0 }, end: { line: position.line + 1, character: 0 } }), position.character);
  if (!w) return [];
  return index.definition(w.word).flatMap((d) => {
    const uri = uriOf(d.file);
    return uri ? [{ uri, range: { start: { line: d.line - 1, character: 0 }, end: { line: d.line - 1, character: 0 } } }] : [];
  });
});

connection.onWorkspaceSymbol(({ query }): WorkspaceSymbol[] => {
  if (!index) return [];
  return index.workspaceSymbols(query).flatMap((s) => {
    const uri = uriOf(s.file);
    return uri ? [{ name: s.name, kind: s.kind === 'variable' ? SymbolKind.Variable : SymbolKind.Function,
      containerName: path.basename(s.file), location: { uri, range: { start: { line: s.line - 1, character: 0 }, end: { line: s.line - 1, character: 0 } } } }] : [];
  });
});

connection.onCodeLens(({ textDocument }): CodeLens[] => {
  if (!index || !profile) return [];
  const file = textDocument.uri.startsWith('file:') ? fileURLToPath(textDocument.uri) : textDocument.uri;
  return index.functionsInFile(file).flatMap((f) => {
    const p = profile!.byAddress.get(f.address) ?? profile!.byName.get(f.name);
    if (!p) return [];
    return [{ range: { start: { line: f.line - 1, character: 0 }, end: { line: f.line - 1, character: 0 } },
      command: { title: profileLensTitle(p.calls, p.instructions, totalInstructions), command: '' } }];
  });
});

connection.onNotification('ksim/profile', (body: ProfileBody) => {
  const byAddress = new Map<number, FunctionCounts>(), byName = new Map<string, FunctionCounts>();
  for (const f of body.functions) {
    const counts = { calls: f.calls, instructions: f.instructions };
    byAddress.set(f.address, counts);
    if (!byName.has(f.name)) byName.set(f.name, counts); // most instructions first: keep the busiest
  }
  profile = { byAddress, byName };
  totalInstructions = body.totalInstructions;
  void connection.sendRequest('workspace/codeLens/refresh').catch(() => { /* client without refresh support */ });
});

documents.listen(connection);
connection.listen();
