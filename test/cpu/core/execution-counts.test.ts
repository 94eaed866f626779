// Per-instruction execution counts (simulator/cpu/execution-counts.ts) must be exact whatever path ran
// the code. The oracle is the plainest possible profiler: single-step the same program with step()
// (the one-instruction interpreter path, no compiled blocks) and count the EIP of every step that
// executed an instruction. The counts the CPU keeps while running at full speed — interpreter plus
// compiled blocks, exits in the middle of blocks, faults in the middle of blocks — must equal it
// address by address, and, for a hand-written loop, equal the counts its structure dictates.

import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import { join } from 'path';
import { Cpu } from '../../../simulator/cpu/cpu';
import { codeCacheFor } from '../../../simulator/cpu/code-cache';
import { parseMultibootKernel } from '../../../simulator/machine/multiboot';
import { RamBus } from '../harness/ram-bus';
import { asm, KCODE, TestPc } from './pc';

const ELF = join(__dirname, '../../../simulator/bench/guest/build/bench.elf');

/** The gcc -O2 bench guest (sieve, quicksort, matrix multiply, CRC32, rep movs/stos), flat, no paging. */
function benchCpu(): Cpu {
  const kernel = parseMultibootKernel(new Uint8Array(readFileSync(ELF)));
  const bus = new RamBus(4 << 20);
  for (const s of kernel.segments) bus.ram.set(s.data, s.paddr);
  const cpu = new Cpu(bus, { id: 0 });
  cpu.enterFlatProtectedMode();
  cpu.setReg32(0, 0x2badb002);
  cpu.eip = kernel.entry;
  return cpu;
}

/** Single-steps `n` instructions, counting the address (flat: linear = physical) of each one executed. */
function stepCounting(cpu: Cpu, n: number, counts: Map<number, number> | undefined): void {
  for (let done = 0; done < n;) {
    const at = (cpu.getSegment(1).base + cpu.eip) >>> 0;
    const retired = cpu.step();
    if (retired && counts) counts.set(at, (counts.get(at) ?? 0) + 1);
    done += retired;
  }
}

/** Every non-zero counter of the CPU's RAM as address -> count. */
function countsOf(cpu: Cpu, ramBytes: number): Map<number, number> {
  const out = new Map<number, number>();
  for (let a = 0; a < ramBytes; a++) {
    const c = cpu.executionCounts.at(a);
    if (c !== 0) out.set(a, c);
  }
  return out;
}

function assertSameCounts(actual: Map<number, number>, expected: Map<number, number>): void {
  const diffs: string[] = [];
  for (const a of new Set([...actual.keys(), ...expected.keys()])) {
    const x = actual.get(a) ?? 0, y = expected.get(a) ?? 0;
    if (x !== y) diffs.push(`0x${a.toString(16)}: counted ${x}, single-stepping ${y}`);
  }
  assert.deepEqual(diffs.slice(0, 10), [], `${diffs.length} addresses differ`);
}

