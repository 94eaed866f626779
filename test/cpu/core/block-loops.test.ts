// Compiled blocks that loop (block-compiler.ts): a block whose last instruction jumps back to its own
// start goes round again inside its function while a whole pass fits in the run's budget, and blocks
// are shared by every CPU in the process that runs the same bytes at the same EIP. All of that must
// be invisible: the oracle is the plain interpreter (validated against the host CPU and QEMU by the
// vectors and differential suites), compared after every run() slice, with slices that end at every
// position inside the loops.

import { strict as assert } from 'assert';
import { createHash } from 'crypto';
import { Cpu } from '../../../simulator/cpu/cpu';
import { codeCacheFor } from '../../../simulator/cpu/code-cache';
import { Block } from '../../../simulator/cpu/block-compiler';
import { RamBus } from '../harness/ram-bus';
import { asm } from './pc';

const ORG = 0x1000;

/**
 * Nested loops whose bodies call a function, jump forward over code, branch both ways on data, and
 * store to memory; one-block loops closed by `loop` and by a backward jcc to their own start.
 */
function program(seed: number): string {
  return [
    'mov esp, 0x8000', 'mov edi, 0x20000', `mov ebp, ${seed}`, 'mov ecx, 300',
    'outer: push ecx',
    '  mov ecx, 17',
    'inner: mov eax, ebp', '  imul eax, eax, 1103515245', '  add eax, 12345', '  mov ebp, eax',
    '  call mix',
    '  test eax, 4', '  jz skip', '  add dword [edi], eax', '  jmp joined',
    'skip: xor [edi + 4], eax',
    'joined: add edi, 8', '  and edi, 0x2fff8', '  or edi, 0x20000',
    '  loop inner',
    '  mov esi, 5',
    'spin: add ebx, esi', '  dec esi', '  jnz spin',
    '  pop ecx', '  dec ecx', '  jnz outer',
    'hlt',
    'mix: rol eax, 7', '  xor eax, ebx', '  sub ebx, eax', '  ret',
  ].join('\n');
}

function newCpu(code: Uint8Array): { cpu: Cpu; bus: RamBus } {
  const bus = new RamBus(1 << 20);
  bus.ram.set(code, ORG);
  const cpu = new Cpu(bus, { id: 0 });
  cpu.enterFlatProtectedMode();
  cpu.eip = ORG;
  return { cpu, bus };
}

/** Runs to the hlt in slices of 1, 2, ... 61 instructions (cycling); returns the state after each slice. */
function runSliced(code: Uint8Array, blocks: boolean): { states: string[]; cpu: Cpu; bus: RamBus } {
  const saved = Cpu.useBlocks;
  Cpu.useBlocks = blocks;
  try {
    const { cpu, bus } = newCpu(code);
    const states: string[] = [];
    for (let k = 0; cpu.runState === 'running' && k < 1_000_000; k++) {
      cpu.run(1 + (k % 61));
      states.push(`${cpu.instructionCount} ${cpu.eip} ${cpu.regs.join(',')} ${cpu.getEflags()}`);
    }
    assert.equal(cpu.runState, 'halted');
    states.push(createHash('sha256').update(bus.ram).digest('hex'));
    return { states, cpu, bus };
  } finally { Cpu.useBlocks = saved; }
}

describe('cpu core: blocks that loop', () => {
  it('give the interpreter\'s state after every slice, with slices ending anywhere in the loops', () => {
    const code = asm(program(7), 32, ORG);
    const plain = runSliced(code, false);
    const fast = runSliced(code, true);
    assert.equal(fast.states.length, plain.states.length);
    for (let k = 0; k < plain.states.length; k++) assert.equal(fast.states[k], plain.states[k], `after slice ${k}`);

    const page = codeCacheFor(fast.cpu.bus).page(ORG >>> 12, 1);
    assert.ok(page.blocks.some((b) => b !== undefined && b.length > 1), 'compiled blocks exist');
  });

  it('loop inside the block only while a whole pass fits in the budget', () => {
    // A 3-instruction loop (stos; add; loop) as startup_32 fills its page tables: a run() of any size
    // retires exactly that many instructions and stops at the same place as the interpreter.
    const code = asm(['mov edi, 0x20000', 'mov eax, 3', 'mov ecx, 5000', 'fill: stosd', 'add eax, 0x1000', 'loop fill', 'hlt'].join('\n'), 32, ORG);
    for (const budget of [100, 101, 102, 1000, 14_000]) {
      const results = [false, true].map((blocks) => {
        const saved = Cpu.useBlocks;
        Cpu.useBlocks = blocks;
        try {
          const { cpu } = newCpu(code);
          const retired: number[] = [];
          while (cpu.runState === 'running') retired.push(cpu.run(budget));
          return `${retired.join(',')} ${cpu.eip} ${cpu.regs.join(',')}`;
        } finally { Cpu.useBlocks = saved; }
      });
      assert.equal(results[1], results[0], `budget ${budget}`);
    }
  });

  it('run a one-block loop without returning to the dispatch loop', () => {
    // Wrap the compiled block of `fill` to count its calls: 300 passes of 3 instructions in one run()
    // are one call when the block loops inside its function (about 300 if it did not).
    const code = asm(['mov edi, 0x20000', 'mov eax, 3', 'mov ecx, 5000', 'fill: stosd', 'add eax, 0x1000', 'loop fill', 'hlt'].join('\n'), 32, ORG);
    const fill = ORG + 15;
    const saved = Cpu.useBlocks;
    Cpu.useBlocks = true;
    try {
      const { cpu } = newCpu(code);
      cpu.run(3_000);
      assert.equal(cpu.eip, fill);
      const page = codeCacheFor(cpu.bus).page(fill >>> 12, 1);
      const b = page.blocks[fill & 0xfff];
      assert.ok(b !== undefined && b.length === 3, 'the loop is one compiled block');
      let calls = 0;
      page.blocks[fill & 0xfff] = new Block(b.eip, b.length, (c, left) => { calls++; b.run(c, left); });
      assert.equal(cpu.run(900), 900);
      assert.equal(calls, 1);
    } finally { Cpu.useBlocks = saved; }
  });

  it('are shared between machines only for the same bytes', () => {
    // Two RAMs with the same code layout at the same EIP but a different immediate: each CPU must
    // compute with its own bytes, whichever compiled the block first; and a third CPU with the first
    // one's bytes gets the same result as the first.
    const src = (k: number) => ['mov ecx, 2000', 'xor eax, eax', `top: add eax, ${k}`, 'rol eax, 1', 'dec ecx', 'jnz top', 'hlt'].join('\n');
    const run = (code: Uint8Array, blocks: boolean) => {
      const saved = Cpu.useBlocks;
      Cpu.useBlocks = blocks;
      try { const { cpu } = newCpu(code); cpu.run(1_000_000); return cpu.regs.join(','); } finally { Cpu.useBlocks = saved; }
    };
    const a = asm(src(3), 32, ORG), b = asm(src(5), 32, ORG);
    assert.equal(a.length, b.length);
    const expectA = run(a, false), expectB = run(b, false);
    assert.notEqual(expectA, expectB);
    assert.equal(run(a, true), expectA);
    assert.equal(run(b, true), expectB);
    assert.equal(run(a, true), expectA);
  });
});
