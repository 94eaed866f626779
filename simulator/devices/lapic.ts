// The local APIC (xAPIC, memory-mapped at 0xFEE00000): one per CPU, the CPU's only interrupt input.
//
// Every interrupt a CPU takes arrives here first: from its own timer and LINT pins, from the IOAPIC (a
// message on the APIC bus), or from another CPU (an IPI written to the ICR). Pending vectors sit in the
// 256-bit IRR; when the CPU acknowledges (INTA) the highest one moves to the ISR ("in service") until the
// handler writes EOI. Priority is by class, the upper nibble of the vector: a vector is delivered only if
// its class is above the processor priority PPR = max(TPR, class of the highest in-service vector). So a
// handler is interrupted only by a higher class — that is how nesting works — and writing EOI clears the
// highest ISR bit, letting the next class in.
//
// Register offsets (Intel SDM vol. 3A, table 10-1) are below. Timing: the APIC timer counts the bus
// clock divided by the divide configuration; in ksim the bus clock is the virtual-time clock, 1 GHz
// (one instruction = 1 ns), as QEMU's APIC timer counts nanoseconds of its virtual clock.

export const LAPIC_BASE = 0xfee00000;

const REG_ID = 0x20;
const REG_VERSION = 0x30;
const REG_TPR = 0x80;
const REG_APR = 0x90;
const REG_PPR = 0xa0;
const REG_EOI = 0xb0;
const REG_LDR = 0xd0;
const REG_DFR = 0xe0;
const REG_SVR = 0xf0;
const REG_ISR = 0x100;
const REG_TMR = 0x180;
const REG_IRR = 0x200;
const REG_ESR = 0x280;
const REG_LVT_CMCI = 0x2f0;
const REG_ICR_LO = 0x300;
const REG_ICR_HI = 0x310;
const REG_LVT_TIMER = 0x320;
const REG_LVT_THERMAL = 0x330;
const REG_LVT_PERF = 0x340;
const REG_LVT_LINT0 = 0x350;
const REG_LVT_LINT1 = 0x360;
const REG_LVT_ERROR = 0x370;
const REG_TIMER_ICR = 0x380;
const REG_TIMER_CCR = 0x390;
const REG_TIMER_DCR = 0x3e0;

/** LVT indices in `lvt`. */
export const enum Lvt { Timer = 0, Thermal = 1, Perf = 2, Lint0 = 3, Lint1 = 4, Error = 5, Cmci = 6 }
const LVT_MASKED = 1 << 16;
const LVT_COUNT = 7;

/** Delivery modes (ICR, LVT and IOAPIC bits 8-10). */
export const enum DeliveryMode { Fixed = 0, LowestPriority = 1, Smi = 2, Nmi = 4, Init = 5, Startup = 6, ExtInt = 7 }

/** Version register as QEMU reports it: version 0x14, highest LVT entry 5. */
const VERSION = 0x00050014;

/** What the LAPIC drives on its CPU: the wires of bus.ts / the Cpu API. */
export interface CpuWires {
  signalInterrupt(): void;
  init(): void;
  startup(vector: number): void;
  raiseNmi(): void;
}

/** What the LAPIC needs from the rest of the machine. */
export interface LapicHost {
  /** An IPI written to this LAPIC's ICR (low word written last triggers it). */
  sendIpi(from: Lapic, icrLow: number, icrHigh: number): void;
  /** EOI of a level-triggered vector: the IOAPICs clear their remote IRR for it. */
  broadcastEoi(vector: number): void;
  /** The 8259A's INTR output (wired to LINT0 of every LAPIC, used when LINT0 is ExtINT). */
  picHasInterrupt(): boolean;
  /** 8259A INTA cycle: returns the vector. */
  picAcknowledge(): number;
  /** Timer state changed: the machine re-reads deadlines. */
  deadlinesChanged(): void;
}

export interface LapicState {
  id: number;
  tpr: number;
  svr: number;
  ldr: number;
  dfr: number;
  esr: number;
  icrLow: number;
  icrHigh: number;
  lvt: number[];
  irr: number[];
  isr: number[];
  tmr: number[];
  timerInitial: number;
  timerDcr: number;
  timerStart: number;
  timerDeadline: number | null;
}

