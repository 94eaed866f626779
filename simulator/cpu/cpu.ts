// One i686 logical processor: register file, memory access through segmentation and paging, the
// fetch/decode/execute loop, and the public API described in README.md.
//
// Where things live:
//   flags.ts      lazy EFLAGS record          decoder.ts   bytes -> Insn records
//   code-cache.ts decoded pages per bus       ops-*.ts     the executors (handlers)
//   paging.ts     page walk, TLB fill         delivery.ts  exceptions, interrupts, iret, task switch
//   segments.ts   descriptor loads            x87.ts       the minimal FPU
//   hooks.ts      debugger hooks              state.ts     saveState/restoreState
//
// Faults: an instruction that faults calls `c.fault(vector, code)`, which records the exception and
// throws the FAULT sentinel. The run loop catches it, rewinds EIP to the start of the instruction
// (a fault's return address) and delivers the exception. Handlers therefore write guest-visible state
// only after the last thing that can fault, so a faulting instruction leaves no trace.

import type { AccessSize, CpuBus, InterruptController } from './bus';
import { ARITH_FLAGS, EFLAGS_FIXED, Flag, SegmentState, TableRegister } from './registers';
import { Lazy, PARITY, SIZE_MASK, SIZE_SIGN } from './flags';
import { CpuHooks, HookBit, StopReason } from './hooks';

/** Hooks that need every instruction to go through the one-instruction path. */
const SLOW_PATH_HOOKS = HookBit.SingleStep | HookBit.Watch;
import { Insn } from './insn';
import { CodeCache, CodePage, codeCacheFor } from './code-cache';
import type { ExecutionCounts } from './execution-counts';
import { decodeAt } from './decoder';
import { compileBlock, findSharedBlock, HOT, HOT_SHARED, NO_BLOCK } from './block-compiler';
import { walkPageTables, TlbBit } from './paging';
import { deliverEvent, EventKind } from './delivery';
import { loadSegment } from './segments';
import { Fpu } from './x87';
import { CpuSnapshot, restoreCpuState, saveCpuState } from './state';
import { formatCpuState } from './report';

export type RunState = 'running' | 'halted' | 'wait-for-sipi' | 'shutdown';

/** Thrown (never escapes the CPU) to unwind a faulting instruction. */
export const FAULT = { toString: () => 'ksim CPU fault' };

export interface CpuOptions { id: number }

const enum Ev { Interrupt = 1, Nmi = 2, Halted = 4, Stop = 8, Watch = 16, CodeWritten = 32, Trap = 64 }

export class Cpu {
  readonly id: number;
  readonly bus: CpuBus;
  interruptController: InterruptController | undefined;
  readonly hooks: CpuHooks;
  /** Passive event observer (the machine's trace); see CpuObserver in hooks.ts. */
  observer: import('./hooks').CpuObserver | undefined = undefined;

  // ---- memory views (caches, not state) ----
  readonly ram: Uint8Array;
  readonly ram16: Uint16Array;
  readonly ram32: Int32Array;
  readonly ramLen: number;
  readonly dirty: Uint8Array;
  readonly code: CodeCache;

  // ---- architectural state ----
  /** General registers; 8- and 16-bit views alias the same storage (AL = byte 0 of EAX, AH = byte 1). */
  readonly regs = new Int32Array(8);
  readonly r8 = new Uint8Array(this.regs.buffer);
  readonly r16 = new Uint16Array(this.regs.buffer);
  eip = 0;
  /** EFLAGS except the six status flags while a lazy record is active (see flags.ts). */
  flags = EFLAGS_FIXED;
  lfOp: number = Lazy.NONE;
  lfSize = 0;
  lfA = 0;
  lfB = 0;
  lfRes = 0;

  readonly segSel = new Int32Array(6);
  readonly segBase = new Int32Array(6);
  readonly segLimit = new Float64Array(6);
  readonly segAttr = new Int32Array(6);
  /** Highest offset readable / writable through the segment (-1: unusable for that access). */
  readonly segRLim = new Float64Array(6);
  readonly segWLim = new Float64Array(6);

  cr0 = 0x60000010;
  cr2 = 0;
  cr3 = 0;
  cr4 = 0;
  readonly dr = new Float64Array(8);
  gdtBase = 0; gdtLimit = 0xffff;
  idtBase = 0; idtLimit = 0x3ff;
  ldtSel = 0; ldtBase = 0; ldtLimit = 0; ldtAttr = 0;
  trSel = 0; trBase = 0; trLimit = 0xffff; trAttr = 0x8b;

  cpl = 0;
  /** CS.D: default operand/address size 32 bits. */
  code32 = false;
  /** SS.B: stack pointer is ESP (else SP). */
  stack32 = false;
  paging = false;

  runState: RunState = 'running';
  instructionCount = 0;
  tscOffset = 0;
  apicBaseMsr = 0;
  shutdownReport = '';
  readonly fpu = new Fpu();

  // ---- interrupts ----
  intrPending = false;
  nmiPending = false;
  /** NMIs are blocked from delivery of one until the next iret. */
  nmiBlocked = false;
  /** Interrupts are inhibited until instructionCount reaches this (sti / mov ss shadow). */
  inhibitUntil = 0;
  /** Non-zero breaks the inner loop at the next instruction boundary (Ev bits). */
  events = 0;

  // ---- execution bookkeeping (not state) ----
  /** EIP of the instruction being executed (the fault return address). */
  instrStart = 0;
  faultVector = 0;
  faultCode = -1;
  /** Event being delivered (for double-fault classification), -1 none. */
  delivering = -1;
  stopReason: StopReason = { kind: 'none' };
  hookMask = 0;
  watchArmed = false;
  private watchHit: StopReason | undefined;

  // ---- software TLB ----
  /** Per linear page: physical frame | TlbBit flags; 0 = not cached. */
  readonly tlb = new Int32Array(1 << 20);
  private readonly tlbUsed = new Int32Array(4096);
  private tlbUsedCount = 0;
  /** TLB bits needed for a data read / write at the current CPL. */
  needR: number = TlbBit.Valid;
  needW: number = TlbBit.Valid | TlbBit.SupWrite;

  // ---- instruction fetch cache ----
  private fetchLinPage = -1;
  private fetchPage: CodePage | undefined;
  /** Physical address of the page fetchLinPage maps to (valid with fetchPage). */
  private fetchPhysPage = 0;
  /** Set by the decoder when an instruction spans two pages (then it is not cached). */
  decodeCrossed = false;

  constructor(bus: CpuBus, opts: CpuOptions = { id: 0 }) {
    this.id = opts.id;
    this.bus = bus;
    this.ram = bus.ram;
    if (bus.ram.byteOffset & 3 || bus.ram.length & 0xfff) throw new Error('Cpu: bus.ram must be 4-byte aligned and a whole number of 4 KiB pages');
    this.ram16 = new Uint16Array(bus.ram.buffer, bus.ram.byteOffset, bus.ram.length >>> 1);
    this.ram32 = new Int32Array(bus.ram.buffer, bus.ram.byteOffset, bus.ram.length >>> 2);
    this.ramLen = bus.ram.length;
    this.dirty = bus.dirtyPages;
    this.code = codeCacheFor(bus);
    this.hooks = new CpuHooks(() => this.rearmHooks());
    this.reset();
  }

