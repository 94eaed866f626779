// Reader for the hardware test vectors written by test/cpu/vectors/gen/vecgen.c (format documented at
// write_case() there). Outputs are stored XOR their inputs; this reader undoes that.

import { gunzipSync } from 'zlib';

export interface VectorWindow {
  addr: number;
  before: Uint8Array;
  after: Uint8Array;
}

export interface VectorCase {
  code: Uint8Array;
  regsIn: Uint32Array;
  flagsIn: number;
  regsOut: Uint32Array;
  flagsOut: number;
  /** EFLAGS bits to compare (the SDM-defined ones for this case). */
  flagsCompared: number;
  /** Bit i set: GPR i is compared. */
  regsCompared: number;
  windows: VectorWindow[];
}

export interface VectorForm {
  name: string;
  cases: VectorCase[];
}

export interface VectorFile {
  /** Where the host ran the instruction (it references no EIP-relative data, so any address works). */
  testEip: number;
  forms: VectorForm[];
}

export function parseVectorFile(data: Buffer, gzipped = true): VectorFile {
  const b = gzipped ? gunzipSync(data) : data;
  let p = 0;
  const u8 = () => b[p++];
  const u16 = () => { const v = b.readUInt16LE(p); p += 2; return v; };
  const u32 = () => { const v = b.readUInt32LE(p); p += 4; return v; };
  const bytes = (n: number) => { const v = new Uint8Array(b.subarray(p, p + n)); p += n; return v; };
  if (b.toString('latin1', 0, 8) !== 'KSIMVEC1') throw new Error('not a ksim vector file');
  p = 8;
  const testEip = u32();
  const nforms = u32();
  const forms: VectorForm[] = [];
  for (let f = 0; f < nforms; f++) {
    const name = b.toString('latin1', p + 1, p + 1 + b[p]);
    p += 1 + b[p];
    const ncases = u32();
    const cases: VectorCase[] = [];
    for (let k = 0; k < ncases; k++) {
      const code = bytes(u8());
      const regsIn = new Uint32Array(8);
      for (let r = 0; r < 8; r++) regsIn[r] = u32();
      const flagsIn = u32();
      const regsOut = new Uint32Array(8);
      for (let r = 0; r < 8; r++) regsOut[r] = (u32() ^ regsIn[r]) >>> 0;
      const flagsOut = u32();
      const flagsCompared = u32();
      const regsCompared = u8();
      const nwin = u8();
      const windows: VectorWindow[] = [];
      for (let w = 0; w < nwin; w++) {
        const addr = u32();
        const len = u16();
        const before = bytes(len);
        const after = bytes(len);
        for (let i = 0; i < len; i++) after[i] ^= before[i];
        windows.push({ addr, before, after });
      }
      cases.push({ code, regsIn, flagsIn, regsOut, flagsOut, flagsCompared, regsCompared, windows });
    }
    forms.push({ name, cases });
  }
  if (p !== b.length) throw new Error(`vector file: ${b.length - p} trailing bytes`);
  return { testEip, forms };
}

export const hex = (v: number, w = 8) => (v >>> 0).toString(16).padStart(w, '0');
export const hexBytes = (a: Uint8Array) => Array.from(a, (x) => x.toString(16).padStart(2, '0')).join(' ');
