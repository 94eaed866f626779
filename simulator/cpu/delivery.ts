// Exception and interrupt delivery (Intel SDM vol. 3, chapter 6) and hardware task switching (ch. 7).
//
// Real mode: the IVT at IDTR.base holds 4-byte CS:IP vectors; push FLAGS, CS, IP; clear IF/TF/AC.
// Protected mode: the IDT holds 8-byte gates. An interrupt or trap gate names a code segment; if its
// DPL is below the CPL (non-conforming), the CPU switches to the inner stack whose SS:ESP it reads
// from the current TSS and pushes the old SS:ESP there first; then EFLAGS, CS, EIP and, for some
// vectors, an error code. Interrupt gates clear IF, trap gates do not. A task gate switches tasks.
//
// Nesting: a fault raised while delivering an exception is classified as the SDM's table 6-5 says —
// contributory (#DE #TS #NP #SS #GP) after contributory, or #PF/contributory after #PF, becomes a
// double fault (#DF, error code 0); any fault while delivering #DF is a triple fault, which shuts the
// processor down (runState 'shutdown' with a report). Other combinations deliver the second event.
// Every stack write is done before any register is changed, so a failed delivery leaves the state of
// the interrupted instruction intact for the next attempt.

import { FAULT, type Cpu } from './cpu';
import { desc, descAttr, descBase, descLimit, readDescriptor } from './segments';

export const enum EventKind { Exception = 0, Interrupt = 1, Software = 2, Nmi = 3 }

const KIND_NAMES = ['exception', 'interrupt', 'software', 'nmi'] as const;

/** Vectors that push an error code. */
function hasErrorCode(v: number): boolean { return v === 8 || (v >= 10 && v <= 14) || v === 17; }
function contributory(v: number): boolean { return v === 0 || (v >= 10 && v <= 13); }

export function deliverEvent(c: Cpu, vector: number, code: number, kind: EventKind, returnEip: number): void {
  let v = vector, err = code, k = kind;
  const chain: number[] = [];
  for (;;) {
    chain.push(v);
    c.delivering = v;
    try {
      deliverOnce(c, v, err, k, returnEip);
      break;
    } catch (e) {
      if (e !== FAULT) throw e;
      const second = c.faultVector;
      let secondCode = c.faultCode;
      if (v === 8) {
        chain.push(second);
        c.delivering = -1;
        c.shutdown(`triple fault (vectors ${chain.map(x => '#' + x).join(' -> ')})`);
        return;
      }
      // The EXT bit: the nested fault happened while delivering an event external to the program.
      if (k !== EventKind.Software && secondCode >= 0 && second !== 14 && second !== 8) secondCode |= 1;
      const firstIsException = k === EventKind.Exception;
      if (firstIsException && ((contributory(v) && contributory(second)) || (v === 14 && (second === 14 || contributory(second))))) {
        v = 8; err = 0;
      } else { v = second; err = secondCode; }
      // A fault while delivering INT n/INT3/INTO is a fault of that instruction: it returns to it.
      if (k === EventKind.Software) returnEip = c.instrStart;
      k = EventKind.Exception;
    }
  }
  c.delivering = -1;
}

/** Values to push, collected before anything is written. */
const pushVals = new Float64Array(8);