  // =====================================================================================
  // Power-on / INIT / STARTUP
  // =====================================================================================

  /** Power-on (and INIT) state: real mode, CS:IP = F000:FFF0 with CS base FFFF0000. */
  reset(): void {
    this.regs.fill(0);
    this.regs[2] = 0x00000663; // EDX = processor signature (family 6, model 6, stepping 3)
    this.eip = 0xfff0;
    this.flags = EFLAGS_FIXED;
    this.lfOp = Lazy.NONE;
    this.cr0 = 0x60000010; this.cr2 = 0; this.cr3 = 0; this.cr4 = 0;
    this.dr.fill(0); this.dr[6] = 0xffff0ff0; this.dr[7] = 0x400;
    for (let s = 0; s < 6; s++) this.setSegCache(s, 0, 0, 0xffff, 0x93);
    this.setSegCache(1, 0xf000, 0xffff0000, 0xffff, 0x9b);
    this.gdtBase = 0; this.gdtLimit = 0xffff; this.idtBase = 0; this.idtLimit = 0x3ff;
    this.ldtSel = 0; this.ldtBase = 0; this.ldtLimit = 0xffff; this.ldtAttr = 0x82;
    this.trSel = 0; this.trBase = 0; this.trLimit = 0xffff; this.trAttr = 0x8b;
    this.cpl = 0;
    this.apicBaseMsr = 0xfee00000 | (1 << 11) | (this.id === 0 ? 1 << 8 : 0);
    this.fpu.reset();
    this.intrPending = false; this.nmiPending = false; this.nmiBlocked = false; this.inhibitUntil = 0;
    this.runState = 'running';
    this.shutdownReport = '';
    this.modeChanged();
  }

  /** INIT IPI: reset and wait for a STARTUP IPI (the application processors' power-on path). */
  init(): void {
    const count = this.instructionCount, tsc = this.tscOffset, apic = this.apicBaseMsr;
    this.reset();
    this.instructionCount = count; this.tscOffset = tsc;
    this.apicBaseMsr = (this.apicBaseMsr & ~0xfffff900) | (apic & 0xfffff900); // INIT keeps the APIC base
    this.runState = 'wait-for-sipi';
    this.events |= Ev.Halted;
  }

  /** STARTUP IPI: real mode at vector<<8:0000. Ignored unless waiting for it. */
  startup(vector: number): void {
    if (this.runState !== 'wait-for-sipi') return;
    this.setSegCache(1, (vector & 0xff) << 8, (vector & 0xff) << 12, 0xffff, 0x9b);
    this.eip = 0;
    this.runState = 'running';
    this.modeChanged();
  }

  /**
   * The multiboot hand-off state: protected mode without paging, flat 4 GiB 32-bit code (selector 0x08)
   * and data (0x10) segments, interrupts off. The GDT is not in memory: the guest loads its own.
   */
  enterFlatProtectedMode(): void {
    this.cr0 = (this.cr0 | 1) & ~0x80000000;
    this.setSegCache(1, 0x08, 0, 0xffffffff, 0xc09b);
    for (const s of [0, 2, 3, 4, 5]) this.setSegCache(s, 0x10, 0, 0xffffffff, 0xc093);
    this.setEflags(this.getEflags() & ~Flag.IF);
    this.cpl = 0;
    this.runState = 'running';
    this.modeChanged();
  }

  raiseNmi(): void { this.nmiPending = true; this.events |= Ev.Nmi; }
  signalInterrupt(): void { this.intrPending = true; this.events |= Ev.Interrupt; }

  // =====================================================================================
  // Registers
  // =====================================================================================

  getReg32(r: number): number { return this.regs[r & 7] >>> 0; }
  setReg32(r: number, v: number): void { this.regs[r & 7] = v; }

  /** 8-bit register by encoding: 0-3 = AL CL DL BL, 4-7 = AH CH DH BH. */
  getReg8(r: number): number { return this.r8[R8_INDEX[r]]; }
  setReg8(r: number, v: number): void { this.r8[R8_INDEX[r]] = v; }
  getReg16(r: number): number { return this.r16[r << 1]; }
  setReg16(r: number, v: number): void { this.r16[r << 1] = v; }

  /** Register operand of `os` bytes (unsigned). */
  getReg(os: number, r: number): number {
    return os === 4 ? this.regs[r] : os === 2 ? this.r16[r << 1] : this.r8[R8_INDEX[r]];
  }
  setReg(os: number, r: number, v: number): void {
    if (os === 4) this.regs[r] = v; else if (os === 2) this.r16[r << 1] = v; else this.r8[R8_INDEX[r]] = v;
  }

  getEflags(): number {
    if (this.lfOp === Lazy.NONE) return this.flags >>> 0;
    return ((this.flags & ~ARITH_FLAGS) | this.lazyArith()) >>> 0;
  }
  /** Loads EFLAGS as given (no privilege rules; reserved bits forced). */
  setEflags(v: number): void {
    const wasIf = this.flags & Flag.IF;
    this.flags = (v & 0x3f7fd5) | EFLAGS_FIXED;
    this.lfOp = Lazy.NONE;
    if (v & Flag.TF) this.events |= Ev.Trap; // leave the hot loop: single-step traps need the slow path
    if (!wasIf && (v & Flag.IF) && this.intrPending) this.events |= Ev.Interrupt;
  }

  /** The six status flags computed from the lazy record. */
  private lazyArith(): number {
    return this.cf() | PARITY[this.lfRes & 0xff] | this.af() | (this.zf() ? Flag.ZF : 0)
      | (this.sf() ? Flag.SF : 0) | (this.of() ? Flag.OF : 0);
  }
  /** Writes the lazy status flags into `flags` and drops the record. */
  materialize(): void {
    if (this.lfOp !== Lazy.NONE) { this.flags = (this.flags & ~ARITH_FLAGS) | this.lazyArith(); this.lfOp = Lazy.NONE; }
  }

