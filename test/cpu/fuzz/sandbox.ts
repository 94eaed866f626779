// Fuzz sandbox: one Cpu on a 32 MiB RAM bus, prepared in five execution modes, that executes random byte
// sequences and checks the one property every guest behaviour must keep — the interpreter never throws a
// JavaScript exception; anything wrong the bytes do becomes an architectural exception (delivered through
// the IDT/IVT to a `hlt` handler) or a halt/shutdown.
//
// The modes are reached the way a kernel reaches them — by executing a bootstrap (lgdt, lidt, far jmp,
// segment loads, ltr, CR3/CR4/CR0 writes, iret to ring 3) on the CPU itself — and then captured with
// saveState(), so every sequence starts from an exact, architecturally built state:
//   pm32-flat   32-bit protected mode, ring 0, paging off
//   pm32-paged  the same with paging (4 MiB PSE pages, 4-8 MiB supervisor-only, CR0.WP)
//   pm32-user   ring 3 with paging (TSS esp0 for the way back in)
//   pm16        a 16-bit code segment in protected mode, ring 0
//   real        real mode (the application processors' start mode)
// Each sequence gets fresh code bytes at a fresh address (1M sequences x 16 bytes fill 16 MiB), so no
// code byte is ever rewritten behind the decoded-code cache; the system-structure pages (GDT, IDT, TSS,
// page directory, stacks: the first 64 KiB) are restored after any sequence that wrote them.

import { Cpu } from '../../../simulator/cpu/cpu';
import type { CpuSnapshot } from '../../../simulator/cpu/state';
import { RamBus } from '../harness/ram-bus';

export const MODES = ['pm32-flat', 'pm32-paged', 'pm32-user', 'pm16', 'real'] as const;
export type Mode = (typeof MODES)[number];

const RAM = 32 << 20;
const SYS_PAGES = 16; // 0-64 KiB: structures restored after each sequence
const GDT = 0x1000, IDT = 0x2000, TSS = 0x3000, PD = 0x4000, HANDLER = 0x5000, BOOT_AREA = 0x6000;
const KSTACK = 0x9000, USTACK = 0xa000, DESC_PTRS = 0x0f00;
const CODE_BASE = 0x00800000, CODE_SLOTS = (16 << 20) / 16;

/** Deterministic xorshift32 (no Math.random anywhere in the fuzz). */
export class Rng {
  constructor(private s: number) { if (!this.s) this.s = 1; }
  next(): number { let x = this.s; x ^= x << 13; x ^= x >>> 17; x ^= x << 5; this.s = x >>> 0; return this.s; }
  below(n: number): number { return this.next() % n; }
}

function put32(ram: Uint8Array, a: number, v: number) { ram[a] = v; ram[a + 1] = v >>> 8; ram[a + 2] = v >>> 16; ram[a + 3] = v >>> 24; }
function descriptor(ram: Uint8Array, a: number, base: number, limit: number, access: number, flags: number) {
  put32(ram, a, ((base & 0xffff) << 16) | (limit & 0xffff));
  put32(ram, a + 4, (base & 0xff000000) | ((flags & 0xf) << 20) | (limit & 0xf0000) | ((access & 0xff) << 8) | ((base >>> 16) & 0xff));
}

export interface SequenceResult {
  /** JavaScript exception text, when the CPU threw (the property is violated). */
  error?: string;
  retired: number;
  /** First vector delivered, or -1. */
  vector: number;
}

export class FuzzSandbox {
  readonly bus = new RamBus(RAM);
  readonly cpu = new Cpu(this.bus, { id: 0 });
  private readonly pristine: Uint8Array;
  private readonly snapshots = new Map<Mode, CpuSnapshot>();
  private delivered = -1;
  private readonly onDelivery = (e: { vector: number }) => { if (this.delivered < 0) this.delivered = e.vector; return true; };

