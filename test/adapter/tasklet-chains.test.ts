// Tasklet lists in the Variables view: a `struct tasklet_struct *` (tasklet_head.list, ->next) lists
// the chain it starts as [0], [1], ...; This CPU → tasklets expands each queued tasklet to its fields.
// Stopped in tasklet_action on the teaching kernel (default scenario: demo_tasklet is queued). A second
// tasklet (softirq.c's once_tasklet, idle in this scenario) is linked behind demo_tasklet with a C
// assignment, so the chain has two entries; every value is checked against plain C expressions.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ensureAdapterBuilt, evaluate, launch, ROOT, startClient } from './dap-harness';

const KERNEL = path.join(ROOT, 'simulator', 'guest', 'build', 'ksim-kernel.elf');

describe('adapter: tasklet chains', function () {
  this.timeout(120000);
  let dc: DebugClient;
  let frameId: number;
  let cpu: number;
  const num = async (e: string) => Number(await evaluate(dc, e, frameId));
  const children = async (ref: number): Promise<DebugProtocol.Variable[]> => (await dc.variablesRequest({ variablesReference: ref })).body.variables;
  const child = (vars: DebugProtocol.Variable[], name: string) => {
    const v = vars.find((x) => x.name === name);
    assert.ok(v, `${name} in ${vars.map((x) => x.name).join(' ')}`);
    return v!;
  };

  before(async function () {
    if (!fs.existsSync(KERNEL)) throw new Error(`the teaching kernel is not built: ${KERNEL}`);
    ensureAdapterBuilt();
    dc = await startClient();
    const ev = await launch(dc, { cpus: 2, scenario: 'default', hz: 1000 }, () =>
      dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'tasklet_action' }] }));
    cpu = ev!.body.threadId! - 1;
    frameId = (await dc.stackTraceRequest({ threadId: ev!.body.threadId!, levels: 1 })).body.stackFrames[0].id;
    assert.equal(await num(`(unsigned long)per_cpu(tasklet_vec, ${cpu}).list`), await num('(unsigned long)&demo_tasklet'), 'demo_tasklet is queued');
    assert.equal(await num('(unsigned long)once_tasklet.next'), 0);
    await evaluate(dc, 'demo_tasklet.next = &once_tasklet', frameId);
  });
  after(async function () { await dc?.stop(); });

  it('tasklet_head.list expands to the chain, each entry a tasklet_struct with its fields', async function () {
    const head = (await dc.evaluateRequest({ expression: `per_cpu(tasklet_vec, ${cpu})`, frameId, context: 'watch' })).body;
    const list = child(await children(head.variablesReference), 'list');
    assert.match(list.value, /chain of struct tasklet_struct via ->next/);
    const kids = await children(list.variablesReference);
    const entries = kids.filter((k) => /^\[\d+\]$/.test(k.name));
    assert.deepEqual(entries.map((e) => e.name), ['[0]', '[1]']);
    const want = [await num('(unsigned long)&demo_tasklet'), await num('(unsigned long)&once_tasklet')];
    for (let i = 0; i < 2; i++) {
      const fields = await children(entries[i].variablesReference);
      assert.deepEqual(fields.map((f) => f.name).slice(0, 5), ['next', 'state', 'count', 'func', 'data']);
      assert.equal(Number(entries[i].memoryReference), want[i]);
      const fn = await evaluate(dc, `((struct tasklet_struct *)${want[i]})->func`, frameId);
      assert.equal(child(fields, 'func').value, fn);
    }
    assert.match(child(await children(entries[0].variablesReference), 'func').value, /demo_tasklet_fn/);
    assert.match(child(await children(entries[1].variablesReference), 'func').value, /once_fn/);
    // The chain ends at NULL: the last entry's next is a null pointer with nothing to expand.
    assert.equal(Number(child(await children(entries[1].variablesReference), 'next').value), 0);
  });

  it('This CPU → tasklets lists both, each expandable to its fields', async function () {
    const scopes = (await dc.scopesRequest({ frameId })).body.scopes;
    const thisCpu = scopes.find((s) => s.name === `This CPU (${cpu})`)!;
    const tasklets = child(await children(thisCpu.variablesReference), 'tasklets');
    assert.match(tasklets.value, /0 hi, 2 normal/);
    const rows = await children(tasklets.variablesReference);
    assert.deepEqual(rows.map((r) => Number(r.name)), [await num('(unsigned long)&demo_tasklet'), await num('(unsigned long)&once_tasklet')]);
    const fields = await children(rows[0].variablesReference);
    assert.equal(Number(child(fields, 'data').value), await num('demo_tasklet.data'));
    assert.equal(Number(child(fields, 'state').value), await num('demo_tasklet.state'));
    assert.match(child(fields, 'func').value, /demo_tasklet_fn/);
  });
});
