/**
 * Symbols benchmark (wall-clock measurement of this layer; not used by tests):
 *   npx tsx debug-adapter/symbols/bench.ts [ELF]          (default: the teaching kernel)
 * or import { benchSymbols } and print its figures from the bench driver.
 *
 * Figures: load (ELF + unit headers), "ready" load (plus all line tables and the name indexes),
 * address → line average over 200,000 addresses spread over .text (deterministic LCG), and
 * address → function + inlined chain average.
 */
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { SymbolFile } from './program';

export interface SymbolsBenchResult {
  elf: string;
  bytes: number;
  units: number;
  /** Median ms of new SymbolFile(bytes) (ELF, section headers, unit headers; DWARF otherwise lazy). */
  loadMs: number;
  /** Median ms of load + line index + name indexes (everything a first breakpoint/stack needs). */
  readyMs: number;
  /** Average µs of lineAt(addr). */
  addrToLineUs: number;
  /** Average µs of inlinedChainAt(addr) (function + inline chain + line). */
  addrToChainUs: number;
  /** CPU time (user+system) of the same measurements — the fair figure on a loaded machine. */
  readyCpuMs: number;
  addrToLineCpuUs: number;
  lookups: number;
}

function median(xs: number[]): number { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; }
function nowMs(): number { return Number(process.hrtime.bigint()) / 1e6; }
function cpuMs(): number { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }

/** The teaching kernel, found from this file (tsx) or from the bundle in dist/ or the working directory. */
export const DEFAULT_BENCH_ELF = [
  path.join(__dirname, '..', '..', 'simulator', 'guest', 'build', 'ksim-kernel.elf'),
  path.join(__dirname, '..', 'simulator', 'guest', 'build', 'ksim-kernel.elf'),
  path.join(process.cwd(), 'simulator', 'guest', 'build', 'ksim-kernel.elf'),
].find((p) => existsSync(p)) ?? 'simulator/guest/build/ksim-kernel.elf';

export function benchSymbols(elfPath = DEFAULT_BENCH_ELF, lookups = 200_000): SymbolsBenchResult {
  const bytes = new Uint8Array(readFileSync(elfPath));
  const loads: number[] = [], readies: number[] = [], readyCpu: number[] = [];
  let syms!: SymbolFile;
  for (let i = 0; i < 7; i++) {
    const c0 = cpuMs();
    const t0 = nowMs();
    syms = new SymbolFile(bytes);
    const t1 = nowMs();
    syms.lineAt(syms.elf.entry);
    syms.functionNames();
    const t2 = nowMs();
    loads.push(t1 - t0);
    readies.push(t2 - t0);
    readyCpu.push(cpuMs() - c0);
  }
  const text = syms.elf.section('.text');
  if (!text) throw new Error(`${elfPath}: no .text section`);
  const addrs = new Uint32Array(lookups);
  let x = 12345;
  for (let i = 0; i < lookups; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; addrs[i] = text.addr + (x % text.size); }
  let sink = 0;
  let t0 = nowMs();
  const c0 = cpuMs();
  for (let i = 0; i < lookups; i++) sink += syms.lineAt(addrs[i])?.line ?? 0;
  const lineUs = ((nowMs() - t0) * 1000) / lookups;
  const lineCpuUs = ((cpuMs() - c0) * 1000) / lookups;
  const chainN = Math.min(lookups, 20_000);
  t0 = nowMs();
  for (let i = 0; i < chainN; i++) sink += syms.inlinedChainAt(addrs[i]).length;
  const chainUs = ((nowMs() - t0) * 1000) / chainN;
  if (sink === -1) console.log(sink);
  return {
    elf: elfPath, bytes: bytes.length, units: syms.units.length, loadMs: median(loads), readyMs: median(readies),
    addrToLineUs: lineUs, addrToChainUs: chainUs, lookups, readyCpuMs: median(readyCpu), addrToLineCpuUs: lineCpuUs,
  };
}

export function formatSymbolsBench(r: SymbolsBenchResult): string {
  return [
    `symbols: ${path.basename(r.elf)} (${(r.bytes / 1024).toFixed(0)} KiB, ${r.units} units)`,
    `  load (headers, lazy DWARF)      ${r.loadMs.toFixed(2)} ms   (budget 300 ms)`,
    `  load + line index + name index  ${r.readyMs.toFixed(1)} ms wall, ${r.readyCpuMs.toFixed(1)} ms CPU   (budget 300 ms)`,
    `  address -> line                 ${r.addrToLineUs.toFixed(3)} µs wall, ${r.addrToLineCpuUs.toFixed(3)} µs CPU avg over ${r.lookups} lookups (budget 5 µs)`,
    `  address -> function + inlines   ${r.addrToChainUs.toFixed(2)} µs avg`,
  ].join('\n');
}

// Run directly (npx tsx debug-adapter/symbols/bench.ts) — not when bundled into the bench driver.
if (require.main === module && /symbols[\\/]bench\.[jt]s$/.test(process.argv[1] ?? '')) {
  console.log(formatSymbolsBench(benchSymbols(process.argv[2] ?? DEFAULT_BENCH_ELF)));
}

/**
 * Cases for simulator/bench (`npm run bench`): the driver's record shape, with this layer's real figures
 * printed by run() itself ("instructions" = address lookups timed).
 */
export const SYMBOLS_BENCH_CASES = [
  {
    name: 'symbols',
    description: 'symbols: load the teaching kernel\'s symbols (bar <= 300 ms) and address -> line (bar <= 5 µs)',
    run(): { name: string; instructions: number; seconds: number; cpuSeconds: number; serial: string; exitValue: number | undefined } {
      const r = benchSymbols();
      const text = formatSymbolsBench(r);
      console.log(text.split('\n').map((l) => '  ' + l).join('\n'));
      return {
        name: 'symbols', instructions: r.lookups, seconds: (r.addrToLineUs * r.lookups) / 1e6, cpuSeconds: (r.addrToLineCpuUs * r.lookups) / 1e6,
        serial: `load ${r.readyMs.toFixed(1)} ms, address->line ${r.addrToLineUs.toFixed(2)} us`, exitValue: 0,
      };
    },
  },
];
