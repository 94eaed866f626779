// A bare PC for CPU tests: RAM from address 0, nothing mapped above it (reads all-ones), and one device —
// QEMU's isa-debug-exit at port 0xf4, through which a test kernel ends the run with a status byte.
// The verification suites (vectors, fuzz, QEMU traces) use it so that they depend on the Cpu alone.

import type { AccessSize, CpuBus } from '../../../simulator/cpu/bus';

export const DEBUG_EXIT_PORT = 0xf4;

export class RamBus implements CpuBus {
  readonly ram: Uint8Array;
  readonly dirtyPages: Uint8Array;
  /** The value the guest wrote to port 0xf4, or undefined while it has not. */
  exitValue: number | undefined;
  /** Bytes written to COM1's transmit register (0x3f8), for test kernels that print. */
  serial = '';

  constructor(ramBytes: number) {
    if (ramBytes % 4096) throw new Error('RamBus: size must be a whole number of 4 KiB pages');
    this.ram = new Uint8Array(ramBytes);
    this.dirtyPages = new Uint8Array(ramBytes >>> 12);
  }

  readPhysical(_paddr: number, size: AccessSize): number {
    return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
  }
  writePhysical(_paddr: number, _size: AccessSize, _value: number): void {}

  ioRead(port: number, size: AccessSize): number {
    if (port === 0x3fd) return 0x60; // COM1 line status: transmitter empty
    return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
  }
  ioWrite(port: number, _size: AccessSize, value: number): void {
    if (port === DEBUG_EXIT_PORT && this.exitValue === undefined) this.exitValue = value >>> 0;
    else if (port === 0x3f8) this.serial += String.fromCharCode(value & 0xff);
  }
}
