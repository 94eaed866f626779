// The 8254 programmable interval timer (PIT): three 16-bit down-counters clocked at 1.193182 MHz.
//
// Channel 0 drives ISA IRQ 0 (the classic "interval timer on IRQ0"); channel 2 drives the PC speaker and
// its gate and output are visible in port 0x61 (bit 0 = gate in, bit 5 = OUT2 out), which is why kernels
// use it to measure time: load channel 2 with a count in mode 0, raise the gate, and spin until OUT2
// goes high — exactly count / 1.193182 MHz later — while counting how far the LAPIC timer (or the TSC)
// ran. Port 0x43 takes the control word (channel, access mode lo/hi/both or latch, mode 0-5, BCD);
// ports 0x40-0x42 read and write the counters.
//
// Virtual time: ksim's clock is 1 GHz (one instruction = 1 ns), so PIT tick k happens at virtual time
// ceil(k * 10^9 / 1193182); converting both ways uses exact integer arithmetic split so that products
// stay below 2^53. Nothing here looks at a wall clock, and the count read back is a pure function of
// virtual time — so calibration loops give the same answer on every run.

export const PIT_HZ = 1193182;
const NS_PER_S = 1_000_000_000;

/** Number of PIT input ticks that have occurred by virtual time t (ns). */
export function pitTicksAt(t: number): number {
  const whole = Math.floor(t / NS_PER_S);
  const rest = t - whole * NS_PER_S;
  return whole * PIT_HZ + Math.floor(rest * PIT_HZ / NS_PER_S);
}

/** Earliest virtual time at which PIT tick `k` has occurred. */
export function timeOfPitTick(k: number): number {
  const whole = Math.floor(k / PIT_HZ);
  const rest = k - whole * PIT_HZ;
  return whole * NS_PER_S + Math.ceil(rest * NS_PER_S / PIT_HZ);
}

export interface PitChannelState {
  mode: number; access: number; bcd: boolean; reload: number; startTick: number; counting: boolean;
  gate: boolean; latched: number; latchedBytes: number; readHigh: boolean; writeHigh: boolean; writeLow: number;
  pausedAt: number; statusLatched: number;
}

class PitChannel {
  mode = 0;
  /** 1 = low byte, 2 = high byte, 3 = low then high. */
  access = 3;
  bcd = false;
  /** Count loaded (0 means 65536). */
  reload = 0;
  /** PIT tick at which counting from `reload` began (the first decrement happens one tick later). */
  startTick = 0;
  counting = false;
  gate = true;
  /** Latched count value and how many bytes of it remain to read (0 = none latched). */
  latched = 0;
  latchedBytes = 0;
  /** Read/write byte toggles for access mode 3. */
  readHigh = false;
  writeHigh = false;
  writeLow = 0;
  /** Mode 0 with the gate low: ticks already elapsed when the gate dropped (-1 = not paused). */
  pausedAt = -1;
  /** Read-back status byte waiting to be read (-1 = none). */
  statusLatched = -1;

  get period(): number { return this.reload === 0 ? 0x10000 : this.reload; }

  elapsed(tick: number): number {
    if (this.pausedAt >= 0) return this.pausedAt;
    return Math.max(0, tick - this.startTick);
  }

  /** Counter value at PIT tick `tick`. */
  count(tick: number): number {
    if (!this.counting) return this.reload & 0xffff;
    const n = this.elapsed(tick);
    const p = this.period;
    switch (this.mode) {
      case 2: return p - (n % p);
      case 3: {
        // Square wave: the counter decrements by 2, twice per period (once per half).
        const half = Math.ceil(p / 2);
        const inHalf = n % p < half ? n % p : (n % p) - half;
        return (p - 2 * inHalf) & 0xffff;
      }
      default: return (p - n) & 0xffff;  // modes 0, 1, 4, 5: count down and wrap
    }
  }

