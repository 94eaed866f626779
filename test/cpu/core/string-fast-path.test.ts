// The rep stos / rep movs fast paths (ops-string.ts storeRun, copyRun: a page's worth of elements at once) must be
// invisible: every scenario below runs twice, with the fast path and with the one-element-at-a-time
// path, and the two machines must end identical (registers, CR2, every byte of RAM, dirty pages,
// instruction count, stop reason). Each scenario also checks the architectural outcome the Intel SDM
// prescribes (vol. 2B "REP/STOS/MOVS": a fault leaves ECX/EDI counting the elements already stored, CR2 the
// first unmapped byte, EIP on the rep instruction; vol. 3 4.8 accessed/dirty bits), computed here from
// the scenario's numbers, not from the simulator.

import { strict as assert } from 'assert';
import { asm, KCODE, PGDIR, TestPc } from './pc';
import { stringFastPath } from '../../../simulator/cpu/ops-string';
import type { StopReason } from '../../../simulator/cpu/hooks';

const PT0 = 0x11000;
const P = 1, RW = 2, A = 0x20, D = 0x40;
const UNMAPPED_PAGE = 0x201;          // linear 0x201000-0x201fff: not present
const PF_HANDLER = 0x6000;
const CODE = 0x5100;

/** Flat protected mode, 0-4 MiB identity-mapped with 4 KiB pages except UNMAPPED_PAGE; #PF handler: ebp = CR2, hlt. */
function pc(paging: boolean): TestPc {
  const m = new TestPc();
  m.protectedMode(0x9000);
  m.gate(14, KCODE, PF_HANDLER, 0xe);
  m.load(PF_HANDLER, asm('mov ebp, cr2\nhlt', 32, PF_HANDLER));
  if (paging) {
    m.w32(PGDIR, PT0 | P | RW);
    for (let k = 0; k < 1024; k++) m.w32(PT0 + 4 * k, k === UNMAPPED_PAGE ? 0 : (k << 12) | P | RW);
    m.runCode(asm(`mov eax, ${PGDIR}\nmov cr3, eax\nmov eax, cr0\nor eax, 0x80000000\nmov cr0, eax\nhlt`, 32, 0x5000), 0x5000);
    m.cpu.runState = 'running';
  }
  return m;
}

interface Outcome { m: TestPc; stop: StopReason; regs: number[]; eip: number; cr2: number; count: number }

/** Runs `setup` + `code` at CODE on a fresh PC with the fast path on or off. */
function runOnce(fast: boolean, code: string, opts: { paging?: boolean; arm?: (m: TestPc) => void } = {}): Outcome {
  const saved = stringFastPath.enabled;
  stringFastPath.enabled = fast;
  try {
    const m = pc(opts.paging ?? true);
    m.load(CODE, asm(code, 32, CODE));
    m.cpu.eip = CODE;
    m.cpu.invalidateDecodedCode();
    opts.arm?.(m);
    m.cpu.run(1_000_000);
    const c = m.cpu;
    return {
      m, stop: c.stopReason, regs: [0, 1, 2, 3, 4, 5, 6, 7].map((r) => c.getReg32(r)), eip: c.eip,
      cr2: c.getControlRegister(2) >>> 0, count: c.instructionCount,
    };
  } finally { stringFastPath.enabled = saved; }
}

/** Runs both ways, asserts the machines are identical, returns the fast run. */
function both(code: string, opts: { paging?: boolean; arm?: (m: TestPc) => void } = {}): Outcome {
  const f = runOnce(true, code, opts), s = runOnce(false, code, opts);
  assert.deepEqual(f.stop, s.stop, 'stop reason');
  assert.deepEqual(f.regs, s.regs, 'general registers');
  assert.equal(f.eip, s.eip, 'EIP');
  assert.equal(f.cr2, s.cr2, 'CR2');
  assert.equal(f.count, s.count, 'instruction count (the same rep yield points)');
  assert.ok(Buffer.from(f.m.bus.ram).equals(Buffer.from(s.m.bus.ram)), 'every byte of RAM');
  assert.ok(Buffer.from(f.m.bus.dirtyPages).equals(Buffer.from(s.m.bus.dirtyPages)), 'dirty pages');
  return f;
}

const ECX = 1, EBX = 3, EBP = 5, ESI = 6, EDI = 7;

