// Shared by the machine-layer tests: where things are, how to run ksim's CLI and QEMU on a kernel.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const SMPTEST_ELF = path.join(ROOT, 'test', 'machine', 'kernels', 'build', 'smptest.elf');
export const CLI = path.join(ROOT, 'dist', 'cli.js');

export interface ProcessResult { status: number | null; stdout: string; stderr: string }

/** Runs `node dist/cli.js ...args` (built by `npm test` / `node scripts/build.mjs` before mocha). */
export function runCli(args: string[], timeoutMs = 120_000): ProcessResult {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'node scripts/build.mjs' first`);
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: timeoutMs });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function qemuAvailable(): boolean {
  return spawnSync('qemu-system-i386', ['--version'], { encoding: 'utf8' }).status === 0;
}

/**
 * Boots `elf` on qemu-system-i386 with N CPUs. When `input` is given it is written to the serial port
 * only once `inputAfter` appears in the output (so the firmware's own console cannot swallow it).
 */
export function runQemu(elf: string, smp: number, append: string, input?: { after: string; bytes: string },
  timeoutMs = 60_000): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const p = spawn('qemu-system-i386', ['-kernel', elf, '-smp', String(smp), '-m', '128', '-nographic',
      '-serial', 'stdio', '-monitor', 'none', '-no-reboot', '-device', 'isa-debug-exit,iobase=0xf4,iosize=4',
      '-append', append], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', sent = false;
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`QEMU timed out; output so far:\n${stdout}`)); }, timeoutMs);
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('latin1');
      if (input && !sent && stdout.includes(input.after)) { sent = true; p.stdin.write(input.bytes); }
    });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString('latin1'); });
    p.on('error', e => { clearTimeout(timer); reject(e); });
    p.on('close', status => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
  });
}

/** The kernel's own output: from its banner on (QEMU prints firmware messages first), with \r\n -> \n. */
export function kernelOutput(raw: string, banner = 'ksim machine test kernel'): string {
  const i = raw.indexOf(banner);
  return (i < 0 ? raw : raw.slice(i)).replace(/\r\n/g, '\n');
}