function bitSet(words: Uint32Array, v: number): void { words[v >>> 5] |= 1 << (v & 31); }
function bitClear(words: Uint32Array, v: number): void { words[v >>> 5] &= ~(1 << (v & 31)); }
function bitTest(words: Uint32Array, v: number): boolean { return (words[v >>> 5] & (1 << (v & 31))) !== 0; }
/** Highest set bit of a 256-bit set, or -1. */
function highest(words: Uint32Array): number {
  for (let w = 7; w >= 0; w--) {
    const x = words[w];
    if (x !== 0) return (w << 5) + 31 - Math.clz32(x);
  }
  return -1;
}

export class Lapic {
  id: number;
  tpr = 0;
  /** Spurious vector register: bit 8 = APIC software enable, bits 0-7 the spurious vector. */
  svr = 0xff;
  ldr = 0;
  dfr = 0xffffffff;
  esr = 0;
  icrLow = 0;
  icrHigh = 0;
  readonly lvt = new Uint32Array(LVT_COUNT);
  readonly irr = new Uint32Array(8);
  readonly isr = new Uint32Array(8);
  /** Trigger mode of accepted vectors: 1 = level (EOI must reach the IOAPIC). */
  readonly tmr = new Uint32Array(8);
  timerInitial = 0;
  timerDcr = 0;
  /** Virtual time the current timer period began. */
  timerStart = 0;
  /** Virtual time of the next timer expiry, Infinity when not counting. */
  timerDeadline = Infinity;
  /** Set by the machine: the CPU this APIC belongs to. */
  cpu: CpuWires | null = null;

  constructor(readonly index: number, private readonly host: LapicHost, readonly isBsp: boolean) {
    this.id = index;
    this.reset();
  }

  /** Power-on / INIT state (the ID survives). */
  reset(): void {
    this.tpr = 0; this.svr = 0xff; this.ldr = 0; this.dfr = 0xffffffff; this.esr = 0;
    this.icrLow = 0; this.icrHigh = 0;
    this.lvt.fill(LVT_MASKED);
    // As QEMU (and the BIOS on real boards) leave it: the boot CPU's LINT0 in ExtINT mode, unmasked, so
    // the 8259A reaches the CPU in "virtual wire" mode before the kernel touches the APIC.
    if (this.isBsp) this.lvt[Lvt.Lint0] = DeliveryMode.ExtInt << 8;
    this.irr.fill(0); this.isr.fill(0); this.tmr.fill(0);
    this.timerInitial = 0; this.timerDcr = 0; this.timerStart = 0; this.timerDeadline = Infinity;
  }

  get softwareEnabled(): boolean { return (this.svr & 0x100) !== 0; }

  /** Processor priority: the higher of TPR and the class of the highest in-service vector. */
  ppr(): number {
    const isrv = highest(this.isr);
    const isrClass = isrv < 0 ? 0 : isrv & 0xf0;
    return (this.tpr & 0xf0) >= isrClass ? this.tpr & 0xff : isrClass;
  }

  /** Highest IRR vector whose class beats PPR, or -1. */
  private deliverableVector(): number {
    if (!this.softwareEnabled) return -1;
    const v = highest(this.irr);
    if (v < 0) return -1;
    return (v & 0xf0) > (this.ppr() & 0xf0) ? v : -1;
  }

  /** LINT0 passes the 8259A through when it is unmasked ExtINT. */
  private extIntEnabled(): boolean {
    const l = this.lvt[Lvt.Lint0];
    return (l & LVT_MASKED) === 0 && ((l >>> 8) & 7) === DeliveryMode.ExtInt;
  }

  // --- InterruptController (the CPU side) ---

  hasPendingInterrupt(): boolean {
    if (this.deliverableVector() >= 0) return true;
    return this.extIntEnabled() && this.host.picHasInterrupt();
  }

  acknowledgeInterrupt(): number {
    const v = this.deliverableVector();
    if (v >= 0) {
      bitClear(this.irr, v);
      bitSet(this.isr, v);
      return v;
    }
    if (this.extIntEnabled() && this.host.picHasInterrupt()) return this.host.picAcknowledge();
    return -1;
  }

  // --- Accepting interrupts (from the APIC bus, the timer, LINT pins) ---

  /** A fixed-mode interrupt arrives: it waits in the IRR. `level` = level-triggered source. */
  acceptFixed(vector: number, level: boolean): void {
    vector &= 0xff;
    if (vector < 16) {
      // Vectors 0-15 are illegal for the APIC: "received illegal vector" error, nothing pended.
      this.signalError(0x40);
      return;
    }
    bitSet(this.irr, vector);
    if (level) bitSet(this.tmr, vector); else bitClear(this.tmr, vector);
    this.cpu?.signalInterrupt();
  }

