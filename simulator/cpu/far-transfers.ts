// Far jmp / call / ret and iret: the control transfers that load CS (Intel SDM vol. 3, 5.8 and 6.14).
//
// In real mode they just load CS = selector with base selector*16. In protected mode the selector
// names a code segment (privilege checked: conforming code needs DPL <= CPL, non-conforming code
// DPL = CPL for jmp/call), a call gate (which may lead to a more privileged ring with a stack switch
// taken from the TSS), a TSS or a task gate (a task switch). ret/iret may return to an outer ring:
// they then pop SS:ESP too and null any data segment register the outer ring may not use.

import type { Cpu } from './cpu';
import { desc, descAttr, descBase, descLimit, markAccessed, readDescriptor } from './segments';
import { taskSwitch, TaskSwitchReason } from './delivery';

function realModeCs(c: Cpu, sel: number, eip: number): void {
  eip >>>= 0;
  c.setSegCache(1, sel, sel << 4, c.segLimit[1], c.segAttr[1] & 0x80 ? c.segAttr[1] : 0x9b);
  c.eip = eip;
}

/** Checks a code-segment descriptor (already in `desc`) as a jmp/call target; returns its attributes. */
function checkCodeTarget(c: Cpu, sel: number): number {
  const attr = descAttr(desc.hi);
  if ((attr & 0x18) !== 0x18) c.fault(13, sel & 0xfffc);
  const dpl = (attr >> 5) & 3;
  if (attr & 4) { if (dpl > c.cpl) c.fault(13, sel & 0xfffc); }
  else if ((sel & 3) > c.cpl || dpl !== c.cpl) c.fault(13, sel & 0xfffc);
  if (!(attr & 0x80)) c.fault(11, sel & 0xfffc);
  return attr;
}

function loadCsSamePrivilege(c: Cpu, sel: number, eip: number, attr: number): void {
  const limit = descLimit(desc.lo, desc.hi);
  if (eip > limit) c.fault(13, 0);
  markAccessed(c);
  c.setSegCache(1, (sel & 0xfffc) | c.cpl, descBase(desc.lo, desc.hi), limit, attr);
  c.eip = eip;
}

export function jmpFar(c: Cpu, sel: number, eip: number): void {
  eip >>>= 0;
  if (!(c.cr0 & 1)) { realModeCs(c, sel, eip); return; }
  if ((sel & 0xfffc) === 0) c.fault(13, 0);
  readDescriptor(c, sel);
  const attr = descAttr(desc.hi);
  if (attr & 0x10) { loadCsSamePrivilege(c, sel, eip, checkCodeTarget(c, sel)); return; }
  const type = attr & 0x1f, dpl = (attr >> 5) & 3;
  if (type === 0x09 || type === 0x01) {
    if (dpl < c.cpl || dpl < (sel & 3)) c.fault(13, sel & 0xfffc);
    taskSwitch(c, sel, TaskSwitchReason.Jmp, c.eip);
    return;
  }
  if (type === 0x05) {
    if (dpl < c.cpl || dpl < (sel & 3)) c.fault(13, sel & 0xfffc);
    if (!(attr & 0x80)) c.fault(11, sel & 0xfffc);
    taskSwitch(c, desc.lo >>> 16, TaskSwitchReason.Jmp, c.eip);
    return;
  }
  if (type === 0x0c || type === 0x04) {
    // Call gate used by jmp: no privilege change allowed.
    if (dpl < c.cpl || dpl < (sel & 3)) c.fault(13, sel & 0xfffc);
    if (!(attr & 0x80)) c.fault(11, sel & 0xfffc);
    const target = desc.lo >>> 16;
    const off = type === 0x0c ? ((desc.lo & 0xffff) | (desc.hi & 0xffff0000)) >>> 0 : desc.lo & 0xffff;
    if ((target & 0xfffc) === 0) c.fault(13, 0);
    readDescriptor(c, target);
    const cattr = descAttr(desc.hi);
    const cdpl = (cattr >> 5) & 3;
    if ((cattr & 0x18) !== 0x18 || ((cattr & 4) ? cdpl > c.cpl : cdpl !== c.cpl)) c.fault(13, target & 0xfffc);
    if (!(cattr & 0x80)) c.fault(11, target & 0xfffc);
    loadCsSamePrivilege(c, target, off, cattr);
    return;
  }
  c.fault(13, sel & 0xfffc);
}

