// Bench case `profile`: what per-instruction execution counting (simulator/cpu/execution-counts.ts, the
// data of the ksim/profile code lenses; the debug adapter turns it on at launch) costs.
//
//   - the gcc -O2 bench guest (cpu-bare's bench.elf) on one bare CPU, counting off vs on;
//   - the teaching kernel on the 2-CPU Machine (as the debugger runs it), 60 M instructions, off vs on.
// Runs alternate off/on and each keeps its best of three (shared, loaded machines are noisy). Figures
// are MIPS in wall and CPU time of this process. This file reads clocks: it measures the simulator.

import { existsSync, readFileSync } from 'fs';
import path from 'path';
import { Machine } from '../machine/machine';
import type { BenchCase, BenchResult } from './bench-main';
import { guestElf, runBareElf } from './bench-main';

const KERNEL_INSTRUCTIONS = 60_000_000;

function teachingKernel(): string {
  const candidates = [
    path.join(__dirname, '..', 'simulator', 'guest', 'build', 'ksim-kernel.elf'),
    path.join(__dirname, '..', '..', 'simulator', 'guest', 'build', 'ksim-kernel.elf'),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error('simulator/guest/build/ksim-kernel.elf not found');
  return found;
}

/** Boots the teaching kernel (2 CPUs, default scenario) and runs it for KERNEL_INSTRUCTIONS. */
function runKernel(profiling: boolean): BenchResult {
  const m = new Machine({ cpus: 2, memoryMB: 128, cmdline: 'scenario=default hz=100', traceBufferSize: 0 });
  m.loadKernel(new Uint8Array(readFileSync(teachingKernel())));
  if (profiling) m.cpus[0].profiling = true; // shared by both CPUs
  let serial = '';
  m.onSerialOutput((b) => { serial += Buffer.from(b).toString('latin1'); });
  const w0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  m.run(KERNEL_INSTRUCTIONS);
  const seconds = Number(process.hrtime.bigint() - w0) / 1e9;
  const u = process.cpuUsage(c0);
  return { name: 'profile', instructions: m.instructionsRetired, seconds, cpuSeconds: (u.user + u.system) / 1e6, serial, exitValue: 0 };
}

const mips = (r: BenchResult) => r.instructions / r.seconds / 1e6;
const cpuMips = (r: BenchResult) => r.instructions / r.cpuSeconds / 1e6;
const fmt = (x: number) => x.toFixed(1);

/** Best (by CPU-time MIPS) of three alternating off/on runs of `run`. */
function bestOfThree(run: (profiling: boolean) => BenchResult): { off: BenchResult; on: BenchResult } {
  let off: BenchResult | undefined, on: BenchResult | undefined;
  for (let i = 0; i < 3; i++) {
    const a = run(false), b = run(true);
    if (!off || cpuMips(a) > cpuMips(off)) off = a;
    if (!on || cpuMips(b) > cpuMips(on)) on = b;
  }
  return { off: off!, on: on! };
}

function report(what: string, r: { off: BenchResult; on: BenchResult }): void {
  console.log(`  ${what}, best of 3: counting off ${fmt(mips(r.off))} MIPS wall, ${fmt(cpuMips(r.off))} MIPS CPU time;`
    + ` on ${fmt(mips(r.on))} MIPS wall, ${fmt(cpuMips(r.on))} MIPS CPU time`
    + ` -> cost ${fmt((1 - cpuMips(r.on) / cpuMips(r.off)) * 100)} % by CPU time (${fmt((1 - mips(r.on) / mips(r.off)) * 100)} % wall)`);
}

export const PROFILE_BENCH_CASES: BenchCase[] = [
  {
    name: 'profile',
    description: 'execution counting for the code lenses off vs on: bench.elf on a bare CPU, the teaching kernel on 2 CPUs',
    run() {
      const bare = bestOfThree((p) => runBareElf('bare', guestElf('bench.elf'), 32, 5e9, p));
      report('bench.elf, bare CPU', bare);
      const kernel = bestOfThree(runKernel);
      report(`teaching kernel, 2 CPUs, ${KERNEL_INSTRUCTIONS / 1e6} M instructions`, kernel);
      return { ...bare.on, name: this.name };
    },
  },
];
