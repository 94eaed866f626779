import { CfiRow } from './cfi';
import { Die } from './dwarf-info';
import { DWARF_REGS, MemoryReader, RegisterReader, RegName, REG_NAMES } from './interfaces';
import { evaluateLocation } from './location';
import { SymbolFile } from './program';
import { dieRanges } from './ranges';

/**
 * Stack unwinding: from the registers of the innermost frame, recover each caller's registers.
 *
 * 1. CFI (.eh_frame/.debug_frame) when the code has it: the row for the PC says where the CFA is and
 *    where each register was saved.
 * 2. Frame-pointer chain otherwise (asm, code without CFI): [ebp] = caller's ebp, [ebp+4] = return
 *    address, with the first two instructions of a function (before push %ebp; mov %esp,%ebp) handled.
 * 3. Kernel entry frames: a frame whose PC is in an interrupt/exception/system-call entry routine
 *    sits on a struct pt_regs (the registers SAVE_ALL pushed plus what the CPU pushed); the next frame
 *    is the interrupted context restored from it — kernel or user mode (cs & 3 == 3).
 * Inlined functions appear as extra frames sharing their physical frame's registers.
 */

export type FrameKind = 'normal' | 'inline' | 'interrupt' | 'exception' | 'syscall';
export type FrameOrigin = 'innermost' | 'cfi' | 'frame-pointer' | 'pt_regs' | 'inline';

export interface Frame {
  index: number;
  /** Innermost frame: the current instruction; callers: the return address. */
  pc: number;
  /** Canonical frame address (the caller's esp before its call), when known. */
  cfa?: number;
  /** Registers of this frame: undefined where not recoverable (e.g. caller-saved eax in callers). */
  regs: RegisterReader;
  function?: string;
  file?: string;
  line?: number;
  column?: number;
  kind: FrameKind;
  /** How this frame was found from the one below it. */
  how: FrameOrigin;
  userMode: boolean;
  /** Address of struct pt_regs for entry frames (kind interrupt/exception/syscall). */
  ptRegs?: number;
  /** Scope DIE for variables: the inlined_subroutine or subprogram. */
  scope?: Die;
  /** The symbol file that describes this frame's code (kernel or user program). */
  symbols?: SymbolFile;
  /** True when pc is a return address (look up lines/variables at pc-1). */
  isCaller: boolean;
}

export interface UnwindOptions {
  maxFrames?: number;
  /** Symbols for user-mode frames (cs & 3 == 3). Without them user frames are reported raw and unwinding stops. */
  userSymbols?: SymbolFile;
  /** Entry routines sitting on a struct pt_regs, by name, with the frame kind. Default: DEFAULT_ENTRY_LABELS. */
  entryLabels?: Record<string, Exclude<FrameKind, 'normal' | 'inline'>>;
  /** Expand inlined functions into frames (default true). */
  inlineFrames?: boolean;
  /**
   * gdb's rule for the innermost frame: an inlined call whose first instruction is exactly the stop
   * pc has not "started" yet, so its frame is hidden (the stop shows the caller about to run it) —
   * unless the stop is a breakpoint on that very function: name it here (e.g. 'square' after
   * `break square`; several when several function breakpoints share the address). Set `showInlineEntry: true` to always show them (like addr2line).
   */
  breakpointFunction?: string | string[];
  showInlineEntry?: boolean;
}

export const DEFAULT_ENTRY_LABELS: Record<string, 'interrupt' | 'exception' | 'syscall'> = {
  common_interrupt: 'interrupt', ret_from_intr: 'interrupt', apic_timer_interrupt: 'interrupt',
  reschedule_interrupt: 'interrupt', call_function_interrupt: 'interrupt', invalidate_interrupt: 'interrupt',
  error_interrupt: 'interrupt', spurious_interrupt: 'interrupt', nmi: 'interrupt',
  error_code: 'exception', ret_from_exception: 'exception', device_not_available: 'exception',
  device_not_available_emulate: 'exception', int3: 'exception', debug: 'exception', page_fault: 'exception',
  general_protection: 'exception', divide_error: 'exception',
  system_call: 'syscall', syscall_call: 'syscall', syscall_exit: 'syscall', syscall_exit_work: 'syscall',
  syscall_trace_entry: 'syscall', syscall_badsys: 'syscall', ret_from_fork: 'syscall',
  resume_userspace: 'syscall', resume_kernel: 'interrupt', work_pending: 'syscall', work_resched: 'syscall',
  work_notifysig: 'syscall', restore_all: 'syscall',
};