/** Writes values below a stack top without committing anything; returns the new stack pointer. */
function pushAll(c: Cpu, ssBase: number, ssLimit: number, big: boolean, sp: number, size: number, vals: number[], ssSel: number, sys: boolean): number {
  for (const v of vals) {
    sp = big ? (sp - size) >>> 0 : (sp - size) & 0xffff;
    if (sp + size - 1 > ssLimit) c.fault(12, ssSel & 0xfffc);
    const a = (ssBase + sp) >>> 0;
    if (sys) { if (size === 4) c.writeSys32(a, v); else c.writeSys16(a, v & 0xffff); }
    else c.write(size, a, size === 4 ? v : v & 0xffff);
  }
  return sp;
}

export function callFar(c: Cpu, sel: number, eip: number, os: number): void {
  eip >>>= 0;
  const retEip = c.eip, retCs = c.segSel[1];
  if (!(c.cr0 & 1)) {
    const esp0 = c.regs[4];
    try { c.push(os, retCs); c.push(os, retEip); } catch (e) { c.regs[4] = esp0; throw e; }
    realModeCs(c, sel, eip);
    return;
  }
  if ((sel & 0xfffc) === 0) c.fault(13, 0);
  readDescriptor(c, sel);
  const attr = descAttr(desc.hi);
  if (attr & 0x10) {
    const cattr = checkCodeTarget(c, sel);
    const limit = descLimit(desc.lo, desc.hi);
    if (eip > limit) c.fault(13, 0);
    const sp0 = c.stack32 ? c.regs[4] >>> 0 : c.regs[4] & 0xffff;
    const sp = pushAll(c, c.segBase[2], c.segWLim[2], c.stack32, sp0, os, [retCs, retEip], 0, false);
    c.regs[4] = c.stack32 ? sp : (c.regs[4] & ~0xffff) | sp;
    loadCsSamePrivilege(c, sel, eip, cattr);
    return;
  }
  const type = attr & 0x1f, dpl = (attr >> 5) & 3;
  if (type === 0x09 || type === 0x01 || type === 0x05) {
    if (dpl < c.cpl || dpl < (sel & 3)) c.fault(13, sel & 0xfffc);
    if (!(attr & 0x80)) c.fault(11, sel & 0xfffc);
    taskSwitch(c, type === 0x05 ? desc.lo >>> 16 : sel, TaskSwitchReason.Call, c.eip);
    return;
  }
  if (type !== 0x0c && type !== 0x04) c.fault(13, sel & 0xfffc);
  if (dpl < c.cpl || dpl < (sel & 3)) c.fault(13, sel & 0xfffc);
  if (!(attr & 0x80)) c.fault(11, sel & 0xfffc);
  const gate32 = type === 0x0c;
  const paramCount = desc.hi & 0x1f;
  const target = desc.lo >>> 16;
  const off = gate32 ? ((desc.lo & 0xffff) | (desc.hi & 0xffff0000)) >>> 0 : desc.lo & 0xffff;
  if ((target & 0xfffc) === 0) c.fault(13, 0);
  readDescriptor(c, target);
  const cattr = descAttr(desc.hi);
  const cdpl = (cattr >> 5) & 3;
  if ((cattr & 0x18) !== 0x18 || cdpl > c.cpl) c.fault(13, target & 0xfffc);
  if (!(cattr & 0x80)) c.fault(11, target & 0xfffc);
  const cBase = descBase(desc.lo, desc.hi), cLimit = descLimit(desc.lo, desc.hi);
  if (off > cLimit) c.fault(13, 0);
  const size = gate32 ? 4 : 2;
  if (!(cattr & 4) && cdpl < c.cpl) {
    // More privileged: new stack from the TSS, then copy the parameters from the old stack.
    const tss32 = (c.trAttr & 8) !== 0;
    const espOff = tss32 ? 4 + cdpl * 8 : 2 + cdpl * 4;
    if (espOff + (tss32 ? 5 : 3) > c.trLimit) c.fault(10, c.trSel & 0xfffc);
    const newEsp = tss32 ? c.readSys32((c.trBase + espOff) >>> 0) : c.readSys16((c.trBase + espOff) >>> 0);
    const newSs = c.readSys16((c.trBase + espOff + (tss32 ? 4 : 2)) >>> 0);
    if ((newSs & 0xfffc) === 0) c.fault(10, 0);
    readDescriptor(c, newSs, 10);
    const sattr = descAttr(desc.hi);
    if ((newSs & 3) !== cdpl || ((sattr >> 5) & 3) !== cdpl || (sattr & 0x1a) !== 0x12) c.fault(10, newSs & 0xfffc);
    if (!(sattr & 0x80)) c.fault(12, newSs & 0xfffc);
    const sBase = descBase(desc.lo, desc.hi), sLimit = descLimit(desc.lo, desc.hi);
    const params: number[] = [];
    for (let k = paramCount - 1; k >= 0; k--) params.push(c.peek(size, k * size));
    const big = (sattr & 0x4000) !== 0;
    const vals = [c.segSel[2], c.regs[4] >>> 0, ...params, retCs, retEip];
    const sp = pushAll(c, sBase, sLimit, big, newEsp, size, vals, newSs, true);
    c.setSegCache(2, newSs, sBase, sLimit, sattr);
    c.regs[4] = big ? sp : (newEsp & ~0xffff) | sp;
    c.setSegCache(1, (target & 0xfffc) | cdpl, cBase, cLimit, cattr);
    c.eip = off;
    c.cpl = cdpl; c.cplChanged();
    return;
  }
  const sp0 = c.stack32 ? c.regs[4] >>> 0 : c.regs[4] & 0xffff;
  const sp = pushAll(c, c.segBase[2], c.segWLim[2], c.stack32, sp0, size, [retCs, retEip], 0, false);
  c.regs[4] = c.stack32 ? sp : (c.regs[4] & ~0xffff) | sp;
  c.setSegCache(1, (target & 0xfffc) | c.cpl, cBase, cLimit, cattr);
  c.eip = off;
}

