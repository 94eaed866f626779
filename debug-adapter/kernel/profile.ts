// ksim/profile: how often each kernel function was entered and how many instructions ran in it, for the
// code lenses above kernel functions (contract: ../protocol/kernel-views.ts, ProfileBody).
//
// The CPUs count, exactly and per physical instruction address, how many times each instruction began
// executing (simulator/cpu/execution-counts.ts). This module only aggregates those counters over the
// kernel's functions:
//   - the functions are DWARF's out-of-line subprograms (static ones included, each copy separately,
//     every address range of a split function) plus the ELF symbols no DWARF function covers — asm
//     routines and labels, sized by their ELF size or, when unsized, up to the next symbol;
//   - link addresses become physical through the ELF program headers (the teaching kernel is linked at
//     0xC0100000 and loaded at 0x100000), so code that ran before paging was on is attributed too;
//   - instructions = sum of the counters over the function's ranges; calls = the counter of its entry
//     instruction (a call, a jump to it, an interrupt gate pointing at it — every entry executes it).
// The totals are since the adapter switched counting on (launch, or restart) — the "last run".

import type { ExecutionCounts } from '../../simulator/cpu/execution-counts';
import type { FunctionProfile, ProfileBody } from '../protocol/kernel-views';
import type { SymbolFile } from '../symbols/program';

/** What profiling needs from the machine (simulator/machine's Machine and its Cpus satisfy it). */
export interface ProfiledMachine {
  readonly cpus: readonly { profiling: boolean; readonly executionCounts: ExecutionCounts }[];
  /** Instructions retired by all CPUs since power-on. */
  readonly instructionsRetired: number;
}

/** instructionsRetired when counting was switched on, per machine. */
const startedAt = new WeakMap<object, number>();

/** Switches counting on for every CPU of the machine (they share the counters) and starts from zero. */
export function startProfiling(machine: ProfiledMachine): void {
  const cpu = machine.cpus[0];
  cpu.profiling = true;
  cpu.executionCounts.clear();
  startedAt.set(machine, machine.instructionsRetired);
}

/** True when the machine counts executions (startProfiling was called and counting is still on). */
export function isProfiling(machine: object): machine is ProfiledMachine {
  const cpus = (machine as Partial<ProfiledMachine>).cpus;
  return startedAt.has(machine) && !!cpus && cpus.length > 0 && cpus[0].profiling === true;
}

/** One kernel function as the profile sees it: its name and entry, and its code in physical ranges. */
interface ProfiledFunction {
  name: string;
  address: number;
  file?: string;
  line?: number;
  entryPhys: number;
  ranges: { phys: number; length: number }[];
}

const functionTables = new WeakMap<SymbolFile, ProfiledFunction[]>();

/**
 * The per-function profile of the run so far, most instructions first. Functions that executed nothing
 * are left out; `limit` (a non-negative integer) keeps only the first ones.
 */
export function buildProfile(machine: ProfiledMachine, symbols: SymbolFile, limit?: number): ProfileBody {
  const counts = machine.cpus[0].executionCounts;
  const functions: FunctionProfile[] = [];
  for (const f of functionTable(symbols)) {
    let instructions = 0;
    for (const r of f.ranges) instructions += counts.sumRange(r.phys, r.length);
    if (instructions === 0) continue;
    const p: FunctionProfile = { name: f.name, address: f.address, calls: counts.at(f.entryPhys), instructions };
    if (f.file !== undefined) p.file = f.file;
    if (f.line !== undefined) p.line = f.line;
    functions.push(p);
  }
  functions.sort((a, b) => b.instructions - a.instructions || a.address - b.address);
  if (limit !== undefined && Number.isInteger(limit) && limit >= 0) functions.length = Math.min(functions.length, limit);
  return { totalInstructions: machine.instructionsRetired - (startedAt.get(machine) ?? 0), functions };
}

/** The kernel's functions with physical ranges (built once per symbol file). */
function functionTable(symbols: SymbolFile): ProfiledFunction[] {
  let table = functionTables.get(symbols);
  if (table) return table;
  table = [];
  const toPhys = linkToPhysical(symbols);
  /** Link-address intervals already owned by a function: a label inside one is not a function. */
  const covered: { start: number; end: number }[] = [];
  const add = (name: string, entry: number, ranges: { start: number; end: number }[], file?: string, line?: number) => {
    const phys: { phys: number; length: number }[] = [];
    for (const r of ranges) {
      const p = toPhys(r.start);
      if (p !== undefined && r.end > r.start) phys.push({ phys: p, length: r.end - r.start });
      covered.push(r);
    }
    const entryPhys = toPhys(entry);
    if (phys.length && entryPhys !== undefined) table!.push({ name, address: entry, file, line, entryPhys, ranges: phys });
  };

  // DWARF functions (findFunctions also returns symbol-only entries for a name; those wait for below).
  const seen = new Set<number>();
  for (const name of symbols.functionNames()) {
    for (const f of symbols.findFunctions(name)) {
      if (!f.die || seen.has(f.lowPc)) continue;
      seen.add(f.lowPc);
      // The entry: the function's ELF symbol when one lies in its ranges (a function split into hot
      // and cold parts may have the cold part lower), else the start of the first range as listed.
      const sym = symbols.lookupSymbol(f.name).find((s) => f.ranges.some((r) => s.value >= r.start && s.value < r.end));
      add(f.name, sym?.value ?? f.ranges[0]?.start ?? f.lowPc, f.ranges, f.file, f.line);
    }
  }

  // ELF code symbols outside every DWARF function: asm routines and labels.
  const inFunction = sortedCoverage(covered);
  const syms = symbols.symbols.filter((s) => symbols.isExecutable(s.value));
  for (let i = 0; i < syms.length; i++) {
    const s = syms[i];
    if (s.type !== 'func' && s.type !== 'notype') continue;
    if (seen.has(s.value) || inFunction(s.value)) continue;
    seen.add(s.value);
    let end = s.value + s.size;
    if (s.size === 0) {
      // Unsized: up to the next symbol at a higher address in the same section, or the section's end.
      const sec = symbols.elf.sectionAt(s.value);
      end = sec ? sec.addr + sec.size : s.value + 1;
      for (let j = i + 1; j < syms.length; j++) if (syms[j].value > s.value) { end = Math.min(end, syms[j].value); break; }
    }
    add(s.name, s.value, [{ start: s.value, end }]);
  }
  functionTables.set(symbols, table);
  return table;
}

/** Maps a link (virtual) address to the physical address it is loaded at, through the PT_LOAD headers. */
function linkToPhysical(symbols: SymbolFile): (addr: number) => number | undefined {
  const PT_LOAD = 1;
  const loads = symbols.elf.segments.filter((s) => s.type === PT_LOAD && s.memsz > 0);
  return (addr) => {
    for (const s of loads) if (addr >= s.vaddr && addr < s.vaddr + s.memsz) return addr - s.vaddr + s.paddr;
    return undefined;
  };
}

/** A membership test for a set of intervals (binary search over the merged, sorted list). */
function sortedCoverage(intervals: { start: number; end: number }[]): (addr: number) => boolean {
  const sorted = intervals.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
  const starts: number[] = [], ends: number[] = [];
  for (const r of sorted) {
    if (ends.length && r.start <= ends[ends.length - 1]) ends[ends.length - 1] = Math.max(ends[ends.length - 1], r.end);
    else { starts.push(r.start); ends.push(r.end); }
  }
  return (addr) => {
    let lo = 0, hi = starts.length - 1, ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= addr) { ans = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return ans >= 0 && addr < ends[ans];
  };
}
