// The firmware tables a PC BIOS leaves in memory for the operating system, laid out as QEMU 7.2 with
// SeaBIOS presents them (so a kernel that boots there finds the same things here).
//
// - BIOS data area (BDA) at 0x400: COM1's port at 0x400, the EBDA segment at 0x40E (where MP and ACPI
//   scanners look first), base memory size in KiB at 0x413.
// - ACPI: the RSDP ("RSD PTR ", 16-byte aligned in 0xE0000-0xFFFFF) points to the RSDT, a list of
//   table addresses; the MADT (signature "APIC") describes interrupt hardware: the local APIC address,
//   one Processor Local APIC entry per CPU (ACPI id, APIC id, enabled), the IOAPIC (id, address, first
//   GSI) and Interrupt Source Overrides for ISA IRQs that are not wired to the IOAPIC pin of the same
//   number — on a PC the PIT's IRQ 0 arrives at pin (GSI) 2; QEMU also declares IRQs 5, 9, 10, 11
//   level-triggered, active high. Each table's bytes sum to 0 mod 256 (the checksum byte makes it so).
// - Intel MultiProcessor Specification 1.4: the floating pointer "_MP_" points to the configuration
//   table "PCMP" with processor, bus, IOAPIC and interrupt-assignment entries. On QEMU 7.2 + SeaBIOS this
//   table lists only the boot CPU (while the MADT lists every CPU); we reproduce that, so a kernel must
//   discover its CPUs through the MADT — here as there.

import { BIOS_AREA_BASE, EBDA_BASE } from './multiboot';
import { LAPIC_BASE } from '../devices/lapic';
import { IOAPIC_BASE } from '../devices/ioapic';

export const RSDT_ADDR = BIOS_AREA_BASE;            // 0xE0000
export const MADT_ADDR = BIOS_AREA_BASE + 0x100;    // 0xE0100
export const RSDP_ADDR = 0xf0000;
export const MP_FLOATING_ADDR = 0xf0100;
export const MP_CONFIG_ADDR = 0xf0200;
/** IOAPIC id as QEMU's ACPI tables give it. */
export const IOAPIC_ID = 0;

class ByteWriter {
  readonly bytes: number[] = [];
  u8(v: number): this { this.bytes.push(v & 0xff); return this; }
  u16(v: number): this { return this.u8(v).u8(v >>> 8); }
  u32(v: number): this { return this.u16(v).u16(v >>> 16); }
  str(s: string, len: number): this {
    for (let i = 0; i < len; i++) this.u8(i < s.length ? s.charCodeAt(i) : 0x20);
    return this;
  }
  zeros(n: number): this { for (let i = 0; i < n; i++) this.u8(0); return this; }
  get length(): number { return this.bytes.length; }
  setU16(at: number, v: number): void { this.bytes[at] = v & 0xff; this.bytes[at + 1] = (v >>> 8) & 0xff; }
  setU32(at: number, v: number): void { this.setU16(at, v); this.setU16(at + 2, v >>> 16); }
  /** Makes bytes [from, to) sum to zero by setting the byte at `at`. */
  checksum(at: number, from = 0, to = this.bytes.length): void {
    this.bytes[at] = 0;
    let sum = 0;
    for (let i = from; i < to; i++) sum += this.bytes[i];
    this.bytes[at] = (256 - (sum & 0xff)) & 0xff;
  }
}

/** Standard 36-byte ACPI table header; length and checksum are filled by finishAcpiTable. */
function acpiHeader(w: ByteWriter, signature: string, revision: number, tableId: string): void {
  w.str(signature, 4).u32(0).u8(revision).u8(0).str('KSIM', 6).str(tableId, 8).u32(1).str('KSIM', 4).u32(1);
}

function finishAcpiTable(w: ByteWriter): void {
  w.setU32(4, w.length);
  w.checksum(9);
}

export function buildMadt(cpuCount: number): Uint8Array {
  const w = new ByteWriter();
  acpiHeader(w, 'APIC', 1, 'KSIMMADT');
  w.u32(LAPIC_BASE).u32(1);  // local APIC address; flags: PCAT_COMPAT (dual 8259s present)
  for (let i = 0; i < cpuCount; i++) w.u8(0).u8(8).u8(i).u8(i).u32(1);                 // processor local APIC
  w.u8(1).u8(12).u8(IOAPIC_ID).u8(0).u32(IOAPIC_BASE).u32(0);                           // IOAPIC, GSI base 0
  w.u8(2).u8(10).u8(0).u8(0).u32(2).u16(0);                                             // ISA IRQ 0 -> GSI 2
  for (const irq of [5, 9, 10, 11]) w.u8(2).u8(10).u8(0).u8(irq).u32(irq).u16(0x000d); // level, active high
  w.u8(4).u8(6).u8(0xff).u16(0).u8(1);                                                  // NMI on LINT1, all CPUs
  finishAcpiTable(w);
  return Uint8Array.from(w.bytes);
}