/** Nulls data segment registers the new (outer) CPL may not use (SDM: "return to outer level"). */
function clearInaccessibleSegments(c: Cpu): void {
  for (const s of [0, 3, 4, 5]) {
    const a = c.segAttr[s];
    if (!(a & 0x80)) continue;
    const dpl = (a >> 5) & 3;
    const conformingCode = (a & 0x1c) === 0x1c;
    if (!conformingCode && dpl < c.cpl) c.setSegNull(s, 0);
  }
}

/** Pops CS:EIP (and for an outer ring SS:ESP) after checking the code segment; `extra` = bytes of eflags/imm between. */
function returnToSelector(c: Cpu, os: number, csSel: number, eip: number, afterCsEip: number, popImm: number, isIret: boolean, newFlags: number): void {
  if ((csSel & 0xfffc) === 0) c.fault(13, 0);
  readDescriptor(c, csSel);
  const attr = descAttr(desc.hi);
  const rpl = csSel & 3;
  if ((attr & 0x18) !== 0x18 || rpl < c.cpl) c.fault(13, csSel & 0xfffc);
  const dpl = (attr >> 5) & 3;
  if ((attr & 4) ? dpl > rpl : dpl !== rpl) c.fault(13, csSel & 0xfffc);
  if (!(attr & 0x80)) c.fault(11, csSel & 0xfffc);
  const cBase = descBase(desc.lo, desc.hi), cLimit = descLimit(desc.lo, desc.hi);
  const cAddr = desc.addr, cHi = desc.hi;
  const spNow = c.stack32 ? c.regs[4] >>> 0 : c.regs[4] & 0xffff;
  if (rpl === c.cpl) {
    if (eip > cLimit) c.fault(13, 0);
    const newSp = spNow + afterCsEip + popImm;
    c.regs[4] = c.stack32 ? newSp : (c.regs[4] & ~0xffff) | (newSp & 0xffff);
    if (isIret) c.setEflags(newFlags);
    c.setSegCache(1, csSel, cBase, cLimit, attr);
    c.eip = eip;
    return;
  }
  // Outer ring: SS:ESP follow on the old stack.
  const espVal = c.peek(os, afterCsEip + popImm);
  const ssSel = c.peek(os, afterCsEip + popImm + os) & 0xffff;
  if ((ssSel & 0xfffc) === 0) c.fault(13, 0);
  readDescriptor(c, ssSel);
  const sattr = descAttr(desc.hi);
  if ((ssSel & 3) !== rpl || ((sattr >> 5) & 3) !== rpl || (sattr & 0x1a) !== 0x12) c.fault(13, ssSel & 0xfffc);
  if (!(sattr & 0x80)) c.fault(12, ssSel & 0xfffc);
  if (eip > cLimit) c.fault(13, 0);
  markAccessed(c);
  if (!(cHi & 0x100)) c.writeSys32((cAddr + 4) >>> 0, cHi | 0x100);
  if (isIret) c.setEflags(newFlags);
  c.setSegCache(1, csSel, cBase, cLimit, attr);
  c.eip = eip;
  c.setSegCache(2, ssSel, descBase(desc.lo, desc.hi), descLimit(desc.lo, desc.hi), sattr);
  const big = (sattr & 0x4000) !== 0;
  const newEsp = (os === 4 ? espVal >>> 0 : espVal & 0xffff) + (isIret ? 0 : popImm);
  c.regs[4] = big ? newEsp : (c.regs[4] & ~0xffff) | (newEsp & 0xffff);
  c.cpl = rpl; c.cplChanged();
  clearInaccessibleSegments(c);
}