  cf(): number {
    switch (this.lfOp) {
      case Lazy.ADD: return (this.lfRes >>> 0) < (this.lfA >>> 0) ? 1 : 0;
      case Lazy.ADC1: return (this.lfRes >>> 0) <= (this.lfA >>> 0) ? 1 : 0;
      case Lazy.SUB: return (this.lfA >>> 0) < (this.lfB >>> 0) ? 1 : 0;
      case Lazy.SBB1: return (this.lfA >>> 0) <= (this.lfB >>> 0) ? 1 : 0;
      case Lazy.LOGIC: return 0;
      default: return this.flags & 1;
    }
  }
  zf(): boolean { return this.lfOp === Lazy.NONE ? (this.flags & Flag.ZF) !== 0 : this.lfRes === 0; }
  sf(): boolean { return this.lfOp === Lazy.NONE ? (this.flags & Flag.SF) !== 0 : (this.lfRes & SIZE_SIGN[this.lfSize]) !== 0; }
  pf(): boolean { return this.lfOp === Lazy.NONE ? (this.flags & Flag.PF) !== 0 : PARITY[this.lfRes & 0xff] !== 0; }
  af(): number {
    if (this.lfOp === Lazy.NONE) return this.flags & Flag.AF;
    if (this.lfOp === Lazy.LOGIC) return 0;
    return (this.lfA ^ this.lfB ^ this.lfRes) & Flag.AF;
  }
  of(): boolean {
    const s = SIZE_SIGN[this.lfSize];
    switch (this.lfOp) {
      case Lazy.ADD: case Lazy.ADC1: return ((this.lfA ^ this.lfRes) & (this.lfB ^ this.lfRes) & s) !== 0;
      case Lazy.SUB: case Lazy.SBB1: return ((this.lfA ^ this.lfB) & (this.lfA ^ this.lfRes) & s) !== 0;
      case Lazy.LOGIC: return false;
      case Lazy.INC: return (this.lfRes >>> 0) === s;
      case Lazy.DEC: return (this.lfRes >>> 0) === s - 1;
      default: return (this.flags & Flag.OF) !== 0;
    }
  }

  /** Evaluates condition code 0-15 (o no b ae e ne be a s ns p np l ge le g). */
  cond(cc: number): boolean {
    let r: boolean;
    switch (cc >> 1) {
      case 0: r = this.of(); break;
      case 1: r = this.cf() !== 0; break;
      case 2: r = this.zf(); break;
      case 3:
        if (this.lfOp === Lazy.SUB) { r = (this.lfA >>> 0) <= (this.lfB >>> 0); break; }
        r = this.cf() !== 0 || this.zf(); break;
      case 4: r = this.sf(); break;
      case 5: r = this.pf(); break;
      case 6: r = this.sf() !== this.of(); break;
      default: r = this.zf() || this.sf() !== this.of(); break;
    }
    return (cc & 1) ? !r : r;
  }

  /** Records an ALU result for lazy flags. Values are masked to the size (32-bit ones as signed int32). */
  setLazy(op: Lazy, sizeIdx: number, a: number, b: number, res: number): void {
    this.lfOp = op; this.lfSize = sizeIdx; this.lfA = a; this.lfB = b; this.lfRes = res;
  }
  /** inc/dec keep CF: save it into `flags` first. */
  setLazyKeepCf(op: Lazy, sizeIdx: number, a: number, res: number): void {
    const cf = this.cf();
    this.flags = (this.flags & ~1) | cf;
    this.lfOp = op; this.lfSize = sizeIdx; this.lfA = a; this.lfB = 1; this.lfRes = res;
  }
  /** Sets status flags explicitly (`bits` within `mask`), dropping any lazy record. */
  setArith(mask: number, bits: number): void {
    this.materialize();
    this.flags = (this.flags & ~mask) | (bits & mask);
  }
  /** ZF/SF/PF from a result, CF/OF/AF given: for shifts, multiplies, and others computed eagerly. */
  setResultFlags(sizeIdx: number, res: number, cf: number, of: boolean, af = 0): void {
    this.lfOp = Lazy.NONE;
    let f = this.flags & ~ARITH_FLAGS;
    f |= cf & 1;
    f |= PARITY[res & 0xff];
    if ((res & SIZE_MASK[sizeIdx]) === 0) f |= Flag.ZF;
    if (res & SIZE_SIGN[sizeIdx]) f |= Flag.SF;
    if (of) f |= Flag.OF;
    f |= af & Flag.AF;
    this.flags = f;
  }

  // =====================================================================================
  // Segments, control registers, mode
  // =====================================================================================

  getSegment(s: number): SegmentState {
    return { selector: this.segSel[s] & 0xffff, base: this.segBase[s] >>> 0, limit: this.segLimit[s], access: this.segAttr[s] };
  }
  loadSegmentRaw(s: number, selector: number, base: number, limit: number, access: number): void {
    this.setSegCache(s, selector, base, limit, access);
    if (s === 1) { if (this.cr0 & 1) this.cpl = selector & 3; }
    this.modeChanged();
  }
  /** Fills the hidden part of a segment register and its derived access limits. */
  setSegCache(s: number, selector: number, base: number, limit: number, attr: number): void {
    this.segSel[s] = selector & 0xffff;
    this.segBase[s] = base | 0;
    this.segLimit[s] = limit >>> 0;
    this.segAttr[s] = attr;
    const present = (attr & 0x80) !== 0;
    const isCode = (attr & 0x18) === 0x18;
    const readable = present && (!isCode || (attr & 2) !== 0);
    const writable = present && (attr & 0x18) === 0x10 && (attr & 2) !== 0;
    this.segRLim[s] = readable ? limit >>> 0 : -1;
    this.segWLim[s] = writable ? limit >>> 0 : -1;
    if (s === 1) { this.code32 = (attr & 0x4000) !== 0; this.fetchLinPage = -1; }
    if (s === 2) this.stack32 = (attr & 0x4000) !== 0;
  }
  /** Marks a segment register unusable (null selector loaded in protected mode). */
  setSegNull(s: number, selector: number): void {
    this.segSel[s] = selector & 0xffff;
    this.segBase[s] = 0; this.segLimit[s] = 0; this.segAttr[s] = 0;
    this.segRLim[s] = -1; this.segWLim[s] = -1;
  }

  get protectedMode(): boolean { return (this.cr0 & 1) !== 0; }

  get gdtr(): TableRegister { return { base: this.gdtBase >>> 0, limit: this.gdtLimit }; }
  get idtr(): TableRegister { return { base: this.idtBase >>> 0, limit: this.idtLimit }; }
  get ldtr(): SegmentState { return { selector: this.ldtSel, base: this.ldtBase >>> 0, limit: this.ldtLimit >>> 0, access: this.ldtAttr }; }
  get tr(): SegmentState { return { selector: this.trSel, base: this.trBase >>> 0, limit: this.trLimit >>> 0, access: this.trAttr }; }

  getControlRegister(n: number): number {
    switch (n) {
      case 0: return this.cr0 >>> 0;
      case 2: return this.cr2 >>> 0;
      case 3: return this.cr3 >>> 0;
      case 4: return this.cr4 >>> 0;
      default: throw new Error(`no control register CR${n}`);
    }
  }
  setControlRegister(n: number, v: number): void {
    v >>>= 0;
    switch (n) {
      case 0: this.cr0 = (v | 0x10) >>> 0; break;
      case 2: this.cr2 = v; break;
      case 3: this.cr3 = v; if (this.observer) this.observer.cr3Write(this, v); break;
      case 4: this.cr4 = v; break;
      default: throw new Error(`no control register CR${n}`);
    }
    this.modeChanged();
  }