function deliverOnce(c: Cpu, v: number, code: number, kind: EventKind, returnEip: number): void {
  const errCode = kind === EventKind.Exception && hasErrorCode(v) ? (code < 0 ? 0 : code) : -1;
  const cplBefore = c.cpl;
  if (!(c.cr0 & 1)) { deliverReal(c, v); notify(c, v, errCode, kind, cplBefore, returnEip); return; }
  const ext = kind === EventKind.Software ? 0 : 1;
  const gateErr = v * 8 + 2 + ext;
  if (v * 8 + 7 > c.idtLimit) c.fault(13, gateErr);
  const gAddr = (c.idtBase + v * 8) >>> 0;
  const lo = c.readSys32(gAddr), hi = c.readSys32((gAddr + 4) >>> 0);
  const type = (hi >>> 8) & 0x1f;
  if (type !== 0x05 && type !== 0x06 && type !== 0x07 && type !== 0x0e && type !== 0x0f) c.fault(13, gateErr);
  const gdpl = (hi >>> 13) & 3;
  if (kind === EventKind.Software && gdpl < c.cpl) c.fault(13, gateErr);
  if (!(hi & 0x8000)) c.fault(11, gateErr);

  if (type === 0x05) {
    taskSwitch(c, lo >>> 16, TaskSwitchReason.Interrupt, returnEip, ext);
    if (errCode >= 0) c.push(c.trAttr & 8 ? 4 : 2, errCode);
    notify(c, v, errCode, kind, cplBefore, returnEip);
    return;
  }

  const gate32 = (type & 8) !== 0;
  const sel = lo >>> 16;
  const offset = gate32 ? ((lo & 0xffff) | (hi & 0xffff0000)) >>> 0 : lo & 0xffff;
  if ((sel & 0xfffc) === 0) c.fault(13, ext);
  readDescriptor(c, sel);
  const cattr = descAttr(desc.hi);
  const cdpl = (cattr >> 5) & 3;
  if ((cattr & 0x18) !== 0x18 || cdpl > c.cpl) c.fault(13, (sel & 0xfffc) | ext);
  if (!(cattr & 0x80)) c.fault(11, (sel & 0xfffc) | ext);
  const cBase = descBase(desc.lo, desc.hi), cLimit = descLimit(desc.lo, desc.hi);
  if (offset > cLimit) c.fault(13, ext);
  const conforming = (cattr & 4) !== 0;
  const eflags = c.getEflags();
  const ps = gate32 ? 4 : 2;

  let n = 0;
  if (!conforming && cdpl < c.cpl) {
    // Inter-privilege: the inner stack comes from the TSS.
    const tss32 = (c.trAttr & 8) !== 0;
    const espOff = tss32 ? 4 + cdpl * 8 : 2 + cdpl * 4;
    if (espOff + (tss32 ? 5 : 3) > c.trLimit) c.fault(10, (c.trSel & 0xfffc) | ext);
    const newEsp = tss32 ? c.readSys32((c.trBase + espOff) >>> 0) >>> 0 : c.readSys16((c.trBase + espOff) >>> 0);
    const newSs = c.readSys16((c.trBase + espOff + (tss32 ? 4 : 2)) >>> 0);
    if ((newSs & 0xfffc) === 0) c.fault(10, ext);
    readDescriptor(c, newSs, 10);
    const sattr = descAttr(desc.hi);
    if ((newSs & 3) !== cdpl || ((sattr >> 5) & 3) !== cdpl || (sattr & 0x1a) !== 0x12) c.fault(10, (newSs & 0xfffc) | ext);
    if (!(sattr & 0x80)) c.fault(12, (newSs & 0xfffc) | ext);
    const sBase = descBase(desc.lo, desc.hi), sLimit = descLimit(desc.lo, desc.hi);
    const sAddr = desc.addr, sHi = desc.hi, sLo = desc.lo;
    pushVals[n++] = c.segSel[2]; pushVals[n++] = c.regs[4] >>> 0;
    pushVals[n++] = eflags; pushVals[n++] = c.segSel[1]; pushVals[n++] = returnEip;
    if (errCode >= 0) pushVals[n++] = errCode;
    const big = (sattr & 0x4000) !== 0;
    let sp = newEsp;
    for (let k = 0; k < n; k++) {
      sp = big ? (sp - ps) >>> 0 : (sp - ps) & 0xffff;
      if (sp + ps - 1 > sLimit) c.fault(12, (newSs & 0xfffc) | ext);
      const a = (sBase + sp) >>> 0;
      if (ps === 4) c.writeSys32(a, pushVals[k]); else c.writeSys16(a, pushVals[k] & 0xffff);
    }
    // Commit.
    if (!(sHi & 0x100)) c.writeSys32((sAddr + 4) >>> 0, sHi | 0x100);
    void sLo;
    c.setSegCache(2, newSs, sBase, sLimit, sattr);
    c.regs[4] = big ? sp : (newEsp & ~0xffff) | sp;
  } else if (conforming || cdpl === c.cpl) {
    pushVals[n++] = eflags; pushVals[n++] = c.segSel[1]; pushVals[n++] = returnEip;
    if (errCode >= 0) pushVals[n++] = errCode;
    const big = c.stack32;
    const esp0 = c.regs[4];
    let sp = big ? esp0 >>> 0 : esp0 & 0xffff;
    for (let k = 0; k < n; k++) {
      sp = big ? (sp - ps) >>> 0 : (sp - ps) & 0xffff;
      const a = c.linW(2, sp, ps);
      if (ps === 4) c.write32(a, pushVals[k]); else c.write16(a, pushVals[k] & 0xffff);
    }
    c.regs[4] = big ? sp : (esp0 & ~0xffff) | sp;
  } else c.fault(13, (sel & 0xfffc) | ext);

  // Load CS (RPL = new CPL) and EIP; clear TF NT RF VM, and IF for interrupt gates.
  const newCpl = conforming ? c.cpl : cdpl;
  c.setSegCache(1, (sel & 0xfffc) | newCpl, cBase, cLimit, cattr);
  c.eip = offset;
  let f = eflags & ~(0x100 | 0x4000 | 0x10000 | 0x20000);
  if (!(type & 1)) f &= ~0x200;
  c.setEflags(f);
  if (newCpl !== c.cpl) { c.cpl = newCpl; c.cplChanged(); }
  notify(c, v, errCode, kind, cplBefore, returnEip);
}

