// `ksim dap` on a small kernel of known shape (test/adapter/fixtures/mini-kernel): launch validation,
// stops, breakpoints of every kind, stepping, data breakpoints, expressions, memory and disassembly.
// Oracles: gdb (breakpoint placement), objdump (disassembly), the fixture's own source lines.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { buildMiniKernel, ensureAdapterBuilt, evaluate, gdbBreakLocation, launch, lineOf, startClient, stopAfter, topFrame } from './dap-harness';

const SRC = path.join(__dirname, 'fixtures', 'mini-kernel', 'kernel.c');

describe('adapter: ksim dap on the mini kernel', function () {
  this.timeout(120000);
  let elf: string;
  let dc: DebugClient;

  before(function () {
    ensureAdapterBuilt();
    elf = buildMiniKernel();
  });
  beforeEach(async function () { dc = await startClient(); });
  afterEach(async function () { await dc.stop(); });

  describe('launch validation', function () {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ cpus: 12 }, /'cpus'.*1 to 8/],
      [{ cpus: 'two' }, /'cpus'/],
      [{ disassemblyFlavor: 'masm' }, /'disassemblyFlavor'/],
      [{ stopOnEntry: 'yes' }, /'stopOnEntry'/],
      [{ cpu: 2 }, /unknown launch attribute 'cpu'/],
      [{ serialInput: [{ bytes: 'ps\n' }] }, /'serialInput'/],
      [{ kernel: '/nonexistent/k.elf' }, /'kernel'.*no such file/],
    ];
    for (const [args, re] of bad) {
      it(`rejects ${JSON.stringify(args)} naming the attribute, and stays alive`, async function () {
        await dc.initializeRequest();
        await assert.rejects(dc.launchRequest({ ...(args.kernel ? {} : { kernel: elf }), ...args } as never), re);
        const threads = await dc.threadsRequest();
        assert.deepEqual(threads.body.threads, []);
      });
    }

    it('answers a file that is not a kernel with the same message as ksim run', async function () {
      const notElf = path.join(os.tmpdir(), `ksim-not-elf-${process.pid}.bin`);
      fs.writeFileSync(notElf, 'this is not an ELF file at all, just text');
      let cliMessage = '';
      try {
        execFileSync('node', [path.join(__dirname, '..', '..', 'dist', 'cli.js'), 'run', '--kernel', notElf], { encoding: 'utf8', stdio: 'pipe' });
      } catch (e) {
        cliMessage = String((e as { stderr: string }).stderr).trim();
      }
      assert.ok(cliMessage.length > 0, 'ksim run printed an error');
      await dc.initializeRequest();
      await assert.rejects(dc.launchRequest({ kernel: notElf } as never), (err: Error) => {
        // ksim run prints "ksim: <message>"; the adapter says "kernel <path>: <message>".
        const core = cliMessage.replace(/^ksim:\s*/, '').replace(/^.*?:\s*(?=[^:]*$)/, '');
        assert.ok(err.message.includes(core), `'${err.message}' does not contain '${core}'`);
        return true;
      });
      fs.rmSync(notElf);
    });
  });

  it('stops on entry at the multiboot entry point with one thread per CPU', async function () {
    const ev = await launch(dc, { kernel: elf, cpus: 2, stopOnEntry: true });
    assert.equal(ev!.body.reason, 'entry');
    const threads = (await dc.threadsRequest()).body.threads;
    assert.deepEqual(threads.map((t) => t.id), [1, 2]);
    assert.match(threads[0].name, /^CPU 0/);
    assert.match(threads[1].name, /^CPU 1 · not started/);
    const entry = parseInt(execFileSync('readelf', ['-h', elf], { encoding: 'utf8' }).match(/Entry point address:\s+(0x[0-9a-f]+)/)![1], 16);
    const f = await topFrame(dc, 1);
    assert.equal(parseInt(f.instructionPointerReference!, 16), entry);
    assert.match(f.name, /_start/);
  });
});
