// `npm run bench`: runs CPU-bound guests on ksim and prints instructions, time and MIPS; when
// qemu-system-i386 is installed, runs the same ELF there and prints the ksim/QEMU wall-time ratio.
//
// Cases are a list (BENCH_CASES) so machine-level variants (SMP, devices) can be added beside the
// bare-CPU one. This file is the one place in simulator/ that reads a wall clock: it measures the
// simulator, it is not part of it.

import { spawnSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import path from 'path';
import { cpus, loadavg } from 'os';
import { Cpu } from '../cpu/cpu';
import type { AccessSize, CpuBus } from '../cpu/bus';
import { parseMultibootKernel } from '../machine/multiboot';
import { MACHINE_BENCH_CASES } from './machine-cases';
import { PROFILE_BENCH_CASES } from './profile-case';
import { ADAPTER_BENCH_CASES } from '../../debug-adapter/bench';
import { SYMBOLS_BENCH_CASES } from '../../debug-adapter/symbols/bench';
import { VIEW_REFRESH_BENCH_CASES } from '../../extension/bench/view-refresh-case';

export interface BenchResult {
  name: string;
  instructions: number;
  seconds: number;
  /** CPU time this process used (user + system): the fair figure on a shared, loaded machine. */
  cpuSeconds: number;
  /** What the guest printed on COM1 (compared with QEMU's output). */
  serial: string;
  exitValue: number | undefined;
}

export interface BenchCase {
  name: string;
  description: string;
  /** ELF (file name in simulator/bench/guest/build) also run by QEMU for the ratio; omit for cases QEMU cannot run the same way. */
  elf?: string;
  run(): BenchResult;
}

/** RAM from 0, COM1 transmit/line status, isa-debug-exit at 0xf4: all a bare CPU guest needs. */
class BenchBus implements CpuBus {
  readonly ram: Uint8Array;
  readonly dirtyPages: Uint8Array;
  exitValue: number | undefined;
  serial = '';
  constructor(bytes: number) { this.ram = new Uint8Array(bytes); this.dirtyPages = new Uint8Array(bytes >>> 12); }
  readPhysical(_p: number, size: AccessSize): number { return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff; }
  writePhysical(): void { /* nothing mapped */ }
  ioRead(port: number, size: AccessSize): number { return port === 0x3fd ? 0x60 : size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff; }
  ioWrite(port: number, _size: AccessSize, value: number): void {
    if (port === 0xf4 && this.exitValue === undefined) this.exitValue = value >>> 0;
    else if (port === 0x3f8) this.serial += String.fromCharCode(value & 0xff);
  }
}

/**
 * Loads a multiboot ELF into a RAM-only PC with one CPU and runs it until it exits or halts
 * (`profiling`: with per-instruction execution counting on, see simulator/cpu/execution-counts.ts).
 */
export function runBareElf(name: string, elfPath: string, ramMB = 32, maxInstructions = 5e9, profiling = false): BenchResult {
  const image = new Uint8Array(readFileSync(elfPath));
  const kernel = parseMultibootKernel(image);
  const bus = new BenchBus(ramMB << 20);
  for (const s of kernel.segments) { bus.ram.fill(0, s.paddr, s.paddr + s.memSize); bus.ram.set(s.data, s.paddr); }
  const cpu = new Cpu(bus, { id: 0 });
  cpu.enterFlatProtectedMode();
  cpu.setReg32(0, 0x2badb002);
  cpu.setReg32(3, 0);
  cpu.eip = kernel.entry;
  if (profiling) cpu.profiling = true;
  const t0 = process.hrtime.bigint();
  const u0 = process.cpuUsage();
  while (bus.exitValue === undefined && cpu.runState === 'running' && cpu.instructionCount < maxInstructions) {
    cpu.run(10_000_000);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const u = process.cpuUsage(u0);
  const cpuSeconds = (u.user + u.system) / 1e6;
  if (cpu.runState === 'shutdown') throw new Error(`${name}: guest triple-faulted\n${cpu.shutdownReport}`);
  return { name, instructions: cpu.instructionCount, seconds, cpuSeconds, serial: bus.serial, exitValue: bus.exitValue };
}

const GUEST_DIR = path.join(__dirname, '..', 'simulator', 'bench', 'guest', 'build');
export function guestElf(file: string): string {
  for (const dir of [GUEST_DIR, path.join(__dirname, 'guest', 'build'), path.join(process.cwd(), 'simulator', 'bench', 'guest', 'build')]) {
    const p = path.join(dir, file);
    if (existsSync(p)) return p;
  }
  throw new Error(`bench guest ${file} not found (build it with make -C simulator/bench/guest)`);
}

export const BENCH_CASES: BenchCase[] = [
  {
    name: 'cpu-bare',
    description: 'one CPU, RAM only: sieve, quicksort, matrix multiply, CRC32, rep movs/stos (gcc -O2)',
    elf: 'bench.elf',
    run() { return runBareElf(this.name, guestElf(this.elf!)); },
  },
  ...MACHINE_BENCH_CASES,  // the machine layer's cases (SMP, devices, snapshots): machine-cases.ts
  ...PROFILE_BENCH_CASES,  // execution counting (code lenses) on vs off: profile-case.ts
  ...ADAPTER_BENCH_CASES,  // the debug adapter's figures (first stop, step latency): debug-adapter/bench.ts
  ...SYMBOLS_BENCH_CASES,  // symbol loading and address -> line: debug-adapter/symbols/bench.ts
  ...VIEW_REFRESH_BENCH_CASES,  // issue 8: kernel views refreshed per stop with 1,000 tasks: extension/bench/view-refresh-case.ts
];

interface QemuResult { seconds: number; cpuSeconds: number; serial: string; exitCode: number | null }

/** CPU time of terminated children (Linux /proc/self/stat fields cutime + cstime, in clock ticks). */
function childCpuSeconds(): number {
  try {
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch { return NaN; }
}

function runQemu(elf: string): QemuResult | undefined {
  const probe = spawnSync('qemu-system-i386', ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) return undefined;
  const c0 = childCpuSeconds();
  const t0 = process.hrtime.bigint();
  const r = spawnSync('qemu-system-i386', ['-kernel', elf, '-nographic', '-serial', 'stdio', '-monitor', 'none',
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=4'], { encoding: 'latin1', timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds, cpuSeconds: childCpuSeconds() - c0, serial: r.stdout ?? '', exitCode: r.status };
}

/**
 * A fixed pure-JavaScript loop, timed in CPU time: how fast this host runs JS right now. On a shared
 * machine under load every figure above shifts together; this one lets runs be compared.
 */
function hostCalibration(): number {
  const regs = new Int32Array(8);
  const u0 = process.cpuUsage();
  const n = 50_000_000;
  for (let i = 0; i < n; i++) regs[i & 7] = (regs[i & 7] + regs[(i + 1) & 7] + i) | 0;
  const u = process.cpuUsage(u0);
  if (regs[0] === 12345) console.log('');
  return (u.user + u.system) * 1000 / n;
}

function main(): void {
  const only = process.argv.slice(2);
  if (only.includes('--list')) {
    for (const bc of BENCH_CASES) console.log(`${bc.name.padEnd(26)} ${bc.description}`);
    return;
  }
  const unknown = only.filter((n) => !BENCH_CASES.some((bc) => bc.name === n));
  if (unknown.length) {
    console.error(`bench: no case named ${unknown.join(', ')}; cases: ${BENCH_CASES.map((bc) => bc.name).join(' ')}`);
    process.exit(2);
  }
  let failed = false;
  console.log(`host calibration: reference JS loop ${hostCalibration().toFixed(2)} ns/iteration CPU time (an idle modern x86 core: ~0.5-1)`);
  for (const bc of BENCH_CASES) {
    if (only.length && !only.includes(bc.name)) continue;
    const r = bc.run();
    const mips = r.instructions / r.seconds / 1e6;
    const cpuMips = r.instructions / r.cpuSeconds / 1e6;
    console.log(`${bc.name}: ${bc.description}`);
    console.log(`  ksim: ${r.instructions.toLocaleString('en-US')} instructions; wall ${r.seconds.toFixed(2)} s = ${mips.toFixed(1)} MIPS;` +
      ` CPU time ${r.cpuSeconds.toFixed(2)} s = ${cpuMips.toFixed(1)} MIPS (guest output: ${JSON.stringify(r.serial.trim().split('\n').pop())})`);
    console.log(`  load average while measuring: ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores (wall-time figures suffer from other load; CPU-time figures much less)`);
    if (r.exitValue === undefined) { console.log('  ksim: the guest did not exit through port 0xf4'); failed = true; }
    if (bc.elf) {
      const q = runQemu(guestElf(bc.elf));
      if (!q) console.log('  qemu-system-i386 not installed: no ratio');
      else {
        const same = q.serial.includes(r.serial.trim().split('\n').pop() ?? '\u0000');
        console.log(`  qemu: wall ${q.seconds.toFixed(2)} s, CPU time ${q.cpuSeconds.toFixed(2)} s (both include its firmware boot), exit code ${q.exitCode}`);
        console.log(`  ksim/QEMU ratio: wall ${(r.seconds / q.seconds).toFixed(2)}, CPU time ${(r.cpuSeconds / q.cpuSeconds).toFixed(2)}; same guest output: ${same ? 'yes' : 'NO'}`);
        if (!same) failed = true;
      }
    }
  }
  if (failed) process.exitCode = 1;
}

if (require.main === module) main();
