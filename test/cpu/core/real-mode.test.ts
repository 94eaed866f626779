// Real mode (16-bit default sizes, segment*16 addressing, the IVT), the switch to protected mode by
// CR0.PE plus a far jump, and the INIT/STARTUP path application processors take.

import { strict as assert } from 'assert';
import { asm, TestPc } from './pc';

describe('cpu core: real mode', () => {
  it('powers on at F000:FFF0 in real mode with the documented register state', () => {
    const pc = new TestPc();
    const c = pc.cpu;
    assert.equal(c.getSegment(1).selector, 0xf000);
    assert.equal(c.getSegment(1).base, 0xffff0000);
    assert.equal(c.eip, 0xfff0);
    assert.equal(c.getControlRegister(0), 0x60000010);
    assert.equal(c.getReg32(2), 0x663, 'EDX = processor signature');
    assert.equal(c.getEflags(), 2);
    assert.equal(c.runState, 'running');
  });

  it('executes 16-bit code: segment arithmetic, 16-bit ModRM forms, 66/67 prefixes, IVT interrupts', () => {
    const pc = new TestPc();
    const c = pc.cpu;
    c.loadSegmentRaw(1, 0, 0, 0xffff, 0x9b);
    // IVT[0x10] -> 0000:7e00
    pc.w16(0x10 * 4, 0x7e00); pc.w16(0x10 * 4 + 2, 0);
    pc.load(0x7e00, asm('mov bx, 0x77\niret', 16, 0x7e00));
    pc.w16(13 * 4, 0x500); pc.w16(13 * 4 + 2, 0);
    pc.load(0x500, asm('hlt', 16, 0x500));
    pc.runCode(asm(`xor ax, ax
mov ss, ax
mov sp, 0x7000
mov ax, 0x1234
mov ds, ax
mov word [0x10], 0xbeef      ; 0x12340 + 0x10
mov bx, 0x20
mov si, 0x4
mov byte [bx+si+3], 0x5a     ; 0x12340 + 0x27
mov eax, 0x89abcdef          ; 66 prefix
push eax
pop ecx
mov dx, sp
int 0x10
mov edi, 0x2360
mov ax, 0x1000
mov ds, ax
mov dword [edi], 0x11223344  ; 67 prefix: 32-bit address in real mode (offset within the 64 KiB limit)
mov edi, 0x12360
mov dword [edi], 0x55667788  ; offset beyond the real-mode limit: #GP (IVT[13] -> 0000:0500: hlt)
mov esi, 1
hlt`, 16, 0x7c00), 0x7c00);
    assert.equal(pc.r16(0x12350), 0xbeef);
    assert.equal(pc.bus.ram[0x12367], 0x5a);
    assert.equal(c.getReg32(1), 0x89abcdef);
    assert.equal(c.getReg32(2) & 0xffff, 0x7000, 'push/pop 32-bit balanced');
    assert.equal(c.getReg32(3) & 0xffff, 0x77, 'int 0x10 handler ran and returned');
    assert.equal(pc.r32(0x12360), 0x11223344);
    assert.equal(c.getReg32(6) & 0xffff, 4, 'ESI unchanged: the #GP handler (hlt at 0x500) took over');
    assert.equal(c.eip, 0x501);
    const ip = pc.r16(0x7000 - 6);
    assert.equal(pc.r32(ip + 4), 0x55667788, 'pushed IP = the faulting mov (its imm32 follows 66 67 c7 07)');
    assert.deepEqual([...pc.bus.ram.subarray(ip, ip + 4)], [0x66, 0x67, 0xc7, 0x07]);
  });

  it('switches to protected mode with CR0.PE and a far jump', () => {
    const pc = new TestPc();
    const c = pc.cpu;
    c.loadSegmentRaw(1, 0, 0, 0xffff, 0x9b);
    // GDT at 0x600: null, code 0x08, data 0x10 (flat, 32-bit)
    const gdt = [0, 0, 0x0000ffff, 0x00cf9a00, 0x0000ffff, 0x00cf9200];
    gdt.forEach((v, k) => pc.w32(0x600 + 4 * k, v));
    pc.w16(0x700, 23); pc.w32(0x702, 0x600);
    pc.runCode(asm(`lgdt [0x700]
mov eax, cr0
or al, 1
mov cr0, eax
jmp 0x08:pm32
bits 32
pm32: mov ax, 0x10
mov ds, ax
mov ss, ax
mov esp, 0x9000
mov dword [0x500], 0x600d600d
push 0x12345678
hlt`, 16, 0x7c00), 0x7c00);
    assert.equal(pc.r32(0x500), 0x600d600d);
    assert.equal(c.getSegment(1).selector, 0x08);
    assert.ok(c.getSegment(1).access & 0x4000, 'CS is a 32-bit segment');
    assert.equal(pc.r32(0x9000 - 4), 0x12345678, '32-bit push after the switch');
    assert.equal(c.cpl, 0);
  });

  it('INIT waits for STARTUP; STARTUP starts real mode at vector<<8:0000', () => {
    const pc = new TestPc();
    const c = pc.cpu;
    pc.load(0x8000, asm('mov ax, cs\nmov bx, 0x1234\nhlt', 16, 0));
    c.init();
    assert.equal(c.runState, 'wait-for-sipi');
    assert.equal(c.run(1000), 0, 'a CPU waiting for SIPI executes nothing');
    assert.equal(c.stopReason.kind, 'wait-for-sipi');
    c.startup(0x08);
    c.invalidateDecodedCode();
    assert.equal(c.getSegment(1).base, 0x8000);
    c.run(1000);
    assert.equal(c.getReg32(0) & 0xffff, 0x0800);
    assert.equal(c.getReg32(3) & 0xffff, 0x1234);
    assert.equal(c.runState, 'halted');
  });

  it('16-bit IP wraps at 64 KiB and the 16-bit stack wraps SP', () => {
    const pc = new TestPc();
    const c = pc.cpu;
    c.loadSegmentRaw(1, 0x1000, 0x10000, 0xffff, 0x9b);
    pc.load(0x10000 + 0xfffe, asm('nop\nnop', 16, 0)); // ends exactly at the segment end
    pc.load(0x10000, asm('mov ax, 0x5555\nhlt', 16, 0));
    c.loadSegmentRaw(2, 0, 0, 0xffff, 0x93);
    c.setReg32(4, 0x12340000); // ESP high word must survive 16-bit pushes; SP=0 wraps to FFFE
    c.eip = 0xfffe;
    pc.run();
    assert.equal(c.getReg32(0) & 0xffff, 0x5555, 'IP wrapped from FFFF to 0000');
    assert.equal(c.runState, 'halted');
  });
});
