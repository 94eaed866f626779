// The Interrupts, Timers, Work queues, Wait queues, Timeline and Context Switch views of `ksim dap` on
// the bundled teaching kernel (2 CPUs, scenario=default). Each view's figures are checked against a
// second, independent reading: C expressions evaluated through DWARF (`evaluate`), the tasks view, or
// the engine's own context-switch stop.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type {
  ContextSwitchResponseBody, IrqsResponseBody, TasksResponseBody, TimelineResponseBody, TimersResponseBody,
  WaitqueuesResponseBody, WorkqueuesResponseBody,
} from '../../debug-adapter/protocol/kernel-views';
import { buildMiniKernel, ensureAdapterBuilt, evaluate, launch, lineOf, ROOT, startClient, stopAfter } from './dap-harness';
import { Machine } from '../../simulator/machine/machine';
import { loadSymbols } from '../../debug-adapter/symbols';
import { resolveLaunchConfig } from '../../debug-adapter/launch-config';
import { Engine, type StopInfo } from '../../debug-adapter/engine/engine';
import { BreakpointTable } from '../../debug-adapter/engine/breakpoints';
import { KernelViews } from '../../debug-adapter/kernel/views';

const GUEST = path.join(ROOT, 'simulator', 'guest');
const KERNEL = path.join(GUEST, 'build', 'ksim-kernel.elf');
const SCHED_C = path.join(GUEST, 'kernel', 'sched.c');

async function view<T>(dc: DebugClient, command: string, args: object = {}): Promise<T> {
  const r = await dc.customRequest(command, args);
  const body = r.body as { available: boolean; reason?: string };
  assert.equal(body.available, true, `${command}: ${body.reason}`);
  return r.body as T;
}

const num = async (dc: DebugClient, expr: string, frameId?: number) => Number(await evaluate(dc, expr, frameId));
const hex = (n: number) => '0x' + (n >>> 0).toString(16);

