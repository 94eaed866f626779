#!/usr/bin/env node
// Builds the hardware-vector generator (gen/vecgen.c) with `gcc -m32`, runs it natively on this x86 host,
// and writes one gzip'd file per instruction family to data/ (or to the directory given with --out).
//   node test/cpu/vectors/generate.mjs [--out DIR]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const outArg = process.argv.indexOf('--out');
const outDir = outArg > 0 ? process.argv[outArg + 1] : join(here, 'data');
if (process.arch !== 'x64' && process.arch !== 'ia32') {
  console.error('generate.mjs: the vectors must be recorded on an x86 host (this is ' + process.arch + ')');
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'ksim-vecgen-'));
try {
  const exe = join(work, 'vecgen');
  execFileSync('gcc', ['-m32', '-O1', '-Wall', '-Wextra', '-Werror', '-o', exe, join(here, 'gen', 'vecgen.c')], { stdio: 'inherit' });
  const raw = join(work, 'raw');
  mkdirSync(raw);
  execFileSync(exe, [raw], { stdio: 'inherit' });
  mkdirSync(outDir, { recursive: true });
  let total = 0;
  for (const f of readdirSync(raw).sort()) {
    const gz = gzipSync(readFileSync(join(raw, f)), { level: 9 });
    writeFileSync(join(outDir, f + '.gz'), gz);
    total += gz.length;
  }
  console.error(`generate.mjs: wrote ${outDir} (${(total / 1e6).toFixed(1)} MB)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
