// The `ksim` command.
//
//   ksim run [--kernel FILE.elf] [--cpus N] [--mem MB] [--cmdline "..."] [--max-instructions N]
//            [--quantum N] [--serial-in FILE] [--trace FILE] [--trace-size N] [--stats] [--stdin]
//
// --stdin makes the console interactive: what you type goes to COM1 as it arrives (so such a run is not
// reproducible — use --serial-in for that); on a terminal, Ctrl-] quits.
//   ksim dap                      (the debug adapter on stdio, when built)
//
// `run` boots a multiboot v1 kernel on the simulated PC, streams COM1 to stdout, and exits with:
//   the guest's isa-debug-exit code (value v written to port 0xf4 gives (v << 1) | 1, always odd, as QEMU),
//   0 when every CPU halted with interrupts off,
//   2 for bad usage or a kernel file we cannot boot (one line on stderr),
//   4 after a triple fault, 6 when the instruction budget ran out, 8 when every CPU waits for an
//   interrupt that nothing can send (the last three print a register dump on stderr).

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { Machine, KernelImageError, SerialInputEvent, RunResult } from '../machine/machine';
import { formatMachineCpus } from '../machine/register-dump';
import { parseSerialScript, SerialScriptError } from './serial-script';

const EXIT_USAGE = 2;
const EXIT_TRIPLE_FAULT = 4;
const EXIT_BUDGET = 6;
const EXIT_IDLE = 8;

const USAGE = `usage: ksim run [--kernel FILE.elf] [--cpus N] [--mem MB] [--cmdline "..."] [--max-instructions N]
                [--quantum N] [--serial-in FILE] [--trace FILE] [--trace-size N] [--stats] [--stdin]
       ksim dap`;

class UsageError extends Error {}
/** A file we cannot use: one line on stderr, exit code 2. */
class InputError extends Error {}

interface RunOptions {
  kernel?: string;
  cpus: number;
  mem: number;
  cmdline: string;
  maxInstructions: number;
  quantum: number;
  serialIn?: string;
  trace?: string;
  traceSize: number;
  stats: boolean;
  stdin: boolean;
}

