// The rep stos fast path (simulator/cpu/ops-string.ts) on a real boot: the teaching kernel clears its
// BSS and zeroes page frames with rep stos on 2 CPUs with interrupts, paging and SMP start-up. Booting
// with the fast path and with the one-element path must give the same machine at every point: same
// instruction and virtual-time counts, same registers on both CPUs, the same RAM and dirty pages, the
// same serial output.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { Machine } from '../../simulator/machine/machine';
import { stringFastPath } from '../../simulator/cpu/ops-string';
import { bundledKernelPath } from '../../debug-adapter/launch-config';

const image = new Uint8Array(readFileSync(bundledKernelPath()));

function boot(fast: boolean, instructions: number) {
  const saved = stringFastPath.enabled;
  stringFastPath.enabled = fast;
  try {
    const m = new Machine({ cpus: 2, memoryMB: 128, cmdline: 'scenario=default hz=100', quantum: 1000 });
    let serial = '';
    m.onSerialOutput((b) => { serial += Buffer.from(b).toString('latin1'); });
    m.loadKernel(image);
    while (m.instructionsRetired < instructions) {
      const r = m.run(instructions - m.instructionsRetired);
      assert.equal(r.reason, 'budget', JSON.stringify(r));
    }
    return { m, serial };
  } finally { stringFastPath.enabled = saved; }
}

describe('machine: rep stos fast path during a kernel boot', () => {
  for (const n of [500_000, 3_000_000]) {
    it(`boots identically with and without it (${n.toLocaleString('en-US')} instructions)`, () => {
      const f = boot(true, n), s = boot(false, n);
      assert.equal(f.m.instructionsRetired, s.m.instructionsRetired);
      assert.equal(f.m.time, s.m.time, 'virtual time');
      f.m.cpus.forEach((c, i) => {
        const o = s.m.cpus[i];
        assert.equal(c.instructionCount, o.instructionCount, `cpu${i} instruction count`);
        assert.deepEqual(c.saveState(), o.saveState(), `cpu${i} state`);
      });
      assert.ok(Buffer.from(f.m.ram).equals(Buffer.from(s.m.ram)), 'RAM');
      assert.ok(Buffer.from(f.m.dirtyPages).equals(Buffer.from(s.m.dirtyPages)), 'dirty pages');
      assert.equal(f.serial, s.serial);
      assert.ok(f.serial.length > 0, 'the kernel printed something (it really booted)');
    });
  }
});
