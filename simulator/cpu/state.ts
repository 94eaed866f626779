// saveState / restoreState: the complete architectural state of one CPU as a plain JSON-able object.
// Caches (TLB, decoded code, fetch page, lazy-flag record) are not state: the lazy flags are
// materialised into `eflags`, and the caches are rebuilt after a restore.

import type { Cpu, RunState } from './cpu';

export interface SegmentSnapshot { selector: number; base: number; limit: number; access: number }

export interface CpuSnapshot {
  version: 1;
  regs: number[];
  eip: number;
  eflags: number;
  segs: SegmentSnapshot[];
  cr0: number; cr2: number; cr3: number; cr4: number;
  dr: number[];
  gdt: { base: number; limit: number };
  idt: { base: number; limit: number };
  ldtr: SegmentSnapshot;
  tr: SegmentSnapshot;
  cpl: number;
  runState: RunState;
  instructionCount: number;
  tscOffset: number;
  apicBaseMsr: number;
  intrPending: boolean;
  nmiPending: boolean;
  nmiBlocked: boolean;
  inhibitUntil: number;
  shutdownReport: string;
  fpu: {
    st: number[]; empty: number[]; top: number; sw: number; cw: number;
    fip: number; fcs: number; fdp: number; fds: number; fop: number; mxcsr: number;
  };
}

export function saveCpuState(c: Cpu): CpuSnapshot {
  const f = c.fpu;
  const segs: SegmentSnapshot[] = [];
  for (let s = 0; s < 6; s++) segs.push({ selector: c.segSel[s], base: c.segBase[s] >>> 0, limit: c.segLimit[s], access: c.segAttr[s] });
  return {
    version: 1,
    regs: Array.from(c.regs, v => v >>> 0),
    eip: c.eip >>> 0,
    eflags: c.getEflags(),
    segs,
    cr0: c.cr0 >>> 0, cr2: c.cr2 >>> 0, cr3: c.cr3 >>> 0, cr4: c.cr4 >>> 0,
    dr: Array.from(c.dr),
    gdt: { base: c.gdtBase >>> 0, limit: c.gdtLimit },
    idt: { base: c.idtBase >>> 0, limit: c.idtLimit },
    ldtr: { selector: c.ldtSel, base: c.ldtBase >>> 0, limit: c.ldtLimit >>> 0, access: c.ldtAttr },
    tr: { selector: c.trSel, base: c.trBase >>> 0, limit: c.trLimit >>> 0, access: c.trAttr },
    cpl: c.cpl,
    runState: c.runState,
    instructionCount: c.instructionCount,
    tscOffset: c.tscOffset,
    apicBaseMsr: c.apicBaseMsr >>> 0,
    intrPending: c.intrPending,
    nmiPending: c.nmiPending,
    nmiBlocked: c.nmiBlocked,
    inhibitUntil: c.inhibitUntil,
    shutdownReport: c.shutdownReport,
    fpu: {
      st: Array.from(f.st), empty: Array.from(f.empty), top: f.top, sw: f.sw, cw: f.cw,
      fip: f.fip, fcs: f.fcs, fdp: f.fdp, fds: f.fds, fop: f.fop, mxcsr: f.mxcsr,
    },
  };
}

export function restoreCpuState(c: Cpu, s: CpuSnapshot): void {
  if (!s || s.version !== 1) throw new Error('restoreState: not a ksim CPU snapshot (version 1)');
  for (let r = 0; r < 8; r++) c.regs[r] = s.regs[r];
  c.eip = s.eip >>> 0;
  c.setEflags(s.eflags);
  for (let k = 0; k < 6; k++) {
    const g = s.segs[k];
    if (g.access & 0x80 || k === 1) c.setSegCache(k, g.selector, g.base, g.limit, g.access);
    else c.setSegNull(k, g.selector);
  }
  c.cr0 = s.cr0; c.cr2 = s.cr2; c.cr3 = s.cr3; c.cr4 = s.cr4;
  for (let k = 0; k < 8; k++) c.dr[k] = s.dr[k];
  c.gdtBase = s.gdt.base; c.gdtLimit = s.gdt.limit; c.idtBase = s.idt.base; c.idtLimit = s.idt.limit;
  c.ldtSel = s.ldtr.selector; c.ldtBase = s.ldtr.base; c.ldtLimit = s.ldtr.limit; c.ldtAttr = s.ldtr.access;
  c.trSel = s.tr.selector; c.trBase = s.tr.base; c.trLimit = s.tr.limit; c.trAttr = s.tr.access;
  c.cpl = s.cpl;
  c.runState = s.runState;
  c.instructionCount = s.instructionCount;
  c.tscOffset = s.tscOffset;
  c.apicBaseMsr = s.apicBaseMsr;
  c.intrPending = s.intrPending; c.nmiPending = s.nmiPending; c.nmiBlocked = s.nmiBlocked;
  c.inhibitUntil = s.inhibitUntil;
  c.shutdownReport = s.shutdownReport;
  const f = c.fpu, g = s.fpu;
  for (let k = 0; k < 8; k++) { f.st[k] = g.st[k]; f.empty[k] = g.empty[k]; }
  f.top = g.top; f.sw = g.sw; f.cw = g.cw; f.fip = g.fip; f.fcs = g.fcs; f.fdp = g.fdp; f.fds = g.fds; f.fop = g.fop; f.mxcsr = g.mxcsr;
}
