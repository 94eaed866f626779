// The Machine API the debugger and the CLI use: debugger memory access through a CPU's page tables
// (checked against page tables a guest built itself), interactive console input, the event trace,
// and run() splitting.
import { strict as assert } from 'node:assert';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Machine } from '../../simulator/machine/machine';
import { TraceBuffer } from '../../simulator/machine/trace';
import { SMPTEST_ELF, runCli } from './helpers';

const image = new Uint8Array(readFileSync(SMPTEST_ELF));

function boot(cpus: number, cmdline: string): { m: Machine; out: () => string } {
  const m = new Machine({ cpus, cmdline: `smptest.elf ${cmdline}` });
  m.loadKernel(image);
  let text = '';
  m.onSerialOutput(b => { text += Buffer.from(b).toString('latin1'); });
  return { m, out: () => text };
}

const u32 = (b: Uint8Array | null) => (b ? new DataView(b.buffer, b.byteOffset).getUint32(0, true) : null);

describe('machine: API', function () {
  this.timeout(300_000);

  it('reads and writes linear memory through the page tables the guest built, without side effects', () => {
    const { m, out } = boot(1, 'paging');
    const r = m.run(50_000_000);
    assert.equal(r.reason, 'all-halted', out());
    assert.match(out(), /paging: on, alias at 0xc0000000 ok/);
    const cr3 = m.cpus[0].getControlRegister(3);
    assert.ok(m.cpus[0].getControlRegister(0) & 0x80000000, 'paging is on');
    // 4 MiB identity page, 4 KiB alias pages, a hole, unmapped space
    assert.equal(m.translateLinear(0, 0x00123456), 0x00123456);
    assert.equal(m.translateLinear(0, 0xc0123456), 0x00123456);
    assert.equal(m.translateLinear(0, 0xc0005000), null);
    assert.equal(m.translateLinear(0, 0x40000000), null);
    assert.equal(m.readLinear(0, 0xc0004ffe, 4), null, 'a read touching the hole fails as a whole');
    assert.deepEqual(m.readLinear(0, 0xc0103ffe, 8), m.readPhysical(0x103ffe, 8), 'across a page boundary');
    // The guest's own page table: its entry for 0xc0300000 keeps its accessed/dirty bits as they were.
    const pt = u32(m.readPhysical(cr3 + 0x300 * 4, 4))! & 0xfffff000;
    const pteBefore = u32(m.readPhysical(pt + 0x300 * 4, 4));
    assert.equal(m.writeLinear(0, 0xc0300000, new Uint8Array([1, 2, 3])), true);
    assert.deepEqual(Array.from(m.readPhysical(0x300000, 3)), [1, 2, 3]);
    m.readLinear(0, 0xc0300000, 16);
    assert.equal(u32(m.readPhysical(pt + 0x300 * 4, 4)), pteBefore, 'no A/D bits set by debugger access');
    m.writePhysical(0x4ff0, new Uint8Array(16).fill(0x5a));
    assert.equal(m.writeLinear(0, 0xc0004ff0, new Uint8Array(32)), false);
    assert.deepEqual(Array.from(m.readPhysical(0x4ff0, 16)), new Array(16).fill(0x5a), 'a failed write writes nothing');
    assert.deepEqual(Array.from(m.readPhysical(m.ram.length - 2, 4)).slice(2), [0xff, 0xff], 'beyond RAM reads 0xFF');
  });

  it('delivers interactive console input through the UART RX interrupt', () => {
    const { m, out } = boot(2, 'test echo');
    while (!out().includes("uart: echo until '.'")) {
      const r = m.run(1_000_000);
      assert.ok(r.reason === 'budget' || r.reason === 'idle', out());
    }
    // Halted with interrupts on, no timer armed and no scripted input: only the user can wake it.
    assert.equal(m.run(2_000_000).reason, 'idle', 'the kernel waits for input');
    m.sendSerialInput('typed.');
    const r = m.run(100_000_000);
    assert.equal(r.reason, 'exit');
    assert.equal(r.exitCode, 1);
    assert.match(out(), /typed\.\r\nuart: rx interrupt echoed bytes=6\r\ndone/);
  });

  it('records IPIs, INIT/SIPI and device interrupts in the trace (ksim run --trace)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ksim-trace-'));
    const file = path.join(dir, 'trace.jsonl');
    const r = runCli(['run', '--kernel', SMPTEST_ELF, '--cpus', '4', '--cmdline', 'test', '--trace', file, '--trace-size', '1000000']);
    assert.equal(r.status, 1, r.stderr);
    const events = readFileSync(file, 'utf8').trim().split('\n').map(l => JSON.parse(l));
    const count = (f: (e: { kind: string; vector?: number; cpu: number; target?: number }) => boolean) => events.filter(f).length;
    // The kernel sends 3 IPIs (vector 0x50) from every CPU to every other one: 4 * 3 * 3.
    assert.equal(count(e => e.kind === 'ipi-recv' && e.vector === 0x50), 36);
    for (let cpu = 1; cpu < 4; cpu++) {
      assert.equal(count(e => e.kind === 'init' && e.cpu === cpu), 1, `INIT to CPU ${cpu}`);
      assert.equal(count(e => e.kind === 'sipi' && e.cpu === cpu && e.vector === 0x08), 1, `one SIPI starts CPU ${cpu}`);
    }
    assert.ok(count(e => e.kind === 'irq' && e.vector === 0) >= 15, 'PIT interrupts (5 via the 8259A, 10 via the IOAPIC)');
    // Interrupt deliveries as the CPUs took them: 20 LAPIC timer ticks (vector 0x40) on every CPU, after
    // which each CPU masks its timer; every IPI received is also taken.
    for (let cpu = 0; cpu < 4; cpu++) {
      assert.equal(count(e => e.kind === 'interrupt' && e.vector === 0x40 && e.cpu === cpu), 20, `timer ticks on CPU ${cpu}`);
    }
    assert.equal(count(e => e.kind === 'interrupt' && e.vector === 0x50), 36);
    assert.equal(count(e => e.kind === 'iret'), count(e => e.kind === 'interrupt'), 'every handler returns with iret');
    const times = events.map(e => e.seq);
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
  });

  it('the trace ring keeps the newest events and forgets a future undone by restore', () => {
    const t = new TraceBuffer(4);
    for (let i = 0; i < 10; i++) t.record(i * 10, i % 2, 'irq', i);
    assert.deepEqual(t.events().map(e => [e.seq, e.time, e.vector]), [[6, 60, 6], [7, 70, 7], [8, 80, 8], [9, 90, 9]]);
    assert.deepEqual(t.since(8).map(e => e.seq), [8, 9]);
    t.truncateTo(8);
    assert.deepEqual(t.events().map(e => e.seq), [6, 7]);
    t.record(200, 0, 'hlt');
    assert.deepEqual(t.events().map(e => [e.seq, e.kind]), [[6, 'irq'], [7, 'irq'], [8, 'hlt']]);
    t.truncateTo(2);  // older than anything held: the ring is empty, numbering resumes at 2
    assert.equal(t.size, 0);
    t.record(300, 1, 'wake');
    assert.deepEqual(t.events().map(e => e.seq), [2]);
  });

  for (const [cpus, cmdline] of [[2, 'test'], [1, 'bench timers work=300']] as const) {
    it(`splitting run() into pieces does not change the machine (${cpus} CPU(s), '${cmdline}')`, () => {
      const a = boot(cpus, cmdline);
      const ra = a.m.run(1e9);
      const b = boot(cpus, cmdline);
      let rb;
      do { rb = b.m.run(777_777); } while (rb.reason === 'budget');
      assert.equal(ra.reason, 'exit');
      assert.deepEqual({ ...rb, instructions: 0 }, { ...ra, instructions: 0 });
      assert.equal(b.out(), a.out());
      assert.equal(b.m.fingerprint(), a.m.fingerprint());
    });
  }

  it('writes scripted input files with virtual timestamps (ksim run --serial-in)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ksim-serial-'));
    const file = path.join(dir, 'in.txt');
    writeFileSync(file, '#ksim-serial\n# comment\n1000 a\\x62c\n90000000 d.\n');
    const r = runCli(['run', '--kernel', SMPTEST_ELF, '--cmdline', 'test echo', '--serial-in', file]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /abcd\.\r\nuart: rx interrupt echoed bytes=5/);
    writeFileSync(file, '#ksim-serial\nsoon abc\n');
    const bad = runCli(['run', '--kernel', SMPTEST_ELF, '--serial-in', file]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /serial script line 2/);
  });
});
