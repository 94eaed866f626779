// Segment descriptors and segment-register loads (Intel SDM vol. 3, 3.4-3.5 and 5.5-5.8).
//
// A descriptor is 8 bytes in the GDT (selector bit 2 = 0) or the current LDT (bit 2 = 1). The
// selector's low two bits are the RPL. Loading a data segment register checks type, present bit and
// privilege (max(CPL, RPL) <= DPL unless conforming code); SS must be a writable data segment with
// DPL = RPL = CPL. A null selector may be loaded into DS/ES/FS/GS (using it faults later) but not SS.

import type { Cpu } from './cpu';

/** The last descriptor read by readDescriptor (module scratch, so no allocation per load). */
export const desc = { lo: 0, hi: 0, addr: 0 };

/** Reads the descriptor for `sel` into `desc`; #GP(sel) (or `vector`) when outside the table. */
export function readDescriptor(c: Cpu, sel: number, vector = 13): void {
  const index = sel & 0xfff8;
  let base: number, limit: number;
  if (sel & 4) {
    if ((c.ldtSel & 0xfffc) === 0) c.fault(vector, sel & 0xfffc);
    base = c.ldtBase; limit = c.ldtLimit;
  } else { base = c.gdtBase; limit = c.gdtLimit; }
  if (index + 7 > (limit >>> 0)) c.fault(vector, sel & 0xfffc);
  desc.addr = (base + index) >>> 0;
  desc.lo = c.readSys32(desc.addr);
  desc.hi = c.readSys32((desc.addr + 4) >>> 0);
}

export function descBase(lo: number, hi: number): number {
  return ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
}
export function descLimit(lo: number, hi: number): number {
  const raw = (lo & 0xffff) | (hi & 0xf0000);
  return (hi & 0x800000) ? ((raw << 12) | 0xfff) >>> 0 : raw;
}
/** Access byte in bits 0-7 and the flags nibble in bits 12-15 (the layout of SegmentState.access). */
export function descAttr(hi: number): number { return (hi >>> 8) & 0xf0ff; }

/** Sets the accessed bit of the descriptor just read (the CPU writes it back, as hardware does). */
export function markAccessed(c: Cpu): void {
  if (!(desc.hi & 0x100)) { desc.hi |= 0x100; c.writeSys32((desc.addr + 4) >>> 0, desc.hi); }
}

/** Loads a data/stack segment register (ES SS DS FS GS) with the checks of the current mode. */
export function loadSegment(c: Cpu, s: number, sel: number): void {
  if (!(c.cr0 & 1) || (c.flags & 0x20000)) {
    // Real mode: base = selector * 16; limit and attributes stay (what makes "unreal mode" work).
    const attr = c.segAttr[s] & 0x80 ? c.segAttr[s] : 0x93;
    const limit = c.segAttr[s] & 0x80 ? c.segLimit[s] : 0xffff;
    c.setSegCache(s, sel, sel << 4, limit, attr);
    if (s === 1) c.modeChanged();
    return;
  }
  const rpl = sel & 3, cpl = c.cpl;
  if ((sel & 0xfffc) === 0) {
    if (s === 2) c.fault(13, 0);
    c.setSegNull(s, sel);
    return;
  }
  readDescriptor(c, sel);
  const attr = descAttr(desc.hi);
  const dpl = (attr >> 5) & 3;
  const sys = (attr & 0x10) === 0, code = (attr & 8) !== 0;
  if (s === 2) {
    if (sys || code || !(attr & 2) || rpl !== cpl || dpl !== cpl) c.fault(13, sel & 0xfffc);
    if (!(attr & 0x80)) c.fault(12, sel & 0xfffc);
  } else {
    if (sys || (code && !(attr & 2))) c.fault(13, sel & 0xfffc);
    const conforming = code && (attr & 4) !== 0;
    if (!conforming && (rpl > dpl || cpl > dpl)) c.fault(13, sel & 0xfffc);
    if (!(attr & 0x80)) c.fault(11, sel & 0xfffc);
  }
  markAccessed(c);
  c.setSegCache(s, sel, descBase(desc.lo, desc.hi), descLimit(desc.lo, desc.hi), descAttr(desc.hi));
}
