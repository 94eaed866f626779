// Debugger hooks of one CPU.
//
// The engine arms these; the CPU's hot loop tests a single number (`cpu.hookMask`) per instruction and
// memory accesses test one boolean, so an unarmed hook costs (near) nothing. Every mutation below
// re-computes that mask through the `rearm` callback the CPU passes in.
//
// Semantics, as a debugger needs them:
// - Breakpoints (linear addresses): run() stops *before* executing an instruction whose first byte is
//   at the address. The instruction a debugger stop left the CPU at (any stop but the budget running
//   out, hlt or wait-for-SIPI) is exempt while nothing has executed since, so resuming from a
//   breakpoint executes it (the classic "step over the breakpoint" rule); the first instruction of a
//   new machine quantum is NOT exempt. step() never checks breakpoints.
// - Single-step: run() stops after one instruction (or one interrupt/exception delivery).
// - Watch ranges (linear or physical; read, write or both): the access completes, the instruction
//   finishes (a rep string instruction finishes the current iteration and stays at the instruction if
//   more remain), then run() stops with the address and size of the first matching access.
// - onDelivery: called for every exception/interrupt the CPU delivers, after the handler's CS:EIP is
//   loaded; returning true stops run() there. onIret: called after every iret; true stops.
// - The instruction budget is run()'s argument.
// After a stop the CPU is at a clean instruction boundary; `cpu.stopReason` says why run() returned.

export type AccessKind = 'read' | 'write';

export interface WatchRange {
  /** First byte (linear address, or physical when `physical`). */
  start: number;
  /** Length in bytes (>= 1). */
  length: number;
  physical: boolean;
  read: boolean;
  write: boolean;
}

export interface DeliveryEvent {
  vector: number;
  /** Error code pushed, or -1 when the vector has none. */
  errorCode: number;
  kind: 'exception' | 'interrupt' | 'software' | 'nmi';
  cplBefore: number;
  /** EIP that was pushed as the return address (faults: the faulting instruction; traps: the next one). */
  returnEip: number;
  /** CS:EIP of the handler. */
  handlerCs: number;
  handlerEip: number;
}

export interface IretEvent {
  cplBefore: number;
  cplAfter: number;
  /** Where iret returned to. */
  cs: number;
  eip: number;
}

export type StopReason =
  | { kind: 'none' }
  | { kind: 'budget' }
  | { kind: 'halted' }
  | { kind: 'wait-for-sipi' }
  | { kind: 'shutdown' }
  | { kind: 'breakpoint'; address: number }
  | { kind: 'step' }
  | { kind: 'watch'; id: number; address: number; size: number; access: AccessKind; physical: boolean }
  | { kind: 'delivery'; event: DeliveryEvent }
  | { kind: 'iret'; event: IretEvent }
  | { kind: 'requested' };

/** Bits of Cpu.hookMask. */
export const enum HookBit { Breakpoints = 1, SingleStep = 2, Watch = 4, Delivery = 8, Iret = 16, StopRequest = 32 }

export class CpuHooks {
  readonly breakpoints = new Set<number>();
  readonly watches = new Map<number, WatchRange>();
  private nextWatchId = 1;
  private step = false;
  private delivery: ((e: DeliveryEvent) => boolean | void) | undefined;
  private iret: ((e: IretEvent) => boolean | void) | undefined;

  constructor(private readonly rearm: () => void) {}

  /**
   * Breakpoints per 4 KiB linear page (a count, indexed by linear >>> 12), allocated with the first
   * breakpoint. The CPU's fast loop looks here before running a compiled block: pages without
   * breakpoints keep full speed while breakpoints are armed elsewhere.
   */
  breakpointPages: Uint16Array | undefined;

  addBreakpoint(linear: number): void {
    linear >>>= 0;
    if (!this.breakpoints.has(linear)) {
      this.breakpoints.add(linear);
      (this.breakpointPages ??= new Uint16Array(1 << 20))[linear >>> 12]++;
    }
    this.rearm();
  }
  removeBreakpoint(linear: number): void {
    linear >>>= 0;
    if (this.breakpoints.delete(linear)) this.breakpointPages![linear >>> 12]--;
    this.rearm();
  }
  clearBreakpoints(): void { this.breakpoints.clear(); this.breakpointPages?.fill(0); this.rearm(); }

  get singleStep(): boolean { return this.step; }
  set singleStep(on: boolean) { this.step = on; this.rearm(); }

  /** Returns an id for removeWatch and for the stop reason. */
  addWatch(w: WatchRange): number {
    if (!(w.length >= 1)) throw new Error('watch length must be >= 1');
    const id = this.nextWatchId++;
    this.watches.set(id, { ...w, start: w.start >>> 0 });
    this.rearm();
    return id;
  }
  removeWatch(id: number): void { this.watches.delete(id); this.rearm(); }
  clearWatches(): void { this.watches.clear(); this.rearm(); }

  get onDelivery() { return this.delivery; }
  set onDelivery(f: ((e: DeliveryEvent) => boolean | void) | undefined) { this.delivery = f; this.rearm(); }
  get onIret() { return this.iret; }
  set onIret(f: ((e: IretEvent) => boolean | void) | undefined) { this.iret = f; this.rearm(); }

  /** The mask the CPU's hot loop tests. */
  mask(): number {
    return (this.breakpoints.size ? HookBit.Breakpoints : 0) | (this.step ? HookBit.SingleStep : 0)
      | (this.watches.size ? HookBit.Watch : 0) | (this.delivery ? HookBit.Delivery : 0)
      | (this.iret ? HookBit.Iret : 0);
  }
}

/**
 * A passive observer of architectural events, separate from the debugger hooks: the machine's event
 * trace (and the timeline built on it) sees every delivery, iret, CR3 load and hlt on every CPU all the
 * time, without taking the CPU off its fast path. It can never stop the CPU; each call site is one
 * `if (observer)` on a path that is already slow (delivery, iret, mov cr3, hlt).
 */
export interface CpuObserver {
  /** Called for every exception/interrupt delivered, after the handler's CS:EIP is loaded. */
  delivery(cpu: unknown, e: DeliveryEvent): void;
  /** Called after every iret. */
  iret(cpu: unknown, e: IretEvent): void;
  /** mov to CR3 and task switches that load CR3 (an address-space switch). */
  cr3Write(cpu: unknown, value: number): void;
  /** hlt executed (runState becomes 'halted'). */
  halt(cpu: unknown): void;
}
