// Runs the teaching kernel (or any multiboot ELF) with a command line, under QEMU or under ksim, and
// returns what it printed on COM1 and how it left the machine.
//
//   QEMU: qemu-system-i386 -kernel ELF -smp N -m 128 -nographic -serial stdio -monitor none -no-reboot
//         -device isa-debug-exit,iobase=0xf4,iosize=4 -append CMDLINE
//   ksim: node dist/cli.js run --kernel ELF --cpus N --cmdline CMDLINE --max-instructions N [--serial-in FILE]
//
// Both exit with (v << 1) | 1 when the guest writes v to port 0xf4. The kernel's machine_exit uses
// v = 0 for PASS, 1 for FAIL, 2 for a panic, so the process exit codes are 1, 3 and 5
// (KSIM_EXIT_* in simulator/guest/include/linux/kernel.h).
//
// Scenario output (simulator/guest/include/linux/ksim_scenario.h): "=== scenario NAME: ... ===",
// then lines "summary: TEXT", then "scenario NAME: PASS|FAIL".

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const GUEST_DIR = path.join(REPO_ROOT, 'simulator', 'guest');
export const DEFAULT_KERNEL = path.join(GUEST_DIR, 'build', 'ksim-kernel.elf');
export const KSIM_CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

export const EXIT_PASS = 1;
export const EXIT_FAIL = 3;
export const EXIT_PANIC = 5;

export interface RunOptions {
  /** Kernel ELF (default: the committed teaching kernel). */
  kernel?: string;
  cpus: number;
  /** Multiboot command line, e.g. "scenario=timer-preempt hz=1000". */
  cmdline: string;
  /** Bytes for COM1 input: QEMU gets them on stdin, ksim through --serial-in (all available at time 0). */
  input?: string;
  /** Wall-clock limit for the process (ms). */
  timeoutMs?: number;
  /** ksim only: instruction budget (default 400 million). */
  maxInstructions?: number;
  mem?: number;
}

export interface KernelRun {
  engine: 'qemu' | 'ksim';
  /** Everything the guest printed on COM1 (carriage returns removed). */
  output: string;
  /** Process exit code (null if killed by the timeout). */
  exitCode: number | null;
  timedOut: boolean;
  stderr: string;
}

export function haveQemu(): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some(d => existsSync(path.join(d, 'qemu-system-i386')));
}

function runProcess(engine: 'qemu' | 'ksim', cmd: string, args: string[], input: string | undefined,
                    timeoutMs: number): Promise<KernelRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', e => { clearTimeout(timer); reject(e); });
    child.on('close', code => {
      clearTimeout(timer);
      resolve({
        engine,
        output: Buffer.concat(out).toString('latin1').replace(/\r/g, ''),
        exitCode: code,
        timedOut,
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    if (engine === 'qemu' && input) child.stdin.write(input);
    // QEMU keeps reading stdin for the serial port: leave it open (closing it is fine too, but an
    // open pipe mirrors a terminal); ksim takes its input from --serial-in.
    if (engine === 'ksim') child.stdin.end();
  });
}

/** Run under qemu-system-i386 (the reference PC). */
export function runQemu(o: RunOptions): Promise<KernelRun> {
  const kernel = o.kernel ?? DEFAULT_KERNEL;
  if (!existsSync(kernel)) throw new Error(`kernel image not found: ${kernel} (make -C simulator/guest)`);
  const args = ['-kernel', kernel, '-smp', String(o.cpus), '-m', String(o.mem ?? 128), '-nographic',
    '-serial', 'stdio', '-monitor', 'none', '-no-reboot', '-device', 'isa-debug-exit,iobase=0xf4,iosize=4',
    '-append', o.cmdline];
  return runProcess('qemu', 'qemu-system-i386', args, o.input, o.timeoutMs ?? 60_000);
}

/** Run under ksim (`ksim run`, from dist/cli.js — built by `npm run build`). */
export async function runKsim(o: RunOptions): Promise<KernelRun> {
  const kernel = o.kernel ?? DEFAULT_KERNEL;
  if (!existsSync(kernel)) throw new Error(`kernel image not found: ${kernel} (make -C simulator/guest)`);
  if (!existsSync(KSIM_CLI)) throw new Error(`${KSIM_CLI} is missing: run "npm run build" first`);
  const args = [KSIM_CLI, 'run', '--kernel', kernel, '--cpus', String(o.cpus), '--mem', String(o.mem ?? 128),
    '--cmdline', o.cmdline, '--max-instructions', String(o.maxInstructions ?? 400_000_000)];
  let dir: string | undefined;
  if (o.input) {
    dir = mkdtempSync(path.join(tmpdir(), 'ksim-serial-'));
    const f = path.join(dir, 'input.txt');
    writeFileSync(f, o.input, 'latin1');
    args.push('--serial-in', f);
  }
  try {
    return await runProcess('ksim', process.execPath, args, undefined, o.timeoutMs ?? 110_000);
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

export interface ScenarioResult {
  /** The "summary:" lines of the scenario, in order, without the prefix. */
  summary: string[];
  /** PASS or FAIL from "scenario NAME: ...", undefined if the line is missing. */
  verdict?: 'PASS' | 'FAIL';
  /** True if the kernel oopsed or panicked. */
  crashed: boolean;
}

/** Extract a scenario's result lines from a run's output. */
export function scenarioResult(run: KernelRun, name: string): ScenarioResult {
  const lines = run.output.split('\n');
  const start = lines.findIndex(l => l.startsWith(`=== scenario ${name}:`));
  const summary: string[] = [];
  let verdict: 'PASS' | 'FAIL' | undefined;
  if (start >= 0) {
    for (const l of lines.slice(start + 1)) {
      if (l.startsWith('summary: ')) summary.push(l.slice('summary: '.length));
      const m = new RegExp(`^scenario ${name.replace(/[-]/g, '\\-')}: (PASS|FAIL)$`).exec(l);
      if (m) { verdict = m[1] as 'PASS' | 'FAIL'; break; }
    }
  }
  const crashed = /Kernel panic|Oops:|kernel BUG/.test(run.output);
  return { summary, verdict, crashed };
}

/** A one-paragraph description of a run for assertion messages. */
export function describeRun(run: KernelRun): string {
  const tail = run.output.split('\n').slice(-25).join('\n');
  return `${run.engine} exit=${run.exitCode}${run.timedOut ? ' (timed out)' : ''}\n--- last output ---\n${tail}` +
    (run.stderr ? `\n--- stderr ---\n${run.stderr.split('\n').slice(-15).join('\n')}` : '');
}
