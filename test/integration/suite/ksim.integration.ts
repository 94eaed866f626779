/**
 * Integration tests inside a real VS Code extension host, with the `vscode` API: start a ksim session
 * on the bundled kernel, wait for a stop in schedule(), read every kernel view's data through the
 * extension's API, hover a variable of schedule() while stopped (language server + live value), the
 * code lenses above schedule(), the Tasks view actions, continue to the next context switch, and the
 * `ksim dap` process mode. Bundled by test/integration/build-suite.mjs and run by run-electron.mjs
 * (VS Code desktop) or scripts/e2e-integration-code-server.mjs (code-server's extension host here).
 *
 * Oracles: where the extension shows what the kernel wrote, the test compares with what the kernel
 * printed on its serial port (COM1, the DAP output events) — a device path independent of the
 * printk ring buffer and irq_desc the views read through DWARF.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KsimExtensionApi } from '../../../extension/extension';
import type { StopInfo } from '../../../extension/debug/session-tracker';
import type { ViewNode } from '../../../extension/views/view-node';
import type { TaskView } from '../../../debug-adapter/protocol/kernel-views';

function waitFor<T>(event: vscode.Event<T>, what: string, ms: number, pred: (v: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { sub.dispose(); reject(new Error(`timed out after ${ms} ms waiting for ${what}`)); }, ms);
    const sub = event((v) => { if (pred(v)) { clearTimeout(timer); sub.dispose(); resolve(v); } });
  });
}

/** Poll `probe` until it returns a value (not undefined) or `ms` pass. */
async function eventually<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try { const v = await probe(); if (v !== undefined) return v; } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function flatten(nodes: readonly ViewNode[]): ViewNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children ?? [])]);
}

function hoverText(hovers: vscode.Hover[] | undefined): string {
  return (hovers ?? []).flatMap((h) => h.contents.map((c) => typeof c === 'string' ? c : c.value)).join('\n');
}

