// CMOS RAM and the MC146818 real-time clock at ports 0x70 (index; bit 7 = NMI disable) and 0x71 (data).
//
// Registers 0x00-0x09 hold the time (seconds, minutes, hours, day of week, day, month, year) in BCD or
// binary and 12- or 24-hour form as status register B selects; 0x0A-0x0D are status A-D; 0x32 is the
// century. The rest is battery-backed configuration RAM; we fill the memory-size bytes QEMU fills.
//
// The clock is derived only from virtual time: wall time = epoch (configurable, default
// 2026-01-01 00:00:00 UTC) + floor(virtual ns / 10^9). Every run sees the same date.

export const DEFAULT_RTC_EPOCH = Date.UTC(2026, 0, 1) / 1000;

export interface CmosState { index: number; ram: number[]; nmiDisabled: boolean }

function toBcd(v: number): number { return ((Math.floor(v / 10) % 10) << 4) | (v % 10); }

export class CmosRtc {
  index = 0;
  nmiDisabled = false;
  /** 128 bytes of CMOS RAM; the clock registers are computed on read. */
  readonly ram = new Uint8Array(128);

  constructor(private readonly epochSeconds: number, memoryBytes: number) {
    this.ram[0x0a] = 0x26;  // 32.768 kHz time base, 1024 Hz periodic rate
    this.ram[0x0b] = 0x02;  // 24-hour mode, BCD
    this.ram[0x0d] = 0x80;  // battery good
    // Memory sizes as QEMU stores them: KiB above 1 MiB (up to 64 MiB) at 0x17/0x30, 64 KiB units above
    // 16 MiB at 0x34/0x35; base memory 640 KiB at 0x15/0x16.
    const extKb = Math.min(0xffff, Math.max(0, (memoryBytes - 0x100000) >>> 10));
    this.ram[0x15] = 640 & 0xff; this.ram[0x16] = 640 >>> 8;
    this.ram[0x17] = this.ram[0x30] = extKb & 0xff;
    this.ram[0x18] = this.ram[0x31] = extKb >>> 8;
    const above16 = Math.min(0xffff, Math.max(0, (memoryBytes - 0x1000000) >>> 16));
    this.ram[0x34] = above16 & 0xff; this.ram[0x35] = above16 >>> 8;
  }

  private clockField(reg: number, now: number): number {
    const seconds = this.epochSeconds + Math.floor(now / 1e9);
    const d = new Date(seconds * 1000);  // a pure conversion of a computed instant, not a clock read
    const binary = (this.ram[0x0b] & 0x04) !== 0;
    const enc = (v: number) => (binary ? v : toBcd(v));
    switch (reg) {
      case 0x00: return enc(d.getUTCSeconds());
      case 0x02: return enc(d.getUTCMinutes());
      case 0x04: {
        const h = d.getUTCHours();
        if (this.ram[0x0b] & 0x02) return enc(h);
        const h12 = h % 12 === 0 ? 12 : h % 12;
        return enc(h12) | (h >= 12 ? 0x80 : 0);
      }
      case 0x06: return enc(d.getUTCDay() + 1);
      case 0x07: return enc(d.getUTCDate());
      case 0x08: return enc(d.getUTCMonth() + 1);
      case 0x09: return enc(d.getUTCFullYear() % 100);
      case 0x32: return enc(Math.floor(d.getUTCFullYear() / 100));
    }
    return this.ram[reg];
  }

  ioRead(port: number, now: number): number {
    if (port === 0x70) return 0xff;  // the index register is write-only
    const reg = this.index;
    switch (reg) {
      case 0x00: case 0x02: case 0x04: case 0x06: case 0x07: case 0x08: case 0x09: case 0x32:
        return this.clockField(reg, now);
      case 0x0a: return this.ram[0x0a] & 0x7f;  // update-in-progress never seen: updates are instantaneous
      case 0x0c: { const v = this.ram[0x0c]; this.ram[0x0c] = 0; return v; }  // reading status C acknowledges
      default: return this.ram[reg];
    }
  }

  ioWrite(port: number, value: number): void {
    value &= 0xff;
    if (port === 0x70) { this.index = value & 0x7f; this.nmiDisabled = (value & 0x80) !== 0; return; }
    switch (this.index) {
      case 0x0c: case 0x0d: return;  // read-only
      case 0x00: case 0x02: case 0x04: case 0x06: case 0x07: case 0x08: case 0x09: case 0x32:
        return;  // setting the clock is not supported: time is virtual time
      default: this.ram[this.index] = value;
    }
  }

  saveState(): CmosState { return { index: this.index, ram: Array.from(this.ram), nmiDisabled: this.nmiDisabled }; }
  restoreState(s: CmosState): void { this.index = s.index; this.ram.set(s.ram); this.nmiDisabled = s.nmiDisabled; }
}
