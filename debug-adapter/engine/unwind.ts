// Stacks as the debugger shows them: the symbols layer's unwinder (CFI, frame pointers, pt_regs at the
// kernel's entry routines) plus the presentation a kernel debugger wants - an entry routine becomes a
// label frame such as "⟨IRQ 4 from user mode⟩" with the interrupted context below it.
//
// The label is read from the struct pt_regs that SAVE_ALL built (seed 003:2647-2669): orig_eax holds
// ~irq (IRQ stubs push $n-256, seed 003:2642) or the system-call number, and the saved cs tells whether
// the interrupted context was user mode (cs & 3 == 3).

import { unwind as symUnwind, type Frame } from '../symbols/unwinder';
import { registersFromRecord, type RegName } from '../symbols/interfaces';
import type { SymbolFile } from '../symbols/program';
import type { KernelLayout } from '../kernel/layout';

export type ReadMemory = (address: number, length: number) => Uint8Array | null;

export type Regs = { eax?: number; ecx?: number; edx?: number; ebx?: number; esp: number; ebp: number; esi?: number; edi?: number; eip: number; eflags?: number; cs?: number };

export interface EngineFrame {
  pc: number;
  /** Registers as they were in this frame (undefined where the unwinder cannot recover them). */
  regs: Regs;
  function?: string;
  file?: string;
  line?: number;
  column?: number;
  /** 'entry' marks the frame of an interrupt/exception/syscall entry routine, shown as a label. */
  kind: 'normal' | 'inline' | 'entry';
  /** For 'entry' frames: "IRQ 4 from user mode", "system call 4 from user mode"... */
  label?: string;
  userMode: boolean;
  /** The symbols layer's frame (scope, cfa, register reader) for variables and expressions. */
  sym?: Frame;
  /** Memory as this frame's task sees it, when that is not the CPU's current address space (a sleeping task). */
  read?: ReadMemory;
}

export interface UnwindContext {
  symbols?: SymbolFile;
  layout?: KernelLayout;
  read: ReadMemory;
  maxFrames?: number;
  /** Symbols of the user program the task runs, for the user-mode frames below its entry frame. */
  userSymbols?: SymbolFile;
  /** Why the CPU stopped, for gdb's inline-entry rule (see symbols/unwinder.ts UnwindOptions). */
  breakpointFunction?: string[];
  showInlineEntry?: boolean;
}

const REGS: RegName[] = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'eip', 'eflags', 'cs'];

function r32(read: ReadMemory, a: number): number | undefined {
  const b = read(a >>> 0, 4);
  return b ? (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0 : undefined;
}

export function unwind(ctx: UnwindContext, start: Regs, startUserMode: boolean): EngineFrame[] {
  if (!ctx.symbols) return [{ pc: start.eip, regs: start, kind: 'normal', userMode: startUserMode }];
  const rec: Partial<Record<RegName, number>> = {};
  for (const [k, v] of Object.entries(start)) if (v !== undefined) rec[k as RegName] = v >>> 0;
  if (rec.cs === undefined) rec.cs = startUserMode ? 0x73 : 0x60;
  const frames = symUnwind(ctx.symbols, registersFromRecord(rec), { read: ctx.read }, {
    maxFrames: ctx.maxFrames ?? 64, userSymbols: ctx.userSymbols,
    breakpointFunction: ctx.breakpointFunction, showInlineEntry: ctx.showInlineEntry,
  });
  return frames.map((f) => toEngineFrame(ctx, f));
}

function toEngineFrame(ctx: UnwindContext, f: Frame): EngineFrame {
  const regs = {} as Regs;
  for (const n of REGS) {
    const v = f.regs.get(n);
    if (v !== undefined) (regs as Record<string, number>)[n] = v;
  }
  regs.eip = f.pc;
  const base: EngineFrame = {
    pc: f.pc, regs, function: f.function, file: f.file, line: f.line, column: f.column,
    kind: f.kind === 'inline' ? 'inline' : 'normal', userMode: f.userMode, sym: f,
  };
  if ((f.kind === 'interrupt' || f.kind === 'exception' || f.kind === 'syscall') && f.ptRegs !== undefined) {
    const label = entryLabel(ctx, f);
    return { ...base, kind: 'entry', label, function: `⟨${label}⟩` };
  }
  return base;
}

/** Names of the non-ISA vectors the kernel's BUILD_INTERRUPT stubs use (seed 003:2265, 2875-2913). */
const VECTOR_NAMES: Record<number, string> = {
  0xef: 'local APIC timer interrupt', 0xfb: 'call-function IPI', 0xfc: 'reschedule IPI',
  0xfd: 'TLB-invalidate IPI', 0xfe: 'APIC error interrupt', 0xff: 'spurious interrupt',
};

/** Entry routines that are where an entry starts; others (work_resched, restore_all...) are on its way out. */
const ENTRY_POINTS = /^(common_interrupt|system_call|error_code|.*_interrupt|divide_error|debug|nmi|int3|page_fault|general_protection|device_not_available.*)$/;

/**
 * "IRQ 4 from user mode", "system call 20 from user mode", "exception from kernel mode". orig_eax says
 * what the entry was: IRQ stubs push irq-256 (seed 003:2642), BUILD_INTERRUPT stubs vector-256, the
 * system call entry the call number, exception entries -1.
 */
function entryLabel(ctx: UnwindContext, f: Frame): string {
  const off = (field: string, dflt: number) => ctx.layout?.member('struct pt_regs', field)?.offset ?? dflt;
  const pt = f.ptRegs!;
  const cs = r32(ctx.read, pt + off('xcs', 0x2c)) ?? 0;
  const eflags = r32(ctx.read, pt + off('eflags', 0x30)) ?? 0;
  const orig = (r32(ctx.read, pt + off('orig_eax', 0x24)) ?? 0) | 0;
  const mode = (cs & 3) === 3 || (eflags & 0x20000) ? 'user mode' : 'kernel mode';
  const name = f.function ?? '';
  let what: string;
  if (name === 'ret_from_fork') {
    // A child's first run: copy_thread built this pt_regs (seed 003:1289); nothing was interrupted.
    return `first run of a new task (ret_from_fork), returning to ${mode}`;
  }
  if (orig >= -256 && orig < -1) {
    const n = orig + 256;
    what = n < 0x20 ? `IRQ ${n}` : VECTOR_NAMES[n] ?? `interrupt vector 0x${n.toString(16)}`;
  } else if (orig >= 0 && f.kind === 'syscall') {
    what = `system call ${orig}`;
  } else if (f.kind === 'exception' || orig === -1) {
    what = 'exception';
  } else {
    what = f.kind;
  }
  const via = name && !ENTRY_POINTS.test(name) ? `, in ${name}` : '';
  return `${what} from ${mode}${via}`;
}
