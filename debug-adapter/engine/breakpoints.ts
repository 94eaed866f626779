// Breakpoints the user set (source lines, functions, instructions, data) and the engine's own temporary
// ones (step over a call, step out, run until an interrupt returns), all armed as linear-address
// breakpoints on every CPU: the kernel's code is mapped at the same address on all of them.
//
// A hook stop at an address is only a candidate: the engine asks this table which breakpoints are
// there and whether any of them wants to stop (condition true, hit condition met, not a log point).

import { parseHitCondition, parseLogMessage, type HitCondition, type LogTemplatePart } from './breakpoint-conditions';
import type { StopInfo } from './run-control';

export interface CodeBreakpoint {
  id: number;
  kind: 'source' | 'function' | 'instruction';
  addresses: number[];
  verified: boolean;
  /** Why it is not verified, or where it moved ("moved to line 42"). */
  message?: string;
  /** Source breakpoints: the requested and the resolved position. */
  source?: { path: string; requestedLine: number; line?: number };
  functionName?: string;
  /**
   * A breakpoint in user-program code: which programs have code at each address. User programs share
   * their link addresses, so a hit only counts in user mode with one of these programs running.
   */
  userPrograms?: { name: string; addresses: number[] }[];
  condition?: string;
  hitCondition?: HitCondition;
  logMessage?: LogTemplatePart[];
  hits: number;
}

export interface DataBreakpointSpec {
  id: number;
  address: number;
  size: number;
  access: 'read' | 'write' | 'readWrite';
  description: string;
  condition?: string;
  hitCondition?: HitCondition;
  hits: number;
}

/**
 * A data watch owned by a kernel-awareness feature (ksim/watchTaskState), not by the client: armed
 * like a data breakpoint, but `onHit` decides - it returns the stop, or nothing to run on.
 */
export interface KernelWatch {
  address: number;
  size: number;
  access: 'read' | 'write' | 'readWrite';
  onHit(cpu: number): StopInfo | undefined;
}

/** A temporary engine breakpoint: `matches` decides, on a hit, whether this is the moment it waits for. */
export interface InternalBreakpoint {
  address: number;
  matches(cpu: number): boolean;
  /** What to do when it matches (the step controller continues or ends the step). A tracepoint that
   *  wants the machine to stop for the user returns the stop. */
  onHit(cpu: number): void | StopInfo;
  /**
   * A tracepoint (kernel/tracepoints.ts): survives clearInternal(), because it is not part of a step
   * or a run-to request; its `matches` records what it wants and returns false, so it never stops.
   */
  persistent?: boolean;
}

export class BreakpointTable {
  private nextId = 1;
  private readonly sourceBps = new Map<string, CodeBreakpoint[]>();
  private functionBps: CodeBreakpoint[] = [];
  private instructionBps: CodeBreakpoint[] = [];
  dataBps: DataBreakpointSpec[] = [];
  private internal: InternalBreakpoint[] = [];
  private readonly changeListeners: (() => void)[] = [];

  newId(): number { return this.nextId++; }

  onChange(f: () => void): void { this.changeListeners.push(f); }
  private changed(): void { for (const f of this.changeListeners) f(); }

  /** Fill the optional parts shared by every kind from DAP's fields; throws on a bad hit condition. */
  static options(bp: { condition?: string; hitCondition?: string; logMessage?: string }): Pick<CodeBreakpoint, 'condition' | 'hitCondition' | 'logMessage'> {
    return {
      condition: bp.condition && bp.condition.trim() ? bp.condition.trim() : undefined,
      hitCondition: bp.hitCondition && bp.hitCondition.trim() ? parseHitCondition(bp.hitCondition) : undefined,
      logMessage: bp.logMessage !== undefined && bp.logMessage !== '' ? parseLogMessage(bp.logMessage) : undefined,
    };
  }

  setSource(path: string, bps: CodeBreakpoint[]): void { this.sourceBps.set(path, bps); this.changed(); }
  setFunctions(bps: CodeBreakpoint[]): void { this.functionBps = bps; this.changed(); }
  setInstructions(bps: CodeBreakpoint[]): void { this.instructionBps = bps; this.changed(); }
  setData(bps: DataBreakpointSpec[]): void { this.dataBps = bps; this.changed(); }

  /** Take over another table's user breakpoints (restart keeps them; hit counts start again). */
  copyFrom(other: BreakpointTable): void {
    this.nextId = other.nextId;
    const reset = (b: CodeBreakpoint): CodeBreakpoint => ({ ...b, hits: 0 });
    for (const [k, v] of other.sourceBps) this.sourceBps.set(k, v.map(reset));
    this.functionBps = other.functionBps.map(reset);
    this.instructionBps = other.instructionBps.map(reset);
    this.specialBps = other.specialBps.map(reset);
    this.dataBps = other.dataBps.map((d) => ({ ...d, hits: 0 }));
    this.changed();
  }

  /** Breakpoints that stand for exception filters (panic, oops): reported as exceptions. */
  specialBps: CodeBreakpoint[] = [];
  setSpecial(bps: CodeBreakpoint[]): void { this.specialBps = bps; this.changed(); }
  isSpecial(id: number): boolean { return this.specialBps.some((b) => b.id === id); }

  addInternal(bp: InternalBreakpoint): void { this.internal.push(bp); this.changed(); }
  clearInternal(): void {
    const keep = this.internal.filter((bp) => bp.persistent);
    if (keep.length !== this.internal.length) { this.internal = keep; this.changed(); }
  }
  /** Remove the persistent (tracepoint) entries `pred` selects. */
  removePersistent(pred: (bp: InternalBreakpoint) => boolean): void {
    const keep = this.internal.filter((bp) => !(bp.persistent && pred(bp)));
    if (keep.length !== this.internal.length) { this.internal = keep; this.changed(); }
  }

  allCode(): CodeBreakpoint[] {
    return [...[...this.sourceBps.values()].flat(), ...this.functionBps, ...this.instructionBps, ...this.specialBps];
  }

  /** Every address that must be armed on the CPUs. */
  armedAddresses(): Set<number> {
    const s = new Set<number>();
    for (const bp of this.allCode()) if (bp.verified) for (const a of bp.addresses) s.add(a >>> 0);
    for (const bp of this.internal) s.add(bp.address >>> 0);
    return s;
  }

  userAt(address: number): CodeBreakpoint[] {
    return this.allCode().filter((bp) => bp.verified && bp.addresses.includes(address >>> 0));
  }

  internalAt(address: number): InternalBreakpoint[] {
    return this.internal.filter((bp) => bp.address === (address >>> 0));
  }

  dataById(watchIdToSpec: Map<number, DataBreakpointSpec>, watchId: number): DataBreakpointSpec | undefined {
    return watchIdToSpec.get(watchId);
  }
}
