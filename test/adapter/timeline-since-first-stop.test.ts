// Tracing for the timeline starts at the session's first stop, not at the first ksim/timeline request:
// a timeline opened later shows every context switch since. Oracle: the kernel's own count of
// switches, runqueue.nr_switches of each CPU (incremented by schedule() once per prev != next, right
// before context_switch), read with C expressions at the first stop and at the later one.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { TimelineBody } from '../../debug-adapter/protocol/kernel-views';
import { ensureAdapterBuilt, evaluate, launch, ROOT, startClient, stopAfter } from './dap-harness';

const KERNEL = path.join(ROOT, 'simulator', 'guest', 'build', 'ksim-kernel.elf');
const CPUS = 2;

describe('adapter: the timeline covers the session from its first stop', function () {
  this.timeout(120000);
  let dc: DebugClient;

  before(async function () {
    if (!fs.existsSync(KERNEL)) throw new Error(`the teaching kernel is not built: ${KERNEL}`);
    ensureAdapterBuilt();
    dc = await startClient();
  });
  after(async function () { await dc?.stop(); });

  it('lists, at its first request, each CPU\'s switches since the first stop: as many as nr_switches counted', async function () {
    await launch(dc, { cpus: CPUS, scenario: 'default', hz: 1000 }, () =>
      dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'schedule' }] }));
    const switches = async () => {
      const out: number[] = [];
      for (let c = 0; c < CPUS; c++) out.push(Number(await evaluate(dc, `per_cpu(runqueues, ${c}).nr_switches`)));
      return out;
    };
    const atFirst = await switches();
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'demo_tasklet_fn', hitCondition: '2' }] });
    await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    const atSecond = await switches();

    const r = await dc.customRequest('ksim/timeline', {});
    assert.equal(r.body.available, true, r.body.reason);
    const tl = r.body as TimelineBody;
    for (let c = 0; c < CPUS; c++) {
      const traced = tl.events.filter((e) => e.kind === 'switch' && e.cpu === c && !/seen between two stops/.test(e.label));
      assert.ok(atSecond[c] - atFirst[c] > 5, `CPU ${c} switched tasks in between (${atSecond[c] - atFirst[c]})`);
      assert.equal(traced.length, atSecond[c] - atFirst[c], `CPU ${c}: switch events vs. nr_switches`);
    }
  });
});
