// The contract between one CPU and the PC around it (simulator/machine, simulator/devices).
//
// A real i686 sees the world through two address spaces — physical memory and I/O ports — plus a few
// wires: INTR from its local APIC, NMI, INIT and STARTUP. This file names exactly those, nothing more,
// so the CPU never knows which devices exist and the machine never knows how instructions execute.

/** Access width in bytes. */
export type AccessSize = 1 | 2 | 4;

/**
 * Physical memory and I/O ports as one CPU sees them. The machine gives every CPU its own CpuBus
 * object (so the local APIC MMIO page at 0xFEE00000 reaches that CPU's own APIC), but `ram` and
 * `dirtyPages` are the same arrays for every CPU: SMP CPUs share memory.
 */
export interface CpuBus {
  /**
   * Guest RAM from physical address 0. For a physical address below ram.length the CPU reads and
   * writes this array directly (little-endian); the machine keeps everything RAM-like below that
   * bound (low memory, the BIOS area with the ACPI/MP tables, extended memory).
   */
  readonly ram: Uint8Array;
  /**
   * One byte per 4 KiB page of `ram`. The CPU sets dirtyPages[paddr >>> 12] = 1 for every RAM write
   * it performs (data writes, stack pushes, accessed/dirty bits in page tables, descriptor busy bits).
   * Snapshots copy only dirty pages, and decoded-code caches use it to notice self-modifying code.
   */
  readonly dirtyPages: Uint8Array;
  /** Physical accesses at or above ram.length: MMIO devices, or unmapped space that reads all-ones. */
  readPhysical(paddr: number, size: AccessSize): number;
  writePhysical(paddr: number, size: AccessSize, value: number): void;
  /** `in` and `out`. Unknown ports read all-ones and ignore writes (the machine's job, not the CPU's). */
  ioRead(port: number, size: AccessSize): number;
  ioWrite(port: number, size: AccessSize, value: number): void;
}

/**
 * The INTR side of the local APIC as the CPU core sees it. The CPU asks only at instruction
 * boundaries, only when EFLAGS.IF = 1 and no interrupt shadow (sti, mov ss) is in effect, and only
 * after the device side has called `cpu.signalInterrupt()` — so an idle controller costs nothing.
 */
export interface InterruptController {
  /** True when an interrupt is deliverable now (priority above PPR). */
  hasPendingInterrupt(): boolean;
  /**
   * INTA cycle: moves the highest deliverable vector from IRR to ISR and returns it, or -1 when there
   * is none any more (the CPU then just continues).
   */
  acknowledgeInterrupt(): number;
}