export function buildRsdt(tables: number[]): Uint8Array {
  const w = new ByteWriter();
  acpiHeader(w, 'RSDT', 1, 'KSIMRSDT');
  for (const t of tables) w.u32(t);
  finishAcpiTable(w);
  return Uint8Array.from(w.bytes);
}

export function buildRsdp(rsdt: number): Uint8Array {
  const w = new ByteWriter();
  w.str('RSD PTR ', 8).u8(0).str('KSIM', 6).u8(0).u32(rsdt);  // ACPI 1.0 RSDP: 20 bytes
  w.checksum(8);
  return Uint8Array.from(w.bytes);
}

/** MP configuration table: boot CPU only (as SeaBIOS on QEMU 7.2), ISA bus, the IOAPIC, ISA IRQ routing. */
export function buildMpConfig(): Uint8Array {
  const w = new ByteWriter();
  w.str('PCMP', 4).u16(0).u8(4).u8(0).str('KSIM', 8).str('0.1', 12).u32(0).u16(0).u16(0).u32(LAPIC_BASE)
    .u16(0).u8(0).u8(0);
  let entries = 0;
  // Processor: APIC id 0, version 0x14, enabled + bootstrap, family 6 signature, features FPU|APIC.
  w.u8(0).u8(0).u8(0x14).u8(0x03).u32(0x600).u32(0x201).zeros(8); entries++;
  w.u8(1).u8(0).str('ISA   ', 6); entries++;
  w.u8(2).u8(IOAPIC_ID).u8(0x11).u8(1).u32(IOAPIC_BASE); entries++;
  for (let irq = 0; irq < 16; irq++) {
    if (irq === 2) continue;
    w.u8(3).u8(0).u16(0).u8(0).u8(irq).u8(IOAPIC_ID).u8(irq === 0 ? 2 : irq); entries++;
  }
  w.u8(4).u8(3).u16(0).u8(0).u8(0).u8(0xff).u8(0); entries++;  // ExtINT -> LINT0 of all
  w.u8(4).u8(1).u16(0).u8(0).u8(0).u8(0xff).u8(1); entries++;  // NMI -> LINT1 of all
  w.setU16(4, w.length);
  w.setU16(34, entries);
  w.checksum(7);
  return Uint8Array.from(w.bytes);
}

export function buildMpFloating(configAddr: number): Uint8Array {
  const w = new ByteWriter();
  w.str('_MP_', 4).u32(configAddr).u8(1).u8(4).u8(0).u8(0).zeros(4);
  w.checksum(10);
  return Uint8Array.from(w.bytes);
}

/** Writes the BDA, EBDA header, ACPI and MP tables, and a halt loop at the reset vector. */
export function installBiosTables(ram: Uint8Array, dirtyPages: Uint8Array, cpuCount: number): void {
  const view = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  view.setUint16(0x400, 0x3f8, true);            // COM1 base port
  view.setUint16(0x40e, EBDA_BASE >>> 4, true);  // EBDA segment
  view.setUint16(0x410, 0x0027, true);           // equipment word: FPU, 80x25 colour, 1 serial port (bits 9-11 set below)
  view.setUint16(0x410, view.getUint16(0x410, true) | (1 << 9), true);
  view.setUint16(0x413, EBDA_BASE >>> 10, true); // base memory KiB (639)
  view.setUint16(EBDA_BASE, 1, true);            // EBDA size in KiB

  ram.fill(0, BIOS_AREA_BASE, 0x100000);
  ram.set(buildRsdt([MADT_ADDR]), RSDT_ADDR);
  ram.set(buildMadt(cpuCount), MADT_ADDR);
  ram.set(buildRsdp(RSDT_ADDR), RSDP_ADDR);
  ram.set(buildMpFloating(MP_CONFIG_ADDR), MP_FLOATING_ADDR);
  ram.set(buildMpConfig(), MP_CONFIG_ADDR);
  // F000:FFF0, where a CPU starts after reset: "cli; hlt; jmp $-2" — no BIOS code runs in ksim.
  ram.set([0xfa, 0xf4, 0xeb, 0xfd], 0xffff0);
  for (let p = 0; p < 0x100; p++) dirtyPages[p] = 1;
}
