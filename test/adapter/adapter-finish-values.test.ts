// Kernel-aware values in watch/hover/Locals: a task_struct (or a pointer to one) carries the one-line
// summary "pid 9 pipeline S cpu1 prio 120", and a known kernel list_head (task list, children, run
// lists) lists the structures it links as children. Everything is checked against values read
// independently through plain C expressions (the DWARF evaluator, no kernel awareness).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ensureAdapterBuilt, evaluate, launch, ROOT, startClient } from './dap-harness';

const KERNEL = path.join(ROOT, 'simulator', 'guest', 'build', 'ksim-kernel.elf');

describe('adapter: task summaries and kernel lists as their entries', function () {
  this.timeout(120000);
  let dc: DebugClient;
  let frameId: number;
  const num = async (e: string) => Number(await evaluate(dc, e, frameId));
  const children = async (ref: number) => (await dc.variablesRequest({ variablesReference: ref })).body.variables;
  const watch = async (e: string) => (await dc.evaluateRequest({ expression: e, frameId, context: 'watch' })).body;
  /** The task list walked with plain expressions: container_of arithmetic done by hand. */
  async function walk(headExpr: string, link: string): Promise<number[]> {
    const off = await num(`(unsigned long)&((struct task_struct *)0)->${link}`);
    const head = await num(`(unsigned long)&${headExpr}`);
    const out: number[] = [];
    for (let p = await num(`(unsigned long)(${headExpr}).next`); p !== head && out.length < 200; p = await num(`(unsigned long)((struct list_head *)${p})->next`)) out.push(p - off);
    return out;
  }
  async function pidLine(task: number): Promise<string> {
    const t = `((struct task_struct *)${task})`;
    const comm = /^"([^"\\]*)/.exec(await evaluate(dc, `${t}->comm`, frameId))![1];
    return `pid ${await num(`${t}->pid`)} ${comm}`;
  }

  before(async function () {
    if (!fs.existsSync(KERNEL)) throw new Error(`the teaching kernel is not built: ${KERNEL}`);
    ensureAdapterBuilt();
    dc = await startClient();
    const ev = await launch(dc, { cpus: 2, scenario: 'default', hz: 1000 }, () =>
      dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'sys_write' }] }));
    frameId = (await dc.stackTraceRequest({ threadId: ev!.body.threadId!, levels: 1 })).body.stackFrames[0].id;
  });
  after(async function () { await dc?.stop(); });

  it('a task_struct pointer and value show the task summary', async function () {
    const cur = '((struct thread_info *)((unsigned long)$esp & ~8191))->task';
    const want = await pidLine(await num(`(unsigned long)${cur}`));
    const p = await watch(cur);
    assert.match(p.result, new RegExp(`^0x[0-9a-f]+ \\{${want} [RSDTZXt] cpu\\d+ prio ${await num(`${cur}->prio`)}\\}$`));
    const v = await watch(`*${cur}`);
    assert.match(v.result, new RegExp(`^\\{${want} R cpu${await num(`${cur}->thread_info->cpu`)} prio \\d+\\}$`));
    // The fields are still there below the summary.
    const fields = await children(v.variablesReference);
    assert.equal(fields.find((f) => f.name === 'pid')!.value, String(await num(`${cur}->pid`)));
  });

  it('init_task.tasks lists every task, in list order, as task_structs', async function () {
    const want = await walk('init_task.tasks', 'tasks');
    assert.ok(want.length >= 5, `${want.length} tasks`);
    const w = await watch('init_task.tasks');
    assert.match(w.result, /struct task_struct list via \.tasks/);
    const kids = await children(w.variablesReference);
    assert.deepEqual(kids.slice(0, 2).map((k) => k.name), ['next', 'prev']);
    const entries = kids.filter((k) => /^\[\d+\]$/.test(k.name));
    assert.deepEqual(entries.map((e) => parseInt(/0x([0-9a-f]+)/.exec(e.evaluateName!)![1], 16)), want);
    for (let i = 0; i < want.length; i++) assert.ok(entries[i].value.startsWith(`{${await pidLine(want[i])} `), `${entries[i].value}`);
  });

  it('init_task.children lists the children through their sibling member; a run queue its tasks', async function () {
    const want = await walk('init_task.children', 'sibling');
    assert.ok(want.length >= 1);
    const kids = (await children((await watch('init_task.children')).variablesReference)).filter((k) => /^\[\d+\]$/.test(k.name));
    assert.deepEqual(kids.map((e) => parseInt(/0x([0-9a-f]+)/.exec(e.evaluateName!)![1], 16)), want);
    for (const k of kids) assert.ok(k.value.startsWith(`{${await pidLine(parseInt(/0x([0-9a-f]+)/.exec(k.evaluateName!)![1], 16))} `));
    // Expanding a prio_array's queue: each non-empty priority list holds tasks of that priority.
    let total = 0;
    for (const cpu of [0, 1]) {
      const arr = await watch(`per_cpu(runqueues, ${cpu}).active->queue`);
      let seen = 0;
      for (const q of await children(arr.variablesReference)) {
        if (!/^\[\d+\]$/.test(q.name) || !q.variablesReference) continue;
        const prio = Number(q.name.slice(1, -1));
        const tasks = (await children(q.variablesReference)).filter((k) => /^\[\d+\]$/.test(k.name));
        for (const t of tasks) {
          const addr = parseInt(/0x([0-9a-f]+)/.exec(t.evaluateName!)![1], 16);
          assert.equal(await num(`((struct task_struct *)${addr})->prio`), prio);
          assert.ok(t.value.includes(`prio ${prio}}`), t.value);
          seen++;
        }
      }
      assert.equal(seen, await num(`per_cpu(runqueues, ${cpu}).active->nr_active`), `CPU ${cpu}`);
      total += seen;
    }
    assert.ok(total >= 1, 'some runnable task in an active array');
  });
});
