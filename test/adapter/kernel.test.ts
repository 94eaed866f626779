// `ksim dap` on the bundled teaching kernel (2 CPUs, scenario=default): the stops and steps the issue
// names. One adapter session walks through them in order (each launch boots the kernel, which costs
// seconds); every check reads values two independent ways (the adapter's kernel views vs. C
// expressions through DWARF, or the stack label vs. the handler's argument) or against the source.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { collectOutput, ensureAdapterBuilt, evaluate, launch, lineOf, ROOT, startClient, stopAfter } from './dap-harness';

const GUEST = path.join(ROOT, 'simulator', 'guest');
const KERNEL = path.join(GUEST, 'build', 'ksim-kernel.elf');
const SCHED_C = path.join(GUEST, 'kernel', 'sched.c');
const TIMER_C = path.join(GUEST, 'kernel', 'timer.c');

async function frames(dc: DebugClient, threadId: number, levels = 20): Promise<DebugProtocol.StackFrame[]> {
  return (await dc.stackTraceRequest({ threadId, levels })).body.stackFrames;
}

async function threadName(dc: DebugClient, id: number): Promise<string> {
  return (await dc.threadsRequest()).body.threads.find((t) => t.id === id)!.name;
}

/** pid of the task a CPU thread runs, from its name "CPU 0 · comm [pid N]". */
function pidOf(name: string): number | undefined {
  const m = /\[pid (\d+)\]/.exec(name);
  return m ? Number(m[1]) : undefined;
}

async function scopeVariables(dc: DebugClient, frameId: number, prefix: string): Promise<DebugProtocol.Variable[]> {
  const scope = (await dc.scopesRequest({ frameId })).body.scopes.find((s) => s.name.startsWith(prefix));
  assert.ok(scope, `scope ${prefix}`);
  return (await dc.variablesRequest({ variablesReference: scope!.variablesReference })).body.variables;
}

