// restart: the machine goes back to its boot snapshot (virtual time 0) and boots again with the same
// breakpoints; the simulator being deterministic, the first stop in schedule after the restart is the
// very same stop as before it - same virtual time, registers and task. The restart's wall time (request
// to the entry stop) is printed for the figures.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ensureAdapterBuilt, evaluate, launch, ROOT, startClient, stopAfter } from './dap-harness';

const KERNEL = path.join(ROOT, 'simulator', 'guest', 'build', 'ksim-kernel.elf');

interface StopPicture { reason: string; time: number; eip: string; esp: string; pid: string; jiffies: string; tasks: number }

describe('adapter: restart from the boot snapshot', function () {
  this.timeout(180000);
  let dc: DebugClient;

  before(async function () {
    if (!fs.existsSync(KERNEL)) throw new Error(`the teaching kernel is not built: ${KERNEL}`);
    ensureAdapterBuilt();
    dc = await startClient();
  });
  after(async function () { await dc?.stop(); });

  async function picture(ev: DebugProtocol.StoppedEvent): Promise<StopPicture> {
    const frame = (await dc.stackTraceRequest({ threadId: ev.body.threadId!, levels: 1 })).body.stackFrames[0];
    const cpus = (await dc.customRequest('ksim/cpus', {})).body;
    const tasks = (await dc.customRequest('ksim/tasks', {})).body;
    assert.equal(tasks.available, true, tasks.reason);
    return {
      reason: ev.body.reason, time: cpus.time, eip: await evaluate(dc, '$eip', frame.id), esp: await evaluate(dc, '$esp', frame.id),
      pid: await evaluate(dc, '$pid', frame.id), jiffies: await evaluate(dc, 'jiffies', frame.id), tasks: tasks.tasks.length,
    };
  }

  it('goes back to time 0, stops in schedule at the same instruction as the first boot, views answer', async function () {
    const entry = await launch(dc, { cpus: 2, scenario: 'default', hz: 1000, stopOnEntry: true }, () =>
      dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'schedule', hitCondition: '>=3' }] }));
    assert.equal(entry!.body.reason, 'entry');
    assert.equal((await dc.customRequest('ksim/cpus', {})).body.time, 0);
    const first = await picture(await stopAfter(dc, () => dc.continueRequest({ threadId: 1 })));
    assert.equal(first.reason, 'function breakpoint');
    assert.ok(first.time > 0);
    // Run on for a while, so the restart has something to undo.
    for (let i = 0; i < 3; i++) await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    const later = await picture(await stopAfter(dc, () => dc.continueRequest({ threadId: 1 })));
    assert.ok(later.time > first.time);

    const t0 = process.hrtime.bigint();
    const again = await stopAfter(dc, () => dc.restartRequest({}));
    const restartMs = Number(process.hrtime.bigint() - t0) / 1e6;
    console.log(`      restart -> entry stop: ${restartMs.toFixed(0)} ms wall`);
    assert.equal(again.body.reason, 'entry');
    assert.equal((await dc.customRequest('ksim/cpus', {})).body.time, 0, 'back at virtual time 0');
    assert.match(await evaluate(dc, '$eip'), new RegExp(`^0x0*${entryPoint().toString(16)}$`));

    // The same breakpoint (hit count started again) stops at the same place and moment.
    const second = await picture(await stopAfter(dc, () => dc.continueRequest({ threadId: 1 })));
    assert.deepEqual(second, first);
  });
});

/** The ELF entry point (e_entry, bytes 24..27 of an ELF32 header): where the boot snapshot starts. */
function entryPoint(): number {
  return fs.readFileSync(KERNEL).readUInt32LE(24);
}
