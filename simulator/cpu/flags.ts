// Lazy EFLAGS.
//
// Most ALU results are never looked at: `add` is followed by another `add` that overwrites the flags.
// So ALU instructions only record what they computed (operation kind, size, operands, result) and the
// six status flags (CF PF AF ZF SF OF) are derived from that record when something reads them (a jcc,
// pushf, an exception delivery). The record is four numbers in the Cpu object; no allocation.
//
// Kinds: the carry-in of adc/sbb is folded into the kind (ADC with CF=0 sets flags exactly like ADD),
// inc/dec keep the previous CF (it is saved into the real flags word before the record is made),
// LOGIC results have CF=OF=0.

export const enum Lazy { NONE = 0, ADD = 1, ADC1 = 2, SUB = 3, SBB1 = 4, LOGIC = 5, INC = 6, DEC = 7 }

/** Operand-size index 0/1/2 (8/16/32 bits) to mask and sign bit. */
export const SIZE_MASK = [0xff, 0xffff, 0xffffffff];
export const SIZE_SIGN = [0x80, 0x8000, 0x80000000];

/** PF is set when the low byte of the result has an even number of 1 bits. */
export const PARITY = new Uint8Array(256);
for (let v = 0; v < 256; v++) {
  let b = v, n = 0;
  while (b) { n += b & 1; b >>= 1; }
  PARITY[v] = (n & 1) === 0 ? 4 : 0;
}

/** os (1,2,4) -> size index. */
export const SIZE_INDEX = [0, 0, 1, 1, 2];
