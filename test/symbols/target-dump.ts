/**
 * A stopped native process as gdb saw it (see gdb-dump.py): registers, gdb's backtrace, expression
 * values, and memory dumps. Provides MemoryReader/RegisterReader over the dump for our code.
 */
import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { ElfFile } from '../../debug-adapter/symbols/elf';
import { MemoryReader, RegisterReader, RegName } from '../../debug-adapter/symbols/interfaces';

export interface GdbFrame { name: string | null; pc: number; inline: boolean; regs: Record<string, number | null> }
export interface GdbValue { text: string | null; int: number | null; float?: number; type: string }
export interface GdbStop {
  /** The breakpoint specs that stopped here (e.g. 'visit', 'main.c:33', '*asm_helper_inner'). */
  bp: string[];
  where: string;
  regs: Record<string, number | null>;
  frames: GdbFrame[];
  expressions: { expr: string; gdb: string; value?: GdbValue; error?: string }[];
  memory: { addr: number; data: string | null }[];
}

export interface DumpSpec {
  breakpoints: { where: string; hits: number }[];
  /** Per function name (of frame 0), or '*' for every stop: [our expression, gdb's equivalent]. */
  expressions: Record<string, [string, string][]>;
  maxStops?: number;
  /** gdb `target remote` address (QEMU's gdb stub) instead of running the ELF natively. */
  remote?: string;
  /** Dump the stackSize-aligned block around esp (a kernel stack) instead of the process's stack mapping. */
  stackSize?: number;
  /** Skip dumping the ELF's writable data. */
  noData?: boolean;
  /** Wall-clock limit for gdb (default 120 s); the stops recorded until then are used. */
  timeoutMs?: number;
}

export function runGdbDump(elf: string, spec: DumpSpec): GdbStop[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'ksim-sym-'));
  const e = new ElfFile(readFileSync(elf));
  // Writable data of the program (.data .. end of .bss) is dumped at every stop.
  const data = e.sections.filter((s) => (s.flags & 0x3) === 0x3 && s.addr > 0);
  const lo = Math.min(...data.map((s) => s.addr)), hi = Math.max(...data.map((s) => s.addr + s.size));
  const specFile = path.join(dir, 'spec.json'), outFile = path.join(dir, 'out.json');
  writeFileSync(specFile, JSON.stringify({ ...spec, dataRanges: spec.noData ? [] : [[lo, hi]] }));
  try {
    execFileSync('gdb', ['-batch', '-nx', '-x', path.join(__dirname, 'gdb-dump.py'), elf], {
      env: { ...process.env, KSIM_DUMP_SPEC: specFile, KSIM_DUMP_OUT: outFile },
      stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024, timeout: spec.timeoutMs ?? 120000, killSignal: 'SIGKILL',
    });
  } catch (e) {
    // A time limit (rarely hit breakpoints on a live kernel) keeps the stops recorded so far.
    if (!existsSync(outFile)) throw e;
  }
  return JSON.parse(readFileSync(outFile, 'utf8')).stops as GdbStop[];
}

/** Memory of the stop: the dumped regions, then the ELF's loaded file contents (code, read-only data). */
export function dumpMemory(stop: GdbStop, elfBytes: Uint8Array): MemoryReader & { writes: number } {
  const elf = new ElfFile(elfBytes);
  const regions = stop.memory.filter((m) => m.data).map((m) => ({ addr: m.addr, bytes: new Uint8Array(Buffer.from(m.data!, 'base64')) }));
  for (const seg of elf.segments) {
    if (seg.type !== 1 || seg.filesz === 0) continue;
    regions.push({ addr: seg.vaddr, bytes: elfBytes.slice(seg.offset, seg.offset + seg.filesz) });
  }
  const mem = {
    writes: 0,
    read(addr: number, len: number): Uint8Array | null {
      for (const r of regions) {
        if (addr >= r.addr && addr + len <= r.addr + r.bytes.length) return r.bytes.slice(addr - r.addr, addr - r.addr + len);
      }
      return null;
    },
    write(addr: number, bytes: Uint8Array): boolean {
      for (const r of regions) {
        if (addr >= r.addr && addr + bytes.length <= r.addr + r.bytes.length) { r.bytes.set(bytes, addr - r.addr); mem.writes++; return true; }
      }
      return false;
    },
  };
  return mem;
}

export function dumpRegisters(stop: GdbStop): RegisterReader {
  const rec: Record<string, number> = {};
  for (const [k, v] of Object.entries(stop.regs)) if (v !== null) rec[k] = v >>> 0;
  return { get: (n: RegName) => rec[n], set: (n: RegName, v: number) => { rec[n] = v >>> 0; return true; } };
}

/** The stops of every fixture, generated once per test run. */
const cache = new Map<string, GdbStop[]>();
export function stopsFor(elf: string, spec: DumpSpec): GdbStop[] {
  const key = elf + JSON.stringify(spec);
  let s = cache.get(key);
  if (!s) { s = runGdbDump(elf, spec); cache.set(key, s); }
  return s;
}

/**
 * unwind() options matching how gdb presents the innermost inline frames at this stop: at a function
 * breakpoint it hides inlined calls starting exactly at the pc except that function's; at a line or
 * address breakpoint it shows them all.
 */
export function inlineOptions(stop: GdbStop): { breakpointFunction?: string[]; showInlineEntry?: boolean } {
  if (stop.bp.some((b) => !/^[A-Za-z_]\w*$/.test(b))) return { showInlineEntry: true };
  return { breakpointFunction: stop.bp };
}
