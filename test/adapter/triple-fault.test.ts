// A guest triple fault is a stop, not the end of the session: fixtures/triple-fault pages, loads an
// empty IDT and writes to an unmapped page (#PF, whose delivery faults: #DF, whose delivery faults: shutdown). Oracle: QEMU running
// the same ELF with `-d int` (the vectors it delivers and the fault that shut it down, and the
// registers it logs when the #PF is raised) and the fixture's source line of the faulting write.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { buildFixtureKernel, collectOutput, ensureAdapterBuilt, evaluate, launch, lineOf, startClient, stopAfter } from './dap-harness';

const SRC = path.join(__dirname, 'fixtures', 'triple-fault', 'kernel.c');

/** The mnemonics of the Intel SDM, written out here independently of the adapter's table. */
const SDM: Record<number, string> = { 8: '#DF', 13: '#GP', 14: '#PF' };

interface QemuFault { chain: number[]; pc: number; esp: number; eax: number; cr2: number }

/**
 * QEMU's view of the fault: each delivery it attempts is logged as `N: v=XX ...` (#PF, then #DF: the
 * #GP raised while delivering #PF is folded into the double fault, SDM vol. 3A table 6-5), and the
 * fault while delivering #DF as the last `check_exception old: 0x8 new 0xd`; plus the state it dumps
 * when the first exception is raised.
 */
function qemuTripleFault(elf: string): QemuFault {
  const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ksim-qemu-')), 'int.log');
  try {
    execFileSync('qemu-system-i386', ['-kernel', elf, '-d', 'int,cpu_reset', '-D', log, '-no-reboot', '-display', 'none', '-serial', 'none', '-monitor', 'none'], { timeout: 60000, stdio: 'ignore' });
  } catch { /* -no-reboot: QEMU exits after the triple fault; the log is what matters */ }
  const text = fs.readFileSync(log, 'utf8');
  assert.match(text, /Triple fault/, 'QEMU saw a triple fault');
  const chain = [...text.matchAll(/^\s+\d+: v=([0-9a-f]+) /gm)].map((m) => parseInt(m[1], 16));
  const last = [...text.matchAll(/check_exception old: 0x([0-9a-f]+) new 0x([0-9a-f]+)\nTriple fault/g)][0];
  assert.ok(last, 'QEMU logged the fault that shut it down');
  chain.push(parseInt(last[2], 16));
  const first = /v=0e e=[0-9a-f]+ i=0 cpl=0 IP=[0-9a-f]+:([0-9a-f]+) pc=[0-9a-f]+ SP=[0-9a-f]+:([0-9a-f]+) CR2=([0-9a-f]+)\nEAX=([0-9a-f]+)/.exec(text);
  assert.ok(first, 'QEMU logged the #PF');
  return { chain, pc: parseInt(first![1], 16), esp: parseInt(first![2], 16), cr2: parseInt(first![3], 16), eax: parseInt(first![4], 16) };
}

