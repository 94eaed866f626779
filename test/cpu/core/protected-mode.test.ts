// Exceptions, interrupts and privilege transitions in protected mode (Intel SDM vol. 3, ch. 5-7).
// Expected values are the architectural ones: what the SDM says the CPU pushes, where EIP points.

import { strict as assert } from 'assert';
import { asm, FakeApic, IDT, KCODE, KDATA, TestPc, TSS, TSS_SEL, UCODE, UDATA } from './pc';

/** A handler that records (vector-specific marker in EDI) and halts. */
function haltHandler(pc: TestPc, at: number, marker: number): number {
  pc.load(at, asm(`mov edi, ${marker}\nhlt`, 32, at));
  return at;
}

describe('cpu core: exceptions and protected mode', () => {
  it('#DE is a fault: the pushed EIP is the div, no registers change', () => {
    const pc = new TestPc();
    pc.protectedMode();
    pc.gate(0, KCODE, haltHandler(pc, 0x6000, 0xde), 0xe);
    const code = asm('mov esp, 0x8000\nmov eax, 5\nmov edx, 0\nmov ecx, 0\ndiv_here: div ecx\nhlt', 32, 0x5000);
    pc.runCode(code, 0x5000);
    const c = pc.cpu;
    assert.equal(c.getReg32(7), 0xde);
    const divAt = 0x5000 + 4 * 5; // four 5-byte movs
    assert.equal(pc.r32(0x8000 - 12), divAt, 'return EIP = faulting div');
    assert.equal(pc.r32(0x8000 - 8), KCODE);
    assert.equal(c.getReg32(0), 5, 'EAX unchanged');
    assert.equal(c.getReg32(4), 0x8000 - 12, 'EFLAGS, CS, EIP pushed; no error code');
  });

  it('int3 and int n are traps: the pushed EIP is the next instruction', () => {
    const pc = new TestPc();
    pc.protectedMode();
    pc.gate(3, KCODE, haltHandler(pc, 0x6000, 3), 0xe);
    pc.runCode(asm('mov esp, 0x8000\nint3\nnop\nhlt', 32, 0x5000), 0x5000);
    assert.equal(pc.cpu.getReg32(7), 3);
    assert.equal(pc.r32(0x8000 - 12), 0x5000 + 5 + 1);
  });

  it('#UD for an undefined opcode, #GP(0) for a privileged instruction at CPL 3 with error code pushed', () => {
    const pc = new TestPc();
    pc.protectedMode(0x9000);
    pc.gate(6, KCODE, haltHandler(pc, 0x6000, 6), 0xe);
    pc.runCode(asm('mov esp, 0x8000\nud2\nhlt', 32, 0x5000), 0x5000);
    assert.equal(pc.cpu.getReg32(7), 6);
    assert.equal(pc.r32(0x8000 - 12), 0x5005);

    pc.gate(13, KCODE, haltHandler(pc, 0x6100, 13), 0xe);
    // Enter ring 3 with an iret frame, then execute cli (IOPL 0 => #GP(0)).
    pc.cpu.runState = 'running';
    pc.runCode(asm(`mov esp, 0x8000
push ${UDATA}
push 0x7800
push 0x202
push ${UCODE}
push user
iret
user: cli
hlt`, 32, 0x5100), 0x5100);
    const c = pc.cpu;
    assert.equal(c.getReg32(7), 13);
    assert.equal(c.cpl, 0);
    // Inner stack from the TSS: SS, ESP, EFLAGS, CS, EIP, error code.
    const top = 0x9000;
    assert.equal(pc.r32(top - 4), UDATA, 'old SS');
    assert.equal(pc.r32(top - 8), 0x7800, 'old ESP');
    assert.equal(pc.r32(top - 12) & 0x200, 0x200, 'old EFLAGS.IF');
    assert.equal(pc.r32(top - 16), UCODE, 'old CS');
    assert.equal(pc.r32(top - 24), 0, 'error code 0');
    assert.equal(c.getReg32(4), top - 24);
    assert.equal(c.getSegment(2).selector, KDATA);
    assert.equal(c.getEflags() & 0x200, 0, 'interrupt gate cleared IF');
  });

  it('int 0x80 from ring 3 through a DPL-3 trap gate and iret back; iret nulls DS/ES with DPL < CPL', () => {
    const pc = new TestPc();
    pc.protectedMode(0x9000);
    // Handler: eax += 1, iret.
    pc.load(0x6000, asm('inc eax\niret', 32, 0x6000));
    pc.gate(0x80, KCODE, 0x6000, 0xf, 3);
    pc.runCode(asm(`mov esp, 0x8000
push ${UDATA}
push 0x7800
push 0x202
push ${UCODE}
push user
iret
user: mov eax, 41
int 0x80
mov ebx, cs
mov ecx, ss
mov edx, ds
hlt`, 32, 0x5000), 0x5000, 1000);
    const c = pc.cpu;
    // hlt at CPL 3 raises #GP; there is no #GP gate => ... so stop before: check state at the hlt.
    assert.equal(c.getReg32(0), 42, 'handler ran');
    assert.equal(c.getReg32(3) & 0xffff, UCODE);
    assert.equal(c.getReg32(1) & 0xffff, UDATA);
    assert.equal(c.getReg32(2) & 0xffff, 0, 'DS (DPL 0) was nulled by the return to ring 3');
    assert.equal(c.cpl, 3);
    assert.equal(c.getReg32(4), 0x7800, 'user ESP restored');
  });

  it('an int n through a gate with DPL < CPL is #GP(vector*8+2)', () => {
    const pc = new TestPc();
    pc.protectedMode(0x9000);
    pc.gate(0x81, KCODE, 0x6000, 0xe, 0);
    pc.gate(13, KCODE, haltHandler(pc, 0x6100, 13), 0xe);
    pc.runCode(asm(`mov esp, 0x8000
push ${UDATA}
push 0x7800
push 0x2
push ${UCODE}
push user
iret
user: int 0x81`, 32, 0x5000), 0x5000, 1000);
    assert.equal(pc.cpu.getReg32(7), 13);
    assert.equal(pc.r32(0x9000 - 24), 0x81 * 8 + 2);
  });

  it('loading a segment with RPL/DPL violations or a non-present descriptor faults with the selector', () => {
    const pc = new TestPc();
    pc.protectedMode();
    pc.gate(13, KCODE, haltHandler(pc, 0x6000, 13), 0xe);
    pc.gate(11, KCODE, haltHandler(pc, 0x6100, 11), 0xe);
    pc.descriptor(6, 0, 0xfffff, 0x12, 0xc); // data, not present
    pc.cpu.gdtLimit = 8 * 7 - 1;
    pc.runCode(asm('mov esp, 0x8000\nmov ax, 0x30\nmov ds, ax\nhlt', 32, 0x5000), 0x5000);
    assert.equal(pc.cpu.getReg32(7), 11, '#NP');
    assert.equal(pc.r32(0x8000 - 16), 0x30, 'error code = selector');
    pc.cpu.runState = 'running';
    pc.runCode(asm('mov esp, 0x8000\nmov ax, 0x38\nmov ss, ax\nhlt', 32, 0x5000), 0x5000);
    assert.equal(pc.cpu.getReg32(7), 13, 'selector beyond the GDT limit: #GP');
    assert.equal(pc.r32(0x8000 - 16), 0x38);
  });

  it('a fault while delivering a fault becomes #DF; a fault delivering #DF shuts the CPU down', () => {
    const pc = new TestPc();
    pc.protectedMode();
    pc.gate(0, KCODE, 0x6000, 0xe, 0, false); // #DE gate not present -> #NP (contributory) -> #DF
    pc.gate(8, KCODE, haltHandler(pc, 0x6100, 8), 0xe);
    pc.runCode(asm('mov esp, 0x8000\nxor ecx, ecx\ndiv ecx\nhlt', 32, 0x5000), 0x5000);
    assert.equal(pc.cpu.getReg32(7), 8);
    assert.equal(pc.r32(0x8000 - 4 * 4), 0, '#DF error code 0');
    pc.gate(8, KCODE, 0x6100, 0xe, 0, false);
    pc.cpu.runState = 'running';
    pc.runCode(asm('mov esp, 0x8000\nxor ecx, ecx\ndiv ecx\nhlt', 32, 0x5000), 0x5000);
    assert.equal(pc.cpu.runState, 'shutdown');
    assert.match(pc.cpu.shutdownReport, /triple fault/);
    assert.match(pc.cpu.shutdownReport, /EIP=/);
    assert.equal(pc.cpu.stopReason.kind, 'shutdown');
  });

  it('#DF through a task gate switches to the double-fault task', () => {
    const pc = new TestPc();
    pc.protectedMode();
    // Second TSS (selector 0x30) for the double-fault task.
    const T2 = 0x3800;
    pc.descriptor(6, T2, 0x67, 0x89, 0);
    pc.cpu.gdtLimit = 8 * 7 - 1;
    pc.w32(T2 + 0x20, 0x6200); // EIP
    pc.w32(T2 + 0x24, 0x2); // EFLAGS
    pc.w32(T2 + 0x38, 0x8800); // ESP
    for (const [off, sel] of [[0x48, KDATA], [0x4c, KCODE], [0x50, KDATA], [0x54, KDATA], [0x58, KDATA], [0x5c, KDATA]]) pc.w32(T2 + off, sel);
    pc.load(0x6200, asm('str ax\nmov edi, 0xdf\nhlt', 32, 0x6200));
    pc.gate(0, KCODE, 0x6000, 0xe, 0, false);
    pc.gate(8, 0x30, 0, 0x5);
    pc.runCode(asm('mov esp, 0x8000\nmov ebx, 0x1234\nxor ecx, ecx\ndiv ecx\nhlt', 32, 0x5000), 0x5000);
    const c = pc.cpu;
    assert.equal(c.getReg32(7), 0xdf);
    assert.equal(c.getReg32(0) & 0xffff, 0x30, 'TR is the double-fault TSS');
    assert.equal(pc.r32(0x8800 - 4), 0, 'error code pushed on the new task stack');
    assert.equal(pc.r32(TSS + 0x34), 0x1234, 'old task state saved (EBX)');
    assert.equal(pc.r16(T2), TSS_SEL, 'back link');
    assert.ok(c.getEflags() & 0x4000, 'NT set');
  });

  it('external interrupts: delivered only with IF=1, after the sti shadow, and they wake hlt', () => {
    const pc = new TestPc();
    pc.protectedMode();
    const apic = new FakeApic();
    pc.cpu.interruptController = apic;
    pc.load(0x6000, asm('inc esi\niret', 32, 0x6000));
    pc.gate(0x40, KCODE, 0x6000, 0xe);
    pc.load(0x5000, asm('mov esp, 0x8000\nxor esi, esi\ncli\nnop\nnop\nsti\nmov eax, esi\nhlt\nmov ebx, esi\nhlt', 32, 0x5000));
    pc.cpu.eip = 0x5000;
    pc.cpu.invalidateDecodedCode();
    pc.cpu.run(3); // mov esp, xor, cli
    apic.queue.push(0x40);
    pc.cpu.signalInterrupt();
    pc.cpu.run(2); // nops: IF=0, nothing
    assert.equal(pc.cpu.getReg32(6), 0);
    pc.cpu.run(100); // sti; mov eax, esi (shadow: still 0); the interrupt; hlt
    assert.equal(pc.cpu.getReg32(0), 0, 'the instruction after sti runs before the interrupt');
    assert.equal(pc.cpu.getReg32(6), 1);
    assert.equal(pc.cpu.runState, 'halted');
    apic.queue.push(0x40);
    pc.cpu.signalInterrupt();
    pc.cpu.run(100);
    assert.equal(pc.cpu.getReg32(3), 2, 'hlt woke up, handler ran, execution continued after hlt');
  });

  it('EFLAGS.TF traps (#DB, DR6.BS) after every instruction that began with TF set', () => {
    const pc = new TestPc();
    pc.protectedMode();
    pc.load(0x6000, asm('inc esi\niret', 32, 0x6000));
    pc.gate(1, KCODE, 0x6000, 0xe);
    pc.runCode(asm(`mov esp, 0x8000
xor esi, esi
pushf
or dword [esp], 0x100
popf
nop
nop
pushf
and dword [esp], ~0x100
popf
nop
hlt`, 32, 0x5000), 0x5000);
    assert.equal(pc.cpu.getReg32(6), 5, 'traps after nop, nop, pushf, and, popf');
    assert.ok(pc.cpu.getControlRegister(0) >= 0 && (pc.cpu.dr[6] & 0x4000), 'DR6.BS');
    assert.equal(pc.cpu.getEflags() & 0x100, 0);
  });

  it('I/O at CPL 3 checks the TSS I/O permission bitmap', () => {
    const pc = new TestPc();
    pc.protectedMode(0x9000);
    pc.descriptor(5, TSS, 0x68 + 0x2000, 0x8b, 0); // larger limit (busy TSS already loaded)
    pc.cpu.trLimit = 0x68 + 0x2000;
    pc.w16(TSS + 0x66, 0x68);
    for (let k = 0; k < 0x2000; k++) pc.w8(TSS + 0x68 + k, 0xff);
    pc.w8(TSS + 0x68 + (0xf4 >> 3), 0xff & ~(1 << (0xf4 & 7))); // allow port 0xf4 only
    pc.gate(13, KCODE, haltHandler(pc, 0x6100, 13), 0xe);
    pc.runCode(asm(`mov esp, 0x8000
push ${UDATA}
push 0x7800
push 0x2
push ${UCODE}
push user
iret
user: mov al, 7
out 0xf4, al
out 0x80, al`, 32, 0x5000), 0x5000, 1000);
    assert.equal(pc.bus.exitValue, 7, 'permitted port written');
    assert.equal(pc.cpu.getReg32(7), 13, 'denied port => #GP');
  });
});

export { IDT };