describe('adapter: kernel views (irqs, timers, work queues, wait queues, timeline, context switch)', function () {
  this.timeout(180000);
  let dc: DebugClient;

  before(async function () {
    if (!fs.existsSync(KERNEL)) throw new Error(`the teaching kernel is not built: ${KERNEL}`);
    ensureAdapterBuilt();
    dc = await startClient();
    // Stop in the tasklet the default scenario's timer schedules, the third time: the timer has re-armed
    // itself by then, and the worker threads and sleepers exist.
    await launch(dc, { cpus: 2, scenario: 'default', hz: 1000 }, () =>
      dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'demo_tasklet_fn', hitCondition: '3' }] }));
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
  });
  after(async function () { await dc?.stop(); });

  it('irqs: per-line counts, status and handler chain equal irq_desc[] read through DWARF', async function () {
    const v = await view<IrqsResponseBody & { available: true }>(dc, 'ksim/irqs');
    assert.ok(v.lines.length > 0);
    const timer = v.lines.find((l) => l.actions.some((a) => a.name === 'timer'));
    assert.ok(timer, `a line with the 'timer' action: ${v.lines.map((l) => l.key).join(' ')}`);
    for (const l of v.lines) {
      assert.equal(l.total, await num(dc, `irq_desc[${l.irq}].irq_count`), `irq ${l.irq} count`);
      assert.equal(l.status.raw, await num(dc, `irq_desc[${l.irq}].status`));
      assert.equal(l.depth, await num(dc, `irq_desc[${l.irq}].depth`));
      if (l.actions.length) {
        assert.equal(l.actions[0].handler.address, await num(dc, `(unsigned long)irq_desc[${l.irq}].action->handler`));
        assert.match(await evaluate(dc, `irq_desc[${l.irq}].action->name`), new RegExp(`"${l.actions[0].name}"`));
        assert.ok(l.actions[0].handler.symbol, 'handler symbolized');
      }
      // Per-CPU counts come from the machine's delivery trace, the total from the kernel's counter.
      assert.ok(l.countsPerCpu.reduce((a, b) => a + b, 0) <= l.total + 1);
      assert.equal(l.countsPerCpu.length, 2);
    }
    assert.ok(timer!.total > 0, 'the timer line fired');
  });

  it('timers: the wheel holds demo_timer with demo_timer_fn; expires equals the timer_list field', async function () {
    const v = await view<TimersResponseBody & { available: true }>(dc, 'ksim/timers');
    assert.equal(v.cpus.length, 2);
    const all = v.cpus.flatMap((c) => c.timers.map((t) => ({ cpu: c.cpu, t })));
    const demo = all.find((x) => x.t.function.symbol === 'demo_timer_fn');
    assert.ok(demo, `demo_timer_fn among ${all.map((x) => x.t.function.symbol).join(', ')}`);
    assert.equal(demo!.t.address, await num(dc, '(unsigned long)&demo_timer'));
    assert.equal(demo!.t.expires, await num(dc, 'demo_timer.expires'));
    assert.equal(demo!.t.delta, demo!.t.expires - (v.jiffies ?? NaN));
    // Every listed timer's base points at the tvec_base of the CPU it was listed under.
    for (const { cpu, t } of all) {
      const base = await num(dc, `(unsigned long)((struct timer_list *)${hex(t.address)})->base`);
      assert.equal(base, await num(dc, `(unsigned long)&per_cpu__tvec_bases + __per_cpu_offset[${cpu}]`), `timer ${hex(t.address)} on CPU ${cpu}`);
    }
  });

  it('workqueues: "events" is keventd_wq with its worker threads and sequence counters', async function () {
    const v = await view<WorkqueuesResponseBody & { available: true }>(dc, 'ksim/workqueues');
    const ev = v.workqueues.find((w) => w.name === 'events');
    assert.ok(ev, v.workqueues.map((w) => w.name).join(', '));
    assert.equal(ev!.address, await num(dc, '(unsigned long)keventd_wq'));
    for (const c of ev!.perCpu) {
      assert.equal(c.thread?.comm, `events/${c.cpu}`);
      assert.equal(c.insertSequence, await num(dc, `keventd_wq->cpu_wq[${c.cpu}].insert_sequence`));
      assert.equal(c.removeSequence, await num(dc, `keventd_wq->cpu_wq[${c.cpu}].remove_sequence`));
      assert.equal(c.worklist.length, c.insertSequence - c.removeSequence, 'queued work = inserted - removed');
    }
  });

  it('waitqueues: every waiter is a task of the task list, flags and wake function as in wait_queue_t; workers sleep on more_work', async function () {
    const v = await view<WaitqueuesResponseBody & { available: true }>(dc, 'ksim/waitqueues');
    const tasks = await view<TasksResponseBody & { available: true }>(dc, 'ksim/tasks');
    const byAddr = new Map(tasks.tasks.map((t) => [t.address, t]));
    assert.ok(v.waitqueues.length > 0);
    for (const q of v.waitqueues) {
      for (const w of q.waiters) {
        assert.ok(w.task, `waiter ${w.key} has a task`);
        const t = byAddr.get(w.task!.address);
        assert.ok(t, `waiter task ${w.task!.comm} is in the task list`);
        // A task on a wait queue either sleeps or was just woken and not yet removed itself.
        assert.ok(['S', 'D', 'R'].includes(t!.state), `${t!.comm} is ${t!.state}`);
        assert.equal(w.exclusive, ((await num(dc, `((wait_queue_t *)${hex(w.address)})->flags`)) & 1) === 1);
        assert.equal(w.func.address, await num(dc, `(unsigned long)((wait_queue_t *)${hex(w.address)})->func`));
      }
    }
    const heads = v.waitqueues.map((q) => q.name);
    assert.ok(heads.some((h) => /more_work/.test(h)), `a worker thread sleeps on more_work: ${heads.join(', ')}`);
  });

  it('timeline: the switch of a continueToContextSwitch stop is a switch event with the same prev → next', async function () {
    const first = await view<TimelineResponseBody & { available: true }>(dc, 'ksim/timeline');
    assert.equal(first.cpuCount, 2);
    assert.ok(first.spans.some((s) => s.kind === 'hardirq'), 'interrupt spans from the machine trace');
    const stop = await stopAfter(dc, () => dc.customRequest('ksim/continueToContextSwitch', {}));
    const m = /CPU (\d+): (.+) \[pid (\d+)\] → (.+) \[pid (\d+)\]/.exec(stop.body.text ?? '');
    assert.ok(m, `stop text ${stop.body.text}`);
    const cpu = Number(m![1]);
    const tl = await view<TimelineResponseBody & { available: true }>(dc, 'ksim/timeline');
    const sw = tl.events.filter((e) => e.kind === 'switch' && e.cpu === cpu).pop();
    assert.ok(sw, 'a switch event on the CPU');
    assert.equal(sw!.prev!.pid, Number(m![3]));
    assert.equal(sw!.next!.pid, Number(m![5]));
    assert.ok(sw!.time > first.endTime - 1 && sw!.time <= tl.endTime, 'the switch happened during the last run');
    // The tasks view agrees: next runs on that CPU now.
    const tasks = await view<TasksResponseBody & { available: true }>(dc, 'ksim/tasks');
    const next = tasks.tasks.find((t) => t.pid === sw!.next!.pid && t.address === sw!.next!.address);
    assert.ok(next?.running && next.cpu === cpu, 'next is running on the CPU of the switch');
    // Lane structure: the open task span of that CPU is next; nested spans lie inside the trace window.
    const open = tl.spans.filter((s) => s.cpu === cpu && s.depth === 0 && s.end === null);
    assert.equal(open.length, 1);
    assert.equal(open[0].task?.address, sw!.next!.address);
    for (const s of tl.spans) {
      assert.ok(s.end === null || s.end >= s.start, `span ${s.id} ends after it starts`);
      assert.ok(s.cpu >= 0 && s.cpu < 2);
    }
  });

  it('contextSwitch: stepping through switch_to records the esp load from next->thread.esp', async function () {
    const line = lineOf(SCHED_C, 'switch_to(prev, next, prev);');
    await dc.setBreakpointsRequest({ source: { path: SCHED_C }, breakpoints: [{ line }] });
    // The line has code on both sides of the switch (label 1 resumes inside it): wait for a stop
    // before switch_to_resume, i.e. on the way out of prev.
    const resume = await num(dc, '(unsigned long)&switch_to_resume');
    let threadId = 0;
    let frameId = 0;
    for (let tries = 0; tries < 10; tries++) {
      const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
      threadId = ev.body.threadId!;
      const top = (await dc.stackTraceRequest({ threadId, levels: 1 })).body.stackFrames[0];
      frameId = top.id;
      if (parseInt(top.instructionPointerReference!, 16) < resume) break;
    }
    await dc.setBreakpointsRequest({ source: { path: SCHED_C }, breakpoints: [] });
    const prevAddr = await num(dc, '(unsigned long)prev', frameId);
    const nextAddr = await num(dc, '(unsigned long)next', frameId);
    const nextEsp = await num(dc, 'next->thread.esp', frameId);
    const phases: string[] = [];
    let body: ContextSwitchResponseBody & { available: true } | undefined;
    for (let i = 0; i < 300; i++) {
      await stopAfter(dc, () => dc.stepInRequest({ threadId, granularity: 'instruction' }));
      const b = await view<ContextSwitchResponseBody & { available: true }>(dc, 'ksim/contextSwitch', { cpu: threadId - 1 });
      body = b;
      if (phases[phases.length - 1] !== b.phase) phases.push(b.phase);
      if (process.env.KV_DEBUG) console.log(i, b.phase, b.now && hex(b.now.eip), b.now && hex(b.now.esp));
      if (b.phase === 'done') break;
    }
    assert.deepEqual(phases.filter((p) => p !== 'outside'), ['before-stack-switch', 'after-stack-switch', 'done'], phases.join(' > '));
    assert.equal(body!.prev!.task.address, prevAddr);
    assert.equal(body!.next!.task.address, nextAddr);
    const load = body!.steps.find((s) => s.before.esp !== s.after.esp && s.after.esp === nextEsp);
    assert.ok(load, `a step loads esp = next->thread.esp (${hex(nextEsp)}): ${body!.steps.map((s) => s.instruction).join('; ')}`);
    assert.match(load!.instruction, /esp/);
    // The save before it wrote prev->thread.esp: after it, prev's saved esp is the esp the load replaced.
    assert.equal(load!.after.prevThreadEsp, load!.before.esp);
    assert.ok(body!.next!.stack.some((w) => w.marks?.includes('esp')), 'the live esp is marked on next\'s stack');
  });

  it('breakWhenTaskRuns: stops when the pid is switched in, with that task current on the CPU', async function () {
    const tasks = await view<TasksResponseBody & { available: true }>(dc, 'ksim/tasks');
    const target = tasks.tasks.find((t) => t.comm === 'ksimd');
    assert.ok(target, 'ksimd exists');
    const r = await dc.customRequest('ksim/breakWhenTaskRuns', { pid: target!.pid, enabled: true });
    assert.match(r.body.message, new RegExp(`ksimd \\[${target!.pid}\\]`));
    const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(ev.body.reason, 'task runs');
    const after = await view<TasksResponseBody & { available: true }>(dc, 'ksim/tasks');
    const now = after.tasks.find((t) => t.pid === target!.pid)!;
    assert.ok(now.running, 'ksimd is running');
    assert.equal(now.threadId, ev.body.threadId);
    assert.equal(await num(dc, '$pid'), target!.pid);
    await dc.customRequest('ksim/breakWhenTaskRuns', { pid: target!.pid, enabled: false });
    await assert.rejects(dc.customRequest('ksim/breakWhenTaskRuns', { pid: 'x', enabled: true }), /pid/);
  });

  it('contextSwitch: after a line step into __switch_to, prev and next are the tasks of the switch', async function () {
    const line = lineOf(SCHED_C, 'switch_to(prev, next, prev);');
    await dc.setBreakpointsRequest({ source: { path: SCHED_C }, breakpoints: [{ line }] });
    const resume = await num(dc, '(unsigned long)&switch_to_resume');
    let threadId = 0;
    let prevAddr = 0;
    let nextAddr = 0;
    for (let tries = 0; tries < 10; tries++) {
      const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
      threadId = ev.body.threadId!;
      const top = (await dc.stackTraceRequest({ threadId, levels: 1 })).body.stackFrames[0];
      if (parseInt(top.instructionPointerReference!, 16) >= resume) continue;
      prevAddr = await num(dc, '(unsigned long)prev', top.id);
      nextAddr = await num(dc, '(unsigned long)next', top.id);
      break;
    }
    await dc.setBreakpointsRequest({ source: { path: SCHED_C }, breakpoints: [] });
    assert.ok(prevAddr && nextAddr, 'stopped before the switch');
    await view(dc, 'ksim/contextSwitch', { cpu: threadId - 1 });
    await stopAfter(dc, () => dc.stepInRequest({ threadId }));
    const top = (await dc.stackTraceRequest({ threadId, levels: 1 })).body.stackFrames[0];
    assert.equal(top.name, '__switch_to');
    const b = await view<ContextSwitchResponseBody & { available: true }>(dc, 'ksim/contextSwitch', { cpu: threadId - 1 });
    assert.equal(b.phase, 'after-stack-switch');
    assert.equal(b.prev?.task.address, prevAddr);
    assert.equal(b.next?.task.address, nextAddr);
    const tl = await view<TimelineResponseBody & { available: true }>(dc, 'ksim/timeline');
    const sw = tl.events.filter((e) => e.kind === 'switch' && e.cpu === threadId - 1).pop();
    assert.equal(sw?.prev?.address, prevAddr);
    assert.equal(sw?.next?.address, nextAddr);
  });

  it('timeline: a stop in a tasklet lies inside open softirq and tasklet spans; earlier softirq runs closed', async function () {
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'demo_tasklet_fn' }] });
    const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const cpu = ev.body.threadId! - 1;
    const tl = await view<TimelineResponseBody & { available: true }>(dc, 'ksim/timeline');
    const open = tl.spans.filter((s) => s.cpu === cpu && s.end === null);
    const softirq = open.find((s) => s.kind === 'softirq');
    const tasklet = open.find((s) => s.kind === 'tasklet');
    assert.ok(softirq && tasklet, `open spans on CPU ${cpu}: ${open.map((s) => `${s.kind}@${s.depth}`).join(' ')}`);
    assert.ok(tasklet!.depth > softirq!.depth && tasklet!.start >= softirq!.start, 'the tasklet nests in the softirq run');
    assert.equal(tasklet!.label, 'tasklet demo_tasklet_fn'); // one span per tasklet function run
    assert.equal(softirq!.label, 'TASKLET_SOFTIRQ'); // inside its softirq action's run
    // The stack agrees: the tasklet action (tasklet_action tail-calls a common helper) and __do_softirq
    // are callers of demo_tasklet_fn.
    const names = (await dc.stackTraceRequest({ threadId: ev.body.threadId!, levels: 30 })).body.stackFrames.map((f) => f.name);
    assert.ok(names.some((n) => n.startsWith('tasklet_action')) && names.includes('__do_softirq'), names.join(' / '));
    const closed = tl.spans.filter((s) => s.kind === 'softirq' && s.end !== null);
    assert.ok(closed.length > 0, 'completed __do_softirq runs');
    for (const s of closed) assert.ok(s.end! >= s.start);
  });
});

