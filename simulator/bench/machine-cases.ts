// Bench cases of the machine layer (issue 3's performance figures), added to BENCH_CASES:
//
//   machine-timers   the same CPU-bound guest loop (test/machine/kernels smptest.elf, "bench" mode) on a
//                    bare RAM-only CPU (no devices at all) and on the full Machine with a 1 kHz LAPIC timer
//                    interrupt -> MIPS drop (bar: <= 10 %); the Machine figure starts after the guest's
//                    set-up (MADT, PIT calibration), so both measure the same loop
//   machine-smp      the loop on 1 CPU and on 4 CPUs of the Machine -> aggregate MIPS ratio (bar: >= 85 %)
//   machine-snapshot a busy 2-CPU machine (smptest "soak") snapshotted every 10 M instructions -> cost of
//                    one snapshot (ms, pages copied) and of a restore
//
// Figures use this process's CPU time as well as wall time: the machines are shared and loaded.
// This file reads clocks because it measures the simulator; nothing it measures can see them.

import { existsSync, readFileSync } from 'fs';
import path from 'path';
import { Machine } from '../machine/machine';
import type { BenchCase, BenchResult } from './bench-main';
import { runBareElf } from './bench-main';

function smptestElf(): string {
  const candidates = [
    path.join(__dirname, '..', 'test', 'machine', 'kernels', 'build', 'smptest.elf'),
    path.join(__dirname, '..', '..', 'test', 'machine', 'kernels', 'build', 'smptest.elf'),
  ];
  const found = candidates.find(p => existsSync(p));
  if (!found) throw new Error('test/machine/kernels/build/smptest.elf not found (make -C test/machine/kernels)');
  return found;
}

function clock(): { wall: bigint; cpu: NodeJS.CpuUsage } { return { wall: process.hrtime.bigint(), cpu: process.cpuUsage() }; }
function elapsed(c: { wall: bigint; cpu: NodeJS.CpuUsage }): { seconds: number; cpuSeconds: number } {
  const u = process.cpuUsage(c.cpu);
  return { seconds: Number(process.hrtime.bigint() - c.wall) / 1e9, cpuSeconds: (u.user + u.system) / 1e6 };
}

/**
 * Boots smptest.elf on a Machine with a command line and runs it to its isa-debug-exit. The figures
 * cover only what follows the first output line containing `measureFrom` (the guest's set-up — PIT
 * calibration polling, AP start-up delays — is not the workload being compared).
 */
function runOnMachine(name: string, cpus: number, cmdline: string, measureFrom: string): BenchResult {
  const m = new Machine({ cpus, cmdline: `smptest.elf ${cmdline}`, traceBufferSize: 0 });
  m.loadKernel(new Uint8Array(readFileSync(smptestElf())));
  let serial = '';
  m.onSerialOutput(b => { serial += Buffer.from(b).toString('latin1'); });
  while (!serial.includes(measureFrom)) {
    const r = m.run(100_000);
    if (r.reason !== 'budget') throw new Error(`${name}: '${measureFrom}' never printed (${r.reason})\n${serial}`);
  }
  const start = m.instructionsRetired;
  const t = clock();
  const r = m.run(20e9);
  const e = elapsed(t);
  if (r.reason !== 'exit') throw new Error(`${name}: the guest did not exit (${r.reason})\n${serial}`);
  return { name, instructions: m.instructionsRetired - start, ...e, serial, exitValue: (r.exitCode! - 1) / 2 };
}

const mips = (r: BenchResult) => r.instructions / r.seconds / 1e6;
const cpuMips = (r: BenchResult) => r.instructions / r.cpuSeconds / 1e6;
const fmt = (x: number) => x.toFixed(1);

const WORK = 4000;  // thousand loop iterations per CPU (~15 instructions each)

