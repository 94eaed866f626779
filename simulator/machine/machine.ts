// The PC: 1-8 CPUs sharing RAM, their local APICs, an IOAPIC, the 8259A pair, the PIT, COM1, the
// CMOS/RTC and QEMU's isa-debug-exit port — run deterministically in virtual time.
//
// Virtual time. Time is counted in instructions: every running CPU retires one instruction per unit,
// and one unit is defined as 1 ns (a 1 GHz machine). The APIC timer counts this clock (divided by its
// divide configuration), the PIT runs at 1.193182 MHz of it, the RTC reads seconds of it. No device
// ever looks at the wall clock, so a run is a pure function of (ELF, command line, input, config).
//
// Interleaving. The machine advances in slices: a slice ends at min(time + quantum, next device
// deadline, end of budget). In a slice the CPUs run one after the other in index order, each for the
// slice's length (or until it halts); then device events that fell due fire, and time moves to the
// slice end. So timer interrupts land at exact virtual times (the slice is cut there), CPUs see each
// other's writes within a quantum, and quantum = 1 gives lockstep execution. A CPU's own view of the
// time inside a slice is slice start + what it has executed so far, which is what it sees when it
// reads the APIC current count or polls the PIT. When no CPU can run, time jumps to the next deadline.

import { Cpu } from '../cpu/cpu';
import type { AccessSize } from '../cpu/bus';
/** Whatever the CPU's saveState() returns (plain, serializable). */
type CpuSnapshot = ReturnType<Cpu['saveState']>;
import { codeCacheFor } from '../cpu/code-cache';
import type { CpuObserver } from '../cpu/hooks';
import { DeliveryMode, Lapic, LapicHost, LapicState } from '../devices/lapic';
import { IoApic, IoApicState } from '../devices/ioapic';
import { PicPair, PicState } from '../devices/pic8259';
import { Pit, PitState } from '../devices/pit8254';
import { COM1_BASE, COM1_IRQ, Uart16550, UartState } from '../devices/uart16550';
import { CmosRtc, CmosState, DEFAULT_RTC_EPOCH } from '../devices/cmos-rtc';
import { BusBackend, CpuPort } from './cpu-bus';
import { KernelImageError, loadMultibootKernel, MULTIBOOT_BOOTLOADER_MAGIC } from './multiboot';
import { installBiosTables, IOAPIC_ID } from './bios-tables';
import { TraceBuffer } from './trace';
import { PageStore } from './page-store';
import { createHash } from 'node:crypto';

export { KernelImageError } from './multiboot';

/** A piece of scripted console input: `bytes` arrive on COM1 at virtual time `time`. */
export interface SerialInputEvent { time: number; bytes: string | Uint8Array }

export interface MachineConfig {
  /** Number of CPUs, 1-8 (default 1). CPU 0 is the bootstrap processor; the others wait for INIT-SIPI-SIPI. */
  cpus?: number;
  /** RAM size in MiB, 2-2048 (default 128). */
  memoryMB?: number;
  /** Multiboot command line (default ''). */
  cmdline?: string;
  /** Instructions each CPU runs before the next one gets its turn (default 1000; 1 = lockstep). */
  quantum?: number;
  /** Scripted COM1 input. */
  serialInput?: SerialInputEvent[];
  /** Event trace capacity in events (default 65536; 0 disables tracing). */
  traceBufferSize?: number;
  /** RTC time at virtual time 0, in Unix seconds (default 2026-01-01T00:00:00Z). */
  rtcEpochSeconds?: number;
}

export type RunReason = 'budget' | 'exit' | 'all-halted' | 'shutdown' | 'stopped' | 'idle';

export interface RunResult {
  /**
   * budget: the instruction budget is used up; exit: the guest wrote to isa-debug-exit (exitCode);
   * all-halted: every CPU is halted with interrupts off (or waiting for SIPI) — nothing can ever run again;
   * shutdown: a CPU triple-faulted (cpuIndex; cpus[i].shutdownReport); stopped: a debugger hook or
   * requestStop() stopped CPU cpuIndex (cpus[i].stopReason); idle: every CPU is halted waiting for an
   * interrupt, and no timer or scripted input will ever send one (only sendSerialInput/raiseIrq can).
   */
  reason: RunReason;
  exitCode?: number;
  cpuIndex?: number;
  /** Instructions retired by all CPUs during this call. */
  instructions: number;
}

