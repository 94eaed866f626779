// The 8259A programmable interrupt controller pair of the PC: master at ports 0x20/0x21, slave at
// 0xA0/0xA1 cascaded into master input 2. Together they give 15 ISA IRQ lines.
//
// Each chip latches a rising edge on an input into its IRR (interrupt request register); inputs not
// masked in the IMR compete by fixed priority (IRQ0 highest); the winner is reported on INTR, and during
// the CPU's interrupt-acknowledge cycle moves to the ISR and its vector (ICW2 base + line) goes to the
// CPU. The handler sends EOI (OCW2) to clear the ISR bit. If the request went away between INTR and
// INTA, the chip answers with line 7 without setting ISR: the famous spurious IRQ7 (IRQ15 on the slave).
//
// Programming: ICW1 (command port, bit 4 set) starts initialisation; ICW2 (vector base), ICW3 (cascade
// wiring) and ICW4 (if ICW1 bit 0) follow on the data port. Afterwards the data port is the IMR (OCW1);
// the command port takes OCW2 (EOI forms) and OCW3 (choose whether reads return IRR or ISR; poll).
// ELCR (ports 0x4D0/0x4D1) selects level-triggered lines per IRQ, as on PIIX chipsets.
//
// In ksim the master's INTR reaches the CPUs through LINT0 of their local APICs in ExtINT mode
// ("virtual wire"), exactly as on QEMU.

export interface PicChipState {
  irr: number; isr: number; imr: number; vectorBase: number;
  initStep: number; icw4Needed: boolean; autoEoi: boolean; readIsr: boolean; lines: number; elcr: number;
  specialMask: boolean;
}

class PicChip {
  irr = 0;
  isr = 0;
  imr = 0xff;
  vectorBase = 0;
  /** 0 = normal operation; 2/3/4 = expecting ICW2/ICW3/ICW4. */
  initStep = 0;
  icw4Needed = false;
  autoEoi = false;
  readIsr = false;
  specialMask = false;
  /** Current input levels (bit per line), for edge detection and level mode. */
  lines = 0;
  /** Level-triggered lines (ELCR). */
  elcr = 0;

  setLine(line: number, high: boolean): void {
    const bit = 1 << line;
    if (high) {
      if (!(this.lines & bit) || (this.elcr & bit)) this.irr |= bit;  // rising edge (or level)
      this.lines |= bit;
    } else {
      this.lines &= ~bit;
      if (this.elcr & bit) this.irr &= ~bit;
    }
  }

  /** Highest-priority line that would be reported now, or -1. Fixed priority, IRQ0 first. */
  pendingLine(): number {
    const req = this.irr & ~this.imr;
    if (!req) return -1;
    for (let line = 0; line < 8; line++) {
      const bit = 1 << line;
      if (this.isr & bit && !this.specialMask) return -1;  // a higher-or-equal line is in service
      if (req & bit) return line;
    }
    return -1;
  }

  /** INTA: returns the line being acknowledged (7 = spurious when nothing is pending). */
  acknowledge(): { line: number; spurious: boolean } {
    const line = this.pendingLine();
    if (line < 0) return { line: 7, spurious: true };
    const bit = 1 << line;
    if (!(this.elcr & bit)) this.irr &= ~bit;  // edge: the request is consumed
    if (!this.autoEoi) this.isr |= bit;
    return { line, spurious: false };
  }

  writeCommand(value: number): void {
    if (value & 0x10) {                 // ICW1
      this.initStep = 2;
      this.icw4Needed = (value & 1) !== 0;
      this.imr = 0; this.isr = 0; this.irr = 0; this.autoEoi = false; this.readIsr = false; this.specialMask = false;
      return;
    }
    if (value & 0x08) {                 // OCW3
      if (value & 0x02) this.readIsr = (value & 1) !== 0;
      if (value & 0x40) this.specialMask = (value & 0x20) !== 0;
      return;
    }
    // OCW2: bits 7-5 = R, SL, EOI.
    const cmd = value >>> 5;
    if (cmd === 1 || cmd === 5) {       // non-specific EOI (5 = with rotation; priorities stay fixed here)
      for (let line = 0; line < 8; line++) if (this.isr & (1 << line)) { this.isr &= ~(1 << line); break; }
    } else if (cmd === 3 || cmd === 7) { // specific EOI
      this.isr &= ~(1 << (value & 7));
    }
  }

