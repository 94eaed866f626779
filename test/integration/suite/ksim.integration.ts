/**
 * Integration tests inside a real VS Code extension host, with the `vscode` API: start a ksim session
 * on the bundled kernel, wait for a stop in schedule(), read the kernel views' data through the
 * extension's API, continue to the next context switch. Bundled by test/integration/build-suite.mjs and
 * run by run-electron.mjs (VS Code desktop) or run-code-server.mjs (code-server's extension host here).
 */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { KsimExtensionApi } from '../../../extension/extension';
import type { StopInfo } from '../../../extension/debug/session-tracker';
import type { ViewNode } from '../../../extension/views/view-node';

function waitFor<T>(event: vscode.Event<T>, what: string, ms: number, pred: (v: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { sub.dispose(); reject(new Error(`timed out after ${ms} ms waiting for ${what}`)); }, ms);
    const sub = event((v) => { if (pred(v)) { clearTimeout(timer); sub.dispose(); resolve(v); } });
  });
}

function flatten(nodes: readonly ViewNode[]): ViewNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children ?? [])]);
}

describe('ksim in a real VS Code', function () {
  this.timeout(240_000);
  let api: KsimExtensionApi;

  before(async () => {
    const ext = vscode.extensions.getExtension('ksim.ksim');
    assert.ok(ext, 'the ksim extension is installed');
    api = await ext.activate() as KsimExtensionApi;
  });

  after(async () => {
    await vscode.debug.stopDebugging();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
  });

  it('registers its commands and the ksim debugger', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const c of ['ksim.continueToContextSwitch', 'ksim.continueToInterrupt', 'ksim.raiseIrq', 'ksim.showTimeline', 'ksim.openKernelSource']) {
      assert.ok(all.includes(c), c);
    }
  });

  it('starts the bundled kernel, stops in schedule() and fills the Tasks and CPUs views', async () => {
    vscode.debug.addBreakpoints([new vscode.FunctionBreakpoint('schedule')]);
    const stopped = waitFor<StopInfo>(api.tracker.onDidStop, 'a stop', 180_000);
    // An empty configuration is what F5 sends without a launch.json: the provider must fill it in.
    const ok = await vscode.debug.startDebugging(undefined, { type: 'ksim', name: 'integration', request: 'launch' });
    assert.ok(ok, 'startDebugging');
    const stop = await stopped;
    const frames = await stop.session.customRequest('stackTrace', { threadId: stop.body.threadId, startFrame: 0, levels: 5 });
    assert.match(frames.stackFrames[0].name, /^schedule\b/);

    await api.views.refreshAll();
    const tasks = flatten(api.views.snapshot('ksim.tasks').nodes).filter((n) => (n.contextValue ?? '').startsWith('task'));
    assert.ok(tasks.length >= 2, `tasks listed: ${tasks.map((t) => t.label).join(', ')}`);
    assert.ok(tasks.some((t) => t.contextValue === 'task.running'), 'one task is running');
    const cpus = api.views.snapshot('ksim.cpus').nodes;
    assert.ok(cpus.length >= 1);
    assert.equal(cpus[0].label, 'CPU 0');
    assert.match(String(cpus[0].description), /\[\d+\]/, 'CPU 0 shows its current task');
  });

  it('continues to the next context switch and reports prev → next', async () => {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    const session = api.tracker.session!;
    const output: string[] = [];
    const sub = api.tracker.onDidOutput((t) => output.push(t));
    const stopped = waitFor<StopInfo>(api.tracker.onDidStop, 'a context switch stop', 180_000);
    await session.customRequest('ksim/continueToContextSwitch', {});
    const stop = await stopped;
    sub.dispose();
    assert.equal(stop.body.reason, 'context switch');
    assert.match(`${stop.body.text ?? ''} ${stop.body.description ?? ''} ${output.join('')}`, /→/);
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