  /** Re-derives cached mode bits after CR0/CR4/CS/CPL changes and flushes the TLB. */
  modeChanged(): void {
    this.paging = ((this.cr0 & 0x80000001) >>> 0) === 0x80000001; // >>> 0: & yields a signed int32
    if (!(this.cr0 & 1)) this.cpl = 0;
    this.code32 = (this.segAttr[1] & 0x4000) !== 0;
    this.stack32 = (this.segAttr[2] & 0x4000) !== 0;
    this.cplChanged();
    this.flushTlb();
  }
  /** Recomputes the TLB permission masks for the CPL. */
  cplChanged(): void {
    if (this.cpl === 3) { this.needR = TlbBit.Valid | TlbBit.UserRead; this.needW = TlbBit.Valid | TlbBit.UserRead | TlbBit.UserWrite; }
    else { this.needR = TlbBit.Valid; this.needW = TlbBit.Valid | TlbBit.SupWrite; }
    this.fetchLinPage = -1;
  }

  // =====================================================================================
  // TLB and memory
  // =====================================================================================

  flushTlb(): void {
    if (this.tlbUsedCount > this.tlbUsed.length) this.tlb.fill(0);
    else for (let k = 0; k < this.tlbUsedCount; k++) this.tlb[this.tlbUsed[k]] = 0;
    this.tlbUsedCount = 0;
    this.fetchLinPage = -1;
  }
  invlpg(lin: number): void { this.tlb[lin >>> 12] = 0; this.fetchLinPage = -1; }
  /** Called by the page walker after filling an entry. */
  tlbFilled(page: number, entry: number): void {
    this.tlb[page] = entry;
    if (this.tlbUsedCount < this.tlbUsed.length) this.tlbUsed[this.tlbUsedCount] = page;
    this.tlbUsedCount++;
  }

  /** Linear -> physical for a data access at the current CPL (faults with #PF). */
  xlate(lin: number, write: boolean): number {
    if (!this.paging) return lin >>> 0;
    const e = this.tlb[lin >>> 12];
    const need = write ? this.needW : this.needR;
    if ((e & need) === need) return ((e & ~0xfff) | (lin & 0xfff)) >>> 0;
    return walkPageTables(this, lin >>> 0, write, this.cpl === 3);
  }
  /** Linear -> physical for an implicit supervisor access (descriptor tables, TSS, IDT). */
  xlateSys(lin: number, write: boolean): number {
    if (!this.paging) return lin >>> 0;
    const e = this.tlb[lin >>> 12];
    const need = write ? TlbBit.Valid | TlbBit.SupWrite : TlbBit.Valid;
    if ((e & need) === need) return ((e & ~0xfff) | (lin & 0xfff)) >>> 0;
    return walkPageTables(this, lin >>> 0, write, false);
  }

  // ---- physical ----
  readPhys8(p: number): number { return p < this.ramLen ? this.ram[p] : this.bus.readPhysical(p, 1) & 0xff; }
  readPhys16(p: number): number {
    if (p + 1 < this.ramLen) return (p & 1) === 0 ? this.ram16[p >>> 1] : this.ram[p] | (this.ram[p + 1] << 8);
    if (p >= this.ramLen && (p & 0xfff) <= 0xffe) return this.bus.readPhysical(p, 2) & 0xffff;
    return this.readPhys8(p) | (this.readPhys8((p + 1) >>> 0) << 8);
  }
  readPhys32(p: number): number {
    if (p + 3 < this.ramLen) {
      if ((p & 3) === 0) return this.ram32[p >>> 2];
      const r = this.ram;
      return r[p] | (r[p + 1] << 8) | (r[p + 2] << 16) | (r[p + 3] << 24);
    }
    if (p >= this.ramLen && (p & 0xfff) <= 0xffc) return this.bus.readPhysical(p, 4) | 0;
    return this.readPhys16(p) | (this.readPhys16((p + 2) >>> 0) << 16);
  }
  writePhys8(p: number, v: number): void {
    if (p < this.ramLen) {
      this.ram[p] = v;
      const pg = p >>> 12;
      this.dirty[pg] = 1;
      if (this.code.pageHasCode[pg]) { this.code.invalidate(pg); this.events |= Ev.CodeWritten; }
    } else this.bus.writePhysical(p, 1, v & 0xff);
  }
  writePhys16(p: number, v: number): void {
    if (p + 1 < this.ramLen && (p & 0xfff) !== 0xfff) {
      if ((p & 1) === 0) this.ram16[p >>> 1] = v; else { this.ram[p] = v; this.ram[p + 1] = v >>> 8; }
      const pg = p >>> 12;
      this.dirty[pg] = 1;
      if (this.code.pageHasCode[pg]) { this.code.invalidate(pg); this.events |= Ev.CodeWritten; }
    } else if (p >= this.ramLen && (p & 0xfff) <= 0xffe) this.bus.writePhysical(p, 2, v & 0xffff);
    else { this.writePhys8(p, v & 0xff); this.writePhys8((p + 1) >>> 0, (v >>> 8) & 0xff); }
  }
  writePhys32(p: number, v: number): void {
    if (p + 3 < this.ramLen && (p & 0xfff) <= 0xffc) {
      if ((p & 3) === 0) this.ram32[p >>> 2] = v;
      else { const r = this.ram; r[p] = v; r[p + 1] = v >>> 8; r[p + 2] = v >>> 16; r[p + 3] = v >>> 24; }
      const pg = p >>> 12;
      this.dirty[pg] = 1;
      if (this.code.pageHasCode[pg]) { this.code.invalidate(pg); this.events |= Ev.CodeWritten; }
    } else if (p >= this.ramLen && (p & 0xfff) <= 0xffc) this.bus.writePhysical(p, 4, v >>> 0);
    else { this.writePhys16(p, v & 0xffff); this.writePhys16((p + 2) >>> 0, (v >>> 16) & 0xffff); }
  }

