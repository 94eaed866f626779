// `ksim dap` on a small kernel of known shape (test/adapter/fixtures/mini-kernel): launch validation,
// stops, breakpoints of every kind, stepping, data breakpoints, expressions, memory and disassembly.
// Oracles: gdb (breakpoint placement), objdump (disassembly), the fixture's own source lines.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { buildMiniKernel, collectOutput, ensureAdapterBuilt, evaluate, gdbBreakLocation, launch, lineOf, startClient, stopAfter, topFrame } from './dap-harness';

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
  afterEach(async function () { await dc?.stop(); });

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

  it('stops at a function breakpoint where gdb puts `break tick`, with the caller below', async function () {
    const oracle = gdbBreakLocation(elf, 'tick');
    let verified: boolean | undefined;
    const ev = await launch(dc, { kernel: elf, cpus: 1 }, async () => {
      const r = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'tick' }] });
      verified = r.body.breakpoints[0].verified;
    });
    assert.equal(verified, true);
    assert.equal(ev!.body.reason, 'function breakpoint');
    const st = await dc.stackTraceRequest({ threadId: 1 });
    const [f0, f1] = st.body.stackFrames;
    assert.equal(parseInt(f0.instructionPointerReference!, 16), oracle.address);
    assert.equal(f0.name, 'tick');
    assert.equal(f0.line, oracle.line);
    assert.equal(path.basename(f0.source!.path!), 'kernel.c');
    assert.ok(fs.existsSync(f0.source!.path!), `source path ${f0.source!.path} exists`);
    assert.equal(f1.name, 'kmain');
    assert.equal(f1.line, lineOf(SRC, 'tick(i);'));
  });

  it('reports an unknown function breakpoint as unverified with a reason', async function () {
    await launch(dc, { kernel: elf, stopOnEntry: true }, async () => {
      const r = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'no_such_function' }] });
      assert.equal(r.body.breakpoints[0].verified, false);
      assert.match(r.body.breakpoints[0].message!, /no function or label 'no_such_function'/);
    });
  });

  it('line breakpoints: hit condition, condition and log point', async function () {
    const line = lineOf(SRC, 'counter = counter + 1;');
    const logLine = lineOf(SRC, 'last_value = s;');
    const output = collectOutput(dc, 'console');
    const ev = await launch(dc, { kernel: elf }, async () => {
      const r = await dc.setBreakpointsRequest({
        source: { path: SRC },
        breakpoints: [{ line, hitCondition: '5' }, { line: logLine, logMessage: 'tick {counter} square {last_value}' }],
      });
      assert.deepEqual(r.body.breakpoints.map((b) => b.verified), [true, true]);
    });
    assert.equal(ev!.body.reason, 'breakpoint');
    const f = await topFrame(dc, 1);
    assert.equal(f.line, line);
    // Stopped on the 5th hit, before the 5th increment: four increments happened.
    assert.match(await evaluate(dc, 'counter', f.id), /^4\b/);
    // The log point printed once per passage with its expressions interpolated (values before the store).
    assert.ok(output().includes('tick 3 square 4\n'), output());
    assert.ok(output().includes('tick 0 square 0\n'), output());

    // A condition replaces the hit condition: stop when counter reaches 10.
    await dc.setBreakpointsRequest({ source: { path: SRC }, breakpoints: [{ line, condition: 'counter == 10' }] });
    await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.match(await evaluate(dc, 'counter', (await topFrame(dc, 1)).id), /^10\b/);
  });

  it('a breakpoint on a line without code moves to the next line with code', async function () {
    const blank = lineOf(SRC, 'unsigned int s = square(i);') - 2; // the "{" of tick()
    await launch(dc, { kernel: elf, stopOnEntry: true }, async () => {
      const r = await dc.setBreakpointsRequest({ source: { path: SRC }, breakpoints: [{ line: blank }] });
      assert.equal(r.body.breakpoints[0].verified, true);
      assert.ok(r.body.breakpoints[0].line! > blank);
      assert.match(r.body.breakpoints[0].message!, /moved to line/);
    });
  });

  it('next steps over a call, stepIn enters it at gdb\'s breakpoint address, stepOut returns', async function () {
    const callLine = lineOf(SRC, 'tick(i);');
    await launch(dc, { kernel: elf }, () => dc.setBreakpointsRequest({ source: { path: SRC }, breakpoints: [{ line: callLine }] }));
    assert.equal((await topFrame(dc, 1)).line, callLine);
    const counterBefore = await evaluate(dc, 'counter');
    // next: over tick(), back on the loop header line, with tick having run once.
    let ev = await stopAfter(dc, () => dc.nextRequest({ threadId: 1 }));
    assert.equal(ev.body.reason, 'step');
    let f = await topFrame(dc, 1);
    assert.equal(f.name, 'kmain');
    assert.notEqual(f.line, callLine);
    assert.equal(parseInt(await evaluate(dc, 'counter')), parseInt(counterBefore) + 1);
    // Back to the call line, then step into tick().
    await dc.setBreakpointsRequest({ source: { path: SRC }, breakpoints: [{ line: callLine }] });
    await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    await dc.setBreakpointsRequest({ source: { path: SRC }, breakpoints: [] });
    ev = await stopAfter(dc, () => dc.stepInRequest({ threadId: 1 }));
    f = await topFrame(dc, 1);
    assert.equal(f.name, 'tick');
    assert.equal(parseInt(f.instructionPointerReference!, 16), gdbBreakLocation(elf, 'tick').address);
    // stepOut: back in kmain at the return address, the instruction after `call tick` (objdump).
    ev = await stopAfter(dc, () => dc.stepOutRequest({ threadId: 1 }));
    f = await topFrame(dc, 1);
    assert.equal(f.name, 'kmain');
    const dis = execFileSync('objdump', ['-d', '--no-show-raw-insn', elf], { encoding: 'utf8' });
    const after = /call\s+[0-9a-f]+ <tick>\n\s+([0-9a-f]+):/.exec(dis);
    assert.ok(after, 'objdump shows the call of tick');
    assert.equal(parseInt(f.instructionPointerReference!, 16), parseInt(after![1], 16));
  });

  it('instruction stepping advances by exactly one instruction (objdump boundaries)', async function () {
    await launch(dc, { kernel: elf }, () => dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'square' }] }));
    const dis = execFileSync('objdump', ['-d', '--no-show-raw-insn', elf], { encoding: 'utf8' });
    const addrs = [...dis.matchAll(/^\s+([0-9a-f]+):/gm)].map((m) => parseInt(m[1], 16));
    let pc = parseInt((await topFrame(dc, 1)).instructionPointerReference!, 16);
    for (let i = 0; i < 3; i++) {
      await stopAfter(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
      const next = parseInt((await topFrame(dc, 1)).instructionPointerReference!, 16);
      assert.equal(next, addrs[addrs.indexOf(pc) + 1], `step ${i} from 0x${pc.toString(16)}`);
      pc = next;
    }
  });

  it('a data breakpoint on counter stops after each write', async function () {
    await launch(dc, { kernel: elf }, () => dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'kmain' }] }));
    const info = await dc.dataBreakpointInfoRequest({ name: 'counter' });
    assert.ok(info.body.dataId, info.body.description);
    assert.deepEqual(info.body.accessTypes, ['write', 'read', 'readWrite']);
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const r = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    assert.equal(r.body.breakpoints[0].verified, true);
    for (let expected = 1; expected <= 3; expected++) {
      const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
      assert.equal(ev.body.reason, 'data breakpoint');
      assert.equal(parseInt(await evaluate(dc, 'counter')), expected);
      assert.equal((await topFrame(dc, 1)).name, 'tick');
    }
  });

  it('disassembles around eip like objdump, and reads memory', async function () {
    await launch(dc, { kernel: elf }, () => dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'tick' }] }));
    const f = await topFrame(dc, 1);
    const pc = parseInt(f.instructionPointerReference!, 16);
    const r = await dc.disassembleRequest({ memoryReference: f.instructionPointerReference!, instructionOffset: -4, instructionCount: 10 });
    const rows = r.body!.instructions;
    assert.equal(rows.length, 10);
    assert.equal(parseInt(rows[4].address, 16), pc);
    const dis = execFileSync('objdump', ['-d', '-w', elf], { encoding: 'utf8' });
    for (const row of rows) {
      const a = parseInt(row.address, 16).toString(16);
      const m = new RegExp(`^\\s+${a}:\\t([0-9a-f ]+?)\\s*\\t`, 'm').exec(dis);
      assert.ok(m, `objdump has an instruction at 0x${a}`);
      assert.equal(row.instructionBytes, m![1].trim());
    }
    assert.ok(rows.some((row) => row.symbol === 'tick'), 'the rows carry symbols');
    const counterAddr = parseInt(execFileSync('nm', [elf], { encoding: 'utf8' }).match(/^([0-9a-f]+) [bBdD] counter$/m)![1], 16);
    const mem = await dc.customRequest('readMemory', { memoryReference: `0x${counterAddr.toString(16)}`, count: 4 });
    const bytes = Buffer.from(mem.body.data, 'base64');
    assert.equal(bytes.readUInt32LE(0), parseInt(await evaluate(dc, 'counter')));
  });

  it('answers invalid requests with errors and keeps working', async function () {
    await launch(dc, { kernel: elf, stopOnEntry: true });
    await assert.rejects(dc.stackTraceRequest({ threadId: 99 }), /unknown thread 99/);
    await assert.rejects(dc.evaluateRequest({ expression: '1 +* (', context: 'watch' }), /expected|unexpected|incomplete/);
    await assert.rejects(dc.evaluateRequest({ expression: 'no_such_symbol', context: 'watch' }), /no symbol .no_such_symbol./i);
    await assert.rejects(dc.customRequest('ksim/noSuchThing'), /unknown request 'ksim\/noSuchThing'/);
    await assert.rejects(dc.disassembleRequest({ memoryReference: 'nowhere', instructionCount: 3 }), /not an address/);
    await assert.rejects(dc.setBreakpointsRequest({ source: { path: SRC }, breakpoints: [{ line: 10, hitCondition: 'often' }] }).then((r) => {
      if (!r.body.breakpoints[0].verified) throw new Error(r.body.breakpoints[0].message);
    }), /hit condition 'often'/);
    await assert.rejects(dc.pauseRequest({ threadId: 1 }), /already stopped/);
    await dc.continueRequest({ threadId: 1 });
    await assert.rejects(dc.continueRequest({ threadId: 1 }), /running/);
    const paused = await stopAfter(dc, () => dc.pauseRequest({ threadId: 1 }));
    assert.equal(paused.body.reason, 'pause');
    await dc.continueRequest({ threadId: 1 });
    // Still alive: the machine runs to its end and exits with isa-debug-exit's (0 << 1) | 1.
    const exited = await dc.waitForEvent('exited');
    assert.equal(exited.body.exitCode, 1);
  });
});