  constructor() {
    const ram = this.bus.ram;
    // GDT: null, 0x08 code32, 0x10 data32, 0x1b user code, 0x23 user data, 0x28 TSS, 0x30 code16, 0x38 data16
    descriptor(ram, GDT + 0x08, 0, 0xfffff, 0x9a, 0xc);
    descriptor(ram, GDT + 0x10, 0, 0xfffff, 0x92, 0xc);
    descriptor(ram, GDT + 0x18, 0, 0xfffff, 0xfa, 0xc);
    descriptor(ram, GDT + 0x20, 0, 0xfffff, 0xf2, 0xc);
    descriptor(ram, GDT + 0x28, TSS, 0x67, 0x89, 0);
    descriptor(ram, GDT + 0x30, 0, 0xffff, 0x9a, 0);
    descriptor(ram, GDT + 0x38, 0, 0xffff, 0x92, 0);
    ram[DESC_PTRS] = 0x3f; put32(ram, DESC_PTRS + 2, GDT);          // GDTR: limit 0x3f
    ram[DESC_PTRS + 8] = 0xff; ram[DESC_PTRS + 9] = 0x07; put32(ram, DESC_PTRS + 10, IDT); // IDTR: 256 gates
    // IDT: every vector an interrupt gate to HANDLER (`hlt`); DPL 3 for the even vectors so int n from
    // ring 3 reaches some gates and #GPs on others
    for (let v = 0; v < 256; v++) {
      put32(ram, IDT + v * 8, (0x08 << 16) | (HANDLER & 0xffff));
      put32(ram, IDT + v * 8 + 4, (HANDLER & 0xffff0000) | ((v & 1 ? 0x8e : 0xee) << 8));
    }
    // real-mode IVT at 0: every vector -> 0000:HANDLER
    for (let v = 0; v < 256; v++) put32(ram, v * 4, HANDLER);
    ram[HANDLER] = 0xf4;
    put32(ram, TSS + 4, KSTACK); put32(ram, TSS + 8, 0x10); ram[TSS + 102] = 0x68;
    // page directory: 8 x 4 MiB identity pages; 4-8 MiB supervisor-only; the rest of the 4 GiB absent
    for (let i = 0; i < 8; i++) put32(ram, PD + i * 4, (i << 22) | 0x83 | (i === 1 ? 0 : 4));
    this.pristine = ram.slice(0, SYS_PAGES * 4096);

    this.snapshots.set('pm32-flat', this.boot(false, false));
    this.snapshots.set('pm32-paged', this.boot(true, false));
    this.snapshots.set('pm32-user', this.boot(true, true));
    this.snapshots.set('pm16', this.boot(false, false, true));
    this.cpu.reset();
    this.snapshots.set('real', this.cpu.saveState());
  }

  /** Runs the bootstrap on the CPU and returns the state it reaches. */
  private boots = 0;
  private boot(paging: boolean, user: boolean, code16 = false): CpuSnapshot {
    // each bootstrap at its own address: RAM written behind the CPU's back must not hold decoded code
    const BOOT = BOOT_AREA + 0x200 * this.boots++;
    const b: number[] = [];
    const d32 = (v: number) => b.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
    b.push(0x0f, 0x01, 0x15); d32(DESC_PTRS);               // lgdt [DESC_PTRS]
    b.push(0x0f, 0x01, 0x1d); d32(DESC_PTRS + 8);           // lidt [DESC_PTRS+8]
    const farAt = b.length;
    b.push(0xea); d32(0); b.push(0x08, 0x00);                // jmp 0x08:next
    put32Arr(b, farAt + 1, BOOT + b.length);
    for (const sreg of [0xd8, 0xc0, 0xd0, 0xe0, 0xe8]) b.push(0x66, 0xb8, 0x10, 0x00, 0x8e, sreg); // mov ax,0x10; mov sreg,ax
    b.push(0x66, 0xb8, 0x28, 0x00, 0x0f, 0x00, 0xd8);       // mov ax,0x28; ltr ax
    b.push(0xbc); d32(KSTACK);                               // mov esp, KSTACK
    if (paging) {
      b.push(0xb8); d32(PD); b.push(0x0f, 0x22, 0xd8);        // mov eax, PD; mov cr3, eax
      b.push(0x0f, 0x20, 0xe0, 0x83, 0xc8, 0x10, 0x0f, 0x22, 0xe0); // cr4 |= PSE
      b.push(0x0f, 0x20, 0xc0, 0x0d); d32(0x80010000); b.push(0x0f, 0x22, 0xc0); // cr0 |= PG|WP
    }
    const mark = BOOT + b.length + (user ? 17 : code16 ? 7 : 0);
    if (user) {
      b.push(0x6a, 0x23, 0x68); d32(USTACK);                 // push 0x23; push USTACK
      b.push(0x6a, 0x02, 0x6a, 0x1b, 0x68); d32(mark);       // push 2 (eflags); push 0x1b; push mark
      b.push(0xcf);                                          // iret
    } else if (code16) {
      b.push(0xea); d32(mark); b.push(0x30, 0x00);            // jmp 0x30:mark (16-bit code segment)
    }
    this.bus.ram.set(b, BOOT);
    this.bus.ram[mark] = 0x90;
    const c = this.cpu;
    c.reset();
    c.enterFlatProtectedMode();
    c.eip = BOOT;
    let fault = '';
    c.hooks.onDelivery = (e) => { fault ||= ` after vector ${e.vector} (error ${e.errorCode}) at ${e.returnEip.toString(16)}`; };
    for (let i = 0; i < 200 && c.eip !== mark; i++) c.step();
    c.hooks.onDelivery = undefined;
    if (c.eip !== mark || c.runState !== 'running') throw new Error(`fuzz bootstrap did not reach its mode (eip ${c.eip.toString(16)}${fault})`);
    if (user && c.cpl !== 3) throw new Error('fuzz bootstrap: not in ring 3');
    const s = c.saveState();
    this.bus.ram.set(this.pristine, 0);
    return s;
  }