describe('adapter: ksim dap on the teaching kernel', function () {
  this.timeout(180000);
  let dc: DebugClient;
  let output: () => string;

  before(async function () {
    if (!fs.existsSync(KERNEL)) throw new Error(`the teaching kernel is not built: ${KERNEL}`);
    ensureAdapterBuilt();
    dc = await startClient();
    output = collectOutput(dc, 'console');
  });
  after(async function () { await dc?.stop(); });

  it('stops in do_IRQ with the IRQ readable two ways and the interrupted task below', async function () {
    const ev = await launch(dc, { cpus: 2, scenario: 'default', hz: 1000 }, () =>
      dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'do_IRQ', condition: '$pid > 0' }] }));
    assert.equal(ev!.body.reason, 'function breakpoint');
    const fr = await frames(dc, ev!.body.threadId!);
    assert.equal(fr[0].name, 'do_IRQ');
    const label = fr.find((f) => f.presentationHint === 'label');
    assert.ok(label, `an entry frame in ${fr.map((f) => f.name).join(' / ')}`);
    const m = /⟨IRQ (\d+) from (user|kernel) mode/.exec(label!.name);
    assert.ok(m, label!.name);
    // The handler's own argument says the same: the stub pushed irq - 256 into orig_eax.
    assert.equal(Number(await evaluate(dc, 'regs->orig_eax + 256', fr[0].id)), Number(m![1]));
    // Below the label: the interrupted context (a user address, or kernel frames of the task).
    const below = fr[fr.indexOf(label!) + 1];
    assert.ok(below, 'a frame below the entry label');
    if (m![2] === 'user') assert.ok(parseInt(below.instructionPointerReference!, 16) < 0xc0000000);
    else assert.ok(below.source, 'kernel frames carry sources');
    // The condition held: the CPU runs a task with pid > 0.
    assert.ok(pidOf(await threadName(dc, ev!.body.threadId!))! > 0);
  });

  it('stops in __do_softirq with the pending softirqs by name, equal to irq_stat through DWARF', async function () {
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: '__do_softirq' }] });
    const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    const cpu = ev.body.threadId! - 1;
    const fr = await frames(dc, ev.body.threadId!);
    assert.equal(fr[0].name, '__do_softirq');
    const vars = await scopeVariables(dc, fr[0].id, 'This CPU');
    const pending = vars.find((v) => v.name === '__softirq_pending')!.value;
    const m = /^0x([0-9a-f]+) \[([A-Z_ ]+)\]$/.exec(pending);
    assert.ok(m, `pending softirqs named: ${pending}`);
    const raw = parseInt(m![1], 16);
    assert.notEqual(raw, 0);
    assert.equal(Number(await evaluate(dc, `irq_stat[${cpu}].__softirq_pending`, fr[0].id)), raw);
    // Names from the kernel's own enum: bit n <-> the enumerator with value n.
    for (const name of m![2].split(' ')) {
      const bit = Number(await evaluate(dc, `(int)${name}`, fr[0].id));
      assert.ok(raw & (1 << bit), `${name} = ${bit} is set in 0x${raw.toString(16)}`);
    }
  });

  let switchCpuThread = 0;
  let prevPid = 0;
  let nextPid = 0;
  it('stops at switch_to in schedule with prev (= current) and next', async function () {
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const line = lineOf(SCHED_C, 'switch_to(prev, next, prev);');
    const r = await dc.setBreakpointsRequest({ source: { path: SCHED_C }, breakpoints: [{ line }] });
    assert.equal(r.body.breakpoints[0].verified, true);
    const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    switchCpuThread = ev.body.threadId!;
    const fr = await frames(dc, switchCpuThread);
    assert.equal(fr[0].line, line);
    assert.match(fr[0].name, /context_switch|schedule/);
    assert.ok(fr.some((f) => f.name === 'schedule'), 'schedule is on the stack');
    prevPid = Number(await evaluate(dc, 'prev->pid', fr[0].id));
    nextPid = Number(await evaluate(dc, 'next->pid', fr[0].id));
    assert.equal(pidOf(await threadName(dc, switchCpuThread)), prevPid, 'prev is the task running on this CPU');
    assert.notEqual(prevPid, nextPid);
    await dc.setBreakpointsRequest({ source: { path: SCHED_C }, breakpoints: [] });
  });

  it('steps through switch_to until current changes; the stack then shows the next task', async function () {
    let changedAt = -1;
    for (let i = 0; i < 40 && changedAt < 0; i++) {
      await stopAfter(dc, () => dc.stepInRequest({ threadId: switchCpuThread, granularity: 'instruction' }));
      if (pidOf(await threadName(dc, switchCpuThread)) === nextPid) changedAt = i;
    }
    assert.ok(changedAt >= 0, 'current changed to next');
    // The instruction that changed it loaded next->thread.esp into %esp (seed 003:774, step 4).
    assert.match(output(), new RegExp(`context switch on CPU ${switchCpuThread - 1}: .*\\[pid ${prevPid}\\] → .*\\[pid ${nextPid}\\]`));
    // Finish switch_to: line steps end in next's frame after label 1.
    await stopAfter(dc, () => dc.nextRequest({ threadId: switchCpuThread }));
    const fr = await frames(dc, switchCpuThread);
    assert.equal(pidOf(await threadName(dc, switchCpuThread)), nextPid);
    assert.ok(fr.some((f) => f.name === 'schedule'), `next resumes in schedule: ${fr.map((f) => f.name).join(' / ')}`);
    // next's own frames below schedule (what it was doing when it last switched out).
    assert.ok(fr.length >= 2);
  });

  it('stepping over schedule() returns in the same task after others ran', async function () {
    // The schedule() of schedule_timeout's timer path (the line after add_timer).
    const line = lineOf(TIMER_C, 'add_timer(&timer);') + 1;
    assert.match(fs.readFileSync(TIMER_C, 'utf8').split('\n')[line - 1], /^\s*schedule\(\);/);
    const r = await dc.setBreakpointsRequest({ source: { path: TIMER_C }, breakpoints: [{ line }] });
    assert.equal(r.body.breakpoints[0].verified, true);
    const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    await dc.setBreakpointsRequest({ source: { path: TIMER_C }, breakpoints: [] });
    const pid = pidOf(await threadName(dc, ev.body.threadId!));
    assert.ok(pid !== undefined);
    const switchesBefore = Number(await evaluate(dc, 'jiffies'));
    const stepped = await stopAfter(dc, () => dc.nextRequest({ threadId: ev.body.threadId! }));
    assert.equal(stepped.body.reason, 'step');
    const fr = await frames(dc, stepped.body.threadId!);
    assert.equal(pidOf(await threadName(dc, stepped.body.threadId!)), pid, 'the same task');
    assert.match(fr[0].name, /^schedule_timeout/);
    assert.equal(fr[0].line, lineOf(TIMER_C, 'del_timer_sync(&timer);'));
    // The task slept on a timer: time went on while others ran.
    assert.ok(Number(await evaluate(dc, 'jiffies')) > switchesBefore);
  });

  it('REPL: ps lists init and the workload; runq shows the run queues', async function () {
    const ps = await evaluate(dc, 'ps', undefined, 'repl');
    for (const comm of ['swapper', 'init', 'cpu_hog', 'shell', 'ksoftirqd/0']) assert.match(ps, new RegExp(`\\b${comm.replace('/', '\\/')}\\b`), ps);
    assert.match(ps, /^[ >]\s*1\s+0\s+\d\s+[RSD]\s+\d+\s+0x[0-9a-f]+\s+init$/m);
    const runq = await evaluate(dc, 'runq', undefined, 'repl');
    assert.match(runq, /CPU 0 runqueue at 0x[0-9a-f]+: nr_running \d+/);
    assert.match(runq, /CPU 1 runqueue/);
    // Sleeping tasks are threads too, unwound from their saved thread.esp/eip (switch_to's label 1).
    const threads = (await dc.threadsRequest()).body.threads;
    const init = threads.find((t) => /^init \[pid 1\] [SD]$/.test(t.name));
    assert.ok(init, `a thread for the sleeping init: ${threads.map((t) => t.name).join(', ')}`);
    const initFrames = await frames(dc, init!.id);
    assert.ok(initFrames.some((f) => f.name === 'schedule'), initFrames.map((f) => f.name).join(' / '));
    const tasks = (await dc.customRequest('ksim/tasks')).body;
    assert.equal(tasks.available, true);
    assert.ok(tasks.tasks.some((t: { pid: number; comm: string }) => t.pid === 1 && t.comm === 'init'));
  });

  it('a data breakpoint on jiffies stops at each tick', async function () {
    const info = await dc.dataBreakpointInfoRequest({ name: 'jiffies' });
    assert.ok(info.body.dataId);
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    let last = -1;
    for (let i = 0; i < 2; i++) {
      const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
      assert.equal(ev.body.reason, 'data breakpoint');
      const fr = await frames(dc, ev.body.threadId!);
      assert.equal(fr[0].name, 'do_timer');
      const j = Number(await evaluate(dc, 'jiffies', fr[0].id));
      if (last >= 0) assert.equal(j, last + 1);
      last = j;
    }
    await dc.setDataBreakpointsRequest({ breakpoints: [] });
  });

  it('a conditional breakpoint on a pid stops only in that task; a log point prints and runs on', async function () {
    const ps = await evaluate(dc, 'ps', undefined, 'repl');
    const pid = Number(/^[ >]\s*(\d+)\s+\d+\s+\d+\s+\w\s+\d+\s+0x[0-9a-f]+\s+cpu_hog$/m.exec(ps)![1]);
    await dc.setFunctionBreakpointsRequest({ breakpoints: [
      { name: 'scheduler_tick', logMessage: 'tick on cpu {$cpu} pid {$pid}' } as DebugProtocol.FunctionBreakpoint,
      { name: 'schedule', condition: `$pid == ${pid}` },
    ] });
    for (let i = 0; i < 2; i++) {
      const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
      assert.equal(ev.body.reason, 'function breakpoint');
      assert.equal(pidOf(await threadName(dc, ev.body.threadId!)), pid);
    }
    assert.match(output(), /tick on cpu [01] pid \d+\n/);
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
  });

  it('disassembles around eip (4 before, 6 after) with objdump\'s boundaries and bytes', async function () {
    const ev = await stopAfter(dc, () => dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'scheduler_tick' }] }).then(() => dc.continueRequest({ threadId: 1 })));
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const pc = parseInt((await frames(dc, ev.body.threadId!, 1))[0].instructionPointerReference!, 16);
    const rows = (await dc.disassembleRequest({ memoryReference: '0x' + pc.toString(16), instructionOffset: -4, instructionCount: 10 })).body!.instructions;
    assert.equal(parseInt(rows[4].address, 16), pc);
    const dis = execFileSync('objdump', ['-d', '-w', KERNEL], { encoding: 'utf8', maxBuffer: 1 << 28 });
    for (const row of rows) {
      const m = new RegExp(`^\\s*${parseInt(row.address, 16).toString(16)}:\\t([0-9a-f ]+?)\\s*\\t`, 'm').exec(dis);
      assert.ok(m, `objdump has an instruction at ${row.address}`);
      assert.equal(row.instructionBytes, m![1].trim());
    }
    assert.equal(rows[4].symbol, 'scheduler_tick');
  });
});

