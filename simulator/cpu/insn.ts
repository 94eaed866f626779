// The decoded-instruction record.
//
// The decoder turns the bytes at one address into one of these and the executor only ever looks at
// this record, never at the bytes again: decode and execute are separate steps, so a later block
// translator can consume the same records. Every record has the same shape (all fields are numbers
// plus one function), which keeps property access monomorphic in the hot loop.

import type { Cpu } from './cpu';

export type Handler = (c: Cpu, i: Insn) => void;

export class Insn {
  /** The executor for this instruction form. */
  exec: Handler = undefined as unknown as Handler;
  /** Length in bytes (prefixes included). */
  len = 0;
  /** Operand size in bytes: 1, 2 or 4 (already resolved from the opcode, 66 prefix and CS.D). */
  os = 4;
  /** Address size: 1 = 32-bit, 0 = 16-bit. */
  a32 = 1;
  /** ModRM r/m refers to memory (1) or to register `rm` (0). */
  mem = 0;
  /** ModRM reg field (or the register encoded in the opcode byte). */
  reg = 0;
  /** Register number when the r/m operand is a register. */
  rm = 0;
  /** Effective address parts: base/index register numbers or -1, scale as a shift count, displacement. */
  base = -1;
  index = -1;
  scale = 0;
  disp = 0;
  /** Segment register of the memory operand (default or override). */
  seg = 3;
  /** Segment override prefix present (-1 none). Needed by string instructions' source segment. */
  segOverride = -1;
  /** Immediates (imm2: second immediate of enter / the selector of a far pointer). */
  imm = 0;
  imm2 = 0;
  /** 0 none, 1 rep/repe (F3), 2 repne (F2). */
  rep = 0;
  /** Lock prefix present. */
  lock = 0;
  /** Sub-operation: ALU op, condition code, group /digit, ... depending on the handler. */
  op = 0;
  /** The opcode (0x0F-prefixed opcodes are 0x100 + second byte) — for diagnostics and the x87. */
  opcode = 0;
}