/** Everything needed to put the machine back into this exact state. Pages are shared, immutable buffers. */
export interface MachineSnapshot {
  version: 1;
  cpuCount: number;
  memoryBytes: number;
  time: number;
  slice: SliceState | null;
  cpus: CpuSnapshot[];
  lapics: LapicState[];
  ioapic: IoApicState;
  pic: PicState;
  pit: PitState;
  uart: UartState;
  cmos: CmosState;
  serial: { scriptIndex: number; queue: number[] };
  exitCode: number | null;
  instructionsRetired: number;
  /** trace.total when the snapshot was taken: later events are dropped on restore. */
  traceSeq: number;
  /** RAM, one 4 KiB buffer per page (unchanged pages share the buffer of the previous snapshot). */
  pages: Uint8Array[];
}

/** A slice in progress (it survives a debugger stop in the middle of it). */
interface SliceState {
  end: number;
  /** Next CPU to run in this slice. */
  nextCpu: number;
  /** instructionCount of each CPU when the slice began. */
  startCounts: number[];
  /** Whether any CPU retired an instruction in this slice so far. */
  progress: boolean;
}


const ISA_DEBUG_EXIT_PORT = 0xf4;
/** Longest slice of a one-CPU machine (instructions). */
const SINGLE_CPU_SLICE = 1_000_000;

export class Machine implements BusBackend {
  readonly config: Required<Omit<MachineConfig, 'serialInput'>> & { serialInput: SerialInputEvent[] };
  readonly ram: Uint8Array;
  readonly dirtyPages: Uint8Array;
  readonly cpus: Cpu[] = [];
  readonly lapics: Lapic[] = [];
  readonly ioapic: IoApic;
  readonly pic: PicPair;
  readonly pit: Pit;
  readonly uart: Uart16550;
  readonly cmos: CmosRtc;
  readonly trace: TraceBuffer;

  /** Whole-machine virtual time (ns = instructions per CPU) at the start of the current slice. */
  time = 0;
  /** Instructions retired by all CPUs since power-on. */
  instructionsRetired = 0;
  /** The CPU whose stop ended the last run (debugger stop), or -1. */
  stoppedCpu = -1;

  private slice: SliceState | null = null;
  /** Set when a deadline moved into the running slice and its CPU was asked to stop early for it. */
  private sliceCut = false;
  private readonly sliceRecord: SliceState = { end: 0, nextCpu: 0, startCounts: [], progress: false };
  private runningCpu = -1;
  private exitCode: number | null = null;
  private stopRequested = false;
  private readonly serialScript: { time: number; bytes: Uint8Array }[];
  private scriptIndex = 0;
  private serialQueue: number[] = [];
  private outputBuffer: number[] = [];
  private readonly outputListeners: ((bytes: Uint8Array) => void)[] = [];
  private readonly pages: PageStore;
  private readonly serialDeadlineTime: () => number;

  constructor(config: MachineConfig = {}) {
    const cpus = config.cpus ?? 1;
    const memoryMB = config.memoryMB ?? 128;
    if (!Number.isInteger(cpus) || cpus < 1 || cpus > 8) throw new RangeError(`cpus must be 1-8, got ${cpus}`);
    if (!Number.isInteger(memoryMB) || memoryMB < 2 || memoryMB > 2048) throw new RangeError(`memoryMB must be 2-2048, got ${memoryMB}`);
    const quantum = config.quantum ?? 1000;
    if (!Number.isInteger(quantum) || quantum < 1) throw new RangeError(`quantum must be a positive integer, got ${quantum}`);
    this.config = {
      cpus, memoryMB, quantum, cmdline: config.cmdline ?? '',
      traceBufferSize: config.traceBufferSize ?? 65536,
      rtcEpochSeconds: config.rtcEpochSeconds ?? DEFAULT_RTC_EPOCH,
      serialInput: config.serialInput ?? [],
    };
    const bytes = memoryMB * 1024 * 1024;
    this.ram = new Uint8Array(bytes);
    this.dirtyPages = new Uint8Array(bytes >>> 12);
    this.pages = new PageStore(this.ram, this.dirtyPages);
    this.trace = new TraceBuffer(this.config.traceBufferSize);

    const enc = new TextEncoder();
    this.serialScript = this.config.serialInput
      .map(e => ({ time: Math.max(0, Math.floor(e.time)), bytes: typeof e.bytes === 'string' ? enc.encode(e.bytes) : e.bytes }))
      .sort((a, b) => a.time - b.time);
    this.serialDeadlineTime = () => (this.scriptIndex < this.serialScript.length ? this.serialScript[this.scriptIndex].time : Infinity);

    const lapicHost: LapicHost = {
      sendIpi: (from, lo, hi) => this.sendIpi(from, lo, hi),
      broadcastEoi: vector => this.ioapic.eoi(vector),
      picHasInterrupt: () => this.pic.hasInterrupt(),
      picAcknowledge: () => this.pic.acknowledge(),
      deadlinesChanged: () => this.deadlinesChanged(),
    };
    for (let i = 0; i < cpus; i++) {
      const lapic = new Lapic(i, lapicHost, i === 0);
      const cpu = new Cpu(new CpuPort(this.ram, this.dirtyPages, i, this), { id: i });
      lapic.cpu = cpu;
      cpu.interruptController = lapic;
      this.lapics.push(lapic);
      this.cpus.push(cpu);
      this.attachObserver(cpu, i);
    }
    this.ioapic = new IoApic({ deliver: (v, mode, logical, dest, level, gsi) => this.ioapicDeliver(v, mode, logical, dest, level, gsi) }, IOAPIC_ID);
    this.pic = new PicPair();
    this.pic.onChange = () => { for (const l of this.lapics) l.picChanged(); };
    this.pit = new Pit();
    this.pit.onIrq0 = () => { this.setIsaIrq(0, true); this.setIsaIrq(0, false); };
    this.pit.onDeadlineChange = () => this.deadlinesChanged();
    this.uart = new Uart16550();
    this.uart.onTransmit = b => this.outputBuffer.push(b);
    this.uart.onIrq = high => this.setIsaIrq(COM1_IRQ, high);
    this.cmos = new CmosRtc(this.config.rtcEpochSeconds, bytes);
    this.powerOn();
  }

