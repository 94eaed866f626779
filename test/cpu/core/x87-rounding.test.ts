// x87 rounding control (control word bits 10-11) checked against the host CPU.
//
// One nasm routine computes, for a table of operand pairs, fadd/fsub/fsubr/fmul/fdiv/fdivr (memory and
// register forms), fsqrt, fst m32, fild m64 and fistp m32, storing every result's bit pattern. The very
// same source is assembled twice: as a flat binary run by ksim's CPU, and as an ELF object linked into a
// gcc -m32 program that runs natively on the host's x86 CPU. Both fill the same input table and use the
// same control word, and the stored bytes must be identical.
//
// ksim holds x87 values as doubles, so the host runs with precision control = 53 bits (PC=10) for all four
// rounding modes; with PC=64 bits (the Linux default, PC=11) it is compared in the three directed modes,
// where rounding the 64-bit result again on the store gives the same double as rounding once (except for
// a chained computation whose intermediate stays in a register: see blankChained).

import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { asm, TestPc } from './pc';

/** Operand pairs (a, b): ordinary quotients, inexact sums/products, signs, overflow, subnormals. */
const PAIRS: Array<[number, number]> = [
  [1, 10], [2, 3], [-1, 3], [1, -7], [0.1, 0.2], [-0.1, 0.7], [1e308, 1e308], [-1e308, 1e308 / 3],
  [Math.PI, Math.E], [123456789.123, -0.000321], [5e-324, 3], [2.5e-308, 1e-10], [3, 3], [-2.5, -0.5],
  [1.7976931348623157e308, 0.5], [0, -0],
];
const RESULTS = 12; // 8-byte slots per pair
const OUT = 0x1000; // results at area + OUT

// esi = the area: +0 control word, +4 pair count, +8 pairs; results from +OUT, RESULTS slots per pair.
const ROUTINE = `
fninit
fldcw [esi]
mov ecx, [esi+4]
lea ebx, [esi+8]
lea edi, [esi+${OUT}]
.next:
fld qword [ebx]
fadd qword [ebx+8]
fstp qword [edi]
fld qword [ebx]
fsub qword [ebx+8]
fstp qword [edi+8]
fld qword [ebx]
fsubr qword [ebx+8]
fstp qword [edi+16]
fld qword [ebx]
fmul qword [ebx+8]
fstp qword [edi+24]
fld qword [ebx]
fdiv qword [ebx+8]
fstp qword [edi+32]
fld qword [ebx]
fdivr qword [ebx+8]
fstp qword [edi+40]
fld qword [ebx]
fld qword [ebx+8]
fdivp st1, st0
fstp qword [edi+48]
fld qword [ebx]
fabs
fsqrt
fstp qword [edi+56]
fld qword [ebx]
fstp dword [edi+64]
mov dword [edi+68], 0
fild qword [ebx]
fstp qword [edi+72]
fld qword [ebx+8]
fld qword [ebx]
faddp st1, st0
fld qword [ebx]
fmulp st1, st0
fstp qword [edi+80]
fld qword [ebx]
fmul qword [ebx+8]
fistp dword [edi+88]
mov dword [edi+92], 0
add ebx, 16
add edi, ${RESULTS * 8}
dec ecx
jnz .next
`;

