// ksim/watchTaskState on the teaching kernel: a write watch on a task's state, apart from the client's
// data breakpoints. The default scenario's tasklet wakes the "ksimd" thread (D → R), which then
// sleeps again in wait_event (R → D: TASK_UNINTERRUPTIBLE); the pipeline scenario's processes exit.
// Each stop is checked against the task's state read with a plain C expression.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { TaskView } from '../../debug-adapter/protocol/kernel-views';
import { collectOutput, ensureAdapterBuilt, evaluate, launch, ROOT, startClient, stopAfter } from './dap-harness';

const KERNEL = path.join(ROOT, 'simulator', 'guest', 'build', 'ksim-kernel.elf');
/** 2.6.11's TASK_* values (include/linux/sched.h), as ps letters. */
const LETTER: Record<number, string> = { 0: 'R', 1: 'S', 2: 'D', 4: 'T', 8: 't' };

async function tasks(dc: DebugClient): Promise<TaskView[]> {
  const r = await dc.customRequest('ksim/tasks', {});
  assert.equal(r.body.available, true, r.body.reason);
  return r.body.tasks;
}

describe('adapter: ksim/watchTaskState', function () {
  this.timeout(180000);
  let dc: DebugClient;

  before(function () {
    if (!fs.existsSync(KERNEL)) throw new Error(`the teaching kernel is not built: ${KERNEL}`);
    ensureAdapterBuilt();
  });
  beforeEach(async function () { dc = await startClient(); });
  afterEach(async function () { await dc?.stop(); });

  it('stops on each state change of ksimd with old → new by name; setDataBreakpoints leaves it; enabled:false removes it', async function () {
    await launch(dc, { cpus: 2, scenario: 'default', hz: 1000 }, () =>
      dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'demo_tasklet_fn' }] }));
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const ksimd = (await tasks(dc)).find((t) => t.comm === 'ksimd')!;
    assert.ok(ksimd, 'ksimd exists');
    const r = await dc.customRequest('ksim/watchTaskState', { pid: ksimd.pid, enabled: true });
    assert.match(r.body.message, new RegExp(`ksimd \\[${ksimd.pid}\\]`));
    // The client replaces its own data breakpoints: the state watch is not one of them.
    await dc.setDataBreakpointsRequest({ breakpoints: [] });

    const stateExpr = `((struct task_struct *)${ksimd.address})->state`;
    let letter = LETTER[Number(await evaluate(dc, stateExpr))];
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
      assert.equal(ev.body.reason, 'data breakpoint');
      const now = LETTER[Number(await evaluate(dc, stateExpr))];
      assert.equal(ev.body.description, `ksimd [${ksimd.pid}] state ${letter} → ${now}`);
      assert.notEqual(now, letter);
      seen.push(`${letter}→${now}`);
      letter = now;
    }
    assert.ok(seen.some((s) => s.endsWith('→R')) && seen.some((s) => s.startsWith('R→')), `woken and asleep again: ${seen.join(', ')}`);

    // Removed: two tasklet runs (each wakes ksimd, which changes state twice) stop only at the breakpoint.
    await dc.customRequest('ksim/watchTaskState', { pid: ksimd.pid, enabled: false });
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'demo_tasklet_fn' }] });
    const runs = Number(await evaluate(dc, 'ksimd_runs'));
    for (let i = 0; i < 2; i++) {
      const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
      assert.equal(ev.body.reason, 'function breakpoint');
    }
    assert.ok(Number(await evaluate(dc, 'ksimd_runs')) > runs, 'ksimd ran (and changed state) meanwhile');
    await assert.rejects(dc.customRequest('ksim/watchTaskState', { pid: -3, enabled: true }), /pid/);
    await assert.rejects(dc.customRequest('ksim/watchTaskState', { pid: 4242, enabled: true }), /no task with pid 4242/);
  });

  it('removes the watch with an output line when the task exits', async function () {
    const output = collectOutput(dc, 'console');
    const ev = await launch(dc, { cpus: 2, scenario: 'pipeline', hz: 1000 }, () =>
      dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'do_exit' }] }));
    const pid = Number(await evaluate(dc, '$pid', (await dc.stackTraceRequest({ threadId: ev!.body.threadId!, levels: 1 })).body.stackFrames[0].id));
    const comm = (await tasks(dc)).find((t) => t.pid === pid)!.comm;
    await dc.customRequest('ksim/watchTaskState', { pid, enabled: true });
    const line = new RegExp(`${comm} \\[${pid}\\] exited \\(EXIT_(ZOMBIE|DEAD)\\): its state watch is removed`);
    // Run on (through other tasks' do_exit and this task's last state changes) until the line appears.
    for (let i = 0; i < 20 && !line.test(output()); i++) {
      const next = dc.waitForEvent('stopped').then((e) => e as DebugProtocol.StoppedEvent);
      const exited = dc.waitForEvent('exited').then(() => undefined);
      await dc.continueRequest({ threadId: 1 });
      const stop = await Promise.race([next, exited]);
      if (!stop) break;
      if (stop.body.reason === 'data breakpoint') assert.match(stop.body.description!, new RegExp(`^${comm} \\[${pid}\\] state `));
    }
    assert.match(output(), line);
    await assert.rejects(dc.customRequest('ksim/watchTaskState', { pid, enabled: true }), /has exited|no task with pid/);
  });
});