  /** Firmware state: tables in memory, APs waiting for SIPI, PIT channel 0 at 18.2 Hz as a BIOS leaves it. */
  private powerOn(): void {
    installBiosTables(this.ram, this.dirtyPages, this.cpus.length);
    for (let i = 1; i < this.cpus.length; i++) this.cpus[i].init();
    this.pit.biosSetup(0);
  }

  /**
   * Loads a multiboot v1 kernel and prepares CPU 0 to enter it (flat protected mode, EAX = 0x2BADB002,
   * EBX = multiboot info). Throws KernelImageError with a one-line message for a bad image.
   */
  loadKernel(image: Uint8Array): void {
    const { entry, infoAddr } = loadMultibootKernel(image, this.ram, this.dirtyPages, this.config.cmdline);
    for (const c of this.cpus) c.invalidateDecodedCode();
    const bsp = this.cpus[0];
    bsp.enterFlatProtectedMode();
    bsp.setReg32(0, MULTIBOOT_BOOTLOADER_MAGIC);
    bsp.setReg32(3, infoAddr);
    bsp.eip = entry >>> 0;
  }

  // ------------------------------------------------------------------------------------------
  // Running
  // ------------------------------------------------------------------------------------------

  /** Runs until `maxInstructions` more instructions have retired (all CPUs together), or something happens. */
  run(maxInstructions: number): RunResult {
    const budgetEnd = this.instructionsRetired + Math.max(0, Math.floor(maxInstructions));
    const startRetired = this.instructionsRetired;
    const result = (reason: RunReason, extra: Partial<RunResult> = {}): RunResult => {
      this.flushOutput();
      return { reason, instructions: this.instructionsRetired - startRetired, ...extra };
    };
    this.stoppedCpu = -1;
    this.stopRequested = false;
    for (;;) {
      if (this.exitCode !== null) return result('exit', { exitCode: this.exitCode });
      for (let i = 0; i < this.cpus.length; i++) {
        if (this.cpus[i].runState === 'shutdown') return result('shutdown', { cpuIndex: i });
      }
      if (!this.slice) {
        this.fireDueEvents();
        if (this.instructionsRetired >= budgetEnd) return result('budget');
        // (One reused record: slices are short, so the loop must not allocate per slice.)
        const next = this.nextDeadline();
        const slice = this.sliceRecord;
        // One CPU needs no interleaving: its slices end only at device deadlines (kept exact by
        // deadlinesChanged), capped so console output is still flushed regularly.
        const length = this.cpus.length === 1 ? SINGLE_CPU_SLICE : this.config.quantum;
        slice.end = Math.min(this.time + length, next);
        slice.nextCpu = 0;
        slice.progress = false;
        this.sliceCut = false;
        for (let i = 0; i < this.cpus.length; i++) slice.startCounts[i] = this.cpus[i].instructionCount;
        this.slice = slice;
      }
      const s = this.slice;
      while (s.nextCpu < this.cpus.length) {
        const i = s.nextCpu;
        if (this.stopRequested) { this.stoppedCpu = i; return result('stopped', { cpuIndex: i }); }
        const stop = this.runCpuInSlice(i, this.cpus[i], s, budgetEnd);
        // On a stop (or the budget running out mid-turn) the slice stays open at this CPU: the next
        // run() resumes exactly here, so splitting a run never changes what the machine does.
        if (stop) return result(stop.reason, stop);
        s.nextCpu++;
      }
      // The slice is complete.
      this.flushOutput();
      if (s.progress) {
        this.time = s.end;
      } else {
        // Nobody could run: skip ahead to the next event, or conclude that nothing will ever happen.
        const next = this.nextDeadline();
        if (this.allHaltedForGood()) { this.slice = null; return result('all-halted', { exitCode: 0 }); }
        if (next === Infinity) { this.slice = null; return result('idle'); }
        this.time = Math.max(s.end, next);
      }
      this.slice = null;
    }
  }

