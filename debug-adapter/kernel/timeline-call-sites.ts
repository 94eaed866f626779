// Indirect call sites of the kernel's bottom-half dispatchers, for the timeline's exact spans.
//
// The kernel runs every deferred function through a function pointer:
//   __do_softirq          h->action(h)        one call per pending softirq
//   tasklet_action_common t->func(t->data)    one call per tasklet run (inlined or not)
//   run_workqueue         f(data)             one call per work item
// A tracepoint on such a `call *...` instruction sees each run exactly once, whatever function the
// pointer holds (a tracepoint on each possible callee would need to know them all in advance). At the
// call instruction the CPU has not executed it yet, so the target is computed from the operand: a
// register (`call *%eax`) or a memory word (`call *0xc(%ebx)`, base + index * scale + displacement).
// The argument (cdecl, the teaching kernel has no -mregparm) is the word at %esp. The run returns to
// the instruction after the call with %esp back at its value at the call (the caller pops arguments).

import { Decoder, DecoderOptions, OpKind, Register } from 'iced-x86';
import type { ReadMemory } from '../engine/disassembler';

/** Registers of the CPU at the call, by our REG numbering (eax ecx edx ebx esp ebp esi edi). */
export type Reg32 = (reg: number) => number;

export interface IndirectCallSite {
  /** Address of the `call` instruction. */
  address: number;
  /** Address of the instruction after it: where the callee returns. */
  returnAddress: number;
  /** The callee's address for the CPU state at the call, or undefined if the pointer is unreadable. */
  target(reg: Reg32, read32: (address: number) => number | undefined): number | undefined;
}

/** iced-x86 numbers EAX..EDI consecutively in the same order as REG (engine/target.ts). */
function regIndex(r: Register): number | undefined {
  const i = r - Register.EAX;
  return i >= 0 && i < 8 ? i : undefined;
}

/** Every indirect near call in [start, end) of 32-bit code. */
export function indirectCallSites(read: ReadMemory, start: number, end: number): IndirectCallSite[] {
  const bytes = read(start, end - start);
  if (!bytes) return [];
  const out: IndirectCallSite[] = [];
  const decoder = new Decoder(32, bytes, DecoderOptions.None);
  decoder.ip = BigInt(start);
  try {
    let offset = 0;
    while (decoder.canDecode) {
      const insn = decoder.decode();
      try {
        const address = (start + offset) >>> 0;
        offset += insn.length;
        if (insn.isInvalid || !insn.isCallNearIndirect) continue;
        const returnAddress = (address + insn.length) >>> 0;
        if (insn.op0Kind === OpKind.Register) {
          const r = regIndex(insn.op0Register);
          if (r !== undefined) out.push({ address, returnAddress, target: (reg) => reg(r) >>> 0 });
        } else if (insn.op0Kind === OpKind.Memory && insn.segmentPrefix === Register.None) {
          const base = insn.memoryBase === Register.None ? undefined : regIndex(insn.memoryBase);
          const index = insn.memoryIndex === Register.None ? undefined : regIndex(insn.memoryIndex);
          if ((insn.memoryBase !== Register.None && base === undefined) || (insn.memoryIndex !== Register.None && index === undefined)) continue;
          const scale = insn.memoryIndexScale;
          const disp = Number(BigInt.asUintN(32, insn.memoryDisplacement));
          out.push({
            address, returnAddress,
            target: (reg, read32) => {
              const ea = (disp + (base !== undefined ? reg(base) : 0) + (index !== undefined ? reg(index) * scale : 0)) >>> 0;
              return read32(ea);
            },
          });
        }
      } finally {
        insn.free();
      }
    }
  } finally {
    decoder.free();
  }
  return out;
}
