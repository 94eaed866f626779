#!/usr/bin/env node
// Builds the differential-trace kernels (nasm + ld, multiboot v1 ELF at 1 MiB) into build/ (or --out DIR).
//   node test/cpu/qemu-diff/kernels/build.mjs [--out DIR]
// The built ELFs are committed; the test rebuilds them and checks the result is byte-identical.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// name -> sources (asm through nasm, C through gcc -m32 -O2; libgcc is linked for 64-bit division etc.)
export const KERNELS = { alu: ['alu.asm'], sys: ['sys.asm'], cmix: ['cmix-entry.asm', 'cmix.c'], realmode: ['realmode.asm'], prot: ['prot.asm'] };
const CFLAGS = ['-m32', '-O2', '-march=i686', '-ffreestanding', '-fno-pic', '-fno-stack-protector', '-nostdlib',
  '-fno-asynchronous-unwind-tables', '-fcf-protection=none'];
const here = dirname(fileURLToPath(import.meta.url));

export function buildKernels(outDir) {
  mkdirSync(outDir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'ksim-kern-'));
  try {
    const libgcc = execFileSync('gcc', ['-m32', '-print-libgcc-file-name']).toString().trim();
    for (const [k, sources] of Object.entries(KERNELS)) {
      const objs = [];
      for (const src of sources) {
        const obj = join(work, `${k}-${objs.length}.o`);
        // relative source paths: the assembler/compiler record file names, keep them machine-independent
        if (src.endsWith('.asm')) execFileSync('nasm', ['-f', 'elf32', '-o', obj, src], { cwd: here, stdio: 'inherit' });
        else execFileSync('gcc', [...CFLAGS, '-c', '-o', obj, src], { cwd: here, stdio: 'inherit' });
        objs.push(obj);
      }
      execFileSync('ld', ['-m', 'elf_i386', '-z', 'noexecstack', '--no-warn-rwx-segments', '-T', 'link.ld', '-o', join(outDir, `${k}.elf`), ...objs,
        ...(sources.some((s) => s.endsWith('.c')) ? [libgcc] : [])], { cwd: here, stdio: 'inherit' });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  buildKernels(i > 0 ? resolve(process.argv[i + 1]) : join(here, 'build'));
}