  // ---- linear (data accesses at the current privilege) ----
  read8(lin: number): number {
    const p = this.xlate(lin, false);
    if (this.watchArmed) this.checkWatch(lin, p, 1, false);
    return p < this.ramLen ? this.ram[p] : this.bus.readPhysical(p, 1) & 0xff;
  }
  read16(lin: number): number {
    if ((lin & 0xfff) === 0xfff) return this.read8(lin) | (this.read8((lin + 1) >>> 0) << 8);
    const p = this.xlate(lin, false);
    if (this.watchArmed) this.checkWatch(lin, p, 2, false);
    return this.readPhys16(p);
  }
  read32(lin: number): number {
    if ((lin & 0xfff) > 0xffc) return this.read16(lin) | (this.read16((lin + 2) | 0) << 16);
    const p = this.xlate(lin, false);
    if (this.watchArmed) this.checkWatch(lin, p, 4, false);
    if ((p & 3) === 0 && p < this.ramLen) return this.ram32[p >>> 2];
    return this.readPhys32(p);
  }
  write8(lin: number, v: number): void {
    const p = this.xlate(lin, true);
    this.writePhys8(p, v);
    if (this.watchArmed) this.checkWatch(lin, p, 1, true);
  }
  write16(lin: number, v: number): void {
    if ((lin & 0xfff) === 0xfff) {
      // Both pages are checked before either byte is written, so a #PF on the second leaves memory intact.
      const p0 = this.xlate(lin, true), p1 = this.xlate((lin + 1) >>> 0, true);
      this.writePhys8(p0, v & 0xff); this.writePhys8(p1, (v >>> 8) & 0xff);
      if (this.watchArmed) this.checkWatch(lin, p0, 2, true);
      return;
    }
    const p = this.xlate(lin, true);
    this.writePhys16(p, v);
    if (this.watchArmed) this.checkWatch(lin, p, 2, true);
  }
  write32(lin: number, v: number): void {
    if ((lin & 0xfff) > 0xffc) {
      const p0 = this.xlate(lin, true), p1 = this.xlate((lin + 4) & ~0xfff, true);
      const n0 = 0x1000 - (lin & 0xfff);
      for (let k = 0; k < 4; k++) this.writePhys8(k < n0 ? p0 + k : p1 + k - n0, (v >>> (8 * k)) & 0xff);
      if (this.watchArmed) this.checkWatch(lin, p0, 4, true);
      return;
    }
    const p = this.xlate(lin, true);
    if ((p & 3) === 0 && p + 3 < this.ramLen) {
      this.ram32[p >>> 2] = v;
      const pg = p >>> 12;
      this.dirty[pg] = 1;
      if (this.code.pageHasCode[pg]) { this.code.invalidate(pg); this.events |= Ev.CodeWritten; }
    } else this.writePhys32(p, v);
    if (this.watchArmed) this.checkWatch(lin, p, 4, true);
  }
  read(os: number, lin: number): number { return os === 4 ? this.read32(lin) : os === 2 ? this.read16(lin) : this.read8(lin); }
  write(os: number, lin: number, v: number): void {
    if (os === 4) this.write32(lin, v); else if (os === 2) this.write16(lin, v); else this.write8(lin, v);
  }
  // ---- read-modify-write: the read already translates for writing, so the write cannot fault ----
  rmwPhys = 0;
  rmwLin = 0;
  rmwSplit = false;
  readRMW(os: number, lin: number): number {
    this.rmwLin = lin;
    if ((lin & 0xfff) + os > 0x1000) { this.probeWrite(lin, os); this.rmwSplit = true; return this.read(os, lin); }
    const p = this.xlate(lin, true);
    this.rmwSplit = false; this.rmwPhys = p;
    if (this.watchArmed) this.checkWatch(lin, p, os, false);
    if (os === 4) return (p & 3) === 0 && p < this.ramLen ? this.ram32[p >>> 2] : this.readPhys32(p);
    return os === 2 ? this.readPhys16(p) : this.readPhys8(p);
  }
  writeRMW(os: number, v: number): void {
    if (this.rmwSplit) { this.write(os, this.rmwLin, v); return; }
    const p = this.rmwPhys;
    if (os === 4) this.writePhys32(p, v); else if (os === 2) this.writePhys16(p, v & 0xffff); else this.writePhys8(p, v & 0xff);
    if (this.watchArmed) this.checkWatch(this.rmwLin, p, os, true);
  }
  /** Reads the r/m operand for read-modify-write (memory: translated for writing). */
  readRMWOperand(i: Insn): number {
    if (!i.mem) return this.getReg(i.os, i.rm);
    return this.readRMW(i.os, this.linW(i.seg, this.ea(i), i.os));
  }
  /** Completes readRMWOperand. */
  writeRMWOperand(i: Insn, v: number): void {
    if (!i.mem) this.setReg(i.os, i.rm, v); else this.writeRMW(i.os, v);
  }

  /** Checks that a write to `lin` of `os` bytes would succeed (for read-modify-write and multi-part stores). */
  probeWrite(lin: number, os: number): void {
    this.xlate(lin, true);
    if (((lin & 0xfff) + os) > 0x1000) this.xlate((lin + os - 1) >>> 0, true);
  }

  // ---- implicit supervisor accesses (descriptor tables, IDT, TSS) ----
  readSys32(lin: number): number {
    if ((lin & 0xfff) > 0xffc) return this.readSys16(lin) | (this.readSys16((lin + 2) >>> 0) << 16);
    return this.readPhys32(this.xlateSys(lin, false));
  }
  readSys16(lin: number): number {
    if ((lin & 0xfff) === 0xfff) return this.readPhys8(this.xlateSys(lin, false)) | (this.readPhys8(this.xlateSys((lin + 1) >>> 0, false)) << 8);
    return this.readPhys16(this.xlateSys(lin, false));
  }
  writeSys32(lin: number, v: number): void {
    if ((lin & 0xfff) > 0xffc) { this.writeSys16(lin, v & 0xffff); this.writeSys16((lin + 2) >>> 0, v >>> 16); return; }
    this.writePhys32(this.xlateSys(lin, true), v);
  }
  writeSys16(lin: number, v: number): void {
    if ((lin & 0xfff) === 0xfff) { this.writePhys8(this.xlateSys(lin, true), v & 0xff); this.writePhys8(this.xlateSys((lin + 1) >>> 0, true), v >>> 8); return; }
    this.writePhys16(this.xlateSys(lin, true), v);
  }

  // ---- segment-relative ----
  /** Linear address of seg:off for a read of `size` bytes, checking the segment limit. */
  linR(seg: number, off: number, size: number): number {
    const o = off >>> 0;
    if (o + size - 1 > this.segRLim[seg]) this.segFault(seg);
    return (this.segBase[seg] + o) | 0;
  }
  linW(seg: number, off: number, size: number): number {
    const o = off >>> 0;
    if (o + size - 1 > this.segWLim[seg]) this.segFault(seg);
    return (this.segBase[seg] + o) | 0;
  }
  segFault(seg: number): never {
    if (seg === 2) this.fault(12, 0);
    this.fault(13, 0);
  }

  /** Effective address (offset within the segment) of a ModRM memory operand. */
  ea(i: Insn): number {
    let a = i.disp;
    if (i.base >= 0) a += this.regs[i.base];
    if (i.index >= 0) a += this.regs[i.index] << i.scale;
    return i.a32 ? a | 0 : a & 0xffff;
  }
  /** Reads the r/m operand. */
  readRM(i: Insn): number {
    if (!i.mem) return this.getReg(i.os, i.rm);
    return this.read(i.os, this.linR(i.seg, this.ea(i), i.os));
  }
  /** Writes the r/m operand. */
  writeRM(i: Insn, v: number): void {
    if (!i.mem) { this.setReg(i.os, i.rm, v); return; }
    this.write(i.os, this.linW(i.seg, this.ea(i), i.os), v);
  }

