// Test harness: `ksim dap` (dist/dap.js) driven by @vscode/debugadapter-testsupport's DebugClient.
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const DAP_JS = path.join(ROOT, 'dist', 'dap.js');

/** dist/dap.js is built by `npm test` before mocha; build it when a test file is run on its own. */
export function ensureAdapterBuilt(): void {
  const src = path.join(ROOT, 'debug-adapter');
  const newest = (dir: string): number => fs.readdirSync(dir, { withFileTypes: true }).reduce((m, d) => {
    const p = path.join(dir, d.name);
    return Math.max(m, d.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }, 0);
  if (!fs.existsSync(DAP_JS) || fs.statSync(DAP_JS).mtimeMs < newest(src)) {
    execFileSync('node', [path.join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  }
}

/** Builds the mini kernel fixture into a temporary directory; returns the ELF path. */
export function buildMiniKernel(): string {
  return buildFixtureKernel('mini-kernel');
}

/** Builds fixtures/NAME (its build.sh writes NAME.elf) into a temporary directory; returns the ELF path. */
export function buildFixtureKernel(name: string): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `ksim-${name}-`));
  execFileSync(path.join(__dirname, 'fixtures', name, 'build.sh'), [out]);
  return path.join(out, `${name}.elf`);
}

export async function startClient(): Promise<DebugClient> {
  const dc = new DebugClient('node', DAP_JS, 'ksim');
  dc.defaultTimeout = 60000;
  await dc.start();
  return dc;
}

/**
 * initialize + launch; `configure` runs between `initialized` and configurationDone (set breakpoints
 * there). Resolves with the first stopped event when `expectStop`, else after the launch response.
 */
export async function launch(dc: DebugClient, args: Record<string, unknown>, configure?: () => Promise<unknown>, expectStop = true): Promise<DebugProtocol.StoppedEvent | undefined> {
  const stopped = expectStop ? dc.waitForEvent('stopped') : Promise.resolve(undefined);
  await Promise.all([
    dc.waitForEvent('initialized').then(async () => { if (configure) await configure(); await dc.configurationDoneRequest(); }),
    dc.launch(args),
  ]);
  return (await stopped) as DebugProtocol.StoppedEvent | undefined;
}

/** Resolves with the next stopped event after `action` (continue, next, ...). */
export async function stopAfter(dc: DebugClient, action: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped');
  await action();
  return (await stopped) as DebugProtocol.StoppedEvent;
}

export async function topFrame(dc: DebugClient, threadId: number): Promise<DebugProtocol.StackFrame> {
  const st = await dc.stackTraceRequest({ threadId, levels: 20 });
  return st.body.stackFrames[0];
}

export async function evaluate(dc: DebugClient, expression: string, frameId?: number, context = 'watch'): Promise<string> {
  const r = await dc.evaluateRequest({ expression, frameId, context });
  return r.body.result;
}

/** A gdb oracle: where `break LOCATION` puts a breakpoint in ELF, as "file:line" and address. */
export function gdbBreakLocation(elf: string, location: string): { address: number; line: number } {
  const out = execFileSync('gdb', ['-batch', '-nx', '-ex', `break ${location}`, elf], { encoding: 'utf8' });
  const m = /Breakpoint 1 at (0x[0-9a-f]+): file [^,]+, line (\d+)\./.exec(out);
  if (!m) throw new Error(`gdb did not place 'break ${location}': ${out}`);
  return { address: parseInt(m[1], 16), line: Number(m[2]) };
}

/** Line number of the first source line containing `text` in `file` (1-based). */
export function lineOf(file: string, text: string): number {
  const i = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`'${text}' not in ${file}`);
  return i + 1;
}

/** Everything the adapter prints in `category` output events from now on. */
export function collectOutput(dc: DebugClient, category: string): () => string {
  let text = '';
  dc.on('output', (e: DebugProtocol.OutputEvent) => { if ((e.body.category ?? 'console') === category) text += e.body.output; });
  return () => text;
}