/** struct pt_regs field offsets (i386 Linux 2.6); taken from DWARF `struct pt_regs` when the kernel has it. */
const PT_REGS_DEFAULT: Record<string, number> = {
  ebx: 0x00, ecx: 0x04, edx: 0x08, esi: 0x0c, edi: 0x10, ebp: 0x14, eax: 0x18, xds: 0x1c, xes: 0x20,
  orig_eax: 0x24, eip: 0x28, xcs: 0x2c, eflags: 0x30, esp: 0x34, xss: 0x38,
};

type RegRecord = Partial<Record<RegName, number>>;

function reader(rec: RegRecord): RegisterReader { return { get: (n) => rec[n] }; }

function read32(mem: MemoryReader, addr: number): number | undefined {
  const b = mem.read(addr >>> 0, 4);
  if (!b || b.length < 4) return undefined;
  return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
}

export function unwind(syms: SymbolFile, regs: RegisterReader, mem: MemoryReader, opts: UnwindOptions = {}): Frame[] {
  const max = opts.maxFrames ?? 64;
  const labels = opts.entryLabels ?? DEFAULT_ENTRY_LABELS;
  const inline = opts.inlineFrames ?? true;
  const frames: Frame[] = [];
  let rec: RegRecord = {};
  for (const n of REG_NAMES) { const v = regs.get(n); if (v !== undefined) rec[n] = v >>> 0; }
  let how: FrameOrigin = 'innermost';
  let isCaller = false;
  let prevCfa: number | undefined;
  let entryKind: FrameKind | undefined;
  let ptRegs: number | undefined;

  for (let phys = 0; phys < max && frames.length < max; phys++) {
    const pc = rec.eip;
    if (pc === undefined) break;
    const userMode = rec.cs !== undefined ? (rec.cs & 3) === 3 : false;
    const fsyms = userMode ? opts.userSymbols : syms;
    const lookup = isCaller ? pc - 1 : pc;
    // Entry routine? (asm code sitting on pt_regs)
    const sym = fsyms && !userMode ? fsyms.symbolAt(pc) : undefined;
    const label = sym ? labels[sym.symbol.name] : undefined;
    let kind: FrameKind = entryKind ?? 'normal';
    const frameRegs = { ...rec };

    // Symbolize (with inline expansion).
    let chain = fsyms ? fsyms.inlinedChainAt(lookup) : [];
    if (phys === 0 && !isCaller && !opts.showInlineEntry && chain.length > 1) {
      // The prefix of inlined calls that start exactly at pc...
      let prefix = 0;
      while (prefix < chain.length - 1) {
        const c = chain[prefix];
        const ranges = c.die ? dieRanges(c.die) : [];
        if (!c.inlined || ranges.length === 0 || ranges[0].start !== pc) break;
        prefix++;
      }
      // ...is hidden, down to the instance a function breakpoint was planted on: gdb plants `break f`
      // on the outermost instance of f starting at that address.
      const keepInline = ([] as string[]).concat(opts.breakpointFunction ?? []);
      let skip = prefix;
      for (let i = 0; i < prefix; i++) {
        const name = chain[i].function;
        if (!keepInline.includes(name)) continue;
        let outermost = i;
        for (let j = i + 1; j < prefix; j++) if (chain[j].function === name) outermost = j;
        if (outermost === i) { skip = i; break; }
      }
      // The first shown frame already carries the hidden call's call site as its position.
      if (skip > 0) chain = chain.slice(skip);
    }
    const firstIndex = frames.length;
    if (chain.length && inline) {
      for (let i = 0; i < chain.length; i++) {
        const c = chain[i];
        const last = i === chain.length - 1;
        frames.push({
          index: frames.length, pc, regs: reader(frameRegs), function: c.function, file: c.file, line: c.line, column: c.column,
          kind: last ? kind : 'inline', how: i === 0 ? how : 'inline', userMode, scope: c.die, symbols: fsyms, isCaller,
          ptRegs: last ? ptRegs : undefined,
        });
      }
    } else {
      const loc = fsyms?.lineAt(lookup);
      frames.push({
        index: frames.length, pc, regs: reader(frameRegs), function: chain.length ? chain[chain.length - 1].function : fsyms?.describeAddress(pc),
        file: loc?.file, line: loc?.line, column: loc?.column, kind, how, userMode, scope: chain.length ? chain[chain.length - 1].die : undefined,
        symbols: fsyms, isCaller, ptRegs,
      });
    }
    entryKind = undefined; ptRegs = undefined;
    if (!fsyms) break;                                   // user frame without user symbols: stop here

    // This frame sits on pt_regs: the caller is the interrupted context.
    if (label && rec.esp !== undefined) {
      const pt = findPtRegs(syms, mem, rec.esp, rec);
      if (!pt) break;
      const fields = ptRegsLayout(syms);
      const g = (f: string) => read32(mem, pt + fields[f]);
      const next: RegRecord = {
        ebx: g('ebx'), ecx: g('ecx'), edx: g('edx'), esi: g('esi'), edi: g('edi'), ebp: g('ebp'), eax: g('eax'),
        ds: (g('xds') ?? 0) & 0xffff, es: (g('xes') ?? 0) & 0xffff, eip: g('eip'), cs: (g('xcs') ?? 0) & 0xffff,
        eflags: g('eflags'), cr0: rec.cr0, cr2: rec.cr2, cr3: rec.cr3, cr4: rec.cr4, fs: rec.fs, gs: rec.gs,
      };
      if (((next.cs ?? 0) & 3) === 3) { next.esp = g('esp'); next.ss = (g('xss') ?? 0) & 0xffff; }
      else { next.esp = (pt + fields.esp) >>> 0; next.ss = rec.ss; }
      // Mark the entry frame itself.
      const entryFrame = frames[frames.length - 1];
      entryFrame.kind = label; entryFrame.ptRegs = pt;
      for (let i = firstIndex; i < frames.length; i++) if (frames[i].kind === 'normal') frames[i].kind = label;
      rec = next; how = 'pt_regs'; isCaller = false; prevCfa = undefined;
      continue;
    }

    // CFI
    const fde = fsyms.cfi.find(lookup);
    let next: RegRecord | undefined;
    let cfa: number | undefined;
    if (fde) {
      let row: CfiRow;
      try { row = fsyms.cfi.rowAt(fde, lookup); } catch { break; }
      const res = applyCfi(row, rec, mem);
      if (res) { next = res.regs; cfa = res.cfa; how = 'cfi'; }
    }
    if (!next) {
      const res = framePointerStep(fsyms, rec, mem, isCaller);
      if (!res) break;
      next = res.regs; cfa = res.cfa; how = 'frame-pointer';
    }
    for (let i = firstIndex; i < frames.length; i++) frames[i].cfa = cfa;
    if (next.eip === undefined || next.eip === 0) break;
    // The stack grows down: each caller's CFA is above the callee's (same stack).
    if (prevCfa !== undefined && cfa !== undefined && cfa <= prevCfa) break;
    prevCfa = cfa;
    next.cs = rec.cs; next.ss = rec.ss; next.ds = rec.ds; next.es = rec.es; next.fs = rec.fs; next.gs = rec.gs;
    next.cr0 = rec.cr0; next.cr2 = rec.cr2; next.cr3 = rec.cr3; next.cr4 = rec.cr4;
    rec = next;
    isCaller = true;
  }
  return frames.slice(0, max);
}

