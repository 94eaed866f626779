// The same kernel ELF prints the same summary on QEMU and on ksim (issue 3's validation): MADT
// discovery, INIT-SIPI-SIPI through a real-mode trampoline, PIT-calibrated LAPIC timers on every CPU,
// IRQ 0 through the 8259A (virtual wire) and through the IOAPIC at its MADT override, IPI counts, and
// UART input echoed from the RX interrupt. The summary depends on what the hardware does, never on
// timing — so any difference is a difference in behaviour.
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SMPTEST_ELF, kernelOutput, qemuAvailable, runCli, runQemu } from './helpers';

const INPUT = 'hello ksim.';
const PROMPT = "uart: echo until '.'";

describe('machine: same kernel, same summary on QEMU and ksim', function () {
  this.timeout(300_000);
  const tmp = mkdtempSync(path.join(tmpdir(), 'ksim-compat-'));
  const inputFile = path.join(tmp, 'input.txt');
  writeFileSync(inputFile, INPUT);

  before(function () {
    // scripts/ensure-test-deps.sh installs qemu-system-x86; without it this suite must fail, not pass.
    assert.ok(qemuAvailable(), 'qemu-system-i386 is required (scripts/ensure-test-deps.sh installs it)');
  });

  for (const cpus of [2, 4]) {
    it(`smptest 'test echo' with ${cpus} CPUs`, async () => {
      const q = await runQemu(SMPTEST_ELF, cpus, 'test echo', { after: PROMPT, bytes: INPUT });
      const k = runCli(['run', '--kernel', SMPTEST_ELF, '--cpus', String(cpus), '--cmdline', 'test echo',
        '--serial-in', inputFile, '--max-instructions', '2000000000']);
      assert.equal(q.status, 1, `QEMU exit status\n${q.stdout}`);
      assert.equal(k.status, 1, `ksim exit status\n${k.stdout}\n${k.stderr}`);
      const expected = kernelOutput(q.stdout);
      assert.match(expected, new RegExp(`cpus online=${cpus}\\n`));
      assert.match(expected, /\ndone\n$/);
      assert.equal(kernelOutput(k.stdout), expected);
    });
  }

  it('per-CPU checksums of the SMP bench under 1 kHz LAPIC timers (4 CPUs)', async () => {
    const q = await runQemu(SMPTEST_ELF, 4, 'bench smp timers work=50');
    const k = runCli(['run', '--kernel', SMPTEST_ELF, '--cpus', '4', '--cmdline', 'bench smp timers work=50']);
    assert.equal(q.status, 1);
    assert.equal(k.status, 1, k.stderr);
    const sums = (s: string) => kernelOutput(s).split('\n').filter(l => l.startsWith('bench:')).join('\n');
    assert.equal(sums(q.stdout).split('\n').length, 4);
    assert.equal(sums(k.stdout), sums(q.stdout));
  });

  it('lockstep interleaving (--quantum 1) gives the same summary as QEMU', async () => {
    const q = await runQemu(SMPTEST_ELF, 2, 'test');
    const k = runCli(['run', '--kernel', SMPTEST_ELF, '--cpus', '2', '--quantum', '1', '--cmdline', 'test']);
    assert.equal(k.status, 1, k.stderr);
    assert.equal(kernelOutput(k.stdout), kernelOutput(q.stdout));
  });
});