  /** One CPU's turn in the slice. Returns a stop result, or null when its turn is over. */
  private runCpuInSlice(i: number, cpu: Cpu, s: SliceState, budgetEnd: number): { reason: RunReason; cpuIndex?: number; exitCode?: number } | null {
    if (cpu.runState === 'wait-for-sipi' || cpu.runState === 'shutdown') return null;
    this.runningCpu = i;
    try {
      for (;;) {
        const sliceLeft = s.end - this.time - (cpu.instructionCount - s.startCounts[i]);
        if (sliceLeft <= 0) return null;
        const budgetLeft = budgetEnd - this.instructionsRetired;
        if (budgetLeft <= 0) return { reason: 'budget' };
        const wasHalted = cpu.runState === 'halted';
        const n = cpu.run(Math.min(sliceLeft, budgetLeft));
        this.instructionsRetired += n;
        if (n > 0) {
          s.progress = true;
          if (wasHalted) this.traceAt(i, 'wake');
        }
        const why = cpu.stopReason.kind;
        if (why === 'budget') continue;
        if (why === 'halted') { if (n > 0) this.traceAt(i, 'hlt'); return null; }
        if (why === 'wait-for-sipi') return null;
        if (why === 'shutdown') return { reason: 'shutdown', cpuIndex: i };
        // A stop: the guest asked to exit, the user asked to pause, a debugger hook fired — or the
        // slice was cut for a deadline, which is no stop at all.
        if (this.exitCode !== null) return { reason: 'exit', exitCode: this.exitCode, cpuIndex: i };
        if (why === 'requested' && this.sliceCut && !this.stopRequested) { this.sliceCut = false; continue; }
        this.stoppedCpu = i;
        return { reason: 'stopped', cpuIndex: i };
      }
    } finally {
      this.runningCpu = -1;
    }
  }

  /**
   * A device deadline changed while a CPU runs (it programmed a timer). If the new deadline falls inside
   * the current slice and no other CPU has run in it yet, the slice is cut there, so the event fires at
   * its exact virtual time: the running CPU is stopped at its next instruction boundary and continues up
   * to the new end. (Later in a slice, CPUs that already ran to its end forbid shortening it; the event
   * then fires at the slice end, at most one quantum late.)
   */
  private deadlinesChanged(): void {
    const s = this.slice;
    if (!s || this.runningCpu < 0 || s.nextCpu !== 0) return;
    const d = this.nextDeadline();
    if (d >= s.end) return;
    s.end = Math.max(d, this.cpuNow(this.runningCpu));
    this.sliceCut = true;
    this.cpus[this.runningCpu].requestStop();
  }

  /** True when no CPU can ever run again: all halted with IF=0 or waiting for SIPI, no NMI possible. */
  private allHaltedForGood(): boolean {
    for (const c of this.cpus) {
      if (c.runState === 'running') return false;
      if (c.runState === 'halted' && (c.getEflags() & 0x200)) return false;
    }
    return true;
  }

  /** Stop at the next instruction boundary (pause). Callable from output callbacks during run(). */
  requestStop(): void {
    this.stopRequested = true;
    if (this.runningCpu >= 0) this.cpus[this.runningCpu].requestStop();
  }

  private nextDeadline(): number {
    let t = this.pit.irqDeadline;
    for (const l of this.lapics) if (l.timerDeadline < t) t = l.timerDeadline;
    const st = this.serialDeadlineTime();
    return st < t ? st : t;
  }

  /** Fires every device event due at or before the current time, in a fixed order. */
  private fireDueEvents(): void {
    const now = this.time;
    for (let guard = 0; guard < 100000; guard++) {
      let fired = false;
      if (this.pit.irqDeadline <= now) { this.pit.expire(now); fired = true; }
      for (const l of this.lapics) if (l.timerDeadline <= now) { l.timerExpired(); fired = true; }
      while (this.scriptIndex < this.serialScript.length && this.serialScript[this.scriptIndex].time <= now) {
        for (const b of this.serialScript[this.scriptIndex++].bytes) this.serialQueue.push(b);
        fired = true;
      }
      if (!fired) break;
    }
    this.pumpSerialInput();
  }