function regNum(n: number): RegName | undefined { return DWARF_REGS[n]; }

/** Applies a CFI row: CFA and the caller's registers. */
function applyCfi(row: CfiRow, rec: RegRecord, mem: MemoryReader): { regs: RegRecord; cfa: number } | undefined {
  let cfa: number | undefined;
  const ctxReg = (n: RegName) => rec[n];
  if (row.cfa.kind === 'reg-offset') {
    const rn = regNum(row.cfa.reg);
    const base = rn ? rec[rn] : undefined;
    if (base === undefined) return undefined;
    cfa = (base + row.cfa.offset) >>> 0;
  } else {
    const loc = evaluateLocation(row.cfa.expr, { reg: ctxReg, mem });
    if (loc.kind !== 'memory') return undefined;
    cfa = loc.address;
  }
  const out: RegRecord = {};
  // Callee-saved registers keep their value unless a rule says otherwise; caller-saved are unknown.
  for (const n of ['ebx', 'ebp', 'esi', 'edi'] as RegName[]) out[n] = rec[n];
  out.esp = cfa;
  const ret = row.returnColumn;
  for (const [num, rule] of row.regs) {
    const name = regNum(num);
    if (!name) continue;
    let v: number | undefined;
    switch (rule.kind) {
      case 'undefined': v = undefined; break;
      case 'same': v = rec[name]; break;
      case 'offset': v = read32(mem, cfa + rule.offset); break;
      case 'val-offset': v = (cfa + rule.offset) >>> 0; break;
      case 'register': { const o = regNum(rule.reg); v = o ? rec[o] : undefined; break; }
      case 'expression': case 'val-expression': {
        const loc = evaluateLocation(rule.expr, { reg: ctxReg, mem }, [cfa]);
        if (loc.kind !== 'memory') v = undefined;
        else v = rule.kind === 'expression' ? read32(mem, loc.address) : loc.address;
        break;
      }
    }
    if (num === ret) out.eip = v; else out[name] = v;
  }
  if (!row.regs.has(ret)) out.eip = undefined;
  return { regs: out, cfa };
}

