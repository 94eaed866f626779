// ksim/profile (debug-adapter/kernel/profile.ts): per-function call counts and instruction counts of the
// run so far, for the code lenses. Oracles we did not write:
//   - over DAP (DebugClient): instruction breakpoints on the entries of do_IRQ and schedule, planted
//     before the kernel runs its first instruction, see every entry; the number of hits must be the
//     profile's `calls` (the breakpoint reports *before* the entry instruction executes, so at the stop
//     the function being stopped at has one entry fewer counted);
//   - in process: the machine's own instructionsRetired is totalInstructions, and binutils' nm gives
//     every function's extent: the counters summed over [symbol, symbol + size) must be the profile's
//     `instructions` for that function.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { Machine } from '../../simulator/machine/machine';
import { SymbolFile } from '../../debug-adapter/symbols/program';
import { buildProfile, startProfiling } from '../../debug-adapter/kernel/profile';
import type { ProfileResponseBody } from '../../debug-adapter/protocol/kernel-views';
import { ensureAdapterBuilt, launch, ROOT, startClient, stopAfter } from './dap-harness';

const KERNEL = path.join(ROOT, 'simulator', 'guest', 'build', 'ksim-kernel.elf');

/** nm's view of the kernel's code symbols: name -> [{ address, size }] (static functions may repeat). */
function nmFunctions(): Map<string, { address: number; size: number }[]> {
  const out = new Map<string, { address: number; size: number }[]>();
  for (const line of execFileSync('nm', ['-S', '--defined-only', KERNEL], { encoding: 'utf8' }).split('\n')) {
    const m = /^([0-9a-f]{8}) ([0-9a-f]{8}) [tT] (\S+)$/.exec(line);
    if (!m) continue;
    const l = out.get(m[3]) ?? [];
    l.push({ address: parseInt(m[1], 16), size: parseInt(m[2], 16) });
    out.set(m[3], l);
  }
  return out;
}

async function profile(dc: DebugClient, args: Record<string, unknown> = {}): Promise<ProfileResponseBody> {
  return (await dc.customRequest('ksim/profile', args)).body as ProfileResponseBody;
}

describe('adapter: ksim/profile', function () {
  this.timeout(300_000);
  let dc: DebugClient | undefined;
  before(() => { ensureAdapterBuilt(); });
  afterEach(async () => { await dc?.stop(); dc = undefined; });

  it('counts as many entries of do_IRQ and schedule as breakpoints on their entries were hit since boot', async () => {
    const nm = nmFunctions();
    const entry = (name: string) => { const l = nm.get(name); assert.equal(l?.length, 1, `one ${name} in nm`); return l![0].address; };
    const addrs = { do_IRQ: entry('do_IRQ'), schedule: entry('schedule') };
    dc = await startClient();
    const ids = new Map<number, 'do_IRQ' | 'schedule'>();
    let ev = await launch(dc, { cpus: 2, scenario: 'default', hz: 1000 }, async () => {
      const args: DebugProtocol.SetInstructionBreakpointsArguments = { breakpoints: [
        { instructionReference: `0x${addrs.do_IRQ.toString(16)}` }, { instructionReference: `0x${addrs.schedule.toString(16)}` }] };
      const r = await dc!.customRequest('setInstructionBreakpoints', args) as DebugProtocol.SetInstructionBreakpointsResponse;
      ids.set(r.body.breakpoints[0].id!, 'do_IRQ');
      ids.set(r.body.breakpoints[1].id!, 'schedule');
    });
    const hits = { do_IRQ: 0, schedule: 0 };
    let last: 'do_IRQ' | 'schedule' | undefined;
    for (let k = 0; ; k++) {
      assert.equal(ev!.body.reason, 'instruction breakpoint');
      const names = (ev!.body.hitBreakpointIds ?? []).map((id) => ids.get(id)!);
      assert.equal(names.length, 1, `one breakpoint per stop, got ${names.join(',')}`);
      last = names[0];
      hits[last]++;
      if (hits.do_IRQ >= 25 && hits.schedule >= 25) break;
      assert.ok(k < 2000, 'the kernel takes interrupts and schedules');
      ev = await stopAfter(dc, () => dc!.continueRequest({ threadId: ev!.body.threadId! }));
    }
    const body = await profile(dc);
    assert.ok(body.available, JSON.stringify(body));
    if (!body.available) return;
    const fn = (name: string) => body.functions.filter((f) => f.name === name);
    for (const name of ['do_IRQ', 'schedule'] as const) {
      assert.equal(fn(name).length, 1, `${name} in the profile`);
      const f = fn(name)[0];
      assert.equal(f.address, addrs[name]);
      // The stop is before the entry instruction of `last` executes.
      assert.equal(f.calls, hits[name] - (name === last ? 1 : 0), `${name}: calls vs breakpoint hits`);
      assert.ok(f.instructions > f.calls, `${name} runs more than its first instruction`);
      assert.match(f.file ?? '', name === 'schedule' ? /sched\.c$/ : /irq\.c$/);
    }
    const sum = body.functions.reduce((s, f) => s + f.instructions, 0);
    assert.ok(sum > 0 && sum <= body.totalInstructions, `${sum} <= ${body.totalInstructions}`);
    for (let i = 1; i < body.functions.length; i++) assert.ok(body.functions[i - 1].instructions >= body.functions[i].instructions, 'most instructions first');
    const top = await profile(dc, { limit: 3 });
    assert.ok(top.available);
    if (top.available) assert.deepEqual(top.functions.map((f) => f.name), body.functions.slice(0, 3).map((f) => f.name));
  });

  it("is unavailable with \"profile\": false, and a bad value names the attribute", async () => {
    dc = await startClient();
    await launch(dc, { cpus: 1, stopOnEntry: true, profile: false });
    const body = await profile(dc);
    assert.equal(body.available, false);
    if (!body.available) assert.match(body.reason, /profil/);
    await dc.stop();
    dc = await startClient();
    await dc.initializeRequest();
    await assert.rejects(dc.launchRequest({ profile: 'yes' } as never), /launch attribute 'profile' must be true or false/);
  });

  it('totalInstructions is the machine\'s instructions retired; per-function sums match nm\'s extents', () => {
    const image = new Uint8Array(fs.readFileSync(KERNEL));
    const machine = new Machine({ cpus: 2, memoryMB: 128, cmdline: 'scenario=default hz=1000', quantum: 1000 });
    machine.loadKernel(image);
    startProfiling(machine);
    machine.run(8_000_000);
    const body = buildProfile(machine, new SymbolFile(image));
    assert.equal(body.totalInstructions, machine.instructionsRetired);
    const counts = machine.cpus[0].executionCounts;
    const nm = nmFunctions();
    let checked = 0;
    for (const f of body.functions) {
      const syms = nm.get(f.name)?.filter((s) => s.address === f.address && s.size > 0);
      if (!syms?.length) continue; // asm labels without an ELF size
      const phys = f.address - 0xc0000000;
      assert.equal(f.instructions, counts.sumRange(phys, syms[0].size), `${f.name}: instructions over nm's extent`);
      assert.equal(f.calls, counts.at(phys), `${f.name}: calls = executions of the entry`);
      checked++;
    }
    assert.ok(checked > 50, `${checked} functions checked against nm`);
  });
});
