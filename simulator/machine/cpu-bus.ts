// The view of the PC that one CPU has (simulator/cpu/bus.ts): shared RAM, plus a per-CPU route for the
// local APIC page so that every CPU's accesses to 0xFEE00000 reach its *own* APIC — on real hardware
// the APIC sits inside the processor and intercepts that page before the system bus sees it.

import type { AccessSize, CpuBus } from '../cpu/bus';
import { LAPIC_BASE } from '../devices/lapic';
import { IOAPIC_BASE } from '../devices/ioapic';

/** What a CpuPort forwards to the machine. */
export interface BusBackend {
  /** Virtual time as seen by CPU `cpu` right now (machine time + what it ran of the current slice). */
  cpuNow(cpu: number): number;
  lapicRead(cpu: number, offset: number, now: number): number;
  lapicWrite(cpu: number, offset: number, value: number, now: number): void;
  ioapicRead(offset: number): number;
  ioapicWrite(offset: number, value: number): void;
  ioRead(cpu: number, port: number, size: AccessSize): number;
  ioWrite(cpu: number, port: number, size: AccessSize, value: number): void;
}

const ONES = [0, 0xff, 0xffff, 0, 0xffffffff];
const BIOS_ALIAS_BASE = 0xfffe0000;

export class CpuPort implements CpuBus {
  constructor(
    readonly ram: Uint8Array,
    readonly dirtyPages: Uint8Array,
    private readonly cpu: number,
    private readonly backend: BusBackend,
  ) {}

  readPhysical(paddr: number, size: AccessSize): number {
    paddr >>>= 0;
    const page = (paddr & 0xfffff000) >>> 0;  // (& yields a signed int32 in JS)
    if (page === LAPIC_BASE) {
      // APIC registers are 32-bit at 16-byte strides; narrower reads take bytes of the aligned register.
      const reg = this.backend.lapicRead(this.cpu, paddr & 0xffc, this.backend.cpuNow(this.cpu));
      return size === 4 ? reg >>> 0 : (reg >>> ((paddr & 3) * 8)) & ONES[size];
    }
    if (page === IOAPIC_BASE) {
      const reg = this.backend.ioapicRead(paddr & 0xffc);
      return size === 4 ? reg >>> 0 : (reg >>> ((paddr & 3) * 8)) & ONES[size];
    }
    if (paddr >= BIOS_ALIAS_BASE && this.ram.length >= 0x100000) {
      // The top 128 KiB of the 4 GiB space alias the BIOS area (0xE0000-0xFFFFF), as the firmware ROM is
      // mapped on a PC: a CPU leaving reset at F000:FFF0 (linear 0xFFFFFFF0) executes what is there.
      const a = 0xe0000 + (paddr - BIOS_ALIAS_BASE);
      let v = 0;
      for (let i = 0; i < size; i++) v |= (a + i < 0x100000 ? this.ram[a + i] : 0xff) << (8 * i);
      return v >>> 0;
    }
    return ONES[size];  // nothing there: the bus floats high
  }

  writePhysical(paddr: number, size: AccessSize, value: number): void {
    paddr >>>= 0;
    const page = (paddr & 0xfffff000) >>> 0;  // (& yields a signed int32 in JS)
    if (page === LAPIC_BASE) {
      if (size === 4 && (paddr & 3) === 0) this.backend.lapicWrite(this.cpu, paddr & 0xffc, value >>> 0, this.backend.cpuNow(this.cpu));
      return;  // sub-dword APIC writes are undefined on hardware; ignored
    }
    if (page === IOAPIC_BASE) {
      if (size === 4 && (paddr & 3) === 0) this.backend.ioapicWrite(paddr & 0xffc, value >>> 0);
    }
  }

  ioRead(port: number, size: AccessSize): number { return this.backend.ioRead(this.cpu, port & 0xffff, size); }
  ioWrite(port: number, size: AccessSize, value: number): void { this.backend.ioWrite(this.cpu, port & 0xffff, size, value); }
}