  // ---- stack ----
  push32(v: number): void {
    const sp = this.regs[4];
    if (this.stack32) { const n = (sp - 4) >>> 0; this.write32(this.linW(2, n, 4), v); this.regs[4] = n; }
    else { const n = (sp - 4) & 0xffff; this.write32(this.linW(2, n, 4), v); this.regs[4] = (sp & ~0xffff) | n; }
  }
  push16(v: number): void {
    const sp = this.regs[4];
    if (this.stack32) { const n = (sp - 2) >>> 0; this.write16(this.linW(2, n, 2), v); this.regs[4] = n; }
    else { const n = (sp - 2) & 0xffff; this.write16(this.linW(2, n, 2), v); this.regs[4] = (sp & ~0xffff) | n; }
  }
  push(os: number, v: number): void { if (os === 4) this.push32(v); else this.push16(v); }
  pop32(): number {
    const sp = this.regs[4];
    if (this.stack32) { const v = this.read32(this.linR(2, sp >>> 0, 4)); this.regs[4] = sp + 4; return v; }
    const v = this.read32(this.linR(2, sp & 0xffff, 4)); this.regs[4] = (sp & ~0xffff) | ((sp + 4) & 0xffff); return v;
  }
  pop16(): number {
    const sp = this.regs[4];
    if (this.stack32) { const v = this.read16(this.linR(2, sp >>> 0, 2)); this.regs[4] = sp + 2; return v; }
    const v = this.read16(this.linR(2, sp & 0xffff, 2)); this.regs[4] = (sp & ~0xffff) | ((sp + 2) & 0xffff); return v;
  }
  pop(os: number): number { return os === 4 ? this.pop32() : this.pop16(); }
  /** Reads the stack slot `depth` bytes above the stack pointer without popping. */
  peek(os: number, depth: number): number {
    const sp = this.stack32 ? (this.regs[4] + depth) >>> 0 : (this.regs[4] + depth) & 0xffff;
    return this.read(os, this.linR(2, sp, os));
  }

  // =====================================================================================
  // Faults and events
  // =====================================================================================

  /** Raises an exception from inside an instruction: unwinds it (fault semantics). */
  fault(vector: number, code = -1): never {
    this.faultVector = vector;
    this.faultCode = code;
    throw FAULT;
  }

  /** Delivers a software interrupt / trap with EIP already at the next instruction. */
  softwareInterrupt(vector: number): void {
    this.softwareInterruptDone = true;
    deliverEvent(this, vector, -1, EventKind.Software, this.eip);
  }
  /** Set by int n/int3/into: no single-step trap follows them (the gate clears TF). */
  private softwareInterruptDone = false;

  /** EFLAGS.TF: after an instruction that began with TF=1, a #DB trap (DR6.BS) is delivered. */
  private singleStepTrap(): void {
    if (this.softwareInterruptDone || this.runState !== 'running') return;
    this.dr[6] = (this.dr[6] | 0x4000) >>> 0;
    this.instrStart = this.eip;
    this.deliverAsync(1, EventKind.Exception);
  }

  /** Loads a segment register with protected-mode checks (or real-mode semantics). */
  loadSeg(s: number, selector: number): void { loadSegment(this, s, selector & 0xffff); }

  halt(): void {
    this.runState = 'halted'; this.events |= Ev.Halted;
    if (this.observer) this.observer.halt(this);
  }
  /** sti / mov ss: no interrupt before the next instruction completes. */
  inhibitInterrupts(): void { this.inhibitUntil = this.instructionCount + 2; }
  /** IF may have gone 0 -> 1: look for a pending interrupt at the next boundary. */
  ifRaised(): void { if (this.intrPending) this.events |= Ev.Interrupt; }

  /** Called by delivery.ts when a triple fault shuts the processor down. */
  shutdown(reason: string): void {
    this.runState = 'shutdown';
    this.events |= Ev.Halted;
    this.shutdownReport = `CPU ${this.id}: ${reason}\n${formatCpuState(this)}`;
  }

  /** Delivers the fault recorded by fault() for the instruction at instrStart. */
  private deliverFault(): void {
    this.eip = this.instrStart;
    deliverEvent(this, this.faultVector, this.faultCode, EventKind.Exception, this.instrStart);
  }

  // =====================================================================================
  // Hooks
  // =====================================================================================

  private rearmHooks(): void {
    this.hookMask = this.hooks.mask();
    this.watchArmed = (this.hookMask & HookBit.Watch) !== 0;
  }
  /** Asks a running run() to return at the next instruction boundary (stopReason 'requested'). */
  requestStop(): void { this.events |= Ev.Stop; }

  private checkWatch(linear: number, phys: number, size: number, write: boolean): void {
    if (this.watchHit) return;
    const lin = linear >>> 0;
    for (const [id, w] of this.hooks.watches) {
      if (write ? !w.write : !w.read) continue;
      const a = w.physical ? phys : lin;
      if (a + size > w.start && a < w.start + w.length) {
        this.watchHit = { kind: 'watch', id, address: a >>> 0, size, access: write ? 'write' : 'read', physical: w.physical };
        this.events |= Ev.Watch;
        return;
      }
    }
  }
  /** Rep string instructions ask this between iterations. */
  watchPending(): boolean { return this.watchHit !== undefined; }

  /** Event callback from delivery.ts. Returns true when the debugger wants to stop. */
  notifyDelivery(ev: import('./hooks').DeliveryEvent): void {
    const f = this.hooks.onDelivery;
    if (f && f(ev) === true) { this.pendingStop = { kind: 'delivery', event: ev }; this.events |= Ev.Stop; }
  }
  notifyIret(ev: import('./hooks').IretEvent): void {
    const f = this.hooks.onIret;
    if (f && f(ev) === true) { this.pendingStop = { kind: 'iret', event: ev }; this.events |= Ev.Stop; }
  }
  private pendingStop: StopReason | undefined;

  // =====================================================================================
  // Execution
  // =====================================================================================

  /** Executes one instruction or delivers one pending event. Ignores breakpoints. Returns 1 if an instruction retired. */
  step(): number {
    return this.runInner(1, true);
  }

  /**
   * Runs up to `budget` instructions. Returns the number retired; `stopReason` says why it returned
   * ('budget' when the budget was used up).
   */
  run(budget: number): number {
    return this.runInner(budget, false);
  }

