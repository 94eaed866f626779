// The `launch` request's arguments: their defaults, their validation, and the resolved configuration the
// engine starts a machine from.
//
// Every attribute is checked before anything is built, and a bad one is answered with a DAP error that
// names the attribute ("launch attribute 'cpus' must be an integer from 1 to 8, got 12"), so a typo in
// launch.json is reported instead of silently ignored. Keys that VS Code and other DAP clients add on
// their own (type, request, name, __sessionId, ...) are accepted and ignored.

import * as fs from 'node:fs';
import * as path from 'node:path';

/** One scheduled piece of console input: `bytes` reach the UART at virtual time `time` (instructions). */
export interface SerialInputEntry { time: number; bytes: string }

/** The launch attributes as the user writes them (all optional). */
export interface KsimLaunchArguments {
  kernel?: string;
  cpus?: number;
  memoryMB?: number;
  cmdline?: string;
  scenario?: string;
  hz?: number;
  stopOnEntry?: boolean;
  serialInput?: string | SerialInputEntry[];
  stepIntoInterrupts?: boolean;
  showTasksAsThreads?: boolean;
  quantum?: number;
  disassemblyFlavor?: 'att' | 'intel';
  traceBufferSize?: number;
  profile?: boolean;
}

/** The validated configuration with every default filled in. */
export interface LaunchConfig {
  /** Absolute path of the kernel ELF. */
  kernel: string;
  /** True when `kernel` is the teaching kernel shipped with ksim (kernel-aware views expected). */
  bundledKernel: boolean;
  cpus: number;
  memoryMB: number;
  /** The multiboot command line the kernel receives (scenario and hz folded in). */
  cmdline: string;
  stopOnEntry: boolean;
  serialInput: SerialInputEntry[];
  stepIntoInterrupts: boolean;
  showTasksAsThreads: boolean;
  quantum: number;
  disassemblyFlavor: 'att' | 'intel';
  traceBufferSize: number;
  /** Count instruction executions per kernel function for the code lenses (ksim/profile). */
  profile: boolean;
}

/** A launch argument that cannot be used; `attribute` is the offending key. */
export class LaunchConfigError extends Error {
  constructor(readonly attribute: string, message: string) {
    super(message);
    this.name = 'LaunchConfigError';
  }
}

/** Keys DAP clients add to every configuration; they mean nothing to ksim. */
const CLIENT_KEYS = new Set([
  'type', 'request', 'name', 'noDebug', 'presentation', 'preLaunchTask', 'postDebugTask',
  'internalConsoleOptions', 'debugServer', 'windows', 'osx', 'linux', 'serverReadyAction',
  'suppressMultipleSessionWarning', 'cwd', 'env', 'console',
]);

export const DEFAULTS = {
  cpus: 2,
  memoryMB: 128,
  scenario: 'default',
  hz: 100,
  quantum: 1000,
  traceBufferSize: 65536,
} as const;

/** Where the teaching kernel lives relative to this module (debug-adapter/ in sources, dist/ when bundled). */
export function bundledKernelPath(): string {
  const candidates = [
    path.resolve(__dirname, '..', 'simulator', 'guest', 'build', 'ksim-kernel.elf'),
    path.resolve(__dirname, '..', '..', 'simulator', 'guest', 'build', 'ksim-kernel.elf'),
  ];
  return candidates.find((p) => fs.existsSync(p)) ?? candidates[0];
}

function bad(attribute: string, expectation: string, value: unknown): never {
  throw new LaunchConfigError(attribute,
    `launch attribute '${attribute}' ${expectation}, got ${JSON.stringify(value)}`);
}

function integerIn(args: Record<string, unknown>, key: string, lo: number, hi: number, dflt: number): number {
  const v = args[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    bad(key, `must be an integer from ${lo} to ${hi}`, v);
  }
  return v;
}

