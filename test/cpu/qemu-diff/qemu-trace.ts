// Streams QEMU's per-instruction register dumps.
//
// `qemu-system-i386 -d cpu,nochain -singlestep` prints the whole CPU state before every translation block it
// executes; -singlestep makes every block one instruction, nochain makes every execution go through the
// logging path, and -dfilter keeps only blocks inside the kernel's code. A dump is ~20 lines (~830 bytes), so
// a 200,000-instruction run is ~170 MB: QEMU writes into a FIFO and this reader parses it as it arrives, line
// by line at fixed column offsets, handing each complete state to a callback — nothing is stored.
//
// Two things about what QEMU logs, which the comparison must mirror:
// - A rep string instruction runs one iteration per block, returning to the same EIP, so it appears once
//   per iteration (ECX counting down) at the same EIP.
// - An instruction that faults is logged (its block started), then the handler's first instruction is; no
//   extra line marks the delivery in `-d cpu` output.

import { spawn, execFileSync } from 'child_process';
import { closeSync, constants, createReadStream, mkdtempSync, openSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

export interface SegState { selector: number; base: number; limit: number; /** QEMU's descriptor-bits word */ flags: number }

export interface TraceState {
  /** EAX..EDI in encoding order. */
  regs: number[];
  eip: number;
  eflags: number;
  cpl: number;
  /** ES CS SS DS FS GS */
  segs: SegState[];
  ldtSelector: number;
  tr: SegState;
  gdt: { base: number; limit: number };
  idt: { base: number; limit: number };
  cr: number[]; // CR0 CR2 CR3 CR4 at indexes 0 2 3 4
}

const SEG_ORDER: Record<string, number> = { 'ES ': 0, 'CS ': 1, 'SS ': 2, 'DS ': 3, 'FS ': 4, 'GS ': 5 };

function emptyState(): TraceState {
  return {
    regs: new Array(8).fill(0), eip: 0, eflags: 0, cpl: 0,
    segs: Array.from({ length: 6 }, () => ({ selector: 0, base: 0, limit: 0, flags: 0 })),
    ldtSelector: 0, tr: { selector: 0, base: 0, limit: 0, flags: 0 },
    gdt: { base: 0, limit: 0 }, idt: { base: 0, limit: 0 }, cr: [0, 0, 0, 0, 0],
  };
}

const h = (line: string, at: number, len = 8) => parseInt(line.substr(at, len), 16) >>> 0;

/** Parses the lines of one dump into `s`; returns true when the dump is complete (its CR line was seen). */
function parseLine(line: string, s: TraceState): boolean {
  const tag = line.substr(0, 3);
  switch (tag) {
    case 'EAX': s.regs[0] = h(line, 4); s.regs[3] = h(line, 17); s.regs[1] = h(line, 30); s.regs[2] = h(line, 43); break;
    case 'ESI': s.regs[6] = h(line, 4); s.regs[7] = h(line, 17); s.regs[5] = h(line, 30); s.regs[4] = h(line, 43); break;
    case 'EIP': {
      s.eip = h(line, 4); s.eflags = h(line, 17);
      const c = line.indexOf('CPL=');
      s.cpl = c >= 0 ? line.charCodeAt(c + 4) - 48 : 0;
      break;
    }
    case 'LDT': s.ldtSelector = h(line, 4, 4); break;
    case 'TR ': s.tr = { selector: h(line, 4, 4), base: h(line, 9), limit: h(line, 18), flags: h(line, 27) }; break;
    case 'GDT': s.gdt = { base: h(line, 9), limit: h(line, 18) }; break;
    case 'IDT': s.idt = { base: h(line, 9), limit: h(line, 18) }; break;
    case 'CR0': s.cr[0] = h(line, 4); s.cr[2] = h(line, 17); s.cr[3] = h(line, 30); s.cr[4] = h(line, 43); return true;
    default: {
      const seg = SEG_ORDER[tag];
      if (seg !== undefined && line[3] === '=') {
        s.segs[seg] = { selector: h(line, 4, 4), base: h(line, 9), limit: h(line, 18), flags: h(line, 27) };
      }
    }
  }
  return false;
}

export interface QemuRun {
  /** QEMU's exit status (isa-debug-exit: (value << 1) | 1), or null if it was killed. */
  exitCode: number | null;
  states: number;
}

/**
 * Runs `elf` in QEMU with per-instruction logging restricted to `dfilter` and calls `onState` for every
 * dump, in order. `onState` returning false stops QEMU (e.g. after a divergence).
 */
export async function runQemuTrace(elf: string, dfilter: string, onState: (s: TraceState) => boolean,
  timeoutMs = 180_000): Promise<QemuRun> {
  const dir = mkdtempSync(join(tmpdir(), 'ksim-qemu-trace-'));
  const fifo = join(dir, 'log');
  execFileSync('mkfifo', [fifo]);
  const qemu = spawn('qemu-system-i386', [
    '-kernel', elf, '-m', '128', '-nographic', '-serial', 'none', '-monitor', 'none', '-display', 'none',
    '-no-reboot', '-device', 'isa-debug-exit,iobase=0xf4,iosize=4', '-accel', 'tcg,thread=single',
    '-d', 'cpu,nochain', '-singlestep', '-dfilter', dfilter, '-D', fifo,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  qemu.stderr!.on('data', (d) => { stderr += d; });
  const exited = new Promise<number | null>((resolve) => qemu.on('exit', (code) => {
    // If QEMU died before opening the log, our read side would wait forever in open(): be its writer.
    try { closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK)); } catch { /* reader gone */ }
    resolve(code);
  }));
  qemu.on('error', () => { try { closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK)); } catch { /* */ } });
  const timer = setTimeout(() => qemu.kill('SIGKILL'), timeoutMs);
  let states = 0;
  let stopped = false;
  try {
    await new Promise<void>((resolve, reject) => {
      const stream = createReadStream(fifo, { highWaterMark: 1 << 20, encoding: 'latin1' });
      let rest = '';
      let cur = emptyState();
      stream.on('data', (chunk) => {
        if (stopped) return;
        const text = rest + (chunk as string);
        let start = 0;
        for (;;) {
          const nl = text.indexOf('\n', start);
          if (nl < 0) break;
          const line = text.substring(start, nl);
          start = nl + 1;
          if (parseLine(line, cur)) {
            states++;
            const keep = onState(cur);
            cur = emptyState();
            if (!keep) { stopped = true; qemu.kill('SIGKILL'); stream.destroy(); resolve(); return; }
          }
        }
        rest = text.substring(start);
      });
      stream.on('end', () => resolve());
      stream.on('close', () => resolve());
      stream.on('error', reject);
    });
    const code = await exited;
    if (!stopped && code === null) throw new Error(`QEMU did not finish (killed after ${timeoutMs} ms)\n${stderr}`);
    return { exitCode: stopped ? null : code, states };
  } finally {
    clearTimeout(timer);
    if (qemu.exitCode === null) qemu.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