export function retFar(c: Cpu, os: number, popImm: number): void {
  const eip = c.peek(os, 0) >>> 0;
  const cs = c.peek(os, os) & 0xffff;
  if (!(c.cr0 & 1)) {
    const sp = (c.stack32 ? c.regs[4] >>> 0 : c.regs[4] & 0xffff) + 2 * os + popImm;
    c.regs[4] = c.stack32 ? sp : (c.regs[4] & ~0xffff) | (sp & 0xffff);
    realModeCs(c, cs, eip);
    return;
  }
  returnToSelector(c, os, cs, eip, 2 * os, popImm, false, 0);
}

export function iret(c: Cpu, os: number): void {
  const cplBefore = c.cpl;
  if (!(c.cr0 & 1)) {
    const eip = c.peek(os, 0) >>> 0, cs = c.peek(os, os) & 0xffff, fl = c.peek(os, 2 * os);
    const sp = (c.stack32 ? c.regs[4] >>> 0 : c.regs[4] & 0xffff) + 3 * os;
    c.regs[4] = c.stack32 ? sp : (c.regs[4] & ~0xffff) | (sp & 0xffff);
    realModeCs(c, cs, eip);
    const old = c.getEflags();
    c.setEflags(os === 4 ? (fl & 0x257fd5) | (old & 0x1a0000) : (old & 0xffff0000) | fl);
  } else if (c.flags & 0x4000) {
    // NT: return to the task in the back-link field.
    const back = c.readSys16(c.trBase);
    taskSwitch(c, back, TaskSwitchReason.Iret, c.eip);
  } else {
    const eip = c.peek(os, 0) >>> 0, cs = c.peek(os, os) & 0xffff, fl = c.peek(os, 2 * os);
    if (os === 4 && (fl & 0x20000) && c.cpl === 0) c.fault(13, 0); // virtual-8086 mode is not implemented
    const old = c.getEflags();
    // Which bits iret may change depends on the privilege it runs at (SDM iret pseudo-code).
    let mask = 0x44dd5 | 0x200000 | 0x100 | 0x4000; // status flags, TF, DF, NT, RF, AC, ID
    if (c.cpl <= ((old >> 12) & 3)) mask |= 0x200;
    if (c.cpl === 0) mask |= 0x3000 | 0x180000;
    if (os === 2) mask &= 0xffff;
    const nf = (old & ~mask) | (fl & mask);
    returnToSelector(c, os, cs, eip, 3 * os, 0, true, nf);
  }
  c.nmiBlocked = false;
  c.ifRaised();
  if (c.hooks.onIret || c.observer) {
    const ev = { cplBefore, cplAfter: c.cpl, cs: c.segSel[1], eip: c.eip >>> 0 };
    if (c.observer) c.observer.iret(c, ev);
    if (c.hooks.onIret) c.notifyIret(ev);
  }
}

/** Re-export for handlers. */
export { descLimit };