  // ------------------------------------------------------------------------------------------
  // Time as seen by a CPU
  // ------------------------------------------------------------------------------------------

  cpuNow(cpu: number): number {
    const s = this.slice;
    if (!s) return this.time;
    return this.time + (this.cpus[cpu].instructionCount - s.startCounts[cpu]);
  }

  private traceAt(cpu: number, kind: 'hlt' | 'wake'): void {
    if (this.trace.enabled) this.trace.record(this.cpuNow(cpu), cpu, kind);
  }

  private attachObserver(cpu: Cpu, i: number): void {
    const trace = this.trace;
    if (!trace.enabled) return;
    const observer: CpuObserver = {
      delivery: (_c, e) => trace.record(this.cpuNow(i), i,
        e.kind === 'exception' ? 'exception' : e.kind === 'software' ? 'software' : e.kind === 'nmi' ? 'nmi' : 'interrupt',
        e.vector, e.cplBefore, e.errorCode, e.returnEip),
      iret: (_c, e) => trace.record(this.cpuNow(i), i, 'iret', -1, e.cplBefore, -1, e.eip, e.cplAfter),
      cr3Write: (_c, v) => trace.record(this.cpuNow(i), i, 'cr3', -1, -1, -1, 0, v >>> 0),
      halt: () => {},  // hlt and wake are recorded by the machine itself
    };
    // The CPU reports these to its passive observer (CpuObserver in simulator/cpu/hooks.ts).
    cpu.observer = observer;
  }

  // ------------------------------------------------------------------------------------------
  // Interrupt wiring
  // ------------------------------------------------------------------------------------------

  /** ISA IRQ line 0-15 driven by a device: to the 8259A and to the IOAPIC (IRQ 0 arrives at GSI 2). */
  setIsaIrq(line: number, high: boolean): void {
    if (high && this.trace.enabled) this.trace.record(this.runningCpu >= 0 ? this.cpuNow(this.runningCpu) : this.time, -1, 'irq', line);
    this.pic.setIrq(line, high);
    this.ioapic.setLine(line === 0 ? 2 : line, high);
  }

  /** Pulses an interrupt line (for a "raise IRQ" command): ISA IRQ 0-15, or GSI 16-23 of the IOAPIC. */
  raiseIrq(line: number): void {
    if (!Number.isInteger(line) || line < 0 || line > 23) throw new RangeError(`IRQ line must be 0-23, got ${line}`);
    if (line < 16) { this.setIsaIrq(line, true); this.setIsaIrq(line, false); return; }
    if (this.trace.enabled) this.trace.record(this.time, -1, 'irq', line);
    this.ioapic.setLine(line, true);
    this.ioapic.setLine(line, false);
  }

  private destinations(dest: number, logical: boolean): Lapic[] {
    return this.lapics.filter(l => l.matchesDestination(dest, logical));
  }

  /** Lowest-priority arbitration: the lowest TPR wins, ties go to the lowest APIC index (deterministic). */
  private lowestPriority(targets: Lapic[]): Lapic[] {
    if (targets.length <= 1) return targets;
    let best = targets[0];
    for (const t of targets) if ((t.tpr & 0xf0) < (best.tpr & 0xf0)) best = t;
    return [best];
  }

  private ioapicDeliver(vector: number, mode: number, logical: boolean, dest: number, level: boolean, _gsi: number): void {
    let targets = this.destinations(dest, logical);
    if (mode === DeliveryMode.LowestPriority) targets = this.lowestPriority(targets);
    for (const t of targets) this.deliverMessage(t, mode, vector, level, -1);
  }

  private sendIpi(from: Lapic, icrLow: number, icrHigh: number): void {
    const mode = (icrLow >>> 8) & 7;
    const logical = (icrLow & (1 << 11)) !== 0;
    const assert = (icrLow & (1 << 14)) !== 0;
    const levelTrig = (icrLow & (1 << 15)) !== 0;
    const shorthand = (icrLow >>> 18) & 3;
    const vector = icrLow & 0xff;
    const dest = icrHigh >>> 24;
    const now = this.cpuNow(from.index);
    if (this.trace.enabled) this.trace.record(now, from.index, 'ipi-send', vector, -1, -1, 0, icrLow, dest);
    // "INIT level de-assert" (INIT, level-triggered, assert bit clear) only synchronises arbitration IDs.
    if (mode === DeliveryMode.Init && levelTrig && !assert) return;
    let targets: Lapic[];
    switch (shorthand) {
      case 1: targets = [from]; break;
      case 2: targets = this.lapics.slice(); break;
      case 3: targets = this.lapics.filter(l => l !== from); break;
      default: targets = this.destinations(dest, logical);
    }
    if ((mode === DeliveryMode.Fixed || mode === DeliveryMode.LowestPriority) && vector < 16) {
      from.signalError(0x20);  // "send illegal vector": the message is not sent
      return;
    }
    if (mode === DeliveryMode.LowestPriority) targets = this.lowestPriority(targets);
    for (const t of targets) this.deliverMessage(t, mode, vector, false, from.index);
  }

