// Debugger hooks (breakpoints, single-step, watch ranges, delivery/iret callbacks) and
// saveState/restoreState determinism.

import { strict as assert } from 'assert';
import { asm, KCODE, TestPc } from './pc';
import type { DeliveryEvent, IretEvent } from '../../../simulator/cpu/hooks';

const LOOP = `mov esp, 0x8000
xor eax, eax
mov ecx, 50
again: add eax, ecx
mov [0x4000 + ecx*4], eax
dec ecx
jnz again
int3
mov ebx, eax
hlt`;

function loaded(): TestPc {
  const pc = new TestPc();
  pc.protectedMode();
  pc.load(0x6000, asm('inc edx\niret', 32, 0x6000));
  pc.gate(3, KCODE, 0x6000, 0xf);
  pc.load(0x5000, asm(LOOP, 32, 0x5000));
  pc.cpu.eip = 0x5000;
  pc.cpu.invalidateDecodedCode();
  return pc;
}

describe('cpu core: debugger hooks', () => {
  it('a breakpoint stops before the instruction; resuming executes it', () => {
    const pc = loaded();
    const c = pc.cpu;
    const addAt = 0x5000 + 5 + 2 + 5;
    c.hooks.addBreakpoint(addAt);
    c.run(1000);
    assert.deepEqual(c.stopReason, { kind: 'breakpoint', address: addAt });
    assert.equal(c.eip, addAt);
    assert.equal(c.getReg32(0), 0, 'the add has not run');
    c.run(1000);
    assert.equal(c.stopReason.kind, 'breakpoint');
    assert.equal(c.getReg32(0), 50, 'one iteration ran');
    c.hooks.removeBreakpoint(addAt);
    c.run(10_000);
    assert.equal(c.stopReason.kind, 'halted');
    assert.equal(c.getReg32(3), 50 * 51 / 2);
  });

  it('a breakpoint on the instruction a run() starts with is reported when the previous run() ended on its budget', () => {
    // The machine runs each CPU in quanta: a quantum may end exactly before a breakpointed
    // instruction, and the next quantum must still stop there.
    const pc = loaded();
    const c = pc.cpu;
    const addAt = 0x5000 + 5 + 2 + 5;
    assert.equal(c.run(3), 3);                       // mov esp / xor eax / mov ecx: now at the add
    assert.equal(c.stopReason.kind, 'budget');
    assert.equal(c.eip, addAt);
    c.hooks.addBreakpoint(addAt);
    assert.equal(c.run(1000), 0, 'stops before executing anything');
    assert.deepEqual(c.stopReason, { kind: 'breakpoint', address: addAt });
    // Resuming from that debugger stop executes the add (one loop iteration), then stops again.
    c.run(1000);
    assert.equal(c.stopReason.kind, 'breakpoint');
    assert.equal(c.getReg32(0), 50);
  });

  it('single-step retires one instruction per run()', () => {
    const pc = loaded();
    const c = pc.cpu;
    c.hooks.singleStep = true;
    const n = c.run(1000);
    assert.equal(n, 1);
    assert.equal(c.stopReason.kind, 'step');
    assert.equal(c.eip, 0x5005);
    c.run(1000);
    assert.equal(c.eip, 0x5007);
  });

  it('a write watch stops after the access with its address and size; reads do not trigger it', () => {
    const pc = loaded();
    const c = pc.cpu;
    const id = c.hooks.addWatch({ start: 0x4000 + 40 * 4, length: 4, physical: false, read: false, write: true });
    c.run(10_000);
    assert.deepEqual(c.stopReason, { kind: 'watch', id, address: 0x4000 + 40 * 4, size: 4, access: 'write', physical: false });
    assert.equal(c.getReg32(1), 40, 'stopped right after the mov (ECX not yet decremented)');
    assert.equal(pc.r32(0x4000 + 160), c.getReg32(0), 'the write completed');
  });

  it('physical watches see accesses through paging-free linear = physical too', () => {
    const pc = loaded();
    const c = pc.cpu;
    c.hooks.addWatch({ start: 0x4000 + 4, length: 1, physical: true, read: true, write: true });
    c.run(10_000);
    assert.equal(c.stopReason.kind, 'watch');
    assert.equal(c.getReg32(1), 1);
  });

  it('onDelivery sees vector/CPL/return EIP and can stop; onIret reports the return', () => {
    const pc = loaded();
    const c = pc.cpu;
    const seen: DeliveryEvent[] = [];
    const irets: IretEvent[] = [];
    c.hooks.onDelivery = (e) => { seen.push(e); return true; };
    c.hooks.onIret = (e) => { irets.push(e); };
    c.run(10_000);
    assert.equal(c.stopReason.kind, 'delivery');
    assert.equal(seen.length, 1);
    assert.equal(seen[0].vector, 3);
    assert.equal(seen[0].kind, 'software');
    assert.equal(seen[0].cplBefore, 0);
    assert.equal(seen[0].handlerEip, 0x6000);
    assert.equal(c.eip, 0x6000, 'stopped at the handler entry');
    c.run(10_000);
    assert.equal(irets.length, 1);
    assert.equal(irets[0].eip, seen[0].returnEip);
    assert.equal(c.runState, 'halted');
  });

  it('requestStop() makes run() return at the next boundary', () => {
    const pc = loaded();
    const c = pc.cpu;
    c.requestStop();
    const n = c.run(1000);
    assert.equal(n, 0);
    assert.equal(c.stopReason.kind, 'requested');
  });
});

describe('cpu core: saveState / restoreState', () => {
  it('is plain JSON and restore-then-run behaves identically', () => {
    const pc = loaded();
    const c = pc.cpu;
    c.run(37);
    const snap = JSON.parse(JSON.stringify(c.saveState()));
    const ram = pc.bus.ram.slice();
    c.run(100_000);
    const after1 = JSON.stringify(c.saveState());
    const ram1 = pc.bus.ram.slice();

    pc.bus.ram.set(ram);
    c.invalidateDecodedCode();
    c.restoreState(snap);
    c.run(100_000);
    assert.equal(JSON.stringify(c.saveState()), after1);
    assert.deepEqual(pc.bus.ram, ram1);
  });

  it('rejects something that is not a snapshot', () => {
    const pc = loaded();
    assert.throws(() => pc.cpu.restoreState({} as never), /snapshot/);
  });
});