const DRIVER = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
void x87_routine(unsigned char *area);
static unsigned char area[${OUT + PAIRS.length * RESULTS * 8}];
int main(int argc, char **argv)
{
	FILE *in = fopen(argv[1], "rb");
	if (!in || fread(area, 1, ${8 + PAIRS.length * 16}, in) != ${8 + PAIRS.length * 16}) return 2;
	fclose(in);
	x87_routine(area);
	fwrite(area + ${OUT}, 1, ${PAIRS.length * RESULTS * 8}, stdout);
	return 0;
}
`;

function inputArea(cw: number): Buffer {
  const b = Buffer.alloc(8 + PAIRS.length * 16);
  b.writeUInt16LE(cw, 0);
  b.writeUInt32LE(PAIRS.length, 4);
  PAIRS.forEach(([a, c], k) => { b.writeDoubleLE(a, 8 + 16 * k); b.writeDoubleLE(c, 16 + 16 * k); });
  return b;
}

const RC_NAMES = ['to nearest', 'down', 'up', 'toward zero'];
const CONTROL_WORDS: Array<{ cw: number; what: string }> = [];
for (let rc = 0; rc < 4; rc++) CONTROL_WORDS.push({ cw: 0x027f | (rc << 10), what: `RC ${RC_NAMES[rc]}, PC 53 bits` });
for (let rc = 1; rc < 4; rc++) CONTROL_WORDS.push({ cw: 0x037f | (rc << 10), what: `RC ${RC_NAMES[rc]}, PC 64 bits` });

describe('cpu core: x87 rounding control against the host CPU', function () {
  this.timeout(60000);
  let dir: string;
  let exe: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ksim-x87rc-'));
    writeFileSync(join(dir, 'routine.asm'), `bits 32\nsection .text\nglobal x87_routine\nx87_routine:\npush ebx\npush esi\npush edi\nmov esi, [esp+16]\n${ROUTINE}\npop edi\npop esi\npop ebx\nret\n`);
    writeFileSync(join(dir, 'driver.c'), DRIVER);
    execFileSync('nasm', ['-f', 'elf32', '-o', join(dir, 'routine.o'), join(dir, 'routine.asm')]);
    exe = join(dir, 'x87rc');
    execFileSync('gcc', ['-m32', '-O1', '-o', exe, join(dir, 'driver.c'), join(dir, 'routine.o')]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function onHost(cw: number): Buffer {
    const f = join(dir, `in-${cw.toString(16)}`);
    writeFileSync(f, inputArea(cw));
    return execFileSync(exe, [f]);
  }

  function onKsim(cw: number): Buffer {
    const pc = new TestPc();
    pc.protectedMode();
    const AREA = 0x20000;
    pc.load(AREA, inputArea(cw));
    pc.runCode(asm(`mov esi, 0x${AREA.toString(16)}\n${ROUTINE}\nhlt`, 32, 0x5000), 0x5000);
    return Buffer.from(pc.bus.ram.buffer, AREA + OUT, PAIRS.length * RESULTS * 8);
  }

  /** The first differing result, named by pair and slot, for a readable failure. */
  function firstDifference(host: Buffer, ksim: Buffer): string {
    const slots = ['fadd', 'fsub', 'fsubr', 'fmul', 'fdiv', 'fdivr', 'fdivp', 'fsqrt', 'fst m32', 'fild m64', 'faddp+fmulp', 'fistp m32'];
    for (let k = 0; k < host.length; k += 8) {
      if (!host.subarray(k, k + 8).equals(ksim.subarray(k, k + 8))) {
        const p = PAIRS[Math.floor(k / (RESULTS * 8))], s = slots[(k / 8) % RESULTS];
        return `${s} of (${p[0]}, ${p[1]}): host ${host.subarray(k, k + 8).toString('hex')} ksim ${ksim.subarray(k, k + 8).toString('hex')}`;
      }
    }
    return '';
  }

  it('the routine\'s results differ between rounding modes (the comparison is not vacuous)', () => {
    const seen = new Set(CONTROL_WORDS.slice(0, 4).map(({ cw }) => onHost(cw).toString('hex')));
    assert.equal(seen.size, 4);
  });

  /**
   * With PC=64 the host keeps the intermediate of faddp+fmulp in 64 bits; ksim rounds it to 53 (the
   * documented precision gap, not a rounding-control matter): that chained slot is blanked in both.
   */
  function blankChained(buf: Buffer): Buffer {
    const out = Buffer.from(buf);
    for (let k = 0; k < PAIRS.length; k++) out.fill(0, (k * RESULTS + 10) * 8, (k * RESULTS + 11) * 8);
    return out;
  }

  for (const { cw, what } of CONTROL_WORDS) {
    it(`${what} (control word ${cw.toString(16)}): ksim stores the host's bit patterns`, () => {
      const pc64 = (cw & 0x300) === 0x300;
      const host = pc64 ? blankChained(onHost(cw)) : onHost(cw), ksim = pc64 ? blankChained(onKsim(cw)) : onKsim(cw);
      assert.equal(firstDifference(host, ksim), '');
      assert.ok(host.equals(ksim));
    });
  }

  it('1/10 rounded toward zero with control word 0x0f7f ends in 9, as fpu_user prints it on the host', () => {
    const ksim = onKsim(0x0f7f);
    assert.equal(ksim[32] & 0xf, 0x9); // pair 0 is (1, 10); slot 4 is fdiv
  });
});