function deliverReal(c: Cpu, v: number): void {
  if (v * 4 + 3 > c.idtLimit) c.fault(13, 0);
  const ent = c.readSys32((c.idtBase + v * 4) >>> 0) >>> 0;
  const flags = c.getEflags();
  const sp0 = c.regs[4];
  let sp = sp0 & 0xffff;
  const vals = [flags & 0xffff, c.segSel[1], c.eip & 0xffff];
  for (const val of vals) { sp = (sp - 2) & 0xffff; c.write16(c.linW(2, sp, 2), val); }
  c.regs[4] = (sp0 & ~0xffff) | sp;
  const seg = ent >>> 16;
  c.setSegCache(1, seg, seg << 4, c.segLimit[1], c.segAttr[1]);
  c.eip = ent & 0xffff;
  c.setEflags(flags & ~(0x200 | 0x100 | 0x40000));
}

function notify(c: Cpu, vector: number, errorCode: number, kind: EventKind, cplBefore: number, returnEip: number): void {
  if (c.hooks.onDelivery || c.observer) {
    const ev = { vector, errorCode, kind: KIND_NAMES[kind], cplBefore, returnEip: returnEip >>> 0, handlerCs: c.segSel[1], handlerEip: c.eip >>> 0 };
    if (c.observer) c.observer.delivery(c, ev);
    if (c.hooks.onDelivery) c.notifyDelivery(ev);
  }
}

// =====================================================================================
// Hardware task switch
// =====================================================================================

export const enum TaskSwitchReason { Jmp = 0, Call = 1, Interrupt = 2, Iret = 3 }

/**
 * Switches to the task whose TSS selector is `sel` (32-bit TSS only, i.e. type 9/11). The current
 * state is saved into the current TSS with EIP = `returnEip`; CR3, EFLAGS, registers, LDT and
 * segment registers are loaded from the new one; CR0.TS is set. Call/interrupt switches link the new
 * task back to the old one (back-link field + NT), iret returns along that link.
 */
