// Console input given to `ksim run --serial-in FILE` from virtual time 0 reaches the shell intact.
//
// The bytes are on the line before the kernel runs: the first one waits in the UART's receive holding
// register while the FIFOs are still off, and serial_init turns the FIFOs on, which clears them. The
// kernel must keep what it had already received (serial_early_rx, handed to the tty by
// console_init_tty); otherwise the shell gets "s" instead of "ps". The shell's answer is the check: the
// ps table, which only the command "ps" prints.
import { strict as assert } from 'node:assert';
import { runKsim } from './process-helpers';

describe('guest: console input through ksim run --serial-in', function () {
  this.timeout(240000);

  it('the first byte of the input is not lost: "ps" typed before boot runs ps in the shell', () => {
    // 60M instructions: the boot, init, the shell's prompt and the ps listing (the scenario never ends).
    const run = runKsim('scenario=default', 1, 60_000_000, 200000, 'ps\n');
    const lines = run.out.split('\n');
    const ctx = `--- output ---\n${run.out.slice(-3000)}`;
    const header = lines.findIndex((l) => /PID {2}PPID {2}TGID S CPU PRI NICE POLICY +VM COMMAND$/.test(l));
    assert.ok(header >= 0, `ps header in ${ctx}`);
    assert.ok(lines.slice(header + 1).some((l) => /^ +\d+ +1 +\d+ [RS] .* shell$/.test(l)), `the shell is listed: ${ctx}`);
  });
});
