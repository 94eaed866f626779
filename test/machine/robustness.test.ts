// "The simulator never throws on guest behaviour": random port and MMIO traffic from every CPU — wild
// IPIs (INIT, STARTUP, NMI, broadcasts, nonexistent APICs), random IOAPIC/PIT/PIC/UART/CMOS programming —
// then the machine keeps running. Any JavaScript exception fails the test.
import { strict as assert } from 'node:assert';
import { Machine } from '../../simulator/machine/machine';

/** A small deterministic PRNG (xorshift32) so a failure is reproducible. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

const PORTS = [0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x70, 0x71, 0x80, 0x92,
  0x60, 0x64, 0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff, 0x1234, 0xcf8, 0xcfc, 0xffff];

describe('machine: robustness against odd guests', function () {
  this.timeout(120_000);
  for (const seed of [1, 2, 3]) {
    it(`random device traffic (seed ${seed}) never throws, and the machine still runs`, () => {
      const m = new Machine({ cpus: 4, memoryMB: 16, serialInput: [{ time: 1000, bytes: 'xyz' }] });
      const next = rng(seed);
      for (let i = 0; i < 30000; i++) {
        const cpu = next() % 4;
        const bus = m.cpus[cpu].bus;
        const size = ([1, 2, 4] as const)[next() % 3];
        const v = next();
        switch (next() % 6) {
          case 0: bus.ioWrite(PORTS[next() % PORTS.length], size, v); break;
          case 1: bus.ioRead(PORTS[next() % PORTS.length], size); break;
          case 2: bus.writePhysical(0xfee00000 + (next() & 0xfff), size, v); break;
          case 3: bus.readPhysical(0xfee00000 + (next() & 0xfff), size); break;
          case 4: bus.writePhysical(0xfec00000 + (next() & 0x4c), 4, (next() & 1) ? v & 0x3f : v); break;
          default: bus.readPhysical(0xf0000000 + (next() & 0xfffffff), size); break;
        }
        if (i % 1000 === 0) m.raiseIrq(next() % 24);
      }
      const r = m.run(2_000_000);
      assert.ok(['budget', 'all-halted', 'idle', 'shutdown', 'exit'].includes(r.reason), JSON.stringify(r));
    });
  }
});