  /**
   * Executes one random sequence (`index` picks the code slot) in `mode`: up to `maxSteps` steps through
   * step() with the delivery hook armed, or one run() call on the hook-free fast path.
   */
  runSequence(index: number, mode: Mode, rng: Rng, useRun: boolean, maxSteps = 6): SequenceResult {
    const c = this.cpu, ram = this.bus.ram;
    const addr = CODE_BASE + (index % CODE_SLOTS) * 16;
    fillBytes(ram, addr, rng);
    c.restoreState(this.snapshots.get(mode)!);
    for (let r = 0; r < 8; r++) c.setReg32(r, randomValue(rng));
    if (rng.below(2)) c.setReg32(4, mode === 'pm32-user' ? USTACK - rng.below(64) * 4 : KSTACK - rng.below(64) * 4);
    let flags = c.getEflags() & ~0x8d5 | (rng.next() & 0x8d5) | (rng.below(8) === 0 ? 0x400 : 0);
    if (rng.below(16) === 0) flags |= 0x100;                 // TF: single-step trap
    if (mode === 'pm32-user' && rng.below(8) === 0) flags |= 0x3000; // IOPL 3
    c.setEflags(flags);
    if (mode === 'pm16' || mode === 'real') {
      const base = (addr & ~0xffff) >>> 0;
      const cs = c.getSegment(1);
      c.loadSegmentRaw(1, mode === 'real' ? (base >>> 4) & 0xffff : cs.selector, base, 0xffff, cs.access);
      c.eip = addr & 0xffff;
    } else {
      c.eip = addr;
    }
    this.bus.exitValue = undefined;
    this.delivered = -1;
    const before = c.instructionCount;
    let error: string | undefined;
    try {
      if (useRun) {
        c.hooks.onDelivery = undefined;
        c.run(maxSteps);
      } else {
        c.hooks.onDelivery = this.onDelivery;
        for (let k = 0; k < maxSteps && this.delivered < 0 && c.runState === 'running'; k++) c.step();
      }
    } catch (e) {
      error = (e as Error)?.stack ?? String(e);
    }
    const d = this.bus.dirtyPages;
    for (let p = 0; p < SYS_PAGES; p++) {
      if (d[p]) { ram.set(this.pristine.subarray(p * 4096, (p + 1) * 4096), p * 4096); d[p] = 0; }
    }
    return { error, retired: c.instructionCount - before, vector: this.delivered };
  }

  codeAt(index: number): Uint8Array {
    const a = CODE_BASE + (index % CODE_SLOTS) * 16;
    return this.bus.ram.slice(a, a + 16);
  }
}

function put32Arr(b: number[], at: number, v: number) { for (let i = 0; i < 4; i++) b[at + i] = (v >>> (8 * i)) & 0xff; }

// Bytes that make random code reach deeper: prefixes, the 0F escape, ModRM forms with SIB/displacements.
const INTERESTING = [0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65, 0x0f, 0x0f, 0x0f,
  0x04, 0x05, 0x44, 0x84, 0xc0, 0xff, 0x00, 0x80, 0x8e, 0xcd, 0xcf, 0x9a, 0xea, 0x22, 0x20, 0x01, 0x00];

function fillBytes(ram: Uint8Array, addr: number, rng: Rng): void {
  const structured = rng.below(2) === 0;
  for (let i = 0; i < 16; i++) {
    ram[addr + i] = structured && rng.below(3) === 0 ? INTERESTING[rng.below(INTERESTING.length)] : rng.next() & 0xff;
  }
}

function randomValue(rng: Rng): number {
  switch (rng.below(4)) {
    case 0: return rng.next();
    case 1: return rng.below(0x100);
    case 2: return rng.below(RAM);                           // a valid RAM address
    default: return [0, 0xffffffff, 0x80000000, 0x7fffffff, 0xfffff000, 0x10, 0x28, 0x1b][rng.below(8)];
  }
}