describe('cpu core: execution counts (profiling)', () => {
  it('are off by default and leave execution unchanged when on', function () {
    this.timeout(120_000);
    const plain = benchCpu();
    assert.equal(plain.profiling, false);
    plain.run(500_000);
    assert.equal(plain.executionCounts.total(), 0, 'nothing is counted while profiling is off');
    const profiled = benchCpu();
    profiled.profiling = true;
    profiled.run(500_000);
    assert.equal(JSON.stringify(profiled.saveState()), JSON.stringify(plain.saveState()));
  });

  it('with compiled blocks equal single-stepping, address by address, after a run-time switch', function () {
    this.timeout(300_000);
    const before = 150_000, during = 4_000_000;
    // Oracle: step() through the same instructions; count only those after the switch.
    const oracle = new Map<number, number>();
    const stepped = benchCpu();
    stepCounting(stepped, before, undefined);
    stepCounting(stepped, during, oracle);

    // Full speed: blocks on, uneven run() slices so blocks meet budget boundaries everywhere.
    const saved = Cpu.useBlocks;
    Cpu.useBlocks = true;
    try {
      const cpu = benchCpu();
      let left = before;
      for (let k = 0; left > 0; k++) left -= cpu.run(Math.min(left, 9_973 + (k % 7) * 131));
      cpu.profiling = true;
      left = during;
      for (let k = 0; left > 0; k++) left -= cpu.run(Math.min(left, 20_011 + (k % 5) * 977));
      assert.equal(cpu.instructionCount, stepped.instructionCount);
      const counted = countsOf(cpu, 4 << 20);
      assertSameCounts(counted, oracle);
      // No faults and all code in RAM: every instruction since the switch is counted once.
      assert.equal(cpu.executionCounts.total(), during);
      // The compiled blocks did run (the test would prove nothing about them otherwise).
      const eip = cpu.eip;
      const page = codeCacheFor(cpu.bus).page(eip >>> 12, 1);
      assert.ok(page.blocks.some((b) => b !== undefined && b.length > 1), 'compiled blocks on the current page');
    } finally { Cpu.useBlocks = saved; }
  });

  it('count a fault in the middle of a compiled block, and its restart, exactly', () => {
    // A loop whose block (mov/add/xor/mov/and inline, then div called) faults at the div every 4th
    // iteration: the #DE handler makes the divisor non-zero and irets to the div, which runs again.
    const ITER = 400;
    const src = [
      'mov esp, 0x8000', `mov ecx, ${ITER}`, 'xor ebx, ebx',
      'top: mov eax, ecx', 'add ebx, eax', 'xor edx, edx', 'mov esi, ecx', 'and esi, 3',
      'div_at: div esi', 'add ebx, eax', 'dec ecx', 'jnz top', 'hlt',
    ].join('\n');
    const run = (mode: 'blocks' | 'step'): { counts: Map<number, number>; cpu: Cpu } => {
      const pc = new TestPc();
      pc.protectedMode();
      pc.load(0x6000, asm('mov esi, 7\niretd', 32, 0x6000));
      pc.gate(0, KCODE, 0x6000, 0xe);
      pc.load(0x5000, asm(src, 32, 0x5000));
      pc.cpu.invalidateDecodedCode();
      pc.cpu.eip = 0x5000;
      const oracle = new Map<number, number>();
      const saved = Cpu.useBlocks;
      Cpu.useBlocks = true;
      try {
        if (mode === 'blocks') { pc.cpu.profiling = true; pc.cpu.run(1_000_000); }
        else while (pc.cpu.runState === 'running') stepCounting(pc.cpu, 1, oracle);
      } finally { Cpu.useBlocks = saved; }
      assert.equal(pc.cpu.runState, 'halted');
      return { counts: mode === 'blocks' ? countsOf(pc.cpu, 0x10000) : oracle, cpu: pc.cpu };
    };
    const fast = run('blocks');
    const stepped = run('step');
    assertSameCounts(fast.counts, stepped.counts);

    // The loop's own arithmetic: each body instruction runs ITER times, the div once more per fault
    // (ecx & 3 == 0 for a quarter of the iterations), the handler once per fault.
    const code = asm(src, 32, 0x5000);
    const faults = ITER / 4;
    const at = (a: number) => fast.counts.get(a) ?? 0;
    const top = 0x5000 + 5 + 5 + 2;         // mov esp, imm32 (5) + mov ecx, imm32 (5) + xor (2)
    const divAt = top + 2 + 2 + 2 + 2 + 3;  // four two-byte register ops + and esi, 3 (3)
    assert.equal(code[divAt - 0x5000], 0xf7, 'div opcode where expected');
    assert.equal(at(top), ITER);
    assert.equal(at(divAt), ITER + faults);
    assert.equal(at(divAt + 2), ITER);      // add ebx, eax after the div
    assert.equal(at(0x6000), faults);       // handler entry
    assert.equal(at(0x5000), 1);
    // The block at `top` was compiled and contains the div (so faults happened inside a block).
    const b = codeCacheFor(fast.cpu.bus).page(0x5, 1).blocks[top & 0xfff];
    assert.ok(b !== undefined && b.length >= 6, `a compiled block at top (length ${b?.length})`);
  });
});
