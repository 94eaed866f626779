// A small PC for the CPU core's own tests: RAM, one Cpu, nasm to assemble test code, and helpers that
// lay out a GDT/IDT/TSS/page tables in guest memory the way a kernel would.

import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Cpu } from '../../../simulator/cpu/cpu';
import type { InterruptController } from '../../../simulator/cpu/bus';
import { RamBus } from '../harness/ram-bus';

const asmCache = new Map<string, Uint8Array>();

/** Assembles `src` (nasm syntax; `bits`/`org` given by the caller) into a flat binary. */
export function asm(src: string, bits: 16 | 32, org: number): Uint8Array {
  const key = `${bits}:${org}:${src}`;
  const hit = asmCache.get(key);
  if (hit) return hit;
  const dir = mkdtempSync(join(tmpdir(), 'ksim-asm-'));
  try {
    writeFileSync(join(dir, 'a.asm'), `bits ${bits}\norg 0x${org.toString(16)}\n${src}\n`);
    execFileSync('nasm', ['-f', 'bin', '-o', join(dir, 'a.bin'), join(dir, 'a.asm')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = new Uint8Array(readFileSync(join(dir, 'a.bin')));
    asmCache.set(key, out);
    return out;
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

export const GDT = 0x1000, IDT = 0x2000, TSS = 0x3000, PGDIR = 0x10000;
export const KCODE = 0x08, KDATA = 0x10, UCODE = 0x1b, UDATA = 0x23, TSS_SEL = 0x28;

/** A test interrupt controller: a queue of vectors. */
export class FakeApic implements InterruptController {
  queue: number[] = [];
  hasPendingInterrupt(): boolean { return this.queue.length > 0; }
  acknowledgeInterrupt(): number { return this.queue.length ? this.queue.shift()! : -1; }
}

export class TestPc {
  readonly bus = new RamBus(16 << 20);
  readonly cpu = new Cpu(this.bus, { id: 0 });

  load(addr: number, bytes: Uint8Array): void { this.bus.ram.set(bytes, addr); }
  w8(a: number, v: number): void { this.bus.ram[a] = v; }
  w16(a: number, v: number): void { this.bus.ram[a] = v; this.bus.ram[a + 1] = v >>> 8; }
  w32(a: number, v: number): void { for (let k = 0; k < 4; k++) this.bus.ram[a + k] = v >>> (8 * k); }
  r32(a: number): number { const r = this.bus.ram; return (r[a] | (r[a + 1] << 8) | (r[a + 2] << 16) | (r[a + 3] << 24)) >>> 0; }
  r16(a: number): number { return this.bus.ram[a] | (this.bus.ram[a + 1] << 8); }

  /** Writes descriptor `index` of the GDT. `access` = P|DPL|S|type byte, `flags` = G|D nibble. */
  descriptor(index: number, base: number, limit: number, access: number, flags: number): void {
    const a = GDT + index * 8;
    this.w16(a, limit & 0xffff);
    this.w16(a + 2, base & 0xffff);
    this.w8(a + 4, (base >>> 16) & 0xff);
    this.w8(a + 5, access);
    this.w8(a + 6, ((limit >>> 16) & 0xf) | (flags << 4));
    this.w8(a + 7, base >>> 24);
  }

  /** IDT gate: type 0xe interrupt gate, 0xf trap gate, 0x5 task gate. */
  gate(vector: number, selector: number, offset: number, type: number, dpl = 0, present = true): void {
    const a = IDT + vector * 8;
    this.w16(a, offset & 0xffff);
    this.w16(a + 2, selector);
    this.w8(a + 4, 0);
    this.w8(a + 5, (present ? 0x80 : 0) | (dpl << 5) | type);
    this.w16(a + 6, offset >>> 16);
  }

  /**
   * Flat protected mode the way a kernel sets it up: GDT with ring-0 and ring-3 flat code/data and a
   * TSS (ESP0 = esp0, SS0 = KDATA), all loaded through the CPU's own instructions' paths.
   */
  protectedMode(esp0 = 0x9000): void {
    this.descriptor(0, 0, 0, 0, 0);
    this.descriptor(1, 0, 0xfffff, 0x9a, 0xc);
    this.descriptor(2, 0, 0xfffff, 0x92, 0xc);
    this.descriptor(3, 0, 0xfffff, 0xfa, 0xc);
    this.descriptor(4, 0, 0xfffff, 0xf2, 0xc);
    this.descriptor(5, TSS, 0x67, 0x89, 0);
    this.w32(TSS + 4, esp0);
    this.w32(TSS + 8, KDATA);
    this.w16(TSS + 0x66, 0x68); // no I/O bitmap inside the limit
    const c = this.cpu;
    c.enterFlatProtectedMode();
    c.gdtBase = GDT; c.gdtLimit = 8 * 6 - 1;
    c.idtBase = IDT; c.idtLimit = 256 * 8 - 1;
    // ltr through the instruction, so the busy bit is set as hardware does
    this.runCode(asm(`mov ax, ${TSS_SEL}\nltr ax\nmov ax, ${KDATA}\nmov ds, ax\nmov es, ax\nmov ss, ax\nhlt`, 32, 0x7000), 0x7000);
    c.runState = 'running';
  }

  /** Loads code at `at`, points EIP there and runs until hlt (or `budget` instructions). */
  runCode(code: Uint8Array, at: number, budget = 1_000_000): number {
    this.load(at, code);
    this.cpu.eip = at;
    return this.run(budget);
  }
  run(budget = 1_000_000): number {
    this.cpu.invalidateDecodedCode();
    return this.cpu.run(budget);
  }
}
