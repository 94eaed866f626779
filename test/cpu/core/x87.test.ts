// The minimal x87: #NM rules for lazy FPU switching, arithmetic on doubles, integer conversion,
// fnsave/frstor and fxsave/fxrstor round trips.

import { strict as assert } from 'assert';
import { asm, KCODE, TestPc } from './pc';

function f64(pc: TestPc, a: number): number { return Buffer.from(pc.bus.ram.buffer, a, 8).readDoubleLE(0); }
function putF64(pc: TestPc, a: number, v: number): void { Buffer.from(pc.bus.ram.buffer, a, 8).writeDoubleLE(v, 0); }

describe('cpu core: x87', () => {
  it('CR0.TS makes the first FPU instruction raise #NM; clts in the handler lets it run (lazy FPU)', () => {
    const pc = new TestPc();
    pc.protectedMode();
    // #NM handler: count, clts, iret (the faulting instruction is restarted)
    pc.load(0x6000, asm('inc esi\nclts\niret', 32, 0x6000));
    pc.gate(7, KCODE, 0x6000, 0xe);
    putF64(pc, 0x4000, 1.5); putF64(pc, 0x4008, 2.25);
    pc.runCode(asm(`mov esp, 0x8000
xor esi, esi
mov eax, cr0
or eax, 8
mov cr0, eax
fninit
fld qword [0x4000]
fadd qword [0x4008]
fmul qword [0x4008]
fstp qword [0x4010]
fwait
hlt`, 32, 0x5000), 0x5000);
    assert.equal(pc.cpu.getReg32(6), 1, 'exactly one #NM');
    assert.equal(f64(pc, 0x4010), (1.5 + 2.25) * 2.25);
  });

  it('CR0.EM raises #NM for x87 and fxsave', () => {
    const pc = new TestPc();
    pc.protectedMode();
    pc.load(0x6000, asm('mov edi, 7\nhlt', 32, 0x6000));
    pc.gate(7, KCODE, 0x6000, 0xe);
    pc.runCode(asm('mov esp, 0x8000\nmov eax, cr0\nor eax, 4\nmov cr0, eax\nfxsave [0x4000]\nhlt', 32, 0x5000), 0x5000);
    assert.equal(pc.cpu.getReg32(7), 7);
  });

  it('fild/fistp, st(i) arithmetic, fnstsw ax after a compare', () => {
    const pc = new TestPc();
    pc.protectedMode();
    pc.w32(0x4000, 7); pc.w32(0x4004, 3);
    pc.runCode(asm(`fninit
fild dword [0x4000]
fild dword [0x4004]
fdivp st1, st0          ; st0 = 7 / 3
fistp dword [0x4008]    ; round to nearest: 2
fild dword [0x4000]
fild dword [0x4004]
fcompp                  ; compare 3 with 7: C0 set (st0 < src)
fnstsw ax
hlt`, 32, 0x5000), 0x5000);
    assert.equal(pc.r32(0x4008), 2);
    assert.equal(pc.cpu.getReg32(0) & 0x4500, 0x100, 'C0=1 C2=0 C3=0');
  });

  it('fnsave stores the stack as 80-bit reals and reinitialises; frstor brings it back', () => {
    const pc = new TestPc();
    pc.protectedMode();
    putF64(pc, 0x4000, -1234.5625);
    pc.runCode(asm(`fninit
fld qword [0x4000]
fld1
fnsave [0x4100]
fnstsw ax
mov bx, ax
frstor [0x4100]
fstp qword [0x4200]
fstp qword [0x4208]
hlt`, 32, 0x5000), 0x5000);
    // ST(0) = 1.0 as an 80-bit real: significand 0x8000000000000000, exponent 0x3fff.
    assert.equal(pc.r32(0x4100 + 28), 0);
    assert.equal(pc.r32(0x4100 + 32), 0x80000000);
    assert.equal(pc.r16(0x4100 + 36), 0x3fff);
    assert.equal(pc.cpu.getReg32(3) & 0x3800, 0, 'after fnsave TOP = 0 (fninit)');
    assert.equal(f64(pc, 0x4200), 1);
    assert.equal(f64(pc, 0x4208), -1234.5625);
  });

  it('fxsave/fxrstor round-trip the register stack; a misaligned area is #GP', () => {
    const pc = new TestPc();
    pc.protectedMode();
    putF64(pc, 0x4000, Math.PI);
    pc.load(0x6000, asm('mov edi, 13\nhlt', 32, 0x6000));
    pc.gate(13, KCODE, 0x6000, 0xe);
    pc.runCode(asm(`mov esp, 0x8000
fninit
fld qword [0x4000]
fxsave [0x4400]
fninit
fxrstor [0x4400]
fstp qword [0x4010]
fxsave [0x4408]
hlt`, 32, 0x5000), 0x5000);
    assert.equal(f64(pc, 0x4010), Math.PI);
    assert.equal(pc.r16(0x4400), 0x37f, 'FCW');
    assert.equal(pc.bus.ram[0x4404], 0x80, 'abridged tag: physical register 7 valid');
    assert.equal(pc.cpu.getReg32(7), 13);
  });
});
