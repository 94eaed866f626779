// The language server's code lenses (extension/language-server/server.ts) speak LSP to a real client:
// dist/language-server.js is started as the extension starts it (node, --stdio), a `ksim/profile`
// notification is fed as the extension forwards it from the adapter, and the code lenses asked for
// kernel/sched.c must put the profile of schedule on the line gdb says schedule is declared.
import { strict as assert } from 'node:assert';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProfileBody } from '../../debug-adapter/protocol/kernel-views';

const ROOT = path.join(__dirname, '..', '..');
const SERVER = path.join(ROOT, 'dist', 'language-server.js');
const KERNEL = path.join(ROOT, 'simulator', 'guest', 'build', 'ksim-kernel.elf');
const SCHED_C = path.join(ROOT, 'simulator', 'guest', 'kernel', 'sched.c');

interface Lens { range: { start: { line: number } }; command?: { title: string } }

/**
 * The client half of LSP's base protocol, as small as it gets: JSON-RPC messages framed by a
 * Content-Length header on the server's stdin/stdout. Server-to-client requests are answered with null.
 */
class LspClient {
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => { this.buffer = Buffer.concat([this.buffer, chunk]); this.drain(); });
  }

  request(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    this.send({ jsonrpc: '2.0', id, method, params });
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }
  notify(method: string, params: unknown): void { this.send({ jsonrpc: '2.0', method, params }); }

  private send(msg: object): void {
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    this.child.stdin!.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  }

  private drain(): void {
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString('ascii'))![1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const msg = JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8'));
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      if (msg.method !== undefined && msg.id !== undefined) this.send({ jsonrpc: '2.0', id: msg.id, result: null });
      else if (msg.id !== undefined && this.pending.has(msg.id)) {
        const p = this.pending.get(msg.id)!;
        this.pending.delete(msg.id);
        if (msg.error) p.reject(new Error(msg.error.message)); else p.resolve(msg.result);
      }
    }
  }
}

describe('language server: code lenses from a ksim/profile notification', function () {
  this.timeout(120_000);
  let child: ChildProcess;
  let conn: LspClient;

  before(async () => {
    const src = path.join(ROOT, 'extension', 'language-server');
    const newest = Math.max(...fs.readdirSync(src).map((f) => fs.statSync(path.join(src, f)).mtimeMs));
    if (!fs.existsSync(SERVER) || fs.statSync(SERVER).mtimeMs < newest) execFileSync('node', [path.join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
    child = spawn('node', [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    conn = new LspClient(child);
    await conn.request('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: { kernel: KERNEL } });
    conn.notify('initialized', {});
  });
  after(() => { child?.kill(); });

  it("shows schedule's calls and share of instructions above schedule", async () => {
    const uri = pathToFileURL(SCHED_C).toString();
    const before = await conn.request('textDocument/codeLens', { textDocument: { uri } }) as Lens[];
    assert.deepEqual(before, [], 'no lenses before any profile');

    // schedule's entry per binutils' nm. A second function of the same name elsewhere (as a static
    // function of another file would be) must not take schedule's lens: lenses match by address.
    const nm = execFileSync('nm', [KERNEL], { encoding: 'utf8' });
    const schedule = parseInt(/^([0-9a-f]{8}) T schedule$/m.exec(nm)![1], 16);
    const body: ProfileBody = { totalInstructions: 1000, functions: [
      { name: 'schedule', address: schedule, calls: 1234, instructions: 125 },
      { name: 'do_IRQ', address: 0xc0104000, calls: 7, instructions: 70 },
      { name: 'schedule', address: 0xc0000000, calls: 99, instructions: 50 },
    ] };
    conn.notify('ksim/profile', body);
    const lenses = await conn.request('textDocument/codeLens', { textDocument: { uri } }) as Lens[];

    const gdb = execFileSync('gdb', ['-batch', '-nx', '-ex', 'info functions ^schedule$', KERNEL], { encoding: 'utf8' });
    const line = Number(/\n(\d+):\s.*\bschedule\(/.exec(gdb)![1]);
    const atSchedule = lenses.filter((l) => l.range.start.line === line - 1);
    assert.equal(atSchedule.length, 1, `one lens on line ${line}: ${JSON.stringify(lenses)}`);
    assert.equal(atSchedule[0].command?.title, '1,234 calls · 12.5% of instructions (last run)');
    // do_IRQ is not in sched.c, and nothing else in sched.c was profiled.
    assert.equal(lenses.length, 1);
  });
});
