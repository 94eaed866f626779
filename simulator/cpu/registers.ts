// Register names and EFLAGS bit positions, in the x86 encoding order.
//
// The numbering is the one the ModRM byte uses, so a decoded register field indexes the register file
// directly: 0 EAX, 1 ECX, 2 EDX, 3 EBX, 4 ESP, 5 EBP, 6 ESI, 7 EDI. Segment registers likewise follow
// the `mov Sreg` encoding: 0 ES, 1 CS, 2 SS, 3 DS, 4 FS, 5 GS.

export const enum Reg { EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7 }
export const enum SReg { ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5 }

/** EFLAGS bits (Intel SDM vol. 1, 3.4.3). */
export const enum Flag {
  CF = 1 << 0, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7, TF = 1 << 8, IF = 1 << 9,
  DF = 1 << 10, OF = 1 << 11, IOPL = 3 << 12, NT = 1 << 14, RF = 1 << 16, VM = 1 << 17, AC = 1 << 18,
  VIF = 1 << 19, VIP = 1 << 20, ID = 1 << 21,
}

/** The six arithmetic status flags that ALU instructions compute. */
export const ARITH_FLAGS = 0x8d5;
/** Bit 1 of EFLAGS always reads as 1. */
export const EFLAGS_FIXED = 0x2;
/** Bits software can change on an i686 with CPUID (ID), AC and the virtual-8086 extensions. */
export const EFLAGS_WRITABLE = 0x3f7fd5;

/** The hidden part of a segment register as getSegment() reports it. */
export interface SegmentState {
  selector: number;
  base: number;
  limit: number;
  /**
   * Descriptor attributes: bits 0-7 are the access byte (type, S, DPL, P) and bits 12-15 the flags
   * nibble (AVL, L, D/B, G), i.e. bits 40-47 and 52-55 of the descriptor.
   */
  access: number;
}

export interface TableRegister { base: number; limit: number }

export const REG32_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
export const SREG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
