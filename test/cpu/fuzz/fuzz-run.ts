// Runs a fuzz campaign on the sandbox and summarises it (used by the test and by the command line:
//   npx tsx test/cpu/fuzz/fuzz-run.ts [sequences=1000000] [seed=1]).

import { FuzzSandbox, MODES, Rng } from './sandbox';

export interface FuzzSummary {
  sequences: number;
  instructions: number;
  /** Sequences that ended in an architectural exception/interrupt delivery, by vector. */
  vectors: Map<number, number>;
  perMode: Record<string, number>;
  failures: string[];
  seconds: number;
}

const hexBytes = (a: Uint8Array) => Array.from(a, (x) => x.toString(16).padStart(2, '0')).join(' ');

export function fuzz(sequences: number, seed: number, maxFailures = 5): FuzzSummary {
  const box = new FuzzSandbox();
  const rng = new Rng(seed);
  const s: FuzzSummary = { sequences: 0, instructions: 0, vectors: new Map(), perMode: {}, failures: [], seconds: 0 };
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < sequences; i++) {
    const mode = MODES[i % MODES.length];
    const useRun = (i / MODES.length | 0) % 2 === 1;
    const r = box.runSequence(i, mode, rng, useRun);
    s.sequences++;
    s.instructions += r.retired;
    s.perMode[mode] = (s.perMode[mode] ?? 0) + 1;
    if (r.vector >= 0) s.vectors.set(r.vector, (s.vectors.get(r.vector) ?? 0) + 1);
    if (r.error) {
      s.failures.push(`sequence ${i} (${mode}, ${useRun ? 'run' : 'step'}): bytes ${hexBytes(box.codeAt(i))}\n    ${r.error.split('\n').slice(0, 6).join('\n    ')}`);
      if (s.failures.length >= maxFailures) break;
    }
  }
  s.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return s;
}

export function formatSummary(s: FuzzSummary): string {
  const vec = [...s.vectors.entries()].sort((a, b) => a[0] - b[0]).map(([v, n]) => `#${v}:${n}`).join(' ');
  return `${s.sequences} sequences, ${s.instructions} instructions retired, ${s.seconds.toFixed(1)} s ` +
    `(${Math.round(s.sequences / s.seconds)} sequences/s); deliveries by vector (step mode): ${vec}; ` +
    `JavaScript exceptions: ${s.failures.length}`;
}

if (require.main === module) {
  const args = process.argv.slice(2).filter((a) => a !== '--json');
  const n = Number(args[0] ?? 1_000_000), seed = Number(args[1] ?? 1);
  const s = fuzz(n, seed, 20);
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ ...s, vectors: Object.fromEntries(s.vectors), cpuSeconds: process.cpuUsage().user / 1e6 }));
    process.exit(0);
  }
  console.log(formatSummary(s));
  for (const f of s.failures) console.log(f);
  process.exit(s.failures.length ? 1 : 0);
}