function parseIntArg(name: string, v: string | undefined, min: number, max: number): number {
  if (v === undefined) throw new UsageError(`${name} needs a value`);
  const cleaned = v.replace(/_/g, '');
  const n = /^0x[0-9a-f]+$/i.test(cleaned) ? parseInt(cleaned, 16) : /^\d+(e\d+)?$/i.test(cleaned) ? Number(cleaned) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${name}: expected an integer ${min}..${max}, got '${v}'`);
  return n;
}

function parseRunArgs(args: string[]): RunOptions {
  const o: RunOptions = { cpus: 1, mem: 128, cmdline: '', maxInstructions: Infinity, quantum: 1000, traceSize: 65536, stats: false, stdin: false };
  for (let i = 0; i < args.length; i++) {
    let a = args[i];
    let value: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) { value = a.slice(eq + 1); a = a.slice(0, eq); }
    const next = () => (value !== undefined ? value : args[++i]);
    switch (a) {
      case '--kernel': o.kernel = next(); if (!o.kernel) throw new UsageError('--kernel needs a file'); break;
      case '--cpus': o.cpus = parseIntArg('--cpus', next(), 1, 8); break;
      case '--mem': o.mem = parseIntArg('--mem', next(), 2, 2048); break;
      case '--cmdline': { const c = next(); if (c === undefined) throw new UsageError('--cmdline needs a value'); o.cmdline = c; break; }
      case '--max-instructions': o.maxInstructions = parseIntArg('--max-instructions', next(), 1, Number.MAX_SAFE_INTEGER); break;
      case '--quantum': o.quantum = parseIntArg('--quantum', next(), 1, 100_000_000); break;
      case '--serial-in': o.serialIn = next(); if (!o.serialIn) throw new UsageError('--serial-in needs a file'); break;
      case '--trace': o.trace = next(); if (!o.trace) throw new UsageError('--trace needs a file'); break;
      case '--trace-size': o.traceSize = parseIntArg('--trace-size', next(), 1, 100_000_000); break;
      case '--stats': o.stats = true; break;
      case '--stdin': o.stdin = true; break;
      default: throw new UsageError(`unknown option '${args[i]}'`);
    }
  }
  return o;
}

/** The bundled teaching kernel, relative to dist/cli.js or to simulator/cli/main.ts. */
function defaultKernelPath(): string {
  const candidates = [
    path.join(__dirname, '..', 'simulator', 'guest', 'build', 'ksim-kernel.elf'),
    path.join(__dirname, '..', '..', 'simulator', 'guest', 'build', 'ksim-kernel.elf'),
  ];
  return candidates.find(p => existsSync(p)) ?? candidates[0];
}

function readFileOrFail(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read ${what} '${file}': ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

/**
 * Runs in short slices and lets the event loop deliver keystrokes between them. An idle machine (all
 * CPUs waiting for an interrupt) waits for input instead of ending the run.
 */
async function runInteractive(m: Machine, maxInstructions: number): Promise<RunResult> {
  const stdin = process.stdin;
  const raw = stdin.isTTY === true;
  let quit = false;
  let ended = false;
  if (raw) stdin.setRawMode(true);
  stdin.on('data', (d: Buffer) => {
    const stop = raw ? d.indexOf(0x1d) : -1;  // Ctrl-]
    if (stop >= 0) { quit = true; d = d.subarray(0, stop); }
    if (d.length) m.sendSerialInput(new Uint8Array(d));
  });
  stdin.on('end', () => { ended = true; });
  stdin.resume();
  const pause = (ms: number) => new Promise<void>(res => setTimeout(res, ms));
  let remaining = maxInstructions;
  let r: RunResult;
  try {
    for (;;) {
      r = m.run(Math.min(2_000_000, remaining));
      remaining -= r.instructions;
      if (quit) return { reason: 'stopped', instructions: r.instructions };
      if (r.reason === 'idle' && !ended) { await pause(10); continue; }
      if (r.reason !== 'budget' || remaining <= 0) return r;
      await pause(0);
    }
  } finally {
    if (raw) stdin.setRawMode(false);
    stdin.pause();
  }
}

async function run(args: string[]): Promise<number> {
  const o = parseRunArgs(args);
  let kernelPath = o.kernel;
  if (!kernelPath) {
    kernelPath = defaultKernelPath();
    if (!existsSync(kernelPath)) {
      throw new InputError(`no --kernel given and the bundled kernel ${kernelPath} is missing (build it with 'make -C simulator/guest')`);
    }
  }
  const image = readFileOrFail(kernelPath, 'kernel');
  let serialInput: SerialInputEvent[] = [];
  if (o.serialIn) serialInput = parseSerialScript(readFileOrFail(o.serialIn, 'serial input'));

  // Like QEMU's -kernel/-append (and GRUB), the command line the kernel sees starts with the image name.
  const cmdline = o.cmdline ? `${kernelPath} ${o.cmdline}` : kernelPath;
  const m = new Machine({ cpus: o.cpus, memoryMB: o.mem, cmdline, quantum: o.quantum, serialInput,
    traceBufferSize: o.trace ? o.traceSize : 0 });
  m.loadKernel(new Uint8Array(image.buffer, image.byteOffset, image.byteLength));
  m.onSerialOutput(bytes => process.stdout.write(bytes));

  // Wall time is measured here only for the --stats MIPS figure; the simulation never sees it.
  const wallStart = process.hrtime.bigint();
  let r: RunResult;
  if (o.stdin) {
    r = await runInteractive(m, o.maxInstructions);
  } else {
    const CHUNK = 50_000_000;
    let remaining = o.maxInstructions;
    for (;;) {
      r = m.run(Math.min(CHUNK, remaining));
      remaining -= r.instructions;
      if (r.reason !== 'budget' || remaining <= 0) break;
    }
  }
  const wallSeconds = Number(process.hrtime.bigint() - wallStart) / 1e9;

  if (o.trace) {
    const lines = m.trace.events().map(e => JSON.stringify(e));
    writeFileSync(o.trace, lines.join('\n') + (lines.length ? '\n' : ''));
  }
  if (o.stats) {
    const perCpu = m.cpus.map((c, i) => `cpu${i} ${c.instructionCount}`).join(', ');
    const mips = wallSeconds > 0 ? m.instructionsRetired / wallSeconds / 1e6 : 0;
    process.stderr.write(`ksim: ${m.instructionsRetired} instructions executed (${perCpu}); virtual time ${m.time} ns; `
      + `${wallSeconds.toFixed(3)} s; ${mips.toFixed(1)} MIPS\n`);
  }
  switch (r.reason) {
    case 'exit': return r.exitCode! & 0xff;
    case 'all-halted': return 0;
    case 'shutdown':
      process.stderr.write(`ksim: CPU ${r.cpuIndex} triple fault (shutdown)\n${formatMachineCpus(m.cpus)}\n`);
      return EXIT_TRIPLE_FAULT;
    case 'idle':
      process.stderr.write('ksim: every CPU is halted waiting for an interrupt and no timer or input can send one\n'
        + `${formatMachineCpus(m.cpus)}\n`);
      return EXIT_IDLE;
    case 'stopped':
      return 0;
    default:
      process.stderr.write(`ksim: instruction budget of ${o.maxInstructions} exhausted\n${formatMachineCpus(m.cpus)}\n`);
      return EXIT_BUDGET;
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'run') return await run(rest);
    if (command === 'dap') {
      const dap = path.join(__dirname, 'dap.js');
      if (!existsSync(dap)) throw new InputError('the debug adapter is not built (dist/dap.js missing)');
      require(dap);
      return -1;  // the adapter keeps the process alive
    }
    if (command === '--help' || command === '-h' || command === 'help') { process.stdout.write(USAGE + '\n'); return 0; }
    throw new UsageError(command ? `unknown command '${command}'` : 'missing command');
  } catch (e) {
    if (e instanceof KernelImageError) { process.stderr.write(`ksim: ${e.message}\n`); return EXIT_USAGE; }
    if (e instanceof SerialScriptError) { process.stderr.write(`ksim: ${e.message}\n`); return EXIT_USAGE; }
    if (e instanceof InputError) { process.stderr.write(`ksim: ${e.message}\n`); return EXIT_USAGE; }
    if (e instanceof UsageError) { process.stderr.write(`ksim: ${e.message}\n${USAGE}\n`); return EXIT_USAGE; }
    if (e instanceof RangeError && /must be/.test(e.message)) { process.stderr.write(`ksim: ${e.message}\n`); return EXIT_USAGE; }
    throw e;
  }
}

main(process.argv.slice(2)).then(code => { if (code >= 0) process.exitCode = code; });
