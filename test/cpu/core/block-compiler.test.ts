// The block compiler (block-compiler.ts) must be invisible: running a real gcc -O2 program with
// compiled blocks gives, instruction count for instruction count, the same registers, flags and memory
// as the plain interpreter (which the hardware vectors and QEMU traces validate).

import { strict as assert } from 'assert';
import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { Cpu } from '../../../simulator/cpu/cpu';
import { codeCacheFor } from '../../../simulator/cpu/code-cache';
import { parseMultibootKernel } from '../../../simulator/machine/multiboot';
import { RamBus } from '../harness/ram-bus';
import { asm } from './pc';

const ELF = join(__dirname, '../../../simulator/bench/guest/build/bench.elf');

function runBench(blocks: boolean, budget: number, slices: number): { state: string; ram: string; serial: string } {
  const saved = Cpu.useBlocks;
  Cpu.useBlocks = blocks;
  try {
    const kernel = parseMultibootKernel(new Uint8Array(readFileSync(ELF)));
    const bus = new RamBus(4 << 20);
    for (const s of kernel.segments) bus.ram.set(s.data, s.paddr);
    const cpu = new Cpu(bus, { id: 0 });
    cpu.enterFlatProtectedMode();
    cpu.setReg32(0, 0x2badb002);
    cpu.eip = kernel.entry;
    // Uneven slices so that blocks meet budget boundaries at many different places.
    for (let k = 0; k < slices; k++) cpu.run(Math.floor(budget / slices) + (k % 7) * 13);
    return {
      state: JSON.stringify(cpu.saveState()),
      ram: createHash('sha256').update(bus.ram).digest('hex'),
      serial: bus.serial,
    };
  } finally { Cpu.useBlocks = saved; }
}

describe('cpu core: block compiler', () => {
  it('gives the same state as the interpreter after millions of instructions', function () {
    this.timeout(120_000);
    const a = runBench(false, 3_000_000, 97);
    const b = runBench(true, 3_000_000, 97);
    assert.equal(b.state, a.state);
    assert.equal(b.ram, a.ram);
    assert.equal(b.serial, a.serial);
    assert.match(a.serial, /ksim bench guest/);
  });
});

/**
 * A random straight-line program of exactly the forms the block compiler writes inline, each one
 * followed by pushf into a log, run in a loop so that its blocks get compiled: the log and the final
 * state must be the interpreter's.
 */
function randomProgram(seed: number): string {
  let x = seed >>> 0;
  const rnd = (n: number) => { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; return x % n; };
  const regs = ['eax', 'ebx', 'ecx', 'edx', 'esi', 'ebp'];
  const r = () => regs[rnd(regs.length)];
  const imm = () => [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, rnd(0x10000), (rnd(0x10000) << 16) | rnd(0x10000)][rnd(7)] >>> 0;
  const ops = ['add', 'or', 'and', 'sub', 'xor', 'cmp', 'adc', 'sbb'];
  const lines: string[] = ['mov edi, 0x20000', 'mov ecx, 300', 'outer: push ecx']; // more passes than HOT
  for (const reg of regs) lines.push(`mov ${reg}, ${imm()}`);
  for (let k = 0; k < 120; k++) {
    switch (rnd(9)) {
      case 0: lines.push(`${ops[rnd(8)]} ${r()}, ${r()}`); break;
      case 1: lines.push(`${ops[rnd(8)]} ${r()}, ${imm()}`); break;
      case 2: lines.push(`${ops[rnd(8)]} ${r()}, [0x10000 + ${rnd(64) * 4}]`); break;
      case 3: lines.push(`${['shl', 'shr', 'sar'][rnd(3)]} ${r()}, ${1 + rnd(31)}`); break;
      case 4: lines.push(`${['inc', 'dec'][rnd(2)]} ${r()}`); break;
      case 5: lines.push(`test ${r()}, ${r()}`); break;
      case 6: lines.push(`lea ${r()}, [${r()} + ${r()}*${[1, 2, 4, 8][rnd(4)]} + ${rnd(1000)}]`); break;
      case 7: lines.push(`mov dword [0x10000 + ${rnd(64) * 4}], ${r()}`); break;
      default: lines.push(`mov ${r()}, [0x10000 + ${rnd(64) * 4}]`); break;
    }
    lines.push('pushfd', 'pop dword [edi]', 'add edi, 4', 'and edi, 0x3ffff', 'or edi, 0x20000'); // the log stays in 0x20000-0x3ffff
  }
  lines.push('pop ecx', 'dec ecx', 'jnz outer', 'hlt');
  return lines.join('\n');
}

function runProgram(code: Uint8Array, blocks: boolean): { state: string; ram: string } {
  const saved = Cpu.useBlocks;
  Cpu.useBlocks = blocks;
  try {
    const bus = new RamBus(1 << 20);
    bus.ram.set(code, 0x1000);
    for (let k = 0; k < 256; k++) bus.ram[0x10000 + k] = (k * 37 + 11) & 0xff;
    const cpu = new Cpu(bus, { id: 0 });
    cpu.enterFlatProtectedMode();
    cpu.setReg32(4, 0x8000);
    cpu.eip = 0x1000;
    cpu.run(10_000_000);
    assert.equal(cpu.runState, 'halted');
    // With blocks on, the program must really have run as compiled blocks (else this proves nothing).
    if (blocks) assert.ok(codeCacheFor(bus).page(1, 1).blocks.some((b) => b !== undefined && b.length > 1), 'compiled blocks ran');
    return { state: JSON.stringify(cpu.saveState()), ram: createHash('sha256').update(bus.ram).digest('hex') };
  } finally { Cpu.useBlocks = saved; }
}

describe('cpu core: block compiler (random programs of the inlined forms)', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`seed ${seed}: every EFLAGS image and the final state equal the interpreter's`, () => {
      const code = asm(randomProgram(seed), 32, 0x1000);
      const a = runProgram(code, false);
      const b = runProgram(code, true);
      assert.equal(b.state, a.state);
      assert.equal(b.ram, a.ram);
    });
  }
});