  /**
   * An APIC error (ESR bit: 0x20 send illegal vector, 0x40 receive illegal vector, 0x80 illegal register
   * address): recorded in ESR and, if the LVT error entry is unmasked, signalled through its vector.
   */
  signalError(bit: number): void {
    this.esr |= bit;
    const l = this.lvt[Lvt.Error];
    const v = l & 0xff;
    if ((l & LVT_MASKED) === 0 && v >= 16) {
      bitSet(this.irr, v);
      bitClear(this.tmr, v);
      this.cpu?.signalInterrupt();
    }
  }

  /** The PIC's INTR changed: let the CPU look again. */
  picChanged(): void {
    if (this.extIntEnabled()) this.cpu?.signalInterrupt();
  }

  // --- The timer ---

  private timerDivisor(): number {
    const v = (this.timerDcr & 3) | ((this.timerDcr >>> 1) & 4);
    return 1 << ((v + 1) & 7);
  }

  private timerPeriod(): number { return this.timerInitial * this.timerDivisor(); }

  /** Current count as the guest reads it at virtual time `now`. */
  currentCount(now: number): number {
    if (this.timerInitial === 0 || this.timerDeadline === Infinity) return 0;
    const elapsed = Math.floor((now - this.timerStart) / this.timerDivisor());
    const periodic = ((this.lvt[Lvt.Timer] >>> 17) & 3) === 1;
    if (periodic) return this.timerInitial - (elapsed % this.timerInitial);
    return Math.max(0, this.timerInitial - elapsed);
  }

  /** The machine calls this when virtual time reaches timerDeadline. */
  timerExpired(): void {
    const deadline = this.timerDeadline;
    const l = this.lvt[Lvt.Timer];
    if ((l & LVT_MASKED) === 0) this.acceptFixed(l & 0xff, false);
    if (((l >>> 17) & 3) === 1 && this.timerInitial !== 0) {
      this.timerStart = deadline;
      this.timerDeadline = deadline + this.timerPeriod();
    } else {
      this.timerDeadline = Infinity;
    }
  }

  // --- MMIO ---

  read(offset: number, now: number): number {
    switch (offset & 0xff0) {
      case REG_ID: return (this.id << 24) >>> 0;
      case REG_VERSION: return VERSION;
      case REG_TPR: return this.tpr;
      case REG_APR: return 0;
      case REG_PPR: return this.ppr();
      case REG_EOI: return 0;
      case REG_LDR: return this.ldr;
      case REG_DFR: return this.dfr;
      case REG_SVR: return this.svr;
      case REG_ESR: return this.esr;
      case REG_ICR_LO: return this.icrLow & ~(1 << 12);  // delivery status: always idle (sent at once)
      case REG_ICR_HI: return this.icrHigh;
      case REG_LVT_TIMER: return this.lvt[Lvt.Timer];
      case REG_LVT_THERMAL: return this.lvt[Lvt.Thermal];
      case REG_LVT_PERF: return this.lvt[Lvt.Perf];
      case REG_LVT_LINT0: return this.lvt[Lvt.Lint0];
      case REG_LVT_LINT1: return this.lvt[Lvt.Lint1];
      case REG_LVT_ERROR: return this.lvt[Lvt.Error];
      case REG_LVT_CMCI: return this.lvt[Lvt.Cmci];
      case REG_TIMER_ICR: return this.timerInitial;
      case REG_TIMER_CCR: return this.currentCount(now);
      case REG_TIMER_DCR: return this.timerDcr;
    }
    const o = offset & 0xff0;
    if (o >= REG_ISR && o < REG_ISR + 0x80) return this.isr[(o - REG_ISR) >>> 4];
    if (o >= REG_TMR && o < REG_TMR + 0x80) return this.tmr[(o - REG_TMR) >>> 4];
    if (o >= REG_IRR && o < REG_IRR + 0x80) return this.irr[(o - REG_IRR) >>> 4];
    return 0;
  }