describe('adapter: a triple fault stops the session instead of ending it', function () {
  this.timeout(120000);
  let elf: string;
  let qemu: QemuFault;
  let dc: DebugClient;

  before(function () {
    ensureAdapterBuilt();
    elf = buildFixtureKernel('triple-fault');
    qemu = qemuTripleFault(elf);
    assert.deepEqual(qemu.chain, [14, 8, 13], 'the fixture faults as its comment says');
  });
  beforeEach(async function () { dc = await startClient(); });
  afterEach(async function () { await dc?.stop(); });

  it('stops with reason exception naming the CPU and QEMU\'s vector chain; the state at the fault is inspectable', async function () {
    const ev = await launch(dc, { kernel: elf, cpus: 1 });
    assert.equal(ev!.body.reason, 'exception');
    const chainText = qemu.chain.map((v) => SDM[v]);
    const description = ev!.body.description ?? '';
    assert.match(description, /^triple fault on CPU 0: /);
    let at = 0;
    for (const m of chainText) { const i = description.indexOf(m, at); assert.ok(i >= at, `${m} in order in '${description}'`); at = i + m.length; }
    assert.match(description, /→ shutdown$/);

    // Stack: the faulting write, its caller below; pc and registers as QEMU had them at the #PF.
    const st = (await dc.stackTraceRequest({ threadId: ev!.body.threadId!, levels: 10 })).body.stackFrames;
    assert.equal(st[0].name, 'write_unmapped');
    assert.equal(st[0].line, lineOf(SRC, 'value; /* the faulting write */'));
    assert.equal(parseInt(st[0].instructionPointerReference!, 16), qemu.pc);
    assert.equal(st[1].name, 'kmain');
    assert.equal(Number(await evaluate(dc, '$esp', st[0].id)), qemu.esp);
    assert.equal(Number(await evaluate(dc, '$eax', st[0].id)), qemu.eax);
    assert.equal(Number(await evaluate(dc, '$cr2', st[0].id)), qemu.cr2);
    assert.equal(Number(await evaluate(dc, 'value', st[0].id)), 0x1234);

    const scopes = (await dc.scopesRequest({ frameId: st[0].id })).body.scopes;
    const regs = scopes.find((s) => s.name === 'Registers')!;
    const regVars = (await dc.variablesRequest({ variablesReference: regs.variablesReference })).body.variables;
    assert.ok(regVars.some((v) => /eip/i.test(v.name) && parseInt(v.value, 16) === qemu.pc), 'eip in the Registers scope');
    const args = scopes.find((s) => s.name === 'Arguments')!;
    const argVars = (await dc.variablesRequest({ variablesReference: args.variablesReference })).body.variables;
    assert.deepEqual(argVars.map((v) => [v.name, Number(v.value)]), [['value', 0x1234]]);

    // Memory at the stack pointer: saved %ebp, the return address into kmain, the argument.
    const mem = (await dc.customRequest('readMemory', { memoryReference: '0x' + qemu.esp.toString(16), count: 12 }) as DebugProtocol.ReadMemoryResponse).body!;
    assert.equal(mem.unreadableBytes ?? 0, 0);
    assert.equal(Buffer.from(mem.data!, 'base64').readUInt32LE(8), 0x1234);
    const dis = (await dc.disassembleRequest({ memoryReference: st[0].instructionPointerReference!, instructionCount: 1 })).body!;
    assert.match(dis.instructions[0].instruction, /mov\s+%eax,0x800000/);
    const info = (await dc.exceptionInfoRequest({ threadId: ev!.body.threadId! })).body;
    assert.match(info.description ?? '', /CPU 0: triple fault/);
    const threads = (await dc.threadsRequest()).body.threads;
    assert.match(threads[0].name, /CPU 0 · shut down/);
    const view = await dc.customRequest('ksim/cpus', {});
    assert.equal(view.body.available, true, `ksim/cpus: ${view.body.reason}`);
    assert.equal(view.body.cpus[0].runState, 'shutdown');

    // The machine cannot go on: continue ends the session with the report.
    const output = collectOutput(dc, 'important');
    const exited = dc.waitForEvent('exited');
    const terminated = dc.waitForEvent('terminated');
    await dc.continueRequest({ threadId: 1 });
    assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 4);
    await terminated;
    assert.match(output(), new RegExp(`the machine shut down \\(triple fault on CPU 0: .*\\)\\nCPU 0: triple fault \\(vectors ${qemu.chain.map((v) => `#${v}`).join(' -> ')}\\)`));
  });

  it('with the triple-fault filter off, ends the session with the report at once', async function () {
    const output = collectOutput(dc, 'important');
    const stopped: unknown[] = [];
    dc.on('stopped', (e) => stopped.push(e));
    const exited = dc.waitForEvent('exited');
    await launch(dc, { kernel: elf, cpus: 1 }, () => dc.setExceptionBreakpointsRequest({ filters: [] }), false);
    assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 4);
    assert.deepEqual(stopped, []);
    assert.match(output(), new RegExp(`CPU 0: triple fault \\(vectors ${qemu.chain.map((v) => `#${v}`).join(' -> ')}\\)\\n.*EIP=`, 's'));
  });

  it('restart after the stop reboots and faults again the same way', async function () {
    const first = await launch(dc, { kernel: elf, cpus: 1 });
    const again = await stopAfter(dc, () => dc.restartRequest({}));
    assert.equal(again.body.reason, 'exception');
    assert.equal(again.body.description, first!.body.description);
    const top = (await dc.stackTraceRequest({ threadId: again.body.threadId!, levels: 1 })).body.stackFrames[0];
    assert.equal(parseInt(top.instructionPointerReference!, 16), qemu.pc);
  });
});
