// The timeline's bottom-half spans and context switches are exact: one span per softirq action run,
// tasklet function run and work function run, properly nested, with the task they ran in; and a
// switch made while the user steps through switch_to is recorded (not inferred) at its real time.
//
// Oracles (none of them the tracepoints under test):
//  - the kernel's own counters: works_run[cpu] (kernel/workqueue.c) and the default scenario's
//    tasklet_runs / work_runs;
//  - a second session over the same deterministic run (same launch, same first stop, same end stop)
//    with function breakpoints on every softirq action (read from the open_softirq calls in the
//    kernel's C sources) and every tasklet / work function (DECLARE_TASKLET, tasklet_init, INIT_WORK,
//    DECLARE_WORK), counting the hits and reading `current` at each;
//  - for the switch: the virtual time of the CPU at __switch_to's first instruction (address from nm),
//    reached by instruction steps in another session from the same stop.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { TimelineBody, TimelineSpan } from '../../debug-adapter/protocol/kernel-views';
import { ensureAdapterBuilt, evaluate, launch, lineOf, ROOT, startClient, stopAfter, topFrame } from './dap-harness';

const GUEST = path.join(ROOT, 'simulator', 'guest');
const KERNEL = path.join(GUEST, 'build', 'ksim-kernel.elf');
const SCHED_C = path.join(GUEST, 'kernel', 'sched.c');
const CPUS = 2;
const LAUNCH = { cpus: CPUS, scenario: 'default', hz: 1000 };
/** The end of the observed run: the 11th demo tasklet run after the first stop (a tasklet every 10 jiffies, the demo work every 5th: 2 works). */
const END_FUNCTION = 'demo_tasklet_fn';
const END_HIT = 11;

function cSources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? (d.name === 'build' ? [] : cSources(p)) : d.name.endsWith('.c') ? [p] : [];
  });
}