  /** OUT pin at PIT tick `tick`. */
  out(tick: number): boolean {
    if (!this.counting) return this.mode !== 0;
    const n = this.elapsed(tick);
    const p = this.period;
    switch (this.mode) {
      case 0: return n >= p;                      // low until terminal count, then high
      case 1: return n >= p;
      case 2: return n % p !== p - 1;             // one tick low before each reload
      case 3: return n % p < Math.ceil(p / 2);    // high for the first half
      case 4: case 5: return n !== p;             // one tick low strobe at terminal count
      default: return true;
    }
  }

  save(): PitChannelState {
    return { mode: this.mode, access: this.access, bcd: this.bcd, reload: this.reload, startTick: this.startTick,
      counting: this.counting, gate: this.gate, latched: this.latched, latchedBytes: this.latchedBytes,
      readHigh: this.readHigh, writeHigh: this.writeHigh, writeLow: this.writeLow, pausedAt: this.pausedAt,
      statusLatched: this.statusLatched };
  }

  restore(s: PitChannelState): void { Object.assign(this, s); }
}

export interface PitState { channels: PitChannelState[]; speakerData: boolean; irqDeadline: number | null }

export class Pit {
  private readonly ch = [new PitChannel(), new PitChannel(), new PitChannel()];
  /** Port 0x61 bit 1 (speaker data enable); kept only so reads return what was written. */
  speakerData = false;
  /** Virtual time of the next IRQ 0 rising edge, Infinity if channel 0 is idle. */
  irqDeadline = Infinity;
  /** Pulses ISA IRQ 0 (rising then falling edge). */
  onIrq0: () => void = () => {};
  onDeadlineChange: () => void = () => {};

  constructor() {
    // channel 2's gate is low at power-on (port 0x61 bit 0 clear)
    this.ch[2].gate = false;
  }

  /** As the BIOS leaves it: channel 0 in mode 3 with count 65536 (18.2 Hz), IRQ 0 masked in the PIC. */
  biosSetup(now: number): void {
    const c = this.ch[0];
    c.mode = 3; c.access = 3; c.reload = 0; c.counting = true; c.startTick = pitTicksAt(now);
    this.scheduleIrq(now);
  }

  /** Next IRQ 0 edge for periodic modes 2 and 3 (one per period; mode 0 gives one at terminal count). */
  private scheduleIrq(now: number): void {
    const c = this.ch[0];
    if (!c.counting) { this.irqDeadline = Infinity; this.onDeadlineChange(); return; }
    const tick = pitTicksAt(now);
    const n = tick - c.startTick;
    let next: number;
    if (c.mode === 2 || c.mode === 3) {
      next = c.startTick + (Math.floor(Math.max(0, n) / c.period) + 1) * c.period;
    } else if (c.mode === 0 || c.mode === 4) {
      next = c.startTick + c.period;
      if (next <= tick) { this.irqDeadline = Infinity; this.onDeadlineChange(); return; }
    } else {
      this.irqDeadline = Infinity; this.onDeadlineChange(); return;
    }
    this.irqDeadline = timeOfPitTick(next);
    this.onDeadlineChange();
  }

  /** The machine calls this when virtual time reaches irqDeadline. */
  expire(now: number): void {
    this.onIrq0();
    this.scheduleIrq(now);
  }

  ioRead(port: number, now: number): number {
    const tick = pitTicksAt(now);
    if (port === 0x61) {
      const c2 = this.ch[2];
      // bit 4 toggles with DRAM refresh every ~15 us on a PC; kept for delay loops that watch it
      const refresh = Math.floor(now / 15085) & 1;
      return (c2.gate ? 1 : 0) | (this.speakerData ? 2 : 0) | (refresh << 4) | (c2.out(tick) ? 0x20 : 0);
    }
    if (port < 0x40 || port > 0x42) return 0xff;
    const c = this.ch[port - 0x40];
    if (c.statusLatched >= 0) { const s = c.statusLatched; c.statusLatched = -1; return s; }
    let value: number;
    if (c.latchedBytes > 0) {
      value = c.latched;
      const byte = c.access === 2 || (c.access === 3 && c.latchedBytes === 1) ? value >>> 8 : value & 0xff;
      c.latchedBytes--;
      return byte;
    }
    value = c.count(tick);
    if (c.access === 1) return value & 0xff;
    if (c.access === 2) return (value >>> 8) & 0xff;
    c.readHigh = !c.readHigh;
    return c.readHigh ? value & 0xff : (value >>> 8) & 0xff;
  }