  writeData(value: number): void {
    switch (this.initStep) {
      case 2: this.vectorBase = value & 0xf8; this.initStep = 3; return;
      case 3: this.initStep = this.icw4Needed ? 4 : 0; return;  // ICW3: cascade wiring is fixed on a PC
      case 4: this.autoEoi = (value & 2) !== 0; this.initStep = 0; return;
      default: this.imr = value & 0xff;
    }
  }

  readCommand(): number { return this.readIsr ? this.isr : this.irr; }

  save(): PicChipState {
    return { irr: this.irr, isr: this.isr, imr: this.imr, vectorBase: this.vectorBase, initStep: this.initStep,
      icw4Needed: this.icw4Needed, autoEoi: this.autoEoi, readIsr: this.readIsr, lines: this.lines, elcr: this.elcr,
      specialMask: this.specialMask };
  }

  restore(s: PicChipState): void {
    this.irr = s.irr; this.isr = s.isr; this.imr = s.imr; this.vectorBase = s.vectorBase; this.initStep = s.initStep;
    this.icw4Needed = s.icw4Needed; this.autoEoi = s.autoEoi; this.readIsr = s.readIsr; this.lines = s.lines;
    this.elcr = s.elcr; this.specialMask = s.specialMask;
  }
}

export interface PicState { master: PicChipState; slave: PicChipState }

export class PicPair {
  private readonly master = new PicChip();
  private readonly slave = new PicChip();
  /** Called whenever INTR may have changed. */
  onChange: () => void = () => {};

  constructor() {
    // As SeaBIOS leaves them: vectors 0x08 and 0x70; unmasked are the lines it has handlers for —
    // timer (0), keyboard (1), cascade (2), floppy (6); RTC (8), mouse (12), disks (14, 15). So, as on
    // QEMU, a kernel that enables interrupts before reprogramming the 8259A takes the PIT at vector 8.
    this.master.vectorBase = 0x08; this.slave.vectorBase = 0x70;
    this.master.imr = 0xb8; this.slave.imr = 0x2e;
  }

  /** Drive ISA IRQ line 0-15. */
  setIrq(irq: number, high: boolean): void {
    if (irq === 2 || irq < 0 || irq > 15) return;  // 2 is the cascade input
    if (irq < 8) this.master.setLine(irq, high);
    else { this.slave.setLine(irq - 8, high); this.updateCascade(); }
    this.onChange();
  }

  private updateCascade(): void {
    this.master.setLine(2, this.slave.pendingLine() >= 0);
  }

  /** The master's INTR output. */
  hasInterrupt(): boolean { return this.master.pendingLine() >= 0; }

  /** INTA cycle: the vector for the CPU. */
  acknowledge(): number {
    const m = this.master.acknowledge();
    let vector: number;
    if (!m.spurious && m.line === 2) {
      const s = this.slave.acknowledge();
      vector = this.slave.vectorBase + s.line;
      this.updateCascade();
    } else {
      vector = this.master.vectorBase + m.line;
    }
    this.onChange();
    return vector;
  }

  ioRead(port: number): number {
    switch (port) {
      case 0x20: return this.master.readCommand();
      case 0x21: return this.master.imr;
      case 0xa0: return this.slave.readCommand();
      case 0xa1: return this.slave.imr;
      case 0x4d0: return this.master.elcr;
      case 0x4d1: return this.slave.elcr;
    }
    return 0xff;
  }

  ioWrite(port: number, value: number): void {
    value &= 0xff;
    switch (port) {
      case 0x20: this.master.writeCommand(value); break;
      case 0x21: this.master.writeData(value); break;
      case 0xa0: this.slave.writeCommand(value); this.updateCascade(); break;
      case 0xa1: this.slave.writeData(value); this.updateCascade(); break;
      case 0x4d0: this.master.elcr = value & 0xf8; break;  // IRQ0-2 cannot be level-triggered
      case 0x4d1: this.slave.elcr = value & 0xde; this.updateCascade(); break;
      default: return;
    }
    this.onChange();
  }

  saveState(): PicState { return { master: this.master.save(), slave: this.slave.save() }; }
  restoreState(s: PicState): void { this.master.restore(s.master); this.slave.restore(s.slave); }
}