describe('ksim in a real VS Code', function () {
  this.timeout(240_000);
  let api: KsimExtensionApi;
  let schedC: string;
  /** Everything the kernel printed on COM1 in the current session. */
  let serial = '';

  before(async () => {
    const ext = vscode.extensions.getExtension('ksim.ksim');
    assert.ok(ext, 'the ksim extension is installed');
    api = await ext.activate() as KsimExtensionApi;
    api.tracker.onDidStart(() => { serial = ''; });
    api.tracker.onDidOutput((t) => { serial += t; });
    schedC = path.join(ext.extensionPath, 'simulator', 'guest', 'kernel', 'sched.c');
  });

  after(async () => {
    await vscode.debug.stopDebugging();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
  });

  it('registers its commands and the ksim debugger', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const c of ['ksim.continueToContextSwitch', 'ksim.continueToInterrupt', 'ksim.raiseIrq', 'ksim.showTimeline', 'ksim.openKernelSource',
      'ksim.task.showBacktrace', 'ksim.task.breakWhenRuns', 'ksim.task.watchState']) {
      assert.ok(all.includes(c), c);
    }
  });

  it('starts the bundled kernel, stops in schedule() and fills every kernel view and the status bar', async () => {
    vscode.debug.addBreakpoints([new vscode.FunctionBreakpoint('schedule')]);
    const stopped = waitFor<StopInfo>(api.tracker.onDidStop, 'a stop', 180_000);
    // An empty configuration is what F5 sends without a launch.json: the provider must fill it in.
    const ok = await vscode.debug.startDebugging(undefined, { type: 'ksim', name: 'integration', request: 'launch' });
    assert.ok(ok, 'startDebugging');
    const stop = await stopped;
    const frames = await stop.session.customRequest('stackTrace', { threadId: stop.body.threadId, startFrame: 0, levels: 5 });
    assert.match(frames.stackFrames[0].name, /^schedule\b/);

    await api.views.refreshAll();
    const unavailable = /^(Not available|.*failed)/;
    for (const id of ['ksim.tasks', 'ksim.cpus', 'ksim.irqs', 'ksim.bottomHalves', 'ksim.waitqueues', 'ksim.dmesg'] as const) {
      const m = api.views.snapshot(id).message ?? '';
      assert.doesNotMatch(m, unavailable, `${id}: ${m}`);
    }

    const tasks = flatten(api.views.snapshot('ksim.tasks').nodes).filter((n) => (n.contextValue ?? '').startsWith('task'));
    assert.ok(tasks.length >= 2, `tasks listed: ${tasks.map((t) => t.label).join(', ')}`);
    assert.ok(tasks.some((t) => t.contextValue === 'task.running'), 'one task is running');
    const cpus = api.views.snapshot('ksim.cpus').nodes;
    assert.ok(cpus.length >= 1);
    assert.equal(cpus[0].label, 'CPU 0');
    assert.match(String(cpus[0].description), /\[\d+\]/, 'CPU 0 shows its current task');

    // Interrupts: the kernel said on COM1 which IRQ line its timer uses; irq_desc must agree.
    const timerIrq = /time: PIT at HZ=\d+ on IRQ (\d+)/.exec(serial);
    assert.ok(timerIrq, `the kernel printed its timer IRQ on COM1: ${serial.slice(0, 500)}`);
    const irqRow = api.views.provider('ksim.irqs').find(`irq${timerIrq[1]}`);
    assert.ok(irqRow, `an Interrupts row for IRQ ${timerIrq[1]}`);
    assert.ok(flatten([irqRow]).some((n) => /action "timer"/.test(n.label)), 'the timer action on that line');

    // Bottom halves: softirq numbers are Linux's (HI_SOFTIRQ 0, TIMER_SOFTIRQ 1).
    const bh = flatten(api.views.snapshot('ksim.bottomHalves').nodes).map((n) => n.label);
    for (const s of ['0 HI_SOFTIRQ', '1 TIMER_SOFTIRQ']) assert.ok(bh.includes(s), `Bottom Halves lists ${s}: ${bh.join(', ')}`);

    // Wait queues: rows, or the empty text (the view is available, see above).
    const wq = api.views.snapshot('ksim.waitqueues');
    assert.ok(wq.nodes.length > 0 || /No task sleeps on a wait queue/.test(wq.message ?? ''), `wait queues: ${wq.message}`);

    // Kernel log: the printk ring buffer, read from memory, holds the lines the console printed.
    const log = api.views.snapshot('ksim.dmesg').nodes.map((n) => n.label);
    assert.ok(log.length >= 3, `kernel log lines: ${log.length}`);
    const consoleLines = new Set(serial.split(/\r?\n/));
    for (const line of log) assert.ok(consoleLines.has(line), `log line "${line}" was printed on COM1`);

    // Status bar: jiffies and the task on each CPU, as the CPUs view has them.
    const status = await eventually('a status event with jiffies', 10_000, async () =>
      api.statusBar.last?.jiffies !== undefined && api.statusBar.last.state === 'stopped' ? api.statusBar.last : undefined);
    assert.equal(status.cpus.length, cpus.length);
    const cpu0 = status.cpus.find((c) => c.cpu === 0)!;
    assert.ok(String(cpus[0].description).startsWith(`${cpu0.current!.comm} [${cpu0.current!.pid}]`),
      `status bar CPU 0 ${cpu0.current?.comm} vs CPUs view "${cpus[0].description}"`);
  });

  it('hover on a variable of schedule() while stopped shows its live value (language server)', async () => {
    assert.ok(await api.languageClientReady, 'the language client started');
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    const lines = readFileSync(schedC, 'utf8').split('\n');
    const switchLine = lines.findIndex((l) => /^\s*switch_to\(prev, next, prev\);/.test(l));
    assert.ok(switchLine >= 0, 'sched.c has the switch_to line');
    const session = api.tracker.session!;
    const stopped = waitFor<StopInfo>(api.tracker.onDidStop, 'the stop at switch_to', 120_000);
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(schedC), new vscode.Position(switchLine, 0)))]);
    await vscode.commands.executeCommand('workbench.action.debug.continue');
    const stop = await stopped;
    const st = await session.customRequest('stackTrace', { threadId: stop.body.threadId, startFrame: 0, levels: 3 });
    const top = st.stackFrames[0];
    assert.equal(top.line, switchLine + 1, `stopped at sched.c:${switchLine + 1} (${top.name})`);

    // The oracle is the adapter's own `evaluate` in that frame: the hover must show the same value.
    const expected = (await session.customRequest('evaluate', { expression: 'next', frameId: top.id, context: 'hover' })).result as string;
    assert.match(expected, /^0x[0-9a-f]+ \{pid \d+/, `next = ${expected}`);
    const doc = await vscode.workspace.openTextDocument(schedC);
    await vscode.window.showTextDocument(doc);
    // VS Code focuses the top frame of the stopped thread; the hover evaluates in the focused frame.
    await eventually('VS Code to focus the stopped frame', 10_000, async () =>
      vscode.debug.activeStackItem instanceof vscode.DebugStackFrame ? true : undefined);
    const col = lines[switchLine].indexOf('next') + 1;
    const text = await eventually('a hover with the live value', 20_000, async () => {
      const t = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(switchLine, col)));
      return /\*\*live\*\*/.test(t) ? t : undefined;
    });
    assert.ok(text.includes(expected), `hover "${text}" shows ${expected}`);

    // The DWARF half of the hover, without a debugger: a type shows its layout.
    const taskLine = lines.findIndex((l) => /struct task_struct \*prev, \*next;/.test(l));
    const layout = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri,
      new vscode.Position(taskLine, lines[taskLine].indexOf('task_struct') + 2)));
    assert.match(layout, /struct task_struct \{[\s\S]*size: \d+/, layout.slice(0, 300));
  });

  it('Tasks view actions: backtrace, break when it runs (stops with reason "task runs"), watch its state', async () => {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await api.views.refreshAll();
    const rows = flatten(api.views.snapshot('ksim.tasks').nodes).filter((n) => (n.contextValue ?? '').startsWith('task'));
    // Backtrace of the running task: the frames of its CPU's thread, the same the Call Stack shows.
    const stop = api.tracker.stopped!;
    const running = rows.find((n) => n.data?.threadId === stop.body.threadId && (n.data?.task as TaskView).running);
    assert.ok(running, 'the task of the stopped thread is listed');
    const frames = await api.taskActions.backtrace(running.data!.threadId as number);
    const callStack = await stop.session.customRequest('stackTrace', { threadId: stop.body.threadId, startFrame: 0, levels: 64 });
    assert.deepEqual(frames.map((f) => f.name), callStack.stackFrames.map((f: { name: string }) => f.name));

    // Break when a task that is not running now runs (not an idle task: prefer one that is runnable).
    const candidates = rows.filter((n) => { const t = n.data!.task as TaskView; return !t.running && t.pid !== 0; });
    const target = candidates.find((n) => (n.data!.task as TaskView).state === 'R') ?? candidates[0];
    assert.ok(target, `a task that is not running: ${rows.map((r) => `${r.label} ${r.description}`).join('; ')}`);
    const pid = target.data!.pid as number;
    await vscode.commands.executeCommand('ksim.task.breakWhenRuns', target);
    assert.ok(api.taskActions.breakOnRun.has(pid), 'armed');
    const marked = api.views.provider('ksim.tasks').find(target.id)!;
    assert.match(String(marked.description), /breaks when it runs/);
    assert.match(String(marked.contextValue), /\bbreakOnRun\b/);

    const stopped = waitFor<StopInfo>(api.tracker.onDidStop, `pid ${pid} to run`, 120_000);
    await vscode.commands.executeCommand('workbench.action.debug.continue');
    const ran = await stopped;
    assert.equal(ran.body.reason, 'task runs');
    assert.match(`${ran.body.description}`, new RegExp(`\\[pid ${pid}\\]`));
    // The CPU that stopped runs that task now (the CPUs view reads `current` from the kernel).
    await api.views.refreshAll();
    const cpuRows = api.views.snapshot('ksim.cpus').nodes;
    assert.ok(cpuRows.some((c) => new RegExp(`\\[${pid}\\]`).test(String(c.description)) && /stopped here/.test(String(c.description))),
      cpuRows.map((c) => `${c.label}: ${c.description}`).join('; '));
    // The mark survives the stop (the adapter keeps the breakpoint) and the toggle disarms it.
    assert.match(String(api.views.provider('ksim.tasks').findBy((n) => n.data?.pid === pid && !!n.data?.task)?.description), /breaks when it runs/);
    await vscode.commands.executeCommand('ksim.task.clearBreakWhenRuns', api.views.provider('ksim.tasks').findBy((n) => n.data?.pid === pid && !!n.data?.task));
    assert.ok(!api.taskActions.breakOnRun.has(pid), 'disarmed');

    // Watch its state: a write watch on task_struct.state of a task (stopped reason "data breakpoint").
    const sleeper = flatten(api.views.snapshot('ksim.tasks').nodes).find((n) => { const t = n.data?.task as TaskView | undefined; return !!t && t.pid !== 0 && !t.running; })
      ?? flatten(api.views.snapshot('ksim.tasks').nodes).find((n) => (n.data?.task as TaskView | undefined)?.pid === pid)!;
    const wpid = sleeper.data!.pid as number;
    const r = await api.taskActions.toggleWatchState(wpid);
    assert.ok(r.enabled && api.taskActions.watchingState.has(wpid), r.message);
    assert.match(String(api.views.provider('ksim.tasks').find(sleeper.id)!.description), /state watched/);
    const watched = waitFor<StopInfo>(api.tracker.onDidStop, `a write to the state of pid ${wpid}`, 120_000);
    await vscode.commands.executeCommand('workbench.action.debug.continue');
    const w = await watched;
    assert.equal(w.body.reason, 'data breakpoint');
    await api.taskActions.toggleWatchState(wpid);
    assert.ok(!api.taskActions.watchingState.has(wpid));
  });

  it('code lenses above schedule() show its calls and share of instructions after a stop', async () => {
    const doc = await vscode.workspace.openTextDocument(schedC);
    const lines = doc.getText().split('\n');
    const scheduleLine = lines.findIndex((l) => /^asmlinkage void schedule\(void\)$/.test(l));
    const lens = await eventually('a code lens on schedule()', 20_000, async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      return lenses?.find((l) => l.range.start.line === scheduleLine && /calls? ·/.test(l.command?.title ?? ''));
    });
    // The lens renders the adapter's profile of the run so far (ksim/profile, at this same stop).
    const profile = await api.tracker.session!.customRequest('ksim/profile', {});
    const fn = (profile.functions as { name: string; calls: number }[]).find((f) => f.name === 'schedule');
    assert.ok(fn && fn.calls >= 1, 'the profile counts schedule(), entered at least once (the first stop was there)');
    const calls = Number(/^([\d,]+) call/.exec(lens.command!.title)![1].replace(/,/g, ''));
    assert.equal(calls, fn.calls, lens.command!.title);
  });

  it('continues to the next context switch and reports prev → next', async () => {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    const session = api.tracker.session!;
    const before = await session.customRequest('ksim/profile', {});
    const callsBefore = (before.functions as { name: string; calls: number }[]).find((f) => f.name === 'schedule')!.calls;
    const output: string[] = [];
    const sub = api.tracker.onDidOutput((t) => output.push(t));
    const stopped = waitFor<StopInfo>(api.tracker.onDidStop, 'a context switch stop', 180_000);
    await session.customRequest('ksim/continueToContextSwitch', {});
    const stop = await stopped;
    sub.dispose();
    assert.equal(stop.body.reason, 'context switch');
    assert.match(`${stop.body.text ?? ''} ${stop.body.description ?? ''} ${output.join('')}`, /→/);

    // A context switch goes through schedule(): after this stop the lens counts more calls, the count
    // the adapter has now (the extension sends the new profile to the language server at each stop).
    const profile = await session.customRequest('ksim/profile', {});
    const now = (profile.functions as { name: string; calls: number }[]).find((f) => f.name === 'schedule')!.calls;
    assert.ok(now > callsBefore, `schedule() calls ${callsBefore} -> ${now}`);
    const doc = await vscode.workspace.openTextDocument(schedC);
    await eventually(`the schedule() lens to say ${now} calls`, 20_000, async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      return lenses?.find((l) => (l.command?.title ?? '').startsWith(`${now.toLocaleString('en-US')} call`));
    });
  });

  it('runs `ksim dap` as a separate process when ksim.adapter.mode is "process"', async () => {
    await vscode.debug.stopDebugging();
    await waitFor(api.tracker.onDidEnd, 'the previous session to end', 30_000).catch(() => undefined);
    const cfg = vscode.workspace.getConfiguration('ksim');
    await cfg.update('adapter.mode', 'process', vscode.ConfigurationTarget.Global);
    try {
      const stopped = waitFor<StopInfo>(api.tracker.onDidStop, 'the entry stop', 120_000);
      assert.ok(await vscode.debug.startDebugging(undefined, { type: 'ksim', name: 'process adapter', request: 'launch', cpus: 1, stopOnEntry: true }));
      const stop = await stopped;
      assert.equal(stop.body.reason, 'entry');
      const threads = await stop.session.customRequest('threads');
      assert.ok(threads.threads.length >= 1);
    } finally {
      await vscode.debug.stopDebugging();
      await cfg.update('adapter.mode', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