  /** One APIC-bus message arriving at `to`. Unknown destinations simply match nobody (dropped). */
  private deliverMessage(to: Lapic, mode: number, vector: number, level: boolean, fromCpu: number): void {
    const cpu = this.cpus[to.index];
    const now = this.runningCpu >= 0 ? this.cpuNow(this.runningCpu) : this.time;
    switch (mode) {
      case DeliveryMode.Fixed:
      case DeliveryMode.LowestPriority:
        if (fromCpu >= 0 && this.trace.enabled) this.trace.record(now, to.index, 'ipi-recv', vector, -1, -1, 0, mode, fromCpu);
        to.acceptFixed(vector, level);
        return;
      case DeliveryMode.Nmi:
        if (this.trace.enabled) this.trace.record(now, to.index, 'ipi-recv', 2, -1, -1, 0, mode, fromCpu);
        cpu.raiseNmi();
        return;
      case DeliveryMode.Init:
        if (this.trace.enabled) this.trace.record(now, to.index, 'init', -1, -1, -1, 0, mode, fromCpu);
        to.reset();
        cpu.init();
        return;
      case DeliveryMode.Startup:
        if (cpu.runState !== 'wait-for-sipi') return;  // a second SIPI to a started CPU is ignored
        if (this.trace.enabled) this.trace.record(now, to.index, 'sipi', vector, -1, -1, 0, mode, fromCpu);
        cpu.startup(vector);
        return;
      default:
        return;  // SMI, ExtINT messages: not modelled
    }
  }

  // ------------------------------------------------------------------------------------------
  // BusBackend: MMIO and ports
  // ------------------------------------------------------------------------------------------

  lapicRead(cpu: number, offset: number, now: number): number { return this.lapics[cpu].read(offset, now); }
  lapicWrite(cpu: number, offset: number, value: number, now: number): void { this.lapics[cpu].write(offset, value, now); }
  ioapicRead(offset: number): number { return this.ioapic.read(offset); }
  ioapicWrite(offset: number, value: number): void { this.ioapic.write(offset, value); }

  ioRead(cpu: number, port: number, size: AccessSize): number {
    if (size === 1) return this.ioRead8(cpu, port);
    // 8-bit ISA devices: a wider access reads consecutive ports (as the chipset splits it).
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.ioRead8(cpu, (port + i) & 0xffff) << (8 * i);
    return v >>> 0;
  }

  ioWrite(cpu: number, port: number, size: AccessSize, value: number): void {
    if (port === ISA_DEBUG_EXIT_PORT) {
      // QEMU's isa-debug-exit: the process exits with (value << 1) | 1.
      const v = size === 4 ? value >>> 0 : value & (size === 2 ? 0xffff : 0xff);
      this.exitCode = ((v << 1) | 1) >>> 0;
      this.cpus[cpu].requestStop();
      return;
    }
    for (let i = 0; i < size; i++) this.ioWrite8(cpu, (port + i) & 0xffff, (value >>> (8 * i)) & 0xff);
  }

  private ioRead8(cpu: number, port: number): number {
    if (port >= COM1_BASE && port < COM1_BASE + 8) {
      const v = this.uart.ioRead(port - COM1_BASE);
      if (port === COM1_BASE) this.pumpSerialInput();
      return v;
    }
    switch (port) {
      case 0x20: case 0x21: case 0xa0: case 0xa1: case 0x4d0: case 0x4d1: return this.pic.ioRead(port);
      case 0x40: case 0x41: case 0x42: case 0x43: case 0x61: return this.pit.ioRead(port, this.cpuNow(cpu));
      case 0x70: case 0x71: return this.cmos.ioRead(port, this.cpuNow(cpu));
      case 0x92: return 0x02;  // "fast A20" port: A20 is always enabled
      case 0x64: return 0x1c;  // keyboard controller status: idle, nothing to read
      case 0x60: return 0x00;
    }
    return 0xff;  // nothing decodes this port
  }

