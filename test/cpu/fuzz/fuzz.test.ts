// Fuzz: 1,000,000 random byte sequences, in five execution modes (flat and paged protected mode in rings
// 0 and 3, a 16-bit code segment, real mode), through both step() with hooks and the hook-free run() loop,
// must never make the interpreter throw a JavaScript exception — only architectural events may result.
//
// The campaign runs in a child node process from an esbuild bundle (tsx's per-function name wrapping
// doubles the cost of code that decodes something new every few microseconds).

import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildSync } from 'esbuild';

const SEQUENCES = 1_000_000;

describe('CPU fuzz (random byte sequences)', function () {
  this.timeout(900_000);
  let bundle = '';
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ksim-fuzz-'));
    bundle = join(dir, 'fuzz.js');
    buildSync({ entryPoints: [join(__dirname, 'fuzz-run.ts')], bundle: true, platform: 'node', target: 'node20', outfile: bundle, logLevel: 'warning' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const campaign = (n: number, seed: number) =>
    JSON.parse(execFileSync(process.execPath, [bundle, String(n), String(seed), '--json'], { maxBuffer: 64 << 20 }).toString());

  it(`${SEQUENCES.toLocaleString('en')} sequences raise only architectural exceptions, never a JavaScript one`, () => {
    const s = campaign(SEQUENCES, 1) as { sequences: number; instructions: number; vectors: Record<string, number>;
      perMode: Record<string, number>; failures: string[]; seconds: number; cpuSeconds: number };
    console.log(`      ${s.sequences} sequences, ${s.instructions} instructions, ${s.seconds.toFixed(1)} s wall, ` +
      `${s.cpuSeconds.toFixed(1)} s CPU (${Math.round(s.sequences / s.cpuSeconds)} sequences per CPU second)`);
    assert.deepEqual(s.failures, [], `JavaScript exceptions:\n${s.failures.join('\n')}`);
    assert.equal(s.sequences, SEQUENCES);
    for (const m of ['pm32-flat', 'pm32-paged', 'pm32-user', 'pm16', 'real']) assert.ok(s.perMode[m] > 0, `mode ${m} not run`);
    // the campaign must actually reach the exception machinery: #DE #UD #GP #PF and software interrupts
    for (const v of ['0', '6', '13', '14', '3', '128']) assert.ok((s.vectors[v] ?? 0) > 0, `vector ${v} never delivered`);
  });

  it('is deterministic: the same campaign twice retires the same instructions and raises the same vectors', () => {
    const a = campaign(30_000, 99), b = campaign(30_000, 99);
    assert.equal(a.instructions, b.instructions);
    assert.deepEqual(a.vectors, b.vectors);
  });
});