/** One step of the frame-pointer chain, aware of the first two instructions of a function. */
function framePointerStep(syms: SymbolFile, rec: RegRecord, mem: MemoryReader, isCaller: boolean): { regs: RegRecord; cfa: number } | undefined {
  const pc = rec.eip!, esp = rec.esp, ebp = rec.ebp;
  const fn = syms.functionAt(isCaller ? pc - 1 : pc);
  if (!isCaller && fn && esp !== undefined) {
    const code = syms.elf.sectionAt(fn.lowPc);
    const data = code ? syms.elf.sectionData(code) : undefined;
    const first = data && code ? data[fn.lowPc - code.addr] : undefined;
    // A label inside an asm routine also looks like "a function entry": trust the entry rule only when
    // the word it takes as return address points into code.
    if (pc === fn.lowPc) {                                       // nothing pushed yet
      const ret = read32(mem, esp);
      if (ret !== undefined && syms.isExecutable(ret)) {
        return { regs: { eip: ret, esp: (esp + 4) >>> 0, ebp, ebx: rec.ebx, esi: rec.esi, edi: rec.edi }, cfa: (esp + 4) >>> 0 };
      }
    }
    if (first === 0x55 && pc === fn.lowPc + 1) {                 // after push %ebp
      const ret = read32(mem, esp + 4);
      if (ret !== undefined && syms.isExecutable(ret)) {
        return { regs: { eip: ret, esp: (esp + 8) >>> 0, ebp: read32(mem, esp), ebx: rec.ebx, esi: rec.esi, edi: rec.edi }, cfa: (esp + 8) >>> 0 };
      }
    }
  }
  if (ebp === undefined || ebp === 0) return undefined;
  const savedEbp = read32(mem, ebp), ret = read32(mem, ebp + 4);
  if (savedEbp === undefined || ret === undefined) return undefined;
  const cfa = (ebp + 8) >>> 0;
  return { regs: { eip: ret, esp: cfa, ebp: savedEbp, ebx: rec.ebx, esi: rec.esi, edi: rec.edi }, cfa };
}

const ptLayoutCache = new WeakMap<SymbolFile, Record<string, number>>();
function ptRegsLayout(syms: SymbolFile): Record<string, number> {
  let l = ptLayoutCache.get(syms);
  if (!l) {
    l = { ...PT_REGS_DEFAULT };
    try {
      const t = syms.findType('struct pt_regs');
      if (t && t.kind === 'struct') for (const m of t.members) if (m.name && m.name in l) l[m.name] = m.offset;
    } catch { /* keep defaults */ }
    ptLayoutCache.set(syms, l);
  }
  return l;
}

/**
 * Finds struct pt_regs at or just above esp in an entry routine: checked by plausibility of what the
 * CPU pushed (a code selector with RPL 0 or 3 matching the kernel's or a user CS, EFLAGS bit 1 set).
 */
function findPtRegs(syms: SymbolFile, mem: MemoryReader, esp: number, rec: RegRecord): number | undefined {
  const f = ptRegsLayout(syms);
  for (let extra = 0; extra <= 16; extra += 4) {
    const pt = (esp + extra) >>> 0;
    const cs = read32(mem, pt + f.xcs), fl = read32(mem, pt + f.eflags), eip = read32(mem, pt + f.eip);
    if (cs === undefined || fl === undefined || eip === undefined) return undefined;
    const sel = cs & 0xffff;
    const plausibleCs = (sel & 3) === 3 || (rec.cs !== undefined ? sel === rec.cs : (sel & 3) === 0);
    if (plausibleCs && (fl & 2) !== 0 && (cs >>> 16) === 0) return pt;
  }
  return undefined;
}