  private ioWrite8(cpu: number, port: number, value: number): void {
    if (port >= COM1_BASE && port < COM1_BASE + 8) { this.uart.ioWrite(port - COM1_BASE, value); return; }
    switch (port) {
      case 0x20: case 0x21: case 0xa0: case 0xa1: case 0x4d0: case 0x4d1: this.pic.ioWrite(port, value); return;
      case 0x40: case 0x41: case 0x42: case 0x43: case 0x61: this.pit.ioWrite(port, value, this.cpuNow(cpu)); return;
      case 0x70: case 0x71: this.cmos.ioWrite(port, value); return;
      case 0x80: return;  // POST code / I/O delay port
    }
    // Anything else: ignored, as by an ISA bus with nothing at that address.
  }

  // ------------------------------------------------------------------------------------------
  // Console
  // ------------------------------------------------------------------------------------------

  onSerialOutput(listener: (bytes: Uint8Array) => void): void { this.outputListeners.push(listener); }

  /** Interactive input: the bytes arrive now (at the current virtual time). */
  sendSerialInput(bytes: Uint8Array | string): void {
    const b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    for (const x of b) this.serialQueue.push(x);
    this.pumpSerialInput();
  }

  /** Moves queued input into the UART as far as its receive buffer allows (QEMU's can_receive). */
  private pumpSerialInput(): void {
    while (this.serialQueue.length > 0 && this.uart.rxSpace() > 0) this.uart.receive(this.serialQueue.shift()!);
  }

  private flushOutput(): void {
    if (this.outputBuffer.length === 0) return;
    const bytes = Uint8Array.from(this.outputBuffer);
    this.outputBuffer = [];
    for (const l of this.outputListeners) l(bytes);
  }

  // ------------------------------------------------------------------------------------------
  // Debugger memory access (no side effects: no A/D bits, no faults, no MMIO)
  // ------------------------------------------------------------------------------------------

  /** Translates a linear address through CPU `cpuIndex`'s page tables; null when not mapped. */
  translateLinear(cpuIndex: number, linear: number): number | null {
    const cpu = this.cpus[cpuIndex];
    if (!cpu) throw new RangeError(`no CPU ${cpuIndex}`);
    linear >>>= 0;
    const cr0 = cpu.getControlRegister(0);
    if (!(cr0 & 0x80000000)) return linear;
    const cr3 = cpu.getControlRegister(3);
    const cr4 = cpu.getControlRegister(4);
    const pde = this.physRead32(((cr3 & 0xfffff000) >>> 0) + ((linear >>> 22) << 2));
    if (pde === null || !(pde & 1)) return null;
    if ((pde & 0x80) && (cr4 & 0x10)) return ((pde & 0xffc00000) | (linear & 0x3fffff)) >>> 0;
    const pte = this.physRead32(((pde & 0xfffff000) >>> 0) + (((linear >>> 12) & 0x3ff) << 2));
    if (pte === null || !(pte & 1)) return null;
    return ((pte & 0xfffff000) | (linear & 0xfff)) >>> 0;
  }

  private physRead32(paddr: number): number | null {
    paddr >>>= 0;
    if (paddr + 4 > this.ram.length) return null;
    return (this.ram[paddr] | (this.ram[paddr + 1] << 8) | (this.ram[paddr + 2] << 16) | (this.ram[paddr + 3] << 24)) >>> 0;
  }

