// Debug Console commands irq, workqueues, timers (crash-style tables): every row is checked against the
// same structure read through plain C expressions (DWARF evaluator) at the same stop.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { ensureAdapterBuilt, evaluate, launch, ROOT, startClient } from './dap-harness';

const KERNEL = path.join(ROOT, 'simulator', 'guest', 'build', 'ksim-kernel.elf');

describe('adapter: REPL irq, workqueues, timers', function () {
  this.timeout(120000);
  let dc: DebugClient;
  let frameId: number;
  const num = async (e: string) => Number(await evaluate(dc, e, frameId));
  const repl = (cmd: string) => evaluate(dc, cmd, frameId, 'repl');

  before(async function () {
    if (!fs.existsSync(KERNEL)) throw new Error(`the teaching kernel is not built: ${KERNEL}`);
    ensureAdapterBuilt();
    dc = await startClient();
    // Stop once the timer has run for a while: by then IRQs fired, timers are pending, work was queued.
    const ev = await launch(dc, { cpus: 2, scenario: 'default', hz: 1000 }, () =>
      dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'run_timer_softirq', condition: 'jiffies > 60' }] }));
    frameId = (await dc.stackTraceRequest({ threadId: ev!.body.threadId!, levels: 1 })).body.stackFrames[0].id;
  });
  after(async function () { await dc?.stop(); });

  it('irq: one row per line in use, totals and handler names as in irq_desc', async function () {
    const text = await repl('irq');
    const rows = text.split('\n').filter((l) => /^\s*\d+ 0x/.test(l));
    assert.ok(rows.length >= 2, text);
    for (const r of rows) {
      const [irq, , total] = r.trim().split(/\s+/);
      assert.equal(Number(total), await num(`irq_desc[${irq}].irq_count`), r);
      if (await num(`(unsigned long)irq_desc[${irq}].action`)) {
        const name = /"([^"]*)"/.exec(await evaluate(dc, `irq_desc[${irq}].action->name`, frameId))![1];
        assert.ok(r.includes(`${name} (`), `${r} names ${name}`);
      }
    }
    assert.ok(rows.some((r) => /^\s*0 /.test(r) && Number(r.trim().split(/\s+/)[2]) > 60), 'the timer line counted > 60 ticks');
  });

  it('timers: every pending timer with its expiry and function, sorted per CPU', async function () {
    const text = await repl('timers');
    const rows = text.split('\n').filter((l) => /^\s+\d+\s+-?\d+\s+0x[0-9a-f]+/.test(l));
    assert.ok(rows.length >= 1, text);
    const jiffies = await num('jiffies');
    for (const r of rows) {
      const [expires, delta, addr, fn] = r.trim().split(/\s+/);
      assert.equal(Number(expires), await num(`((struct timer_list *)${addr})->expires`), r);
      assert.equal(Number(delta), Number(expires) - jiffies, r);
      assert.match(await evaluate(dc, `((struct timer_list *)${addr})->function`, frameId), new RegExp(`<${fn.replace(/\+.*/, '')}[+>]`));
    }
  });

  it('workqueues: each work queue by name with its per-CPU worker threads', async function () {
    const text = await repl('workqueues');
    const heads = [...text.matchAll(/^WORKQUEUE (0x[0-9a-f]+) "([^"]*)"/gm)];
    assert.ok(heads.length >= 1, text);
    for (const [, addr, name] of heads) {
      assert.match(await evaluate(dc, `((struct workqueue_struct *)${addr})->name`, frameId), new RegExp(`"${name}"`));
    }
    assert.ok(/events\/0 \[\d+\]/.test(text), text);
  });
});
