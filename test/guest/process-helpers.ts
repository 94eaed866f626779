// Helpers of the issue-5 (process) guest tests: build the user programs, run them on the host's Linux
// (the reference), and run the teaching kernel under QEMU or ksim.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../..');
export const guestDir = path.join(repoRoot, 'simulator/guest');
export const userDir = path.join(guestDir, 'user');
export const kernelElf = path.join(guestDir, 'build/ksim-kernel.elf');

export function buildUserPrograms(outDir: string): void {
  execFileSync('make', ['-s', '-C', userDir, `O=${outDir}`], { stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface HostRun { out: string; status: number | null; signal: string | null }

/** Runs one of the static user programs directly on the host kernel (BINDIR lets it find the others). */
export function runOnHost(binDir: string, prog: string, args: string[] = [], input?: string): HostRun {
  const r = spawnSync(path.join(binDir, prog), args, {
    env: { BINDIR: binDir },
    input,
    encoding: 'utf8',
    timeout: 30000,
  });
  return { out: r.stdout, status: r.status, signal: r.signal };
}

export interface KernelRun { out: string; status: number | null }

/** The kernel under QEMU, the reference PC (exit status = (code << 1) | 1 through isa-debug-exit). */
export function runQemu(cmdline: string, cpus: number, timeoutMs = 60000, input = ''): KernelRun {
  const r = spawnSync('qemu-system-i386', [
    '-kernel', kernelElf, '-smp', String(cpus), '-m', '128', '-nographic', '-serial', 'stdio',
    '-monitor', 'none', '-no-reboot', '-device', 'isa-debug-exit,iobase=0xf4,iosize=4', '-append', cmdline,
  ], { input, encoding: 'latin1', timeout: timeoutMs });
  return { out: r.stdout.replace(/\r/g, ''), status: r.status };
}

/** The kernel under ksim (`ksim run`), as built into dist/cli.js by scripts/build.mjs. */
export function runKsim(cmdline: string, cpus: number, maxInstructions = 400_000_000, timeoutMs = 240000): KernelRun {
  const cli = path.join(repoRoot, 'dist/cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `node scripts/build.mjs` first');
  const r = spawnSync(process.execPath, [
    cli, 'run', '--kernel', kernelElf, '--cpus', String(cpus), '--cmdline', cmdline,
    '--max-instructions', String(maxInstructions),
  ], { encoding: 'latin1', timeout: timeoutMs });
  return { out: r.stdout.replace(/\r/g, ''), status: r.status };
}