export function taskSwitch(c: Cpu, sel: number, reason: TaskSwitchReason, returnEip: number, ext = 0): void {
  if (sel & 4) c.fault(13, (sel & 0xfffc) | ext);
  readDescriptor(c, sel);
  const attr = descAttr(desc.hi);
  const type = attr & 0x1f;
  const wantBusy = reason === TaskSwitchReason.Iret;
  if ((type !== 0x09 && type !== 0x0b) || ((type === 0x0b) !== wantBusy)) c.fault(13, (sel & 0xfffc) | ext);
  if (!(attr & 0x80)) c.fault(11, (sel & 0xfffc) | ext);
  const nBase = descBase(desc.lo, desc.hi), nLimit = descLimit(desc.lo, desc.hi);
  if (nLimit < 0x67) c.fault(10, (sel & 0xfffc) | ext);
  const nDescAddr = desc.addr, nDescHi = desc.hi;

  // Read the whole new TSS first (its faults must come before anything is saved).
  const rd = (off: number) => c.readSys32((nBase + off) >>> 0);
  const nCr3 = rd(0x1c), nEip = rd(0x20), nFlags = rd(0x24);
  const nRegs: number[] = [];
  for (let r = 0; r < 8; r++) nRegs.push(rd(0x28 + r * 4));
  const nSegs: number[] = [];
  for (let s = 0; s < 6; s++) nSegs.push(rd(0x48 + s * 4) & 0xffff);
  const nLdt = rd(0x60) & 0xffff;

  // Save the current task.
  const oBase = c.trBase;
  const wr = (off: number, v: number) => c.writeSys32((oBase + off) >>> 0, v);
  let oFlags = c.getEflags();
  if (reason === TaskSwitchReason.Jmp || reason === TaskSwitchReason.Iret) oFlags &= ~0x4000;
  wr(0x20, returnEip); wr(0x24, oFlags);
  for (let r = 0; r < 8; r++) wr(0x28 + r * 4, c.regs[r]);
  for (let s = 0; s < 6; s++) wr(0x48 + s * 4, c.segSel[s]);
  if (reason === TaskSwitchReason.Jmp || reason === TaskSwitchReason.Iret) {
    // Clear the old TSS's busy bit.
    const oAddr = (c.gdtBase + (c.trSel & 0xfff8)) >>> 0;
    c.writeSys32((oAddr + 4) >>> 0, c.readSys32((oAddr + 4) >>> 0) & ~0x200);
  }
  const oldSel = c.trSel;
  if (reason === TaskSwitchReason.Call || reason === TaskSwitchReason.Interrupt) c.writeSys32(nBase, oldSel);
  if (reason !== TaskSwitchReason.Iret) c.writeSys32((nDescAddr + 4) >>> 0, nDescHi | 0x200);

  // Load the new task.
  c.trSel = sel; c.trBase = nBase; c.trLimit = nLimit; c.trAttr = (attr | 2) & 0xf0ff;
  if (c.cr0 & 0x80000000) {
    c.cr3 = nCr3 >>> 0; c.flushTlb();
    if (c.observer) c.observer.cr3Write(c, c.cr3);
  }
  let f = nFlags;
  if (reason === TaskSwitchReason.Call || reason === TaskSwitchReason.Interrupt) f |= 0x4000;
  c.setEflags(f);
  for (let r = 0; r < 8; r++) c.regs[r] = nRegs[r];
  c.eip = nEip >>> 0;
  c.cr0 |= 8; // TS: the FPU context belongs to the previous task
  // LDT.
  if ((nLdt & 0xfffc) === 0) { c.ldtSel = nLdt; c.ldtBase = 0; c.ldtLimit = 0; c.ldtAttr = 0; }
  else {
    readDescriptor(c, nLdt, 10);
    if ((descAttr(desc.hi) & 0x9f) !== 0x82 || (nLdt & 4)) c.fault(10, nLdt & 0xfffc);
    c.ldtSel = nLdt; c.ldtBase = descBase(desc.lo, desc.hi); c.ldtLimit = descLimit(desc.lo, desc.hi); c.ldtAttr = descAttr(desc.hi);
  }
  // CS decides the new CPL; then the data segments are checked against it.
  const cs = nSegs[1];
  readDescriptor(c, cs, 10);
  const cattr = descAttr(desc.hi);
  if ((cattr & 0x18) !== 0x18) c.fault(10, cs & 0xfffc);
  if (!(cattr & 0x80)) c.fault(11, cs & 0xfffc);
  c.setSegCache(1, cs, descBase(desc.lo, desc.hi), descLimit(desc.lo, desc.hi), cattr);
  c.cpl = cs & 3;
  c.modeChanged();
  for (const s of [2, 0, 3, 4, 5]) c.loadSeg(s, nSegs[s]);
}