describe('adapter: exception breakpoints on the teaching kernel', function () {
  this.timeout(180000);
  let dc: DebugClient;
  before(async function () { ensureAdapterBuilt(); dc = await startClient(); });
  after(async function () { await dc?.stop(); });

  it('stops on a page fault from user mode, with the fault described', async function () {
    const ev = await launch(dc, { cpus: 2, scenario: 'default' }, () => dc.setExceptionBreakpointsRequest({ filters: ['user-page-fault'] }));
    assert.equal(ev!.body.reason, 'exception');
    assert.match(ev!.body.text!, /#PF page fault in user mode at 0x[0-9a-f]+.*address 0x[0-9a-f]+ \((not present|protection violation), (read|write), user\)/);
    const info = await dc.exceptionInfoRequest({ threadId: ev!.body.threadId! });
    assert.match(info.body.description!, /page fault/);
    // The CPU is at the page-fault handler's first instruction (IDT vector 14: entry.S's page_fault, per nm).
    const fr = await frames(dc, ev!.body.threadId!);
    const handler = parseInt(/^([0-9a-f]+) T page_fault$/m.exec(execFileSync('nm', [KERNEL], { encoding: 'utf8' }))![1], 16);
    assert.equal(parseInt(fr[0].instructionPointerReference!, 16), handler);
    const cr2 = Number(await evaluate(dc, '$cr2'));
    assert.ok(ev!.body.text!.includes(`address 0x${(cr2 >>> 0).toString(16)}`));
  });
});
