/**
 * The teaching kernel under QEMU's gdb stub (-smp 2, scenario=default): gdb stops in interrupt,
 * softirq and scheduler code, records its backtrace and dumps the kernel stack; our unwinder runs over
 * the same registers and stack and must agree frame by frame (function, pc, esp/ebp) up to the
 * first asm entry routine. There gdb has no CFI and stops making sense; we continue through struct
 * pt_regs — checked against gdb's own reading of do_IRQ's `regs` argument (eip, cs) at the same stop.
 */
import { strict as assert } from 'assert';
import { ChildProcess, spawn } from 'child_process';
import { readFileSync } from 'fs';
import { createServer } from 'net';
import { loadSymbols } from '../../debug-adapter/symbols';
import { DEFAULT_ENTRY_LABELS, unwind } from '../../debug-adapter/symbols/unwinder';
import { KERNEL_ELF, kernelAvailable } from './oracles';
import { inlineOptions, dumpMemory, dumpRegisters, GdbStop, runGdbDump } from './target-dump';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

const haveQemu = () => (process.env.PATH ?? '').split(':').some((d) => { try { return readFileSync(`${d}/qemu-system-i386`).length > 0; } catch { return false; } });

describe('symbols: kernel unwinding equals gdb on QEMU (teaching kernel, -smp 2)', function () {
  if (!kernelAvailable() || !haveQemu()) {
    it('needs simulator/guest/build/ksim-kernel.elf and qemu-system-i386 (installed by scripts/ensure-test-deps.sh)', function () { this.skip(); });
    return;
  }
  let stops: GdbStop[] = [];
  let qemu: ChildProcess | undefined;
  const bytes = new Uint8Array(readFileSync(KERNEL_ELF));
  const syms = loadSymbols(bytes, { strict: true });

  before(async function () {
    this.timeout(180000);
    const port = await freePort();
    qemu = spawn('qemu-system-i386', ['-kernel', KERNEL_ELF, '-smp', '2', '-m', '128', '-nographic', '-serial', 'null',
      '-monitor', 'none', '-no-reboot', '-device', 'isa-debug-exit,iobase=0xf4,iosize=4', '-append', 'scenario=default',
      '-gdb', `tcp:127.0.0.1:${port}`, '-S'], { stdio: 'ignore' });
    const want = ['do_IRQ', '__do_IRQ', 'handle_IRQ_event', '__do_softirq', 'tasklet_action', 'run_timer_softirq',
      'scheduler_tick', 'schedule', 'try_to_wake_up', 'do_fork', 'copy_process', 'printk', 'smp_apic_timer_interrupt'];
    const present = want.filter((n) => syms.findFunctions(n).length > 0);
    stops = runGdbDump(KERNEL_ELF, {
      remote: `127.0.0.1:${port}`, stackSize: 8192, noData: true, maxStops: 90, timeoutMs: 90000,
      breakpoints: present.map((n) => ({ where: n, hits: n === 'do_IRQ' || n === 'schedule' ? 12 : 6 })),
      expressions: { do_IRQ: [['regs', 'regs'], ['regs->eip', 'regs->eip'], ['regs->xcs', 'regs->xcs']] },
    });
  });
  after(() => { qemu?.kill('SIGKILL'); });

  it('stops at >= 40 points in interrupt, softirq and scheduler code', () => {
    assert.ok(stops.length >= 40, `${stops.length} stops`);
    assert.ok(stops.some((s) => s.where === 'do_IRQ'), 'stopped in do_IRQ');
  });

  it('every frame gdb unwinds with CFI equals ours (function, pc, esp, ebp)', () => {
    let frames = 0;
    for (const stop of stops) {
      const ours = unwind(syms, dumpRegisters(stop), dumpMemory(stop, bytes), { ...inlineOptions(stop) });
      const tag = `stop in ${stop.where}@0x${stop.regs.eip!.toString(16)}`;
      for (let i = 0; i < stop.frames.length; i++) {
        const g = stop.frames[i];
        if (g.name === null) break;
        const f = ours[i];
        assert.ok(f, `${tag}: we have no frame ${i} (gdb: ${g.name})`);
        assert.equal(f.function, g.name, `${tag} frame ${i}`);
        assert.equal(f.pc.toString(16), g.pc.toString(16), `${tag} frame ${i} (${g.name}) pc`);
        assert.equal(f.kind === 'inline', g.inline, `${tag} frame ${i} inline`);
        for (const r of ['esp', 'ebp'] as const) {
          if (g.regs[r] === null) continue;
          assert.equal(f.regs.get(r)?.toString(16), g.regs[r]!.toString(16), `${tag} frame ${i} (${g.name}) ${r}`);
        }
        frames++;
        // Past an asm entry routine gdb has no CFI; stop comparing there.
        if (DEFAULT_ENTRY_LABELS[g.name] || !syms.functionAt(g.pc - 1)?.die) break;
      }
    }
    assert.ok(frames >= 100, `compared ${frames} frames`);
  });

  it('continues through struct pt_regs into the interrupted context (regs->eip, regs->xcs as gdb reads them)', () => {
    let checked = 0;
    for (const stop of stops.filter((s) => s.where === 'do_IRQ')) {
      const get = (e: string) => stop.expressions.find((x) => x.expr === e)?.value?.int;
      const regsPtr = get('regs'), eip = get('regs->eip'), xcs = get('regs->xcs');
      if (regsPtr === undefined || regsPtr === null || eip === undefined || eip === null) continue;
      const ours = unwind(syms, dumpRegisters(stop), dumpMemory(stop, bytes), { ...inlineOptions(stop) });
      const entry = ours.findIndex((f) => f.kind === 'interrupt');
      assert.ok(entry > 0, `interrupt frame: ${ours.map((f) => `${f.function}/${f.kind}`).join(' < ')}`);
      assert.equal(ours[entry].ptRegs?.toString(16), (regsPtr >>> 0).toString(16), 'pt_regs address = do_IRQ(regs)');
      const interrupted = ours[entry + 1];
      assert.ok(interrupted, 'a frame after the interrupt frame');
      assert.equal(interrupted.pc.toString(16), (eip >>> 0).toString(16), 'interrupted eip');
      assert.equal(interrupted.userMode, ((xcs ?? 0) & 3) === 3, 'user/kernel mode from cs');
      assert.equal(interrupted.how, 'pt_regs');
      if (!interrupted.userMode) assert.ok(interrupted.function, `interrupted kernel code is symbolized (0x${eip.toString(16)})`);
      checked++;
    }
    assert.ok(checked >= 4, `checked ${checked} interrupts`);
  });
});
