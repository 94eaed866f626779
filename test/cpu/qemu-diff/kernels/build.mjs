#!/usr/bin/env node
// Builds the differential-trace kernels (nasm + ld, multiboot v1 ELF at 1 MiB) into build/ (or --out DIR).
//   node test/cpu/qemu-diff/kernels/build.mjs [--out DIR]
// The built ELFs are committed; the test rebuilds them and checks the result is byte-identical.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KERNELS = ['alu', 'sys'];
const here = dirname(fileURLToPath(import.meta.url));

export function buildKernels(outDir) {
  mkdirSync(outDir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'ksim-kern-'));
  try {
    for (const k of KERNELS) {
      // relative source paths: nasm records the file name in the object, keep it machine-independent
      execFileSync('nasm', ['-f', 'elf32', '-o', join(work, `${k}.o`), `${k}.asm`], { cwd: here, stdio: 'inherit' });
      execFileSync('ld', ['-m', 'elf_i386', '--no-warn-rwx-segments', '-T', 'link.ld', '-o', join(outDir, `${k}.elf`), join(work, `${k}.o`)],
        { cwd: here, stdio: 'inherit' });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  buildKernels(i > 0 ? resolve(process.argv[i + 1]) : join(here, 'build'));
}