/** Functions the kernel's sources register as softirq actions / tasklet functions / work functions. */
function registeredFunctions(): { actions: Map<string, string>; tasklets: Set<string>; works: Set<string> } {
  const actions = new Map<string, string>(); // softirq name -> action function
  const tasklets = new Set<string>();
  const works = new Set<string>();
  for (const f of cSources(GUEST)) {
    const text = fs.readFileSync(f, 'utf8');
    for (const m of text.matchAll(/open_softirq\(\s*(\w+)\s*,\s*(\w+)\s*,/g)) if (m[2] !== 'NULL' && m[2] !== 'action') actions.set(m[1], m[2]);
    for (const m of text.matchAll(/DECLARE_TASKLET(?:_DISABLED)?\(\s*\w+\s*,\s*(\w+)\s*,/g)) tasklets.add(m[1]);
    for (const m of text.matchAll(/tasklet_init\(\s*[^,]+,\s*(\w+)\s*,/g)) if (m[1] !== 'func') tasklets.add(m[1]);
    for (const m of text.matchAll(/(?:INIT_WORK|DECLARE_WORK|PREPARE_WORK)\(\s*[^,]+,\s*(\w+)\s*,/g)) if (!/^(f|_func|func)$/.test(m[1])) works.add(m[1]);
  }
  return { actions, tasklets, works };
}

/** Function symbols of the kernel ELF (nm, the oracle for addresses). */
function nmFunctions(): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of execFileSync('nm', [KERNEL], { encoding: 'utf8' }).split('\n')) {
    const m = /^([0-9a-f]+) [tTwW] (\S+)$/.exec(line);
    if (m) out.set(m[2], parseInt(m[1], 16));
  }
  return out;
}

async function timeline(dc: DebugClient): Promise<TimelineBody> {
  const r = await dc.customRequest('ksim/timeline', { maxItems: 1_000_000 });
  assert.equal(r.body.available, true, r.body.reason);
  return r.body as TimelineBody;
}

/** Every span lies inside its parent on the same CPU one level up; returns how many were checked. */
function checkNesting(tl: TimelineBody): number {
  const byId = new Map(tl.spans.map((s) => [s.id, s]));
  let checked = 0;
  for (const s of tl.spans) {
    if (s.depth === 0) { assert.equal(s.parent, undefined); continue; }
    const p = byId.get(s.parent!);
    assert.ok(p, `span ${s.id} (${s.kind} ${s.label}) has its parent ${s.parent}`);
    assert.equal(p.cpu, s.cpu, `span ${s.id}: same CPU as its parent`);
    assert.equal(s.depth, p.depth + 1, `span ${s.id}: depth`);
    assert.ok(p.start <= s.start, `span ${s.id} (${s.label}) starts at ${s.start}, inside ${p.label} from ${p.start}`);
    if (p.end !== null) assert.ok(s.end !== null && s.end <= p.end, `span ${s.id} (${s.label}) ends at ${s.end}, inside ${p.label} until ${p.end}`);
    if (s.kind === 'tasklet') assert.ok(p.kind === 'softirq' && /^(TASKLET|HI)_SOFTIRQ$/.test(p.label), `tasklet ${s.label} inside ${p.kind} ${p.label}`);
    if (s.kind === 'softirq' || s.kind === 'tasklet' || s.kind === 'work') {
      let top = p; while (top.depth > 0) top = byId.get(top.parent!)!;
      assert.equal(s.task?.address, top.task?.address, `${s.label} ran in the task of its lane`);
    }
    checked++;
  }
  return checked;
}

async function currentPid(dc: DebugClient): Promise<number> {
  return Number(await evaluate(dc, 'current->pid'));
}

describe('adapter: the timeline records each bottom-half run and each switch exactly', function () {
  this.timeout(600000);
  const registered = registeredFunctions();
  const nm = nmFunctions();
  let dc: DebugClient;

  before(function () {
    if (!fs.existsSync(KERNEL)) throw new Error(`the teaching kernel is not built: ${KERNEL}`);
    ensureAdapterBuilt();
    assert.ok(registered.actions.size >= 3 && registered.tasklets.has(END_FUNCTION), `sources parsed: ${JSON.stringify([...registered.actions])}`);
  });
  afterEach(async function () { await dc?.stop(); });

  // Session A: the timeline over the run from the first `schedule` stop to the END_HIT-th END_FUNCTION.
  let traced: TimelineBody;
  let counters: { works: number; tasklets: number; workRuns: number };

  it('session A: timeline over the run, with the kernel\'s counters', async function () {
    dc = await startClient();
    await launch(dc, LAUNCH, () => dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'schedule' }] }));
    const read = async () => ({
      works: Number(await evaluate(dc, 'works_run[0]')) + Number(await evaluate(dc, 'works_run[1]')),
      tasklets: Number(await evaluate(dc, 'tasklet_runs')),
      workRuns: Number(await evaluate(dc, 'work_runs')),
    });
    const before = await read();
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: END_FUNCTION, hitCondition: String(END_HIT) }] });
    await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    const after = await read();
    counters = { works: after.works - before.works, tasklets: after.tasklets - before.tasklets, workRuns: after.workRuns - before.workRuns };
    traced = await timeline(dc);
    assert.equal(traced.truncated, false);
  });

  it('has as many runs per softirq, tasklet and work function as a second session counts with function breakpoints, in the same tasks', async function () {
    assert.ok(traced, 'session A ran');
    dc = await startClient();
    await launch(dc, LAUNCH, () => dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'schedule' }] }));
    const names = [...new Set([...registered.actions.values(), ...registered.tasklets, ...registered.works])].filter((n) => nm.has(n));
    const r = await dc.setFunctionBreakpointsRequest({ breakpoints: names.map((name) => ({ name })) });
    const byId = new Map<number, string>();
    r.body.breakpoints.forEach((b, i) => { if (b.verified && b.id !== undefined) byId.set(b.id, names[i]); });
    const hits = new Map<string, number[]>(); // function -> pids of `current` at each hit
    for (let ends = 0; ends < END_HIT;) {
      const stop = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 })) as DebugProtocol.StoppedEvent;
      const fns = (stop.body.hitBreakpointIds ?? []).map((id) => byId.get(id)).filter((n): n is string => !!n);
      assert.equal(fns.length, 1, `one counted function per stop: ${JSON.stringify(stop.body)}`);
      const pid = await currentPid(dc);
      hits.set(fns[0], [...(hits.get(fns[0]) ?? []), pid]);
      if (fns[0] === END_FUNCTION) ends++;
    }

    const spans = traced.spans;
    const fnOf = (s: TimelineSpan) => s.code?.symbol?.replace(/\+.*$/, '') ?? '';
    // Softirqs: the spans of each softirq name = the hits on its action function.
    for (const [softirq, action] of registered.actions) {
      if (!nm.has(action)) continue;
      const mine = spans.filter((s) => s.kind === 'softirq' && s.label === softirq);
      assert.equal(mine.length, hits.get(action)?.length ?? 0, `${softirq} (${action}) runs`);
      for (const s of mine) assert.equal(fnOf(s), action, `${softirq} span names its action`);
    }
    assert.ok(spans.filter((s) => s.kind === 'softirq' && s.label === 'TIMER_SOFTIRQ').length > 10, 'timer softirqs ran');
    // Tasklets and works: named by their function, in the task `current` was at the hit.
    for (const [kind, set] of [['tasklet', registered.tasklets], ['work', registered.works]] as const) {
      for (const fn of set) {
        if (!nm.has(fn)) continue;
        const mine = spans.filter((s) => s.kind === kind && fnOf(s) === fn && s.continues === undefined).sort((a, b) => a.start - b.start);
        const pids = hits.get(fn) ?? [];
        assert.equal(mine.length, pids.length, `${kind} ${fn} runs`);
        assert.deepEqual(mine.map((s) => s.task?.pid), pids, `${kind} ${fn}: the task of each run`);
        for (const s of mine) assert.ok(s.label.includes(fn), `${kind} span label '${s.label}' names ${fn}`);
      }
    }
    assert.ok((hits.get(END_FUNCTION) ?? []).length === END_HIT);
    // The kernel's counters (a run counts once it returned: compare closed spans).
    const closed = (kind: string, fn?: string) => spans.filter((s) => s.kind === kind && s.end !== null && (!fn || fnOf(s) === fn)
      && !spans.some((c) => c.continues === s.id)).length;
    assert.equal(closed('work'), counters.works, 'work spans vs works_run[]');
    assert.equal(closed('work', 'demo_work_fn'), counters.workRuns, 'demo_work_fn spans vs work_runs');
    assert.ok(counters.workRuns > 0, 'the demo work ran');
    // Session A stops at demo_tasklet_fn's first line, before its tasklet_runs++: that run is the one
    // span still open, the others are what the kernel counted.
    const demo = spans.filter((s) => s.kind === 'tasklet' && fnOf(s) === END_FUNCTION);
    assert.equal(demo.filter((s) => s.end === null).length, 1, 'the run session A stopped in is open');
    assert.equal(demo.filter((s) => s.end !== null).length, counters.tasklets, 'closed demo tasklet spans vs tasklet_runs');
  });

  it('nests every span inside its parent on the same CPU, tasklets inside a tasklet softirq', function () {
    assert.ok(traced, 'session A ran');
    assert.ok(checkNesting(traced) > 100, 'nested spans checked');
  });

  it('splits a work function that sleeps at its switches and continues it when its worker runs again', async function () {
    // The workqueue scenario: 4 sleepy_work runs in the ksimwq/N workers, each sleeping 2 ticks.
    dc = await startClient();
    await launch(dc, { ...LAUNCH, scenario: 'workqueue' }, () => dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'workqueue_scn' }] }));
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'destroy_workqueue' }] });
    await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    // The kernel's own account: all 4 ran in a worker and slept.
    assert.equal(Number(await evaluate(dc, 'work_done_count')), 4);
    assert.equal(Number(await evaluate(dc, 'work_slept')), 4);
    const tl = await timeline(dc);
    checkNesting(tl);
    const segments = tl.spans.filter((s) => s.kind === 'work' && s.label === 'work sleepy_work');
    const byId = new Map(segments.map((s) => [s.id, s]));
    const firsts = segments.filter((s) => s.continues === undefined);
    assert.equal(firsts.length, 4, 'one run per queued work');
    for (const first of firsts) {
      const chain = [first];
      for (let next = segments.find((s) => s.continues === chain[chain.length - 1].id); next; next = segments.find((s) => s.continues === chain[chain.length - 1].id)) chain.push(next);
      assert.ok(chain.length >= 2, `sleepy_work run at ${first.start} slept: ${chain.length} segment(s)`);
      assert.ok(chain[chain.length - 1].end !== null, 'it returned');
      for (const seg of chain) {
        assert.match(seg.task?.comm ?? '', /^ksimwq\//, 'it ran in a ksimwq worker');
        assert.equal(seg.task?.address, first.task?.address, 'the same worker throughout');
        if (seg.continues !== undefined) {
          // A continuation starts when its worker is switched back in, on that CPU.
          const sw = tl.events.find((e) => e.kind === 'switch' && e.time === seg.start && e.cpu === seg.cpu && e.next?.address === seg.task?.address);
          assert.ok(sw, `segment ${seg.id} starts at a switch to its worker`);
          assert.ok(byId.get(seg.continues)!.end! <= seg.start);
        }
      }
    }
  });

  // The switch made by a line step through switch_to, and its time from instruction steps.
  const switchLine = lineOf(SCHED_C, 'switch_to(prev, next, prev);');
  const atSwitchTo = async () => {
    dc = await startClient();
    const stop = await launch(dc, LAUNCH, () => dc.setBreakpointsRequest({ source: { path: SCHED_C }, breakpoints: [{ line: switchLine }] }));
    await dc.setBreakpointsRequest({ source: { path: SCHED_C }, breakpoints: [] });
    const threadId = stop!.body.threadId!;
    return { threadId, prev: await currentPid(dc), next: Number(await evaluate(dc, 'next->pid', (await topFrame(dc, threadId)).id)) };
  };
  let stepped: { time: number; cpu: number } | undefined;

  it('records (does not infer) the switch of a stepIn through switch_to', async function () {
    const { threadId, prev, next } = await atSwitchTo();
    assert.notEqual(prev, next);
    const before = await timeline(dc);
    const stop = await stopAfter(dc, () => dc.stepInRequest({ threadId }));
    assert.equal(stop.body.reason, 'step');
    assert.equal(await currentPid(dc), next, 'the step ended in next');
    const after = await timeline(dc);
    const t0 = Math.min(...before.cpuTimes!), t1 = Math.max(...after.cpuTimes!);
    const sw = after.events.filter((e) => e.kind === 'switch' && e.time >= t0 && e.time <= t1 && e.prev?.pid === prev && e.next?.pid === next);
    assert.equal(sw.length, 1, `one ${prev} → ${next} switch during the step: ${JSON.stringify(sw)}`);
    assert.ok(!/seen between two stops/.test(sw[0].label), `recorded, not inferred: ${sw[0].label}`);
    stepped = { time: sw[0].time, cpu: sw[0].cpu };
  });

  it('at the virtual time the CPU reaches __switch_to (instruction steps in another session)', async function () {
    assert.ok(stepped, 'the step test ran');
    const entry = nm.get('__switch_to');
    assert.ok(entry !== undefined);
    const at = await atSwitchTo();
    const { prev, next } = at;
    let threadId = at.threadId;
    let pc = -1;
    for (let i = 0; i < 64 && pc !== entry; i++) {
      const stop = await stopAfter(dc, () => dc.stepInRequest({ threadId, granularity: 'instruction' }));
      threadId = stop.body.threadId ?? threadId; // the thread of the task that runs on the CPU now
      pc = parseInt((await topFrame(dc, threadId)).instructionPointerReference!, 16);
    }
    assert.equal(pc, entry, 'instruction steps reach __switch_to');
    const tl = await timeline(dc);
    assert.equal(tl.cpuTimes![stepped!.cpu], stepped!.time, 'the line step recorded the switch at the time __switch_to starts');
    const sw = tl.events.filter((e) => e.kind === 'switch' && e.prev?.pid === prev && e.next?.pid === next);
    assert.equal(sw[sw.length - 1]?.time, stepped!.time);
  });
});
