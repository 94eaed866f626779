// Helpers of the issue-5 (process) guest tests: build the user programs, run them on the host's Linux
// (the reference), and run the teaching kernel under QEMU or ksim.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
export function runKsim(cmdline: string, cpus: number, maxInstructions = 400_000_000, timeoutMs = 240000,
                        serialIn?: string): KernelRun {
  const cli = path.join(repoRoot, 'dist/cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `node scripts/build.mjs` first');
  const args = [cli, 'run', '--kernel', kernelElf, '--cpus', String(cpus), '--cmdline', cmdline,
    '--max-instructions', String(maxInstructions)];
  const dir = serialIn !== undefined ? mkdtempSync(path.join(tmpdir(), 'ksim-serial-')) : undefined;
  try {
    if (dir) {
      writeFileSync(path.join(dir, 'in'), serialIn!);
      args.push('--serial-in', path.join(dir, 'in'));
    }
    const r = spawnSync(process.execPath, args, { encoding: 'latin1', timeout: timeoutMs });
    return { out: r.stdout.replace(/\r/g, ''), status: r.status };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * QEMU with a conversation on the console: each step waits until the output matches `expect`, then
 * types `send`. Input is sent only once the guest asks for it, because the firmware (SeaBIOS) would eat
 * bytes typed before the kernel runs. Resolves with the whole output when `done` matches (QEMU is then
 * stopped), rejects on timeout.
 */
export function runQemuConversation(cmdline: string, cpus: number, steps: { expect: RegExp; send: string }[],
                                    done: RegExp, timeoutMs = 60000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('qemu-system-i386', [
      '-kernel', kernelElf, '-smp', String(cpus), '-m', '128', '-nographic', '-serial', 'stdio',
      '-monitor', 'none', '-no-reboot', '-device', 'isa-debug-exit,iobase=0xf4,iosize=4', '-append', cmdline,
    ], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let step = 0;
    let from = 0;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timeout at step ${step}; output:\n${out.slice(-3000)}`));
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString('latin1').replace(/\r/g, '');
      while (step < steps.length && steps[step].expect.test(out.slice(from))) {
        from = out.length;
        child.stdin.write(steps[step++].send);
      }
      if (step === steps.length && done.test(out.slice(from))) {
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve(out);
      }
    });
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}
