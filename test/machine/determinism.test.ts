// Determinism and snapshots (issue 3): the same ELF, command line and input give byte-identical serial
// output and equal fingerprints at 100 million instructions; a snapshot taken at 50 million, restored
// and run on, reaches the same fingerprint at 100 million — also in a fresh Machine, and also after
// the original machine had already run past the snapshot point.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { Machine, MachineConfig } from '../../simulator/machine/machine';
import { SMPTEST_ELF } from './helpers';

const TOTAL = 100_000_000;
const HALF = 50_000_000;
const image = new Uint8Array(readFileSync(SMPTEST_ELF));
// A busy SMP machine: 1 kHz LAPIC timers on both CPUs, IPIs, PIT and UART interrupts, console input.
const config: MachineConfig = {
  cpus: 2, memoryMB: 64, cmdline: 'smptest.elf soak',
  serialInput: [{ time: 20_000_000, bytes: 'ping\n' }, { time: 45_000_000, bytes: 'pong\n' }],
};

class Run {
  readonly m: Machine;
  output = '';
  constructor(m?: Machine) {
    this.m = m ?? new Machine(config);
    if (!m) this.m.loadKernel(image);
    this.m.onSerialOutput(b => { this.output += Buffer.from(b).toString('latin1'); });
  }
  to(instructions: number): this {
    while (this.m.instructionsRetired < instructions) {
      const r = this.m.run(instructions - this.m.instructionsRetired);
      assert.equal(r.reason, 'budget', `unexpected stop: ${JSON.stringify(r)}\n${this.output}`);
    }
    assert.equal(this.m.instructionsRetired, instructions);
    return this;
  }
}

describe('machine: determinism and snapshots', function () {
  this.timeout(600_000);
  let reference: { output: string; fingerprint: string; halfOutput: string };

  it('two runs of the same ELF, command line and input are identical at 100M instructions', () => {
    const a = new Run().to(TOTAL);
    const b = new Run().to(TOTAL);
    assert.match(a.output, /soak: round \d+/, 'the soak workload ran');
    assert.match(a.output, /ping\r?\n/, 'scripted input was echoed');
    assert.equal(b.output, a.output);
    const fa = a.m.fingerprint();
    assert.equal(b.m.fingerprint(), fa);
    reference = { output: a.output, fingerprint: fa, halfOutput: '' };
  });

  it('a snapshot at 50M restored and run to 100M reaches the same fingerprint and output', () => {
    const c = new Run().to(HALF);
    const snap = c.m.snapshot();
    const outputAtSnap = c.output;
    assert.ok(reference.output.startsWith(outputAtSnap));
    // 1. continue the original machine
    c.to(TOTAL);
    assert.equal(c.m.fingerprint(), reference.fingerprint);
    // 2. go back in time on the same machine (RAM has moved on since the snapshot)
    c.m.restore(snap);
    assert.equal(c.m.instructionsRetired, HALF);
    c.output = outputAtSnap;
    c.to(TOTAL);
    assert.equal(c.m.fingerprint(), reference.fingerprint);
    assert.equal(c.output, reference.output);
    // 3. a fresh machine with the same configuration
    const d = new Run(new Machine(config));
    d.m.restore(snap);
    d.output = outputAtSnap;
    d.to(TOTAL);
    assert.equal(d.m.fingerprint(), reference.fingerprint);
    assert.equal(d.output, reference.output);
  });

  it('the fingerprint tells different states apart', () => {
    const e = new Run().to(1_000_000);
    const f1 = e.m.fingerprint();
    e.m.writePhysical(0x200000, new Uint8Array([1]));
    assert.notEqual(e.m.fingerprint(), f1);
  });
});