function boolean(args: Record<string, unknown>, key: string, dflt: boolean): boolean {
  const v = args[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') bad(key, 'must be true or false', v);
  return v;
}

/** A command-line word such as `scenario=x` must not contain blanks or it would split into two words. */
function word(args: Record<string, unknown>, key: string, dflt: string): string {
  const v = args[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !/^[A-Za-z0-9_.,:/-]+$/.test(v)) {
    bad(key, 'must be a non-empty word of letters, digits and _.,:/-', v);
  }
  return v;
}

/** Replace `key=...` in a command line, or append it. */
function setCmdlineWord(cmdline: string, key: string, value: string): string {
  const words = cmdline.split(/\s+/).filter((w) => w.length > 0 && !w.startsWith(`${key}=`));
  words.push(`${key}=${value}`);
  return words.join(' ');
}

/**
 * Validate the raw `launch` arguments. Throws LaunchConfigError naming the first bad attribute.
 * `fileExists` is injectable so the validation can be unit-tested without touching the disk.
 */
export function resolveLaunchConfig(raw: unknown, fileExists: (p: string) => boolean = fs.existsSync): LaunchConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new LaunchConfigError('(arguments)', 'launch arguments must be a JSON object');
  }
  const args = raw as Record<string, unknown>;
  const known = new Set(['kernel', 'cpus', 'memoryMB', 'cmdline', 'scenario', 'hz', 'stopOnEntry', 'serialInput',
    'stepIntoInterrupts', 'showTasksAsThreads', 'quantum', 'disassemblyFlavor', 'traceBufferSize', 'profile']);
  for (const key of Object.keys(args)) {
    if (known.has(key) || CLIENT_KEYS.has(key) || key.startsWith('__')) continue;
    throw new LaunchConfigError(key, `unknown launch attribute '${key}' (known: ${[...known].join(', ')})`);
  }

  let kernel: string;
  let bundledKernel = false;
  if (args.kernel === undefined) {
    kernel = bundledKernelPath();
    bundledKernel = true;
  } else {
    if (typeof args.kernel !== 'string' || args.kernel.length === 0) bad('kernel', 'must be the path of a kernel ELF file', args.kernel);
    kernel = path.resolve(typeof args.cwd === 'string' ? args.cwd : process.cwd(), args.kernel);
    bundledKernel = path.resolve(kernel) === path.resolve(bundledKernelPath());
  }
  if (!fileExists(kernel)) {
    throw new LaunchConfigError('kernel', `launch attribute 'kernel': no such file ${kernel}`);
  }

  const cpus = integerIn(args, 'cpus', 1, 8, DEFAULTS.cpus);
  const memoryMB = integerIn(args, 'memoryMB', 16, 3072, DEFAULTS.memoryMB);
  const hz = integerIn(args, 'hz', 10, 10000, DEFAULTS.hz);
  const quantum = integerIn(args, 'quantum', 1, 1_000_000, DEFAULTS.quantum);
  const traceBufferSize = integerIn(args, 'traceBufferSize', 0, 16_777_216, DEFAULTS.traceBufferSize);
  const stopOnEntry = boolean(args, 'stopOnEntry', false);
  const stepIntoInterrupts = boolean(args, 'stepIntoInterrupts', false);
  const showTasksAsThreads = boolean(args, 'showTasksAsThreads', true);
  const profile = boolean(args, 'profile', true);

  const flavor = args.disassemblyFlavor ?? 'att';
  if (flavor !== 'att' && flavor !== 'intel') bad('disassemblyFlavor', "must be 'att' or 'intel'", flavor);

  if (args.cmdline !== undefined && typeof args.cmdline !== 'string') bad('cmdline', 'must be a string', args.cmdline);
  if (typeof args.cmdline === 'string' && /[\0\n\r]/.test(args.cmdline)) bad('cmdline', 'must be one line', args.cmdline);
  let cmdline = (args.cmdline as string | undefined) ?? '';
  // An explicit scenario/hz attribute wins over the same word in cmdline; otherwise cmdline's own word
  // stays, and only when neither names it does the default apply.
  if (args.scenario !== undefined || !/(^|\s)scenario=/.test(cmdline)) {
    cmdline = setCmdlineWord(cmdline, 'scenario', word(args, 'scenario', DEFAULTS.scenario));
  }
  if (args.hz !== undefined || !/(^|\s)hz=/.test(cmdline)) {
    cmdline = setCmdlineWord(cmdline, 'hz', String(hz));
  }

  const serialInput: SerialInputEntry[] = [];
  const si = args.serialInput;
  if (typeof si === 'string') {
    serialInput.push({ time: 0, bytes: si });
  } else if (Array.isArray(si)) {
    si.forEach((e, i) => {
      if (e === null || typeof e !== 'object' || typeof (e as SerialInputEntry).bytes !== 'string' ||
          typeof (e as SerialInputEntry).time !== 'number' || !Number.isInteger((e as SerialInputEntry).time) ||
          (e as SerialInputEntry).time < 0) {
        bad('serialInput', `entry ${i} must be {"time": instructions (integer >= 0), "bytes": string}`, e);
      }
      serialInput.push({ time: (e as SerialInputEntry).time, bytes: (e as SerialInputEntry).bytes });
    });
  } else if (si !== undefined) {
    bad('serialInput', 'must be a string or an array of {time, bytes}', si);
  }
  serialInput.sort((a, b) => a.time - b.time);

  return {
    kernel, bundledKernel, cpus, memoryMB, cmdline, stopOnEntry, serialInput, stepIntoInterrupts,
    showTasksAsThreads, quantum, disassemblyFlavor: flavor, traceBufferSize, profile,
  };
}