  /** Reads `len` bytes at a linear address as CPU `cpuIndex` sees it; null if any byte is unmapped. */
  readLinear(cpuIndex: number, addr: number, len: number): Uint8Array | null {
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const lin = (addr + done) >>> 0;
      const phys = this.translateLinear(cpuIndex, lin);
      if (phys === null) return null;
      const chunk = Math.min(len - done, 4096 - (lin & 0xfff));
      out.set(this.readPhysical(phys, chunk), done);
      done += chunk;
    }
    return out;
  }

  /** Writes bytes at a linear address as CPU `cpuIndex` sees it; returns false (writing nothing) if unmapped. */
  writeLinear(cpuIndex: number, addr: number, bytes: Uint8Array): boolean {
    const physAddrs: number[] = [];
    let done = 0;
    while (done < bytes.length) {
      const lin = (addr + done) >>> 0;
      const phys = this.translateLinear(cpuIndex, lin);
      if (phys === null) return false;
      physAddrs.push(phys);
      done += Math.min(bytes.length - done, 4096 - (lin & 0xfff));
    }
    done = 0;
    for (const phys of physAddrs) {
      const lin = (addr + done) >>> 0;
      const chunk = Math.min(bytes.length - done, 4096 - (lin & 0xfff));
      this.writePhysical(phys, bytes.subarray(done, done + chunk));
      done += chunk;
    }
    return true;
  }

  /** Physical memory; bytes outside RAM read as 0xFF (MMIO is not touched). */
  readPhysical(addr: number, len: number): Uint8Array {
    const out = new Uint8Array(len).fill(0xff);
    addr >>>= 0;
    if (addr < this.ram.length) out.set(this.ram.subarray(addr, Math.min(this.ram.length, addr + len)));
    return out;
  }

  /** Writes RAM (bytes outside RAM are dropped) and invalidates decoded code there. */
  writePhysical(addr: number, bytes: Uint8Array): void {
    addr >>>= 0;
    const end = Math.min(this.ram.length, addr + bytes.length);
    if (addr >= end) return;
    this.ram.set(bytes.subarray(0, end - addr), addr);
    const cache = codeCacheFor(this.cpus[0].bus);
    for (let p = addr >>> 12; p <= (end - 1) >>> 12; p++) { this.dirtyPages[p] = 1; cache.invalidate(p); }
  }

  // ------------------------------------------------------------------------------------------
  // Snapshots
  // ------------------------------------------------------------------------------------------

  /** Captures the whole machine. Cost is proportional to the pages written since the last snapshot. */
  snapshot(): MachineSnapshot {
    this.flushOutput();
    return {
      version: 1,
      cpuCount: this.cpus.length,
      memoryBytes: this.ram.length,
      time: this.time,
      slice: this.slice ? { ...this.slice, startCounts: this.slice.startCounts.slice() } : null,
      cpus: this.cpus.map(c => c.saveState()),
      lapics: this.lapics.map(l => l.saveState()),
      ioapic: this.ioapic.saveState(),
      pic: this.pic.saveState(),
      pit: this.pit.saveState(),
      uart: this.uart.saveState(),
      cmos: this.cmos.saveState(),
      serial: { scriptIndex: this.scriptIndex, queue: this.serialQueue.slice() },
      exitCode: this.exitCode,
      instructionsRetired: this.instructionsRetired,
      traceSeq: this.trace.total,
      pages: this.pages.capture(),
    };
  }

  /** Puts the machine back into a snapshot's state (taken from this machine or one with the same config). */
  restore(s: MachineSnapshot): void {
    if (s.version !== 1 || s.cpuCount !== this.cpus.length || s.memoryBytes !== this.ram.length) {
      throw new Error(`snapshot does not fit this machine (${s.cpuCount} CPUs, ${s.memoryBytes} bytes of RAM)`);
    }
    this.pages.restore(s.pages);
    for (const c of this.cpus) c.invalidateDecodedCode();
    s.cpus.forEach((cs, i) => this.cpus[i].restoreState(cs));
    s.lapics.forEach((ls, i) => this.lapics[i].restoreState(ls));
    this.ioapic.restoreState(s.ioapic);
    this.pic.restoreState(s.pic);
    this.pit.restoreState(s.pit);
    this.uart.restoreState(s.uart);
    this.cmos.restoreState(s.cmos);
    this.scriptIndex = s.serial.scriptIndex;
    this.serialQueue = s.serial.queue.slice();
    this.exitCode = s.exitCode;
    this.instructionsRetired = s.instructionsRetired;
    this.time = s.time;
    if (s.slice) {
      Object.assign(this.sliceRecord, s.slice, { startCounts: s.slice.startCounts.slice() });
      this.slice = this.sliceRecord;
    } else {
      this.slice = null;
    }
    this.outputBuffer = [];
    this.trace.truncateTo(s.traceSeq);
  }

  /** SHA-256 of the complete machine state (RAM, CPUs, devices, time). Equal fingerprints = equal machines. */
  fingerprint(): string {
    const h = createHash('sha256');
    h.update(this.ram);
    const { pages: _pages, ...state } = this.snapshotWithoutPages();
    h.update(JSON.stringify(state));
    return h.digest('hex');
  }

  private snapshotWithoutPages(): Omit<MachineSnapshot, 'pages' | 'traceSeq'> & { pages?: undefined } {
    return {
      version: 1, cpuCount: this.cpus.length, memoryBytes: this.ram.length, time: this.time,
      slice: this.slice ? { ...this.slice, startCounts: this.slice.startCounts.slice() } : null,
      cpus: this.cpus.map(c => c.saveState()), lapics: this.lapics.map(l => l.saveState()),
      ioapic: this.ioapic.saveState(), pic: this.pic.saveState(), pit: this.pit.saveState(),
      uart: this.uart.saveState(), cmos: this.cmos.saveState(),
      serial: { scriptIndex: this.scriptIndex, queue: this.serialQueue }, exitCode: this.exitCode,
      instructionsRetired: this.instructionsRetired,
    };
  }
}
