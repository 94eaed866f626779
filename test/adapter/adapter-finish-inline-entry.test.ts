// gdb's rule for an inlined call that starts exactly at the stop pc (symbols README, Unwinding): after
// `break f` on an inlined f the stop shows f's frame; after a step to that pc it is hidden (the caller
// is about to run it). The engine tells the unwinder why the CPU stopped. context_switch is inlined into
// schedule in the teaching kernel; gdb's `break context_switch` and addr2line -i are the oracles.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { ensureAdapterBuilt, gdbBreakLocation, launch, ROOT, startClient, stopAfter } from './dap-harness';

const KERNEL = path.join(ROOT, 'simulator', 'guest', 'build', 'ksim-kernel.elf');

describe('adapter: inlined frame at the stop pc depends on why the CPU stopped', function () {
  this.timeout(120000);
  let dc: DebugClient;

  before(async function () {
    if (!fs.existsSync(KERNEL)) throw new Error(`the teaching kernel is not built: ${KERNEL}`);
    ensureAdapterBuilt();
    dc = await startClient();
  });
  after(async function () { await dc?.stop(); });

  it('shows context_switch [inlined] after `break context_switch`, as gdb does', async function () {
    const gdb = gdbBreakLocation(KERNEL, 'context_switch');
    // addr2line -i: the address is inside the inlined copy of context_switch in schedule.
    const chain = execFileSync('addr2line', ['-f', '-i', '-e', KERNEL, `0x${gdb.address.toString(16)}`], { encoding: 'utf8' })
      .trim().split('\n').filter((_, i) => i % 2 === 0);
    assert.deepEqual(chain, ['context_switch', 'schedule']);
    const ev = await launch(dc, { cpus: 2, scenario: 'default', hz: 1000 }, () =>
      dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'context_switch' }] }));
    assert.equal(ev!.body.reason, 'function breakpoint');
    const fr = (await dc.stackTraceRequest({ threadId: ev!.body.threadId!, levels: 3 })).body.stackFrames;
    assert.equal(parseInt(fr[0].instructionPointerReference!, 16), gdb.address);
    assert.equal(fr[0].name, 'context_switch [inlined]');
    assert.equal(fr[0].line, gdb.line);
    assert.equal(fr[1].name, 'schedule');
    assert.equal(fr[1].instructionPointerReference, fr[0].instructionPointerReference);
  });

  it('shows it after a line breakpoint at that address too (gdb: break sched.c:LINE)', async function () {
    const fn = gdbBreakLocation(KERNEL, 'context_switch');
    const atLine = gdbBreakLocation(KERNEL, `sched.c:${fn.line}`);
    assert.equal(atLine.address, fn.address, 'gdb puts the line breakpoint at the same address');
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const src = path.join(ROOT, 'simulator', 'guest', 'kernel', 'sched.c');
    const set = (await dc.setBreakpointsRequest({ source: { path: src }, breakpoints: [{ line: fn.line }] })).body.breakpoints[0];
    assert.equal(parseInt(set.instructionReference!, 16), atLine.address);
    const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(ev.body.reason, 'breakpoint');
    const fr = (await dc.stackTraceRequest({ threadId: ev.body.threadId!, levels: 3 })).body.stackFrames;
    assert.equal(parseInt(fr[0].instructionPointerReference!, 16), atLine.address);
    assert.equal(fr[0].name, 'context_switch [inlined]');
    assert.equal(fr[1].name, 'schedule');
    await dc.setBreakpointsRequest({ source: { path: src }, breakpoints: [] });
  });
});