  write(offset: number, value: number, now: number): void {
    value >>>= 0;
    switch (offset & 0xff0) {
      case REG_ID: this.id = value >>> 24; return;
      case REG_TPR: this.tpr = value & 0xff; this.cpu?.signalInterrupt(); return;
      case REG_EOI: this.eoi(); return;
      case REG_LDR: this.ldr = value & 0xff000000; return;
      case REG_DFR: this.dfr = value | 0x0fffffff; return;
      case REG_SVR: {
        this.svr = value & 0x3ff;
        if (!this.softwareEnabled) for (let i = 0; i < LVT_COUNT; i++) this.lvt[i] |= LVT_MASKED;
        this.cpu?.signalInterrupt();
        return;
      }
      case REG_ESR: this.esr = 0; return;  // a write clears the error status (the "write then read" protocol)
      case REG_ICR_HI: this.icrHigh = value & 0xff000000; return;
      case REG_ICR_LO: this.icrLow = value & 0x000cdfff; this.host.sendIpi(this, this.icrLow, this.icrHigh); return;
      case REG_LVT_TIMER: this.writeLvt(Lvt.Timer, value & 0x000710ff); return;
      case REG_LVT_THERMAL: this.writeLvt(Lvt.Thermal, value & 0x000117ff); return;
      case REG_LVT_PERF: this.writeLvt(Lvt.Perf, value & 0x000117ff); return;
      case REG_LVT_LINT0: this.writeLvt(Lvt.Lint0, value & 0x0001f7ff); this.cpu?.signalInterrupt(); return;
      case REG_LVT_LINT1: this.writeLvt(Lvt.Lint1, value & 0x0001f7ff); return;
      case REG_LVT_ERROR: this.writeLvt(Lvt.Error, value & 0x000110ff); return;
      case REG_LVT_CMCI: this.writeLvt(Lvt.Cmci, value & 0x000117ff); return;
      case REG_TIMER_ICR: {
        // Writing the initial count (re)starts the timer from that value; 0 stops it.
        this.timerInitial = value;
        this.timerStart = now;
        this.timerDeadline = value === 0 ? Infinity : now + this.timerPeriod();
        this.host.deadlinesChanged();
        return;
      }
      case REG_TIMER_DCR: {
        // Keep the elapsed part of the period; the rest runs at the new rate (close to hardware).
        const remaining = this.currentCount(now);
        this.timerDcr = value & 0xb;
        if (this.timerDeadline !== Infinity) {
          this.timerDeadline = now + remaining * this.timerDivisor();
          this.timerStart = this.timerDeadline - this.timerPeriod();
          this.host.deadlinesChanged();
        }
        return;
      }
    }
  }

  private writeLvt(which: Lvt, value: number): void {
    // While the APIC is software-disabled every LVT entry stays masked.
    this.lvt[which] = this.softwareEnabled ? value : value | LVT_MASKED;
  }

  /** End of interrupt: retire the highest in-service vector. */
  eoi(): void {
    const v = highest(this.isr);
    if (v < 0) return;
    bitClear(this.isr, v);
    if (bitTest(this.tmr, v)) {
      bitClear(this.tmr, v);
      this.host.broadcastEoi(v);
    }
    if (highest(this.irr) >= 0 || this.extIntEnabled()) this.cpu?.signalInterrupt();
  }

  /** Does an APIC-bus destination (physical or logical) name this APIC? */
  matchesDestination(dest: number, logical: boolean): boolean {
    dest &= 0xff;
    if (!logical) return dest === 0xff || dest === (this.id & 0xff);
    if (dest === 0xff) return true;
    const logicalId = this.ldr >>> 24;
    if ((this.dfr >>> 28) === 0xf) return (logicalId & dest) !== 0;            // flat model: a bit per APIC
    return (logicalId >>> 4) === (dest >>> 4) && (logicalId & dest & 0xf) !== 0; // cluster model
  }

  saveState(): LapicState {
    return {
      id: this.id, tpr: this.tpr, svr: this.svr, ldr: this.ldr, dfr: this.dfr, esr: this.esr,
      icrLow: this.icrLow, icrHigh: this.icrHigh, lvt: Array.from(this.lvt),
      irr: Array.from(this.irr), isr: Array.from(this.isr), tmr: Array.from(this.tmr),
      timerInitial: this.timerInitial, timerDcr: this.timerDcr, timerStart: this.timerStart,
      timerDeadline: this.timerDeadline === Infinity ? null : this.timerDeadline,
    };
  }

  restoreState(s: LapicState): void {
    this.id = s.id; this.tpr = s.tpr; this.svr = s.svr; this.ldr = s.ldr; this.dfr = s.dfr; this.esr = s.esr;
    this.icrLow = s.icrLow; this.icrHigh = s.icrHigh;
    this.lvt.set(s.lvt); this.irr.set(s.irr); this.isr.set(s.isr); this.tmr.set(s.tmr);
    this.timerInitial = s.timerInitial; this.timerDcr = s.timerDcr; this.timerStart = s.timerStart;
    this.timerDeadline = s.timerDeadline === null ? Infinity : s.timerDeadline;
  }
}
