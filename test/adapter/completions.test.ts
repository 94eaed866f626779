// Debug Console / watch completions of `ksim dap` on the teaching kernel, stopped in try_to_wake_up.
// Oracle: gdb on the same ELF - `ptype` for the members offered after `.` and `->`, `info scope` for
// the frame's locals and arguments - and the ksim/tasks view for the pids offered after `bt `.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { TaskView } from '../../debug-adapter/protocol/kernel-views';
import { ensureAdapterBuilt, evaluate, launch, ROOT, startClient } from './dap-harness';

const KERNEL = path.join(ROOT, 'simulator', 'guest', 'build', 'ksim-kernel.elf');

function gdb(...commands: string[]): string {
  return execFileSync('gdb', ['-batch', '-nx', ...commands.flatMap((c) => ['-ex', c]), KERNEL], { encoding: 'utf8' });
}

/**
 * Member names of gdb's `ptype TYPE`: the fields at the top level, plus those of unnamed nested
 * structs/unions (which C lets you name directly); the fields of a named nested aggregate are not.
 */
function gdbMembers(type: string): string[] {
  const stack: string[][] = [[]];
  for (const line of gdb(`ptype ${type}`).split('\n')) {
    if (/\{\s*$/.test(line)) { stack.push([]); continue; }
    const close = /^\s*\}\s*([A-Za-z_]\w*)?/.exec(line);
    if (close) {
      const inner = stack.pop()!;
      if (stack.length) stack[stack.length - 1].push(...(close[1] ? [close[1]] : inner));
      else stack.push(inner);
      continue;
    }
    const field = /\(\s*\*\s*([A-Za-z_]\w*)\s*\)\s*\(/.exec(line) ?? /([A-Za-z_]\w*)\s*(\[[^\]]*\])*\s*(:\s*\d+)?\s*;\s*$/.exec(line);
    if (field) stack[stack.length - 1].push(field[1]);
  }
  return stack[stack.length - 1];
}

describe('adapter: completions', function () {
  this.timeout(120000);
  let dc: DebugClient;
  let frameId: number;
  const complete = async (text: string, context = frameId): Promise<DebugProtocol.CompletionItem[]> =>
    (await dc.completionsRequest({ text, column: text.length + 1, frameId: context })).body.targets;
  const labels = async (text: string) => (await complete(text)).map((t) => t.label);

  before(async function () {
    if (!fs.existsSync(KERNEL)) throw new Error(`the teaching kernel is not built: ${KERNEL}`);
    ensureAdapterBuilt();
    dc = await startClient();
    const ev = await launch(dc, { cpus: 2, scenario: 'default', hz: 1000 }, () =>
      dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'try_to_wake_up' }] }));
    frameId = (await dc.stackTraceRequest({ threadId: ev!.body.threadId!, levels: 1 })).body.stackFrames[0].id;
  });
  after(async function () { await dc?.stop(); });

  it('current-> lists the members of struct task_struct, as gdb\'s ptype', async function () {
    const want = gdbMembers('struct task_struct');
    assert.ok(want.length > 20, `gdb listed ${want.length} members`);
    assert.deepEqual((await labels('current->')).sort(), [...want].sort());
    assert.deepEqual((await labels('(*current).')).sort(), [...want].sort());
    // `current` is the task of the stopped CPU, as the kernel's macro says.
    assert.equal(await evaluate(dc, 'current->pid', frameId), await evaluate(dc, '$pid', frameId));
    // With a prefix: only matching members, replacing just the typed part.
    const th = await complete('x = current->th');
    assert.deepEqual(th.map((t) => t.label).sort(), want.filter((n) => n.startsWith('th')).sort());
    for (const t of th) { assert.equal(t.start, 'x = current->'.length); assert.equal(t.length, 2); }
  });

  it('init_task.thread. lists struct thread_struct; per_cpu(runqueues, 0). the run queue; p-> the argument\'s struct', async function () {
    assert.deepEqual((await labels('init_task.thread.')).sort(), gdbMembers('struct thread_struct').sort());
    assert.deepEqual((await labels('per_cpu(runqueues, 0).')).sort(), gdbMembers('runqueue_t').sort());
    assert.deepEqual((await labels('p->')).sort(), gdbMembers('struct task_struct').sort());
    assert.deepEqual(await labels('no_such_thing->'), []);
  });

  it('names: the frame\'s arguments and locals (gdb info scope) come first, then globals and functions', async function () {
    // (gdb lists goto labels too; they are not values.)
    const scope = [...gdb('info scope try_to_wake_up').matchAll(/^Symbol (\w+) is (?!a label)/gm)].map((m) => m[1]);
    assert.ok(scope.includes('p') && scope.includes('state'), scope.join(' '));
    const all = await labels('');
    assert.deepEqual(all.slice(0, scope.length).sort(), [...scope].sort(), 'the frame\'s names, and only those, first');
    assert.ok((await labels('init_t')).includes('init_task'));
    assert.ok((await labels('try_to_wa')).includes('try_to_wake_up'));
    assert.ok((await labels('$ci')).length === 0 && (await labels('$ei')).includes('$eip'));
  });

  it('REPL commands and their arguments: bt offers every pid of the task list', async function () {
    assert.ok((await labels('b')).includes('bt'));
    assert.ok(!(await labels('x = b')).includes('bt'), 'commands only at the start of the line');
    const tasks = (await dc.customRequest('ksim/tasks', {})).body.tasks as TaskView[];
    const pids = (await complete('bt ')).map((t) => Number(t.label));
    assert.deepEqual([...new Set(pids)].sort((a, b) => a - b), [...new Set(tasks.map((t) => t.pid))].sort((a, b) => a - b));
    assert.ok(pids.includes(1), 'init is offered');
    const some = tasks[tasks.length - 1];
    assert.equal((await complete('task ')).find((t) => t.label === String(some.pid))?.detail, some.comm);
    assert.ok((await labels('per_cpu ')).includes('runqueues'));
    assert.deepEqual(await labels('runq '), ['0', '1']);
  });
});
