// The I/O APIC at 0xFEC00000: turns device interrupt lines into APIC-bus messages.
//
// Each of its 24 inputs ("global system interrupts", GSIs) has a 64-bit redirection entry saying which
// vector to send, to which APIC(s) (physical or logical destination), in which delivery mode, and how
// the line signals: edge (a message per rising edge) or level (a message while the line is high; the
// entry's "remote IRR" bit stays set until the CPU's EOI for that vector comes back, so a still-asserted
// line is not re-sent until the handler has run). The guest reaches the table indirectly: write the
// register number to IOREGSEL (offset 0x00), then read/write IOWIN (offset 0x10).
//
// Redirection entry bits: 0-7 vector, 8-10 delivery mode, 11 destination mode (1 = logical),
// 12 delivery status (read-only), 13 polarity (1 = active low), 14 remote IRR (read-only),
// 15 trigger mode (1 = level), 16 mask, 56-63 destination.

export const IOAPIC_BASE = 0xfec00000;
export const IOAPIC_PINS = 24;

/** Version register as QEMU's default IOAPIC reports it: version 0x20, 24 entries (max index 23). */
const VERSION = 0x00170020;

const RTE_MASK = 1 << 16;
const RTE_LEVEL = 1 << 15;
const RTE_REMOTE_IRR = 1 << 14;
const RTE_POLARITY_LOW = 1 << 13;

export interface IoApicHost {
  /** Send an interrupt message on the APIC bus (as the IOAPIC's redirection entry describes it). */
  deliver(vector: number, deliveryMode: number, logical: boolean, dest: number, level: boolean, gsi: number): void;
}

export interface IoApicState {
  id: number;
  ioregsel: number;
  low: number[];
  high: number[];
  lines: number[];
}

export class IoApic {
  id = 0;
  ioregsel = 0;
  /** Redirection entries, low and high words. */
  readonly low = new Uint32Array(IOAPIC_PINS);
  readonly high = new Uint32Array(IOAPIC_PINS);
  /** Current level of each input line (after polarity: 1 = asserted). */
  readonly lines = new Uint8Array(IOAPIC_PINS);

  constructor(private readonly host: IoApicHost, id: number) {
    this.id = id;
    this.low.fill(RTE_MASK);
  }

  read(offset: number): number {
    if ((offset & 0xff) === 0x00) return this.ioregsel;
    if ((offset & 0xff) !== 0x10) return 0;
    const r = this.ioregsel;
    if (r === 0x00) return (this.id & 0xf) << 24;
    if (r === 0x01) return VERSION;
    if (r === 0x02) return (this.id & 0xf) << 24;  // arbitration id
    if (r >= 0x10 && r < 0x10 + 2 * IOAPIC_PINS) {
      const pin = (r - 0x10) >>> 1;
      return (r & 1) ? this.high[pin] : this.low[pin];
    }
    return 0xffffffff;
  }

  write(offset: number, value: number): void {
    value >>>= 0;
    const o = offset & 0xff;
    if (o === 0x00) { this.ioregsel = value & 0xff; return; }
    if (o === 0x40) { this.eoi(value & 0xff); return; }  // version 0x20 has a directed EOI register
    if (o !== 0x10) return;
    const r = this.ioregsel;
    if (r === 0x00) { this.id = (value >>> 24) & 0xf; return; }
    if (r >= 0x10 && r < 0x10 + 2 * IOAPIC_PINS) {
      const pin = (r - 0x10) >>> 1;
      if (r & 1) {
        this.high[pin] = value & 0xff000000;
      } else {
        // Delivery status and remote IRR are read-only.
        const keep = this.low[pin] & RTE_REMOTE_IRR;
        this.low[pin] = (value & ~(RTE_REMOTE_IRR | (1 << 12))) | keep;
        if (!(this.low[pin] & RTE_LEVEL)) this.low[pin] &= ~RTE_REMOTE_IRR;
        // Unmasking a level-triggered line that is asserted delivers it now.
        this.service(pin);
      }
    }
  }

  /** A device drives input `pin` (true = electrically high). */
  setLine(pin: number, high: boolean): void {
    if (pin < 0 || pin >= IOAPIC_PINS) return;
    const rte = this.low[pin];
    const asserted = (rte & RTE_POLARITY_LOW) ? !high : high;
    const was = this.lines[pin] === 1;
    this.lines[pin] = asserted ? 1 : 0;
    if (rte & RTE_LEVEL) {
      this.service(pin);
    } else if (asserted && !was && !(rte & RTE_MASK)) {
      this.send(pin);
    }
  }

  /** Level-triggered pins: deliver while asserted, unmasked and not awaiting EOI. */
  private service(pin: number): void {
    const rte = this.low[pin];
    if (!(rte & RTE_LEVEL) || (rte & RTE_MASK) || (rte & RTE_REMOTE_IRR) || !this.lines[pin]) return;
    this.low[pin] = rte | RTE_REMOTE_IRR;
    this.send(pin);
  }

  private send(pin: number): void {
    const rte = this.low[pin];
    this.host.deliver(rte & 0xff, (rte >>> 8) & 7, (rte & (1 << 11)) !== 0, this.high[pin] >>> 24,
      (rte & RTE_LEVEL) !== 0, pin);
  }

  /** A local APIC retired a level-triggered vector: clear remote IRR where it matches, re-deliver if still high. */
  eoi(vector: number): void {
    for (let pin = 0; pin < IOAPIC_PINS; pin++) {
      const rte = this.low[pin];
      if ((rte & RTE_REMOTE_IRR) && (rte & 0xff) === vector) {
        this.low[pin] = rte & ~RTE_REMOTE_IRR;
        this.service(pin);
      }
    }
  }

  saveState(): IoApicState {
    return { id: this.id, ioregsel: this.ioregsel, low: Array.from(this.low), high: Array.from(this.high), lines: Array.from(this.lines) };
  }

  restoreState(s: IoApicState): void {
    this.id = s.id; this.ioregsel = s.ioregsel;
    this.low.set(s.low); this.high.set(s.high); this.lines.set(s.lines);
  }
}