describe('adapter: kernel views on a kernel without those structures', function () {
  this.timeout(120000);
  let dc: DebugClient;
  before(async function () {
    ensureAdapterBuilt();
    dc = await startClient();
  });
  after(async function () { await dc?.stop(); });

  it('answers available: false, cause "symbols", naming what is missing', async function () {
    await launch(dc, { kernel: buildMiniKernel(), stopOnEntry: true });
    for (const command of ['ksim/irqs', 'ksim/timers', 'ksim/workqueues', 'ksim/waitqueues', 'ksim/contextSwitch']) {
      const r = await dc.customRequest(command, {});
      assert.equal(r.body.available, false, command);
      assert.equal(r.body.cause, 'symbols', `${command}: ${r.body.reason}`);
      assert.ok(r.body.missing?.length, `${command} names what is missing`);
    }
    // The timeline needs no kernel symbols: it is the machine's trace (and no switches).
    const tl = await dc.customRequest('ksim/timeline', {});
    assert.equal(tl.body.available, true);
    assert.equal(tl.body.events.filter((e: { kind: string }) => e.kind === 'switch').length, 0);
  });
});

describe('adapter: timeline tracepoints leave the run unchanged', function () {
  this.timeout(180000);
  before(function () { ensureAdapterBuilt(); });

  /**
   * Virtual time, jiffies and every CPU's eip/esp at demo_tasklet_fn's 6th call after its 2nd, through
   * `ksim dap`: tracing is armed at the first stop, and the timeline is asked for at both stops.
   */
  async function tracedTo6th(): Promise<string> {
    const dc = await startClient();
    try {
      await launch(dc, { cpus: 2, scenario: 'default', hz: 1000 }, () =>
        dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'demo_tasklet_fn', hitCondition: '2' }] }));
      const tl0 = await view<TimelineResponseBody & { available: true }>(dc, 'ksim/timeline');
      assert.ok(!tl0.warnings?.length, `all tracepoints armed: ${tl0.warnings}`);
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'demo_tasklet_fn', hitCondition: '6' }] });
      const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
      const cpus = await view<{ time: number; jiffies: number; cpus: { cpu: number; esp: number; eip: { address: number } }[] }>(dc, 'ksim/cpus');
      const tl = await view<TimelineResponseBody & { available: true }>(dc, 'ksim/timeline');
      assert.ok(tl.events.some((e) => e.kind === 'switch') && tl.spans.some((s) => s.kind === 'softirq'), 'the tracepoints fired');
      return JSON.stringify({ thread: ev.body.threadId, time: cpus.time, jiffies: cpus.jiffies, regs: cpus.cpus.map((c) => [c.eip.address, c.esp]) });
    } finally {
      await dc.stop();
    }
  }

  /** The same two runs on an engine of our own in this process, the same way, with no tracepoint armed. */
  function untracedTo6th(): string {
    const config = resolveLaunchConfig({ cpus: 2, scenario: 'default', hz: 1000 });
    const image = new Uint8Array(fs.readFileSync(config.kernel));
    const machine = new Machine({ cpus: config.cpus, memoryMB: config.memoryMB, cmdline: config.cmdline, quantum: config.quantum, serialInput: config.serialInput, traceBufferSize: config.traceBufferSize });
    machine.loadKernel(image);
    const symbols = loadSymbols(image);
    let stop: StopInfo | undefined;
    const engine = new Engine(machine, symbols, { stepIntoInterrupts: false, showTasksAsThreads: true, disassemblyFlavor: 'att', synchronous: true }, {
      stopped: (info) => { stop = info; }, output: () => {}, exited: (code) => { throw new Error(`exited ${code}`); },
    });
    engine.setPanicBreakpoints(true); // as the session does with its default exception filters
    const breakAt = (hitCondition: string) => engine.breakpoints.setFunctions([{
      id: engine.breakpoints.newId(), kind: 'function', functionName: 'demo_tasklet_fn', addresses: symbols.breakpointAddresses('demo_tasklet_fn'),
      verified: true, hits: 0, ...BreakpointTable.options({ hitCondition }),
    }]);
    breakAt('2');
    engine.continue();
    breakAt('6');
    engine.continue();
    const at = stop as StopInfo | undefined;
    assert.equal(at?.reason, 'function breakpoint');
    const regs = [0, 1].map((i) => [engine.pc(i), engine.cpu(i).getReg32(4)]);
    return JSON.stringify({ thread: at!.cpu + 1, time: machine.time, jiffies: new KernelViews(engine).jiffies(), regs });
  }

  it('stops at the same virtual time with the same registers', async function () {
    assert.equal(await tracedTo6th(), untracedTo6th());
  });
});
