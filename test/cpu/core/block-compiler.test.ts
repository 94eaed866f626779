// The block compiler (block-compiler.ts) must be invisible: running a real gcc -O2 program with
// compiled blocks gives, instruction count for instruction count, the same registers, flags and memory
// as the plain interpreter (which the hardware vectors and QEMU traces validate).

import { strict as assert } from 'assert';
import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { Cpu } from '../../../simulator/cpu/cpu';
import { parseMultibootKernel } from '../../../simulator/machine/multiboot';
import { RamBus } from '../harness/ram-bus';

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
