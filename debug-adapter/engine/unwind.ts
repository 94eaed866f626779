// Stack unwinding: from a CPU's registers (or a sleeping task's saved context) to a list of frames,
// across interrupt, exception and system-call entries.
//
// The teaching kernel keeps frame pointers (-fno-omit-frame-pointer), so each C frame links to its
// caller through %ebp: [ebp] = caller's ebp, [ebp+4] = return address. Near a function's entry the
// frame is not set up yet (pc at `push %ebp`, or right after it), which the unwinder recognises from the
// instruction bytes. When a return address lands in the kernel's entry code (common_interrupt,
// system_call, the exception stubs), the callee was called with %esp pointing at the struct pt_regs
// that SAVE_ALL built (seed 003:2647), so the interrupted context - kernel or user - is read from it
// and unwinding continues there, below a marker frame "⟨IRQ 4 from user mode⟩".

import type { SymbolFile } from '../symbols/program';
import type { KernelLayout } from '../kernel/layout';

export type ReadMemory = (address: number, length: number) => Uint8Array | null;

export type Regs = { eax?: number; ecx?: number; edx?: number; ebx?: number; esp: number; ebp: number; esi?: number; edi?: number; eip: number; eflags?: number; cs?: number };

export interface EngineFrame {
  pc: number;
  /** Registers as they were in this frame (callee-saved ones may be approximate in outer frames). */
  regs: Regs;
  function?: string;
  functionStart?: number;
  file?: string;
  line?: number;
  column?: number;
  /** 'entry' marks the synthetic frame of an interrupt/exception/syscall entry (no code of its own). */
  kind: 'normal' | 'inline' | 'entry';
  /** For 'entry' frames: "IRQ 4 from user mode", "system call 4 (write) from user mode"... */
  label?: string;
  userMode: boolean;
}

/** Entry routines that call C with %esp = &pt_regs (entry.S). */
const ENTRY_ROUTINES = /^(common_interrupt|system_call|syscall_call|error_code|ret_from_exception|ret_from_intr|device_not_available|.*_interrupt|interrupt|irq_entries_start|divide_error|debug|nmi|int3|overflow|bounds|invalid_op|coprocessor_segment_overrun|invalid_TSS|segment_not_present|stack_segment|general_protection|page_fault|alignment_check|machine_check|simd_coprocessor_error|coprocessor_error|spurious_interrupt_bug)$/;

