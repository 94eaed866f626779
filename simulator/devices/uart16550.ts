// A 16550A UART (COM1 at 0x3F8, ISA IRQ 4), as a simple driver and QEMU's serial model see it.
//
// Registers (offset from the base; DLAB = LCR bit 7 switches offsets 0/1 to the baud divisor latch):
//   0 RBR (read: received byte) / THR (write: byte to send)     1 IER: interrupt enables
//     bit 0 received data available, 1 THR empty, 2 receiver line status, 3 modem status
//   2 IIR (read: highest pending interrupt; bit 0 = 1 means none; bits 7-6 = 11 when FIFOs are on)
//     / FCR (write: FIFO enable and reset)                     3 LCR: line control (word size, DLAB)
//   4 MCR: modem control (DTR, RTS, OUT1, OUT2, loopback)      5 LSR: line status
//     bit 0 data ready, 1 overrun, 5 THR empty, 6 transmitter empty
//   6 MSR: modem status (CTS, DSR, RI, DCD and their deltas)  7 SCR: scratch
//
// Transmission is instantaneous in virtual time (the byte goes to the console sink when THR is
// written), as with QEMU's stdio backend, so LSR always reports THRE|TEMT. Received bytes come from
// the machine (scripted input at virtual times, or an interactive stream); like QEMU's chardev the
// machine only feeds what the receive buffer accepts, so no byte is ever overrun.
//
// The interrupt output is the logical OR of the enabled, pending conditions (as QEMU drives it; a real
// PC additionally gates it with MCR.OUT2). The ISA line is edge-sensitive at the PIC/IOAPIC, so a new
// interrupt is seen when the output goes from low to high.

export const COM1_BASE = 0x3f8;
export const COM1_IRQ = 4;
const FIFO_SIZE = 16;

const IIR_NONE = 0x01;
const IIR_RLS = 0x06;
const IIR_RDA = 0x04;
const IIR_THRE = 0x02;
const IIR_MSI = 0x00;

export interface UartState {
  ier: number; lcr: number; mcr: number; scr: number; fcr: number; dll: number; dlm: number;
  lsrOverrun: boolean; thrIpending: boolean; msrDelta: number; rx: number[]; irqLevel: boolean;
}

export class Uart16550 {
  ier = 0;
  lcr = 0;
  mcr = 0;
  scr = 0;
  fcr = 0;
  dll = 0x0c;  // 9600 baud, as a BIOS leaves it
  dlm = 0;
  lsrOverrun = false;
  /** THR-empty interrupt pending (cleared by reading IIR when it is reported, or by writing THR). */
  thrIpending = false;
  msrDelta = 0;
  /** Receive FIFO (or holding register when FIFOs are off: only the first byte counts). */
  rx: number[] = [];
  /** Current level of the interrupt output. */
  irqLevel = false;

  /** Transmitted bytes go here. */
  onTransmit: (byte: number) => void = () => {};
  /** The interrupt output changed level. */
  onIrq: (high: boolean) => void = () => {};

  private get fifoEnabled(): boolean { return (this.fcr & 1) !== 0; }
  private get loopback(): boolean { return (this.mcr & 0x10) !== 0; }

  /** How many more received bytes the UART can hold right now. */
  rxSpace(): number { return (this.fifoEnabled ? FIFO_SIZE : 1) - this.rx.length; }

  /** A byte arrives on the line (the caller checks rxSpace first; excess bytes are an overrun). */
  receive(byte: number): void {
    if (this.rxSpace() <= 0) { this.lsrOverrun = true; this.update(); return; }
    this.rx.push(byte & 0xff);
    this.update();
  }

  private pendingIir(): number {
    if ((this.ier & 0x04) && this.lsrOverrun) return IIR_RLS;
    if ((this.ier & 0x01) && this.rx.length > 0) return IIR_RDA;
    if ((this.ier & 0x02) && this.thrIpending) return IIR_THRE;
    if ((this.ier & 0x08) && (this.msrDelta & 0x0f)) return IIR_MSI;
    return IIR_NONE;
  }

  private update(): void {
    const level = this.pendingIir() !== IIR_NONE;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.onIrq(level);
    }
  }

  private lsr(): number {
    return (this.rx.length > 0 ? 0x01 : 0) | (this.lsrOverrun ? 0x02 : 0) | 0x60;
  }

  private msr(): number {
    if (this.loopback) {
      // Loopback wires DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD.
      const m = this.mcr;
      return ((m & 2) << 3) | ((m & 1) << 5) | ((m & 4) << 4) | ((m & 8) << 4) | this.msrDelta;
    }
    return 0xb0 | this.msrDelta;  // CTS, DSR, DCD asserted: a connected terminal
  }

  ioRead(offset: number): number {
    const dlab = (this.lcr & 0x80) !== 0;
    switch (offset) {
      case 0: {
        if (dlab) return this.dll;
        const byte = this.rx.length > 0 ? this.rx.shift()! : 0;
        this.update();
        return byte;
      }
      case 1: return dlab ? this.dlm : this.ier;
      case 2: {
        const iir = this.pendingIir();
        if (iir === IIR_THRE) { this.thrIpending = false; this.update(); }
        return iir | (this.fifoEnabled ? 0xc0 : 0);
      }
      case 3: return this.lcr;
      case 4: return this.mcr;
      case 5: {
        const v = this.lsr();
        if (this.lsrOverrun) { this.lsrOverrun = false; this.update(); }
        return v;
      }
      case 6: {
        const v = this.msr();
        if (this.msrDelta) { this.msrDelta = 0; this.update(); }
        return v;
      }
      case 7: return this.scr;
    }
    return 0xff;
  }

  ioWrite(offset: number, value: number): void {
    value &= 0xff;
    const dlab = (this.lcr & 0x80) !== 0;
    switch (offset) {
      case 0:
        if (dlab) { this.dll = value; return; }
        if (this.loopback) this.receive(value); else this.onTransmit(value);
        // The byte leaves at once: THR is empty again, which is itself an interrupt condition.
        this.thrIpending = true;
        this.update();
        return;
      case 1: {
        if (dlab) { this.dlm = value; return; }
        const old = this.ier;
        this.ier = value & 0x0f;
        // Enabling the THRE interrupt while THR is empty raises it immediately (QEMU and real 16550s).
        if (!(old & 0x02) && (this.ier & 0x02)) this.thrIpending = true;
        this.update();
        return;
      }
      case 2:
        this.fcr = value & 0xc9;
        if (value & 0x02) this.rx = [];  // reset receive FIFO
        this.update();
        return;
      case 3: this.lcr = value; return;
      case 4: {
        const old = this.mcr;
        this.mcr = value & 0x1f;
        if (this.loopback && (old ^ this.mcr) & 0x0f) this.msrDelta |= 0x01;
        this.update();
        return;
      }
      case 7: this.scr = value; return;
    }
  }

  saveState(): UartState {
    return { ier: this.ier, lcr: this.lcr, mcr: this.mcr, scr: this.scr, fcr: this.fcr, dll: this.dll, dlm: this.dlm,
      lsrOverrun: this.lsrOverrun, thrIpending: this.thrIpending, msrDelta: this.msrDelta, rx: this.rx.slice(),
      irqLevel: this.irqLevel };
  }

  restoreState(s: UartState): void {
    Object.assign(this, s);
    this.rx = s.rx.slice();
  }
}