describe('cpu core: rep stos fast path equals the one-element path', () => {
  it('forward rep stosd running into a not-present page: #PF at the first element there, ECX/EDI/CR2 as the SDM says', () => {
    const start = 0x200f00, count = 0x100;
    const r = both(`mov esp, 0x8000\nmov edi, ${start}\nmov ecx, ${count}\nmov eax, 0xa5a5a5a5\ncld\nrep stosd\nhlt`);
    const stored = (0x201000 - start) / 4;
    assert.equal(r.regs[ECX], count - stored, 'ECX = elements not stored');
    assert.equal(r.regs[EDI], 0x201000, 'EDI = the faulting element');
    assert.equal(r.regs[EBP], 0x201000, 'CR2 (read by the #PF handler) = the first unmapped byte');
    assert.equal(r.m.r32(0x8000 - 4 * 4), 2, 'error code: write, supervisor, not present');
    const repStos = CODE + 5 + 5 + 5 + 5 + 1;
    assert.equal(r.m.r32(0x8000 - 3 * 4), repStos, 'return EIP = the rep stos (restartable)');
    assert.equal(r.m.r32(start), 0xa5a5a5a5);
    assert.equal(r.m.r32(0x200ffc), 0xa5a5a5a5);
    assert.equal(r.m.r32(start - 4), 0, 'nothing before the destination');
    assert.equal(r.m.r32(PT0 + 0x200 * 4) & (A | D), A | D, 'destination PTE accessed + dirty');
  });

  it('backward (std) rep stosw across a page boundary into a not-present page', () => {
    const start = 0x202010, count = 5000;
    const r = both(`mov esp, 0x8000\nmov edi, ${start}\nmov ecx, ${count}\nmov ax, 0x1234\nstd\nrep stosw\ncld\nhlt`);
    const stored = (start - 0x202000) / 2 + 1;        // 0x202010, 0x20200e, ..., 0x202000
    assert.equal(r.regs[ECX], count - stored);
    assert.equal(r.regs[EDI], 0x201ffe, 'EDI = the faulting element, the last word of the unmapped page');
    assert.equal(r.regs[EBP], 0x201ffe, 'CR2');
    assert.equal(r.m.r16(0x202000), 0x1234);
    assert.equal(r.m.r16(0x202010), 0x1234);
    assert.equal(r.m.r16(0x202012), 0, 'nothing above the start');
  });

  it('unaligned rep stosb over several pages and more than one rep slice (same yields, same count)', () => {
    const start = 0x300003, count = 10_000;
    const r = both(`mov esp, 0x8000\nmov edi, ${start}\nmov ecx, ${count}\nmov al, 0x5a\ncld\nrep stosb\nhlt`);
    assert.equal(r.regs[ECX], 0);
    assert.equal(r.regs[EDI], start + count);
    assert.equal(r.m.bus.ram[start - 1], 0);
    assert.equal(r.m.bus.ram[start + count], 0);
    assert.ok(r.m.bus.ram.subarray(start, start + count).every((b) => b === 0x5a));
    for (let pg = start >>> 12; pg <= (start + count - 1) >>> 12; pg++) assert.equal(r.m.bus.dirtyPages[pg], 1, `page ${pg.toString(16)} dirty`);
  });

  it('without paging, with a misaligned doubleword destination', () => {
    const r = both('mov esp, 0x8000\nmov edi, 0x300002\nmov ecx, 3000\nmov eax, 0x01020304\ncld\nrep stosd\nhlt', { paging: false });
    assert.equal(r.regs[ECX], 0);
    assert.equal(r.m.r32(0x300002 + 4 * 2999), 0x01020304);
    assert.equal(r.m.r32(0x300002 + 4 * 3000), 0);
  });

  it('a write watch inside the run stops after the element that hit it, the rep left restartable', () => {
    const start = 0x300000, count = 1024, watched = 0x300800;
    const r = both(`mov esp, 0x8000\nmov edi, ${start}\nmov ecx, ${count}\nmov eax, 7\ncld\nrep stosd\nhlt`, {
      arm: (m) => { m.cpu.hooks.addWatch({ start: watched, length: 4, physical: false, read: false, write: true }); },
    });
    assert.equal(r.stop.kind, 'watch');
    assert.equal(r.stop.kind === 'watch' ? r.stop.address : -1, watched);
    const stored = (watched - start) / 4 + 1;
    assert.equal(r.regs[ECX], count - stored);
    assert.equal(r.regs[EDI], watched + 4);
    assert.equal(r.m.r32(watched), 7);
    assert.equal(r.m.r32(watched + 4), 0, 'the next element is not stored yet');
  });

  it('storing over decoded code of the same page: the new bytes are what runs next', () => {
    // The rep stosb turns the `mov ebx, 0xbad` at `patch` into nops; execution falls through to `good`.
    const r = both(`mov esp, 0x8000\nmov edi, patch\nmov ecx, good - patch\nmov al, 0x90\ncld\nrep stosb\npatch: mov ebx, 0xbad\nhlt\ngood: mov ebx, 0x600d\nhlt`);
    assert.equal(r.regs[EBX], 0x600d);
  });

  it('a breakpoint on the instruction after the rep stos stops there with the run complete', () => {
    const code = `mov esp, 0x8000\nmov edi, 0x300000\nmov ecx, 2048\nmov eax, 3\ncld\nrep stosd\nafter: mov ebx, 1\nhlt`;
    const after = CODE + 5 + 5 + 5 + 5 + 1 + 2;
    const r = both(code, { arm: (m) => m.cpu.hooks.addBreakpoint(after) });
    assert.deepEqual(r.stop, { kind: 'breakpoint', address: after });
    assert.equal(r.regs[ECX], 0);
    assert.equal(r.regs[EDI], 0x300000 + 2048 * 4);
    assert.equal(r.regs[EBX], 0, 'stopped before the instruction');
  });
});