  ioWrite(port: number, value: number, now: number): void {
    value &= 0xff;
    const tick = pitTicksAt(now);
    if (port === 0x61) {
      const c2 = this.ch[2];
      const gate = (value & 1) !== 0;
      this.speakerData = (value & 2) !== 0;
      if (gate !== c2.gate) this.setGate(c2, gate, tick);
      return;
    }
    if (port === 0x43) { this.writeControl(value, tick); return; }
    if (port < 0x40 || port > 0x42) return;
    const index = port - 0x40;
    const c = this.ch[index];
    let complete = false;
    if (c.access === 1) { c.reload = value; complete = true; }
    else if (c.access === 2) { c.reload = value << 8; complete = true; }
    else if (!c.writeHigh) { c.writeLow = value; c.writeHigh = true; }
    else { c.reload = c.writeLow | (value << 8); c.writeHigh = false; complete = true; }
    if (!complete) return;
    // Loading the count starts (or, in modes 2/3, re-arms) counting from the next tick.
    c.counting = c.mode !== 1 && c.mode !== 5 ? true : c.counting;
    c.startTick = tick + 1;
    c.pausedAt = c.gate || index !== 2 ? -1 : 0;
    if (index === 0) this.scheduleIrq(now);
  }

  private writeControl(value: number, tick: number): void {
    const sel = value >>> 6;
    if (sel === 3) {
      // Read-back command: bit 5 clear = latch count, bit 4 clear = latch status, bits 1-3 channels.
      for (let i = 0; i < 3; i++) {
        if (!(value & (2 << i))) continue;
        const c = this.ch[i];
        if (!(value & 0x20) && c.latchedBytes === 0) { c.latched = c.count(tick); c.latchedBytes = c.access === 3 ? 2 : 1; }
        if (!(value & 0x10)) c.statusLatched = (c.out(tick) ? 0x80 : 0) | (c.access << 4) | (c.mode << 1) | (c.bcd ? 1 : 0);
      }
      return;
    }
    const c = this.ch[sel];
    const access = (value >>> 4) & 3;
    if (access === 0) {
      // Counter latch command: freeze the current value for the next read(s).
      if (c.latchedBytes === 0) { c.latched = c.count(tick); c.latchedBytes = c.access === 3 ? 2 : 1; }
      return;
    }
    c.access = access;
    c.mode = (value >>> 1) & 7;
    if (c.mode > 5) c.mode -= 4;  // modes 6 and 7 are aliases of 2 and 3
    c.bcd = (value & 1) !== 0;
    c.counting = false;            // a new mode waits for its count
    c.readHigh = false; c.writeHigh = false; c.latchedBytes = 0;
    if (sel === 0) { this.irqDeadline = Infinity; this.onDeadlineChange(); }
  }

  private setGate(c: PitChannel, gate: boolean, tick: number): void {
    c.gate = gate;
    if (c.mode === 0 || c.mode === 4) {
      // Gate low suspends counting; gate high resumes it.
      if (!gate) c.pausedAt = c.elapsed(tick);
      else if (c.pausedAt >= 0) { c.startTick = tick - c.pausedAt; c.pausedAt = -1; }
    } else if (gate) {
      // Modes 1, 2, 3, 5: a rising gate (re)starts the count.
      c.startTick = tick + 1;
      if (c.mode === 1 || c.mode === 5) c.counting = true;
    }
  }

  saveState(): PitState {
    return { channels: this.ch.map(c => c.save()), speakerData: this.speakerData,
      irqDeadline: this.irqDeadline === Infinity ? null : this.irqDeadline };
  }

  restoreState(s: PitState): void {
    s.channels.forEach((cs, i) => this.ch[i].restore(cs));
    this.speakerData = s.speakerData;
    this.irqDeadline = s.irqDeadline === null ? Infinity : s.irqDeadline;
  }
}