function r32(read: ReadMemory, a: number): number | undefined {
  const b = read(a >>> 0, 4);
  return b ? (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0 : undefined;
}

export interface UnwindContext {
  symbols?: SymbolFile;
  layout?: KernelLayout;
  read: ReadMemory;
  /** Name of a system call number, when the kernel's table is known. */
  syscallName?: (nr: number) => string | undefined;
  maxFrames?: number;
}

/** Describe a pc: function and source line, with inlined callees expanded as extra frames. */
function symbolise(ctx: UnwindContext, pc: number, regs: Regs, userMode: boolean, isReturnAddress: boolean): EngineFrame[] {
  const s = ctx.symbols;
  // A return address points after the call; look up the call instruction's line instead.
  const lookupPc = isReturnAddress ? (pc - 1) >>> 0 : pc;
  if (!s || userMode) return [{ pc, regs, kind: 'normal', userMode }];
  const fn = s.functionAt(lookupPc);
  const chain = s.inlinedChainAt(lookupPc);
  if (chain.length > 1) {
    return chain.map((f, i) => ({
      pc, regs, function: f.function, functionStart: fn?.lowPc, file: f.file, line: f.line, column: f.column,
      kind: i < chain.length - 1 ? 'inline' as const : 'normal' as const, userMode,
    }));
  }
  const loc = s.lineAt(lookupPc);
  const name = fn?.name ?? s.symbolAt(lookupPc)?.symbol.name;
  return [{ pc, regs, function: name, functionStart: fn?.lowPc, file: loc?.file, line: loc?.line, column: loc?.column, kind: 'normal', userMode }];
}

export function unwind(ctx: UnwindContext, start: Regs, startUserMode: boolean): EngineFrame[] {
  const frames: EngineFrame[] = [];
  const max = ctx.maxFrames ?? 64;
  let regs: Regs = { ...start };
  let userMode = startUserMode;
  let isReturnAddress = false;
  for (let depth = 0; depth < max; depth++) {
    frames.push(...symbolise(ctx, regs.eip, regs, userMode, isReturnAddress));
    if (userMode) break; // user frames need the program's symbols; the kernel stack ends here
    const caller = callerOf(ctx, regs, depth === 0);
    if (!caller) break;
    const entry = entryFrame(ctx, caller);
    if (entry) {
      frames.push(entry.marker);
      regs = entry.interrupted;
      userMode = entry.marker.userMode;
      isReturnAddress = false; // the interrupted pc is the next instruction to execute, not a return address
      continue;
    }
    if (caller.eip === 0 || caller.esp <= regs.esp) break; // the stack must grow towards the caller
    regs = caller;
    isReturnAddress = true;
  }
  return frames;
}

/** One frame-pointer step. At depth 0 the pc may sit in a prologue, before %ebp is set up. */
function callerOf(ctx: UnwindContext, regs: Regs, innermost: boolean): Regs | undefined {
  const { read } = ctx;
  const fnStart = ctx.symbols?.functionAt(regs.eip)?.lowPc;
  if (innermost && fnStart !== undefined) {
    const code = read(fnStart, 3);
    const pushesEbp = code && code[0] === 0x55;
    if (regs.eip === fnStart) {
      // At the first instruction: the return address is on top of the stack.
      const ra = r32(read, regs.esp);
      return ra === undefined ? undefined : { ...regs, eip: ra, esp: regs.esp + 4 };
    }
    if (pushesEbp && regs.eip === fnStart + 1) {
      // After push %ebp, before mov %esp,%ebp.
      const ebp = r32(read, regs.esp);
      const ra = r32(read, regs.esp + 4);
      return ra === undefined || ebp === undefined ? undefined : { ...regs, eip: ra, ebp, esp: regs.esp + 8 };
    }
    if (!pushesEbp) {
      // An asm routine without a frame (entry code, switch_to's __switch_to jump): the return address is
      // not locatable without CFI; try the top of the stack only when it points at code.
      const ra = r32(read, regs.esp);
      if (ra !== undefined && ctx.symbols?.isExecutable(ra) && ctx.symbols.functionAt(ra - 1)) {
        return { ...regs, eip: ra, esp: regs.esp + 4 };
      }
    }
  }
  if (regs.ebp === 0 || regs.ebp < regs.esp) return undefined;
  const savedEbp = r32(read, regs.ebp);
  const ra = r32(read, regs.ebp + 4);
  if (savedEbp === undefined || ra === undefined) return undefined;
  if (ctx.symbols && !ctx.symbols.isExecutable(ra)) return undefined;
  return { eip: ra, esp: regs.ebp + 8, ebp: savedEbp };
}

/**
 * When `caller` (the frame the unwinder just reached) is entry code, read the pt_regs at its %esp and
 * return the marker frame and the interrupted context.
 */
function entryFrame(ctx: UnwindContext, caller: Regs): { marker: EngineFrame; interrupted: Regs } | undefined {
  const s = ctx.symbols;
  if (!s) return undefined;
  const sym = s.symbolAt((caller.eip - 1) >>> 0)?.symbol.name;
  if (!sym || !ENTRY_ROUTINES.test(sym)) return undefined;
  const base = caller.esp; // &pt_regs
  const off = (f: string, dflt: number) => ctx.layout?.member('struct pt_regs', f)?.offset ?? dflt;
  const get = (f: string, dflt: number) => r32(ctx.read, base + off(f, dflt));
  const eip = get('eip', 0x28);
  const cs = get('xcs', 0x2c);
  const eflags = get('eflags', 0x30);
  const origEax = get('orig_eax', 0x24);
  if (eip === undefined || cs === undefined) return undefined;
  const fromUser = (cs & 3) === 3 || ((eflags ?? 0) & 0x20000) !== 0;
  // Without a privilege change the CPU pushed no esp/ss: the interrupted esp is just above eflags.
  const esp = fromUser ? get('esp', 0x34) ?? 0 : base + off('esp', 0x34);
  const mode = fromUser ? 'user mode' : 'kernel mode';
  let what: string;
  const orig = (origEax ?? 0) | 0;
  if (/^(system_call|syscall_call)$/.test(sym)) {
    const name = ctx.syscallName?.(orig);
    what = `system call ${orig}${name ? ` (${name})` : ''}`;
  } else if (orig < 0 && orig >= -256 && sym !== 'error_code') {
    // IRQ stubs push ~irq / irq-256 (seed 003:2642): recover the IRQ number.
    what = /common_interrupt|^interrupt$|irq_entries/.test(sym) ? `IRQ ${orig + 256}` : `${sym.replace(/_interrupt$/, '')} interrupt`;
    if (/^(apic_timer|reschedule|call_function|invalidate|spurious|error)_interrupt$/.test(sym)) what = sym.replace(/_/g, ' ');
  } else {
    what = sym === 'error_code' ? 'exception' : sym.replace(/_/g, ' ');
  }
  const label = `${what} from ${mode}`;
  const interrupted: Regs = {
    eip, cs, eflags, esp,
    ebp: get('ebp', 0x14) ?? 0, eax: get('eax', 0x18), ebx: get('ebx', 0), ecx: get('ecx', 4), edx: get('edx', 8),
    esi: get('esi', 0xc), edi: get('edi', 0x10),
  };
  return {
    marker: { pc: caller.eip, regs: caller, function: `⟨${label}⟩`, kind: 'entry', label, userMode: fromUser },
    interrupted,
  };
}