export const MACHINE_BENCH_CASES: BenchCase[] = [
  {
    name: 'machine-timers',
    description: `smptest bench loop (${WORK}k iterations): bare CPU without devices vs the Machine with a 1 kHz LAPIC timer`,
    run() {
      // Alternate the two and keep each one's best of three: on a shared machine single runs are noisy.
      let bare: BenchResult | undefined, timers: BenchResult | undefined;
      for (let i = 0; i < 3; i++) {
        const b = runBareElf('bare', smptestElf());  // no multiboot info => "bench work=4000", no devices touched
        const t = runOnMachine(this.name, 1, `bench timers work=${WORK}`, 'lapic timer: calibrated');
        if (!bare || cpuMips(b) > cpuMips(bare)) bare = b;
        if (!timers || cpuMips(t) > cpuMips(timers)) timers = t;
      }
      const drop = (1 - cpuMips(timers!) / cpuMips(bare!)) * 100;
      const dropWall = (1 - mips(timers!) / mips(bare!)) * 100;
      console.log(`  no devices (bare bus), best of 3: ${fmt(mips(bare!))} MIPS wall, ${fmt(cpuMips(bare!))} MIPS CPU time`);
      console.log(`  Machine, 1 kHz LAPIC timer, best of 3: ${fmt(mips(timers!))} MIPS wall, ${fmt(cpuMips(timers!))} MIPS CPU time`);
      console.log(`  MIPS drop with timer interrupts: ${fmt(drop)} % by CPU time (${fmt(dropWall)} % wall); bar <= 10 %`);
      return timers!;
    },
  },
  {
    name: 'machine-smp',
    description: `smptest bench loop (${WORK}k iterations per CPU) on 1 CPU vs 4 CPUs of the Machine, 1 kHz timers on every CPU`,
    run() {
      let one: BenchResult | undefined, four: BenchResult | undefined;
      for (let i = 0; i < 3; i++) {
        const a = runOnMachine('1 cpu', 1, `bench smp timers work=${WORK}`, 'cpus online=');
        const b = runOnMachine(this.name, 4, `bench smp timers work=${WORK}`, 'cpus online=');
        if (!one || cpuMips(a) > cpuMips(one)) one = a;
        if (!four || cpuMips(b) > cpuMips(four)) four = b;
      }
      console.log(`  1 CPU, best of 3: ${fmt(mips(one!))} MIPS wall, ${fmt(cpuMips(one!))} MIPS CPU time`);
      console.log(`  4 CPUs, best of 3: ${fmt(mips(four!))} MIPS wall, ${fmt(cpuMips(four!))} MIPS CPU time (aggregate)`);
      console.log(`  4-CPU aggregate / single-CPU: ${fmt(cpuMips(four!) / cpuMips(one!) * 100)} % by CPU time `
        + `(${fmt(mips(four!) / mips(one!) * 100)} % wall); bar >= 85 %`);
      return four!;
    },
  },
  {
    name: 'machine-snapshot',
    description: 'smptest soak on 2 CPUs for 100 M instructions, a snapshot every 10 M; then restores',
    run() {
      const m = new Machine({ cpus: 2, cmdline: 'smptest.elf soak', traceBufferSize: 0 });
      m.loadKernel(new Uint8Array(readFileSync(smptestElf())));
      let serial = '';
      m.onSerialOutput(b => { serial += Buffer.from(b).toString('latin1'); });
      const snaps = [];
      const snapCosts: number[] = [];
      const pageCounts: number[] = [];
      let previous: Uint8Array[] | undefined;
      const t = clock();
      for (let i = 0; i < 10; i++) {
        m.run(10_000_000);
        const s0 = process.hrtime.bigint();
        const s = m.snapshot();
        snapCosts.push(Number(process.hrtime.bigint() - s0) / 1e6);
        pageCounts.push(previous ? s.pages.filter((p, k) => p !== previous![k]).length : s.pages.length);
        previous = s.pages;
        snaps.push(s);
      }
      const e = elapsed(t);
      const instructions = m.instructionsRetired;
      const r0 = process.hrtime.bigint();
      m.restore(snaps[4]);
      const restoreMs = Number(process.hrtime.bigint() - r0) / 1e6;
      const steady = snapCosts.slice(1);
      const avg = steady.reduce((a, b) => a + b, 0) / steady.length;
      const runMs = e.seconds * 1000;
      console.log(`  first snapshot (all ${pageCounts[0]} pages copied or shared): ${snapCosts[0].toFixed(1)} ms`);
      console.log(`  later snapshots: ${avg.toFixed(2)} ms on average, ${Math.round(pageCounts.slice(1).reduce((a, b) => a + b, 0) / steady.length)} pages copied each`
        + ` = ${(snapCosts.reduce((a, b) => a + b, 0) / runMs * 100).toFixed(2)} % of the run time at one per 10 M instructions`);
      console.log(`  restore of a snapshot 50 M instructions back: ${restoreMs.toFixed(1)} ms`);
      return { name: this.name, instructions, ...e, serial, exitValue: 0 };
    },
  },
];
