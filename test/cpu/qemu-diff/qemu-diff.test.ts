// Differential traces against QEMU: each test kernel (kernels/*.asm, built ELFs committed in kernels/build)
// runs in qemu-system-i386 (single-stepped, one register dump per instruction) and in ksim, and the states
// are compared instruction by instruction from the kernel's trace_start on (trace-diff.ts). Zero divergences.

import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { crossCheckRunLoop, diffKernel } from './trace-diff';

const KERNELS = ['alu', 'sys', 'cmix', 'realmode', 'prot'];
const BUILD = join(__dirname, 'kernels', 'build');

describe('CPU vs QEMU (differential instruction traces)', function () {
  this.timeout(240_000);
  let total = 0;

  it('the committed kernels are what kernels/build.mjs builds from the sources', () => {
    const out = mkdtempSync(join(tmpdir(), 'ksim-kernels-'));
    try {
      execFileSync(process.execPath, [join(__dirname, 'kernels', 'build.mjs'), '--out', out]);
      for (const k of KERNELS) {
        assert.ok(readFileSync(join(out, `${k}.elf`)).equals(readFileSync(join(BUILD, `${k}.elf`))),
          `${k}.elf differs from a fresh build: run node test/cpu/qemu-diff/kernels/build.mjs`);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  for (const k of KERNELS) {
    it(`${k}: ksim matches QEMU at every instruction`, async () => {
      const r = await diffKernel(join(BUILD, `${k}.elf`));
      assert.equal(r.divergence, undefined, r.divergence);
      // the kernel's own self-checks passed in QEMU (isa-debug-exit status 0 => exit code 1)
      assert.equal(r.qemuExit, 1, `QEMU exit code ${r.qemuExit}`);
      assert.ok(r.compared >= 200_000, `only ${r.compared} instructions compared after the kernel loaded its GDT and stack`);
      total += r.compared;
    });
  }

  for (const k of KERNELS) {
    it(`${k}: run() (the fast loop, cut at varied budgets) ends in the same state and RAM as step()`, () => {
      const r = crossCheckRunLoop(join(BUILD, `${k}.elf`));
      assert.deepEqual(r.diffs, []);
    });
  }

  it('the comparison notices a single flipped register bit (harness self-check)', async () => {
    const r = await diffKernel(join(BUILD, 'alu.elf'), (k, i) => { if (i === 3000) k.cpu.setReg32(5, k.cpu.getReg32(5) ^ 0x100); });
    assert.match(r.divergence ?? '', /divergence before instruction #3001 .*\n {2}ebp qemu=/);
  });

  it('compared >= 200,000 instructions in total', () => {
    assert.ok(total >= 200_000, `${total} instructions compared`);
  });
});