  private runInner(budget: number, single: boolean): number {
    const start = this.instructionCount;
    const end = start + Math.max(0, Math.floor(budget));
    this.stopReason = { kind: 'budget' };
    this.watchHit = undefined;
    this.pendingStop = undefined;
    let first = true;
    for (;;) {
      // ---- instruction boundary: events ----
      if (this.events !== 0 || this.hookMask !== 0 || this.runState !== 'running') {
        if (this.boundary(first, single)) break;
      }
      if (this.instructionCount >= end) break;
      first = false;
      try {
        // Breakpoints and delivery/iret callbacks keep the fast loop (it checks breakpoint pages);
        // single-step, watch ranges and the trap flag need the one-instruction path.
        if (single || (this.hookMask & SLOW_PATH_HOOKS) !== 0 || (this.flags & Flag.TF)) {
          const tf = this.flags & Flag.TF;
          this.softwareInterruptDone = false;
          this.executeOne();
          if (tf) this.singleStepTrap();
          if (single) { this.boundaryAfterSingle(); break; }
          continue;
        }
        this.loop(end);
      } catch (e) {
        if (e !== FAULT) throw e;
        this.instructionCount++; // a faulting instruction counts as one step (its delivery)
        this.deliverFault();
        if (single) { this.boundaryAfterSingle(); break; }
      }
    }
    // A debugger stop (anything but the budget running out, a hlt or waiting for SIPI) makes the
    // instruction it stopped at exempt from breakpoints when execution resumes there: "continue" from a
    // breakpoint executes the instruction instead of reporting the same breakpoint again. Quantum ends
    // ('budget') exempt nothing, so a breakpoint on the instruction a CPU starts its next quantum with
    // is still reported.
    const k = this.stopReason.kind;
    if (single || (k !== 'budget' && k !== 'halted' && k !== 'wait-for-sipi')) {
      this.breakpointExemptLinear = (this.segBase[1] + this.eip) >>> 0;
      this.breakpointExemptCount = this.instructionCount;
    }
    return this.instructionCount - start;
  }

  /** Linear EIP and instruction count of the last debugger stop (see the end of runInner). */
  private breakpointExemptLinear = -1;
  private breakpointExemptCount = -1;

  private boundaryAfterSingle(): void {
    if (this.watchHit) this.stopReason = this.watchHit;
    else if (this.pendingStop) this.stopReason = this.pendingStop;
    else this.stopReason = { kind: 'step' };
    this.watchHit = undefined; this.pendingStop = undefined;
    this.events &= ~(Ev.Watch | Ev.Stop);
  }

  /**
   * Handles everything that can happen between two instructions. Returns true when run() must return.
   */
  private boundary(first: boolean, single: boolean): boolean {
    if (this.events & (Ev.Watch | Ev.Stop)) {
      this.events &= ~(Ev.Watch | Ev.Stop);
      if (this.watchHit) { this.stopReason = this.watchHit; this.watchHit = undefined; return true; }
      if (this.pendingStop) { this.stopReason = this.pendingStop; this.pendingStop = undefined; return true; }
      this.stopReason = { kind: 'requested' }; return true;
    }
    this.events &= ~(Ev.Halted | Ev.CodeWritten | Ev.Trap);
    if (this.runState === 'shutdown') { this.stopReason = { kind: 'shutdown' }; return true; }
    if (this.runState === 'wait-for-sipi') { this.stopReason = { kind: 'wait-for-sipi' }; return true; }
    // NMI: not blocked by IF; blocked while an NMI handler runs (until iret).
    if (this.nmiPending && !this.nmiBlocked) {
      this.nmiPending = false;
      this.events &= ~Ev.Nmi;
      if (this.runState === 'halted') this.runState = 'running';
      this.instrStart = this.eip;
      this.nmiBlocked = true;
      this.deliverAsync(2, EventKind.Nmi);
      return this.afterAsyncDelivery(single);
    }
    if (this.events & Ev.Interrupt) {
      if (!(this.flags & Flag.IF)) this.events &= ~Ev.Interrupt; // re-armed by sti/popf/iret (ifRaised)
      else if (this.instructionCount >= this.inhibitUntil) {
        this.events &= ~Ev.Interrupt;
        const ic = this.interruptController;
        if (this.intrPending && ic && ic.hasPendingInterrupt()) {
          const v = ic.acknowledgeInterrupt();
          if (v >= 0) {
            this.intrPending = false;
            if (this.runState === 'halted') this.runState = 'running';
            this.instrStart = this.eip;
            this.deliverAsync(v & 0xff, EventKind.Interrupt);
            this.intrPending = true; // the controller may hold more: ask again at the next boundary
            this.events |= Ev.Interrupt;
            return this.afterAsyncDelivery(single);
          }
        }
        this.intrPending = false;
      } else this.events |= 0; // still in the shadow: keep the request, check next boundary
    }
    if (this.runState === 'halted') { this.stopReason = { kind: 'halted' }; return true; }
    if (this.hookMask & HookBit.Breakpoints && !single) {
      const lin = (this.segBase[1] + this.eip) >>> 0;
      if (this.hooks.breakpoints.has(lin)
          && !(lin === this.breakpointExemptLinear && this.instructionCount === this.breakpointExemptCount)) {
        this.stopReason = { kind: 'breakpoint', address: lin }; return true;
      }
    }
    if (this.hookMask & HookBit.SingleStep && !first && !single) { this.stopReason = { kind: 'step' }; return true; }
    return false;
  }

  /** Delivers an interrupt/NMI, turning a fault during delivery into the right nested event. */
  private deliverAsync(vector: number, kind: EventKind): void {
    try {
      deliverEvent(this, vector, -1, kind, this.eip);
    } catch (e) {
      if (e !== FAULT) throw e;
      this.deliverFault();
    }
  }
  private afterAsyncDelivery(single: boolean): boolean {
    if (single) { this.boundaryAfterSingle(); return true; }
    if (this.events & Ev.Stop) return this.boundary(false, false);
    if (this.hookMask & HookBit.SingleStep) { this.stopReason = { kind: 'step' }; return true; }
    return false;
  }

  /** Compiled blocks are used by the hot loop (a switch for comparisons and debugging). */
  static useBlocks = true;