describe('cpu core: rep movs fast path equals the one-element path', () => {
  /** Code that fills `n` dwords at `at` with i*0x01010101 + 1 (distinct values), then runs `then`. */
  const fill = (at: number, n: number) => `mov edi, ${at}\nmov ecx, ${n}\nmov eax, 1\ncld\nfill: stosd\nadd eax, 0x01010101\nloop fill\n`;

  it('forward rep movsd whose source runs into a not-present page: #PF (read) at the first element there', () => {
    const src = 0x200f80, dst = 0x300000, count = 100;
    const r = both(`mov esp, 0x8000\n${fill(src, 32)}mov esi, ${src}\nmov edi, ${dst}\nmov ecx, ${count}\ncld\nrep movsd\nhlt`);
    const copied = (0x201000 - src) / 4;
    assert.equal(r.regs[ECX], count - copied);
    assert.equal(r.regs[ESI], 0x201000);
    assert.equal(r.regs[EDI], dst + copied * 4);
    assert.equal(r.regs[EBP], 0x201000, 'CR2');
    assert.equal(r.m.r32(0x8000 - 4 * 4), 0, 'error code: read, supervisor, not present');
    for (let j = 0; j < copied; j++) assert.equal(r.m.r32(dst + 4 * j), r.m.r32(src + 4 * j), `element ${j}`);
    assert.equal(r.m.r32(dst + copied * 4), 0);
  });

  it('forward rep movsd whose destination runs into a not-present page: #PF (write)', () => {
    const src = 0x300000, dst = 0x200fc0, count = 64;
    const r = both(`mov esp, 0x8000\n${fill(src, count)}mov esi, ${src}\nmov edi, ${dst}\nmov ecx, ${count}\ncld\nrep movsd\nhlt`);
    const copied = (0x201000 - dst) / 4;
    assert.equal(r.regs[ECX], count - copied);
    assert.equal(r.regs[EDI], 0x201000);
    assert.equal(r.regs[ESI], src + copied * 4);
    assert.equal(r.regs[EBP], 0x201000, 'CR2');
    assert.equal(r.m.r32(0x8000 - 4 * 4), 2, 'error code: write, supervisor, not present');
  });

  it('source and destination both not present: the source read faults first (CR2 = ESI, read error code)', () => {
    const r = both('mov esp, 0x8000\nmov esi, 0x201100\nmov edi, 0x201800\nmov ecx, 16\ncld\nrep movsd\nhlt');
    assert.equal(r.regs[EBP], 0x201100, 'CR2 = the source');
    assert.equal(r.m.r32(0x8000 - 4 * 4), 0, 'error code: read, supervisor, not present');
    assert.equal(r.regs[ECX], 16, 'nothing copied');
  });

  it('overlapping forward copy (destination = source + 4) replicates the first element, as one element at a time does', () => {
    const src = 0x300ff0, count = 300;
    const r = both(`mov esp, 0x8000\nmov dword [${src}], 0xdeadbeef\nmov esi, ${src}\nmov edi, ${src + 4}\nmov ecx, ${count}\ncld\nrep movsd\nhlt`);
    for (let j = 0; j <= count; j++) assert.equal(r.m.r32(src + 4 * j), 0xdeadbeef, `dword ${j}`);
    assert.equal(r.m.r32(src + 4 * (count + 1)), 0);
  });

  it('backward (std) rep movsb across page boundaries, more than one rep slice', () => {
    const src = 0x310000 + 9000, dst = 0x330000 + 9001, count = 9000;
    const r = both(`mov esp, 0x8000\n${fill(0x310000, 2400)}mov esi, ${src}\nmov edi, ${dst}\nmov ecx, ${count}\nstd\nrep movsb\ncld\nhlt`);
    assert.equal(r.regs[ECX], 0);
    assert.equal(r.regs[ESI], src - count);
    assert.equal(r.regs[EDI], dst - count);
    for (let j = 0; j < count; j++) assert.equal(r.m.bus.ram[dst - j], r.m.bus.ram[src - j], `byte ${j}`);
  });

  it('a read watch on the source stops after the element that read it', () => {
    const src = 0x300000, dst = 0x320000, count = 512, watched = src + 4 * 200;
    const r = both(`mov esp, 0x8000\n${fill(src, count)}mov esi, ${src}\nmov edi, ${dst}\nmov ecx, ${count}\ncld\nrep movsd\nhlt`, {
      arm: (m) => { m.cpu.hooks.addWatch({ start: watched, length: 4, physical: false, read: true, write: false }); },
    });
    assert.equal(r.stop.kind, 'watch');
    assert.equal(r.regs[ECX], count - 201);
    assert.equal(r.m.r32(dst + 4 * 200), r.m.r32(watched));
    assert.equal(r.m.r32(dst + 4 * 201), 0);
  });
});
