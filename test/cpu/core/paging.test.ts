// Paging: 4 KiB and 4 MiB pages, accessed/dirty bits, #PF error codes and CR2, CR0.WP, U/S, the TLB
// and its flushes (Intel SDM vol. 3, ch. 4.3 and 4.7).

import { strict as assert } from 'assert';
import { asm, KCODE, PGDIR, TestPc, UCODE, UDATA } from './pc';

const PT0 = 0x11000;
const P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80;

/** Identity-maps 0-4 MiB with 4 KiB pages (supervisor, RW), and linear 0x40000000 -> phys 0xc00000 with a 4 MiB page. */
function pagedPc(userPages: number[] = []): TestPc {
  const pc = new TestPc();
  pc.protectedMode(0x9000);
  pc.w32(PGDIR, PT0 | P | RW | US);
  for (let k = 0; k < 1024; k++) pc.w32(PT0 + 4 * k, (k << 12) | P | RW | (userPages.includes(k) ? US : 0));
  pc.w32(PGDIR + (0x40000000 >>> 22) * 4, 0x00c00000 | P | RW | PS);
  pc.gate(14, KCODE, 0x6000, 0xe);
  pc.load(0x6000, asm('mov edi, 14\nmov esi, cr2\nhlt', 32, 0x6000));
  pc.runCode(asm(`mov eax, ${PGDIR}\nmov cr3, eax\nmov eax, cr4\nor eax, 0x10\nmov cr4, eax\nmov eax, cr0\nor eax, 0x80000000\nmov cr0, eax\nhlt`, 32, 0x5000), 0x5000);
  pc.cpu.runState = 'running';
  assert.equal(pc.cpu.getControlRegister(0) >>> 31, 1, 'paging enabled');
  return pc;
}

describe('cpu core: paging', () => {
  it('translates through 4 KiB and 4 MiB (PSE) pages and sets accessed/dirty bits', () => {
    const pc = pagedPc();
    pc.runCode(asm('mov esp, 0x8000\nmov dword [0x40001234], 0xcafef00d\nmov eax, [0x3000]\nhlt', 32, 0x5100), 0x5100);
    assert.equal(pc.r32(0x00c01234), 0xcafef00d, 'write landed at the 4 MiB page frame');
    const pde4m = pc.r32(PGDIR + (0x40000000 >>> 22) * 4);
    assert.equal(pde4m & (A | D), A | D, '4 MiB PDE accessed + dirty');
    const pte3 = pc.r32(PT0 + 3 * 4);
    assert.equal(pte3 & (A | D), A, 'read-only use sets A, not D');
    assert.equal(pc.r32(PT0 + 0x100 * 4) & (A | D), 0, 'an untouched page has neither');
    assert.equal(pc.r32(PT0 + 5 * 4) & (A | D), A, 'the code page was fetched from: A');
  });

  it('#PF on a not-present page: CR2 = address, error code P=0 W/R U/S; the faulting instruction is restarted', () => {
    const pc = pagedPc();
    pc.runCode(asm('mov esp, 0x8000\nmov ebx, 0x55\nmov [0x00500010], ebx\nhlt', 32, 0x5100), 0x5100);
    const c = pc.cpu;
    assert.equal(c.getReg32(7), 14);
    assert.equal(c.getReg32(6), 0x00500010, 'CR2');
    assert.equal(pc.r32(0x8000 - 4 * 4), 2, 'error code: write, supervisor, not present');
    assert.equal(pc.r32(0x8000 - 3 * 4), 0x5100 + 5 + 5, 'return EIP = the faulting mov');
  });

  it('CR0.WP decides whether ring 0 may write a read-only page', () => {
    const pc = pagedPc();
    pc.w32(PT0 + 0x20 * 4, (0x20 << 12) | P); // 0x20000 read-only
    pc.runCode(asm('mov esp, 0x8000\nmov dword [0x20000], 1\nmov eax, cr0\nor eax, 0x10000\nmov cr0, eax\nmov dword [0x20000], 2\nhlt', 32, 0x5100), 0x5100);
    assert.equal(pc.r32(0x20000), 1, 'WP=0: the supervisor write went through');
    assert.equal(pc.cpu.getReg32(7), 14, 'WP=1: #PF');
    assert.equal(pc.r32(0x8000 - 16), 3, 'error code: protection, write, supervisor');
  });

  it('ring 3 may not touch supervisor pages (#PF error 5/7) but may use user pages', () => {
    const pc = pagedPc([0x5, 0x7]); // user code + user stack/data
    pc.runCode(asm(`mov esp, 0x8000
push ${UDATA}
push 0x7ff0
push 0x2
push ${UCODE}
push user
iret
user: mov ax, ${UDATA}
mov ds, ax
mov dword [0x7000], 9
mov eax, [0x20000]
hlt`, 32, 0x5100), 0x5100, 1000);
    const c = pc.cpu;
    assert.equal(pc.r32(0x7000), 9, 'user page written');
    assert.equal(c.getReg32(7), 14);
    assert.equal(c.getReg32(6), 0x20000);
    assert.equal(pc.r32(0x9000 - 24), 5, 'error code: protection, read, user');
  });

  it('the TLB keeps a translation until invlpg or a CR3 load', () => {
    const pc = pagedPc();
    pc.w32(0x30000, 0x1111); pc.w32(0x31000, 0x2222);
    pc.runCode(asm('mov esp, 0x8000\nmov eax, [0x30000]\nhlt', 32, 0x5100), 0x5100);
    assert.equal(pc.cpu.getReg32(0), 0x1111);
    pc.w32(PT0 + 0x30 * 4, 0x31000 | P | RW); // remap behind the CPU's back
    pc.cpu.runState = 'running';
    pc.runCode(asm('mov eax, [0x30000]\nmov ebx, eax\ninvlpg [0x30000]\nmov eax, [0x30000]\nhlt', 32, 0x5200), 0x5200);
    assert.equal(pc.cpu.getReg32(3), 0x1111, 'stale entry used before invlpg');
    assert.equal(pc.cpu.getReg32(0), 0x2222, 'new mapping after invlpg');
    pc.w32(PT0 + 0x30 * 4, 0x30000 | P | RW);
    pc.cpu.runState = 'running';
    pc.runCode(asm('mov eax, cr3\nmov cr3, eax\nmov eax, [0x30000]\nhlt', 32, 0x5300), 0x5300);
    assert.equal(pc.cpu.getReg32(0), 0x1111, 'CR3 load flushed the TLB');
  });
});