  /** The hot loop: no hooks armed, runs until an event or the end of the budget. */
  private loop(end: number): void {
    const blocks = Cpu.useBlocks;
    const counting = this.code.counts.enabled;
    const bpPages = this.hookMask & HookBit.Breakpoints ? this.hooks.breakpointPages : undefined;
    while (this.instructionCount < end) {
      const eip = this.eip;
      const lin = (this.segBase[1] + eip) >>> 0;
      let insn: Insn | undefined;
      this.instrStart = eip;
      // On a page with a breakpoint: no compiled blocks, and return before a breakpointed
      // instruction so that boundary() reports it (or lets the exempt resume instruction run).
      const bpPage = bpPages !== undefined && bpPages[lin >>> 12] !== 0;
      if (bpPage && this.hooks.breakpoints.has(lin)
          && !(lin === this.breakpointExemptLinear && this.instructionCount === this.breakpointExemptCount)) return;
      // The decoded page: the fetch cache's, or (entering another page) looked up by fetchSlow, which
      // also decodes the instruction; code outside RAM has no page (fetchLinPage stays -1).
      let page: CodePage | undefined;
      if ((lin >>> 12) === this.fetchLinPage && this.fetchPage!.valid) page = this.fetchPage!;
      else {
        insn = this.fetchSlow(lin);
        if ((lin >>> 12) === this.fetchLinPage) page = this.fetchPage!;
      }
      if (page !== undefined) {
        const off = lin & 0xfff;
        if (blocks && !bpPage) {
          const b = page.blocks[off];
          if (b !== undefined) {
            if (b.eip === eip && this.instructionCount + b.length <= end) {
              b.run(this, end - this.instructionCount);
              if (this.events !== 0) return;
              continue;
            }
          } else {
            const heat = ++page.heat[off];
            if (heat === HOT_SHARED) {
              const shared = findSharedBlock(this, lin, page, this.fetchPhysPage, (l) => this.decodeAhead(l));
              if (shared !== undefined) { page.blocks[off] = shared; continue; }
            } else if (heat >= HOT) {
              page.heat[off] = 0;
              page.blocks[off] = compileBlock(this, lin, page, this.fetchPhysPage, (l) => this.decodeAhead(l)) ?? NO_BLOCK;
              continue;
            }
          }
        }
        if (insn === undefined) insn = page.insns[off];
      }
      if (insn === undefined) insn = this.fetchSlow(lin);
      if (counting) this.countExecution(lin);
      this.eip = this.code32 ? (eip + insn.len) >>> 0 : (eip + insn.len) & 0xffff;
      insn.exec(this, insn);
      this.instructionCount++;
      if (this.events !== 0) return;
    }
  }

  /** One instruction through the same path as loop(), used when hooks are armed or stepping. */
  private executeOne(): void {
    const eip = this.eip;
    const lin = (this.segBase[1] + eip) >>> 0;
    let insn: Insn | undefined;
    this.instrStart = eip;
    if ((lin >>> 12) === this.fetchLinPage && this.fetchPage!.valid) insn = this.fetchPage!.insns[lin & 0xfff];
    if (insn === undefined) insn = this.fetchSlow(lin);
    if (this.code.counts.enabled) this.countExecution(lin);
    this.eip = this.code32 ? (eip + insn.len) >>> 0 : (eip + insn.len) & 0xffff;
    insn.exec(this, insn);
    this.instructionCount++;
  }

  /**
   * Profiling: the instruction at `lin` (just fetched) begins executing. After a fetch the fetch cache
   * names its decoded page, whose counters are the physical page's (execution-counts.ts); code fetched
   * from outside RAM has no page and is not counted.
   */
  private countExecution(lin: number): void {
    if ((lin >>> 12) !== this.fetchLinPage) return;
    const k = this.fetchPage!.counts;
    if (k !== undefined) k[lin & 0xfff]++;
  }

  /** Fetch through the TLB and the shared decoded-page cache; decodes on a miss. */
  private fetchSlow(lin: number): Insn {
    // CS limit: the first byte must be inside the segment (the rest is checked by the decoder).
    if (this.eip > this.segLimit[1]) this.fault(13, 0);
    const phys = this.xlateFetch(lin);
    if (phys + 15 >= this.ramLen) return this.decodeUncached(lin); // MMIO/ROM-less space: never cached
    const page = this.code.page(phys >>> 12, this.code32 ? 1 : 0);
    this.fetchLinPage = lin >>> 12;
    this.fetchPage = page;
    this.fetchPhysPage = phys & ~0xfff;
    let insn = page.insns[lin & 0xfff];
    if (insn !== undefined) return insn;
    this.decodeCrossed = false;
    insn = decodeAt(this, lin);
    if (!this.decodeCrossed) page.insns[lin & 0xfff] = insn;
    return insn;
  }
  private decodeUncached(lin: number): Insn {
    this.fetchLinPage = -1;
    return decodeAt(this, lin);
  }
  /** Translation for instruction fetch (needs read permission at the current CPL). */
  xlateFetch(lin: number): number { return this.xlate(lin, false); }

  /**
   * Decodes the instruction at `lin` (same page as the current one) for the block compiler, without
   * side effects: a decoding fault just means "no instruction here".
   */
  private decodeAhead(lin: number): Insn | undefined {
    const eip = this.eip, cr2 = this.cr2, fv = this.faultVector, fc = this.faultCode, crossed = this.decodeCrossed;
    try {
      this.eip = this.code32 ? (lin - this.segBase[1]) >>> 0 : (lin - this.segBase[1]) & 0xffff;
      this.decodeCrossed = false;
      const insn = decodeAt(this, lin);
      if (this.decodeCrossed) return undefined;
      const page = this.fetchPage;
      if (page && page.valid) page.insns[lin & 0xfff] = insn;
      return insn;
    } catch (e) {
      if (e !== FAULT) throw e;
      return undefined;
    } finally {
      this.eip = eip; this.cr2 = cr2; this.faultVector = fv; this.faultCode = fc; this.decodeCrossed = crossed;
    }
  }

  /** Reads an instruction byte (the decoder's only way to see code). */
  fetchByte(lin: number, offsetInInsn: number): number {
    if (offsetInInsn >= 15) this.fault(13, 0); // instructions are at most 15 bytes
    const eipOff = this.code32 ? (this.eip + offsetInInsn) >>> 0 : (this.eip + offsetInInsn) & 0xffff;
    if (eipOff > this.segLimit[1]) this.fault(13, 0);
    const p = this.xlateFetch(lin);
    if (offsetInInsn > 0 && (lin & 0xfff) < offsetInInsn) this.decodeCrossed = true;
    return this.readPhys8(p);
  }

  /** Drops decoded instructions for all CPUs of this bus (call after writing guest code behind the CPU's back). */
  invalidateDecodedCode(): void { this.code.invalidateAll(); this.fetchLinPage = -1; }

  /**
   * Per-instruction execution counting (execution-counts.ts), off by default. The switch and the counts
   * are shared by every CPU on the same RAM (the decoded-code cache is); switching drops decoded code
   * and takes effect at the next run()/step() of each CPU. Counts are not part of saveState().
   */
  get profiling(): boolean { return this.code.counts.enabled; }
  set profiling(on: boolean) { this.code.setProfiling(on); this.fetchLinPage = -1; }
  /** The execution counters by physical address (shared by all CPUs on this RAM). */
  get executionCounts(): ExecutionCounts { return this.code.counts; }

  // =====================================================================================
  // Snapshots
  // =====================================================================================

  saveState(): CpuSnapshot { return saveCpuState(this); }
  restoreState(s: CpuSnapshot): void {
    restoreCpuState(this, s);
    this.modeChanged();
    this.events = (this.intrPending ? Ev.Interrupt : 0) | (this.nmiPending ? Ev.Nmi : 0);
  }
}

/** 8-bit register encoding -> byte index in the register file (little-endian: AH is byte 1 of EAX). */
export const R8_INDEX = new Uint8Array([0, 4, 8, 12, 1, 5, 9, 13]);

export type { AccessSize };
