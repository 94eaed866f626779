// The Interrupts view's per-CPU counts are the kernel's own (kstat_cpu(cpu).irqs[irq], as
// /proc/interrupts prints them), exact from boot, not a window of the machine's trace.
//
// Oracles:
//  - the machine's delivery trace of the same deterministic run, replayed on an engine of our own in
//    this process with a trace buffer large enough that nothing was overwritten (checked): the
//    'interrupt' events per vector and CPU since the machine started. Same launch, same stop (the same
//    virtual time is checked), so the CPU-side record of every delivery must equal the kernel's count;
//  - the kernel's per-line total irq_desc[irq].irq_count, which note_interrupt keeps independently of
//    kstat: the per-CPU counts add up to it;
//  - the REPL `irq` command prints the same per-CPU columns.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { IrqsResponseBody } from '../../debug-adapter/protocol/kernel-views';
import { ensureAdapterBuilt, evaluate, launch, ROOT, startClient } from './dap-harness';
import { Machine } from '../../simulator/machine/machine';
import { loadSymbols } from '../../debug-adapter/symbols';
import { resolveLaunchConfig } from '../../debug-adapter/launch-config';
import { Engine, type StopInfo } from '../../debug-adapter/engine/engine';
import { BreakpointTable } from '../../debug-adapter/engine/breakpoints';

const KERNEL = path.join(ROOT, 'simulator', 'guest', 'build', 'ksim-kernel.elf');
const FIRST_EXTERNAL_VECTOR = 0x20;
/** Large enough to hold every trace event of the run below from boot (the test checks nothing wrapped). */
const TRACE = 1 << 20;
/**
 * irq-pending-smp (scenarios/irq.c): IRQ 4 is taken on CPU 0, then routed to CPU 1 and raised again
 * while CPU 0 still runs its handler; CPU 1 only marks it PENDING and CPU 0 runs the handler again.
 * Stop at the scenario's free_irq, while the handler is still attached: IRQ 4 then has one occurrence
 * on each CPU, and the timer's IRQ 0 its count on CPU 0.
 */
const LAUNCH = { cpus: 2, scenario: 'irq-pending-smp', hz: 1000 };
/**
 * The debug session's own trace ring is kept small so that it wraps long before the stop: the view's
 * counts must still cover the whole run (they are the kernel's, not the ring's). Tracing does not
 * change the run (the same stop time is checked).
 */
const SESSION_TRACE = 32;
const STOP_AT = { name: 'free_irq', hitCondition: '1' };
const UART_IRQ = 4;

interface Replay { time: number; perVector: Map<number, number[]>; wrapped: boolean; events: number }

/** The same run on an engine of our own; counts the trace's interrupt deliveries per vector and CPU. */
function replay(): Replay {
  const config = resolveLaunchConfig({ ...LAUNCH, traceBufferSize: TRACE });
  const image = new Uint8Array(fs.readFileSync(config.kernel));
  const machine = new Machine({ cpus: config.cpus, memoryMB: config.memoryMB, cmdline: config.cmdline, quantum: config.quantum, serialInput: config.serialInput, traceBufferSize: config.traceBufferSize });
  machine.loadKernel(image);
  const symbols = loadSymbols(image);
  let stop: StopInfo | undefined;
  const engine = new Engine(machine, symbols, { stepIntoInterrupts: false, showTasksAsThreads: true, disassemblyFlavor: 'att', synchronous: true }, {
    stopped: (info) => { stop = info; }, output: () => {}, exited: (code) => { throw new Error(`exited ${code}`); },
  });
  engine.setPanicBreakpoints(true); // as the session does with its default exception filters
  engine.breakpoints.setFunctions([{
    id: engine.breakpoints.newId(), kind: 'function', functionName: STOP_AT.name, addresses: symbols.breakpointAddresses(STOP_AT.name),
    verified: true, hits: 0, ...BreakpointTable.options({ hitCondition: STOP_AT.hitCondition }),
  }]);
  engine.continue();
  assert.equal((stop as StopInfo | undefined)?.reason, 'function breakpoint');
  const perVector = new Map<number, number[]>();
  for (const ev of machine.trace.events()) {
    if (ev.kind !== 'interrupt' || ev.vector === undefined) continue;
    const row = perVector.get(ev.vector) ?? [0, 0];
    row[ev.cpu]++;
    perVector.set(ev.vector, row);
  }
  return { time: machine.time, perVector, wrapped: machine.trace.size !== machine.trace.total, events: machine.trace.total };
}

describe('adapter: per-CPU interrupt counts from the kernel\'s kstat', function () {
  this.timeout(300000);
  let dc: DebugClient;
  let view: IrqsResponseBody & { available: true };
  let oracle: Replay;

  before(async function () {
    if (!fs.existsSync(KERNEL)) throw new Error(`the teaching kernel is not built: ${KERNEL}`);
    ensureAdapterBuilt();
    oracle = replay();
    dc = await startClient();
    await launch(dc, { ...LAUNCH, traceBufferSize: SESSION_TRACE }, () => dc.setFunctionBreakpointsRequest({ breakpoints: [STOP_AT] }));
    const r = await dc.customRequest('ksim/irqs', {});
    assert.equal((r.body as { available: boolean }).available, true);
    view = r.body as IrqsResponseBody & { available: true };
  });
  after(async function () { await dc?.stop(); });

  it('stops where the replay stopped, and the replay trace holds the whole run', async function () {
    const cpus = (await dc.customRequest('ksim/cpus', {})).body as { time: number };
    assert.equal(cpus.time, oracle.time);
    assert.equal(oracle.wrapped, false, 'the trace buffer must hold every event since boot');
  });

  it('per-CPU counts equal the trace\'s deliveries per vector and CPU since boot, though the session\'s ring wrapped', function () {
    assert.ok(oracle.events > SESSION_TRACE, `the run has more trace events (${oracle.events}) than the session's ring holds`);
    // The session says its ring wrapped, for the APIC rows (LOC, RES, ...) only: they have no kernel counter.
    assert.ok(view.warnings?.some((w) => /^APIC timer/.test(w)), `warnings: ${view.warnings}`);
    assert.ok(!view.warnings?.some((w) => /^per-CPU counts cover only/.test(w)), `warnings: ${view.warnings}`);
    // Every vector the trace saw that is neither an exception nor an APIC counter row is a line of the view.
    for (const vector of oracle.perVector.keys()) {
      if (vector < FIRST_EXTERNAL_VECTOR || view.other?.some((o) => o.vector === vector)) continue;
      assert.ok(view.lines.some((l) => l.vector === vector), `vector 0x${vector.toString(16)} was delivered but has no line in the view`);
    }
    for (const l of view.lines) {
      assert.deepEqual(l.countsPerCpu, oracle.perVector.get(l.vector!) ?? [0, 0], `IRQ ${l.irq} (vector 0x${l.vector!.toString(16)})`);
    }
    const uart = view.lines.find((l) => l.irq === UART_IRQ);
    assert.ok(uart && uart.actions.some((a) => a.name === 'ksim-thre'), 'the scenario\'s handler is still on IRQ 4');
    assert.ok(uart.countsPerCpu[0] > 0 && uart.countsPerCpu[1] > 0, `IRQ 4 taken on both CPUs: ${uart.countsPerCpu}`);
  });

  it('the per-CPU counts of each line add up to the kernel\'s total irq_desc.irq_count', function () {
    for (const l of view.lines) {
      if (!l.actions.length) continue; // irq_count counts only occurrences an ISR ran for (note_interrupt)
      assert.equal(l.countsPerCpu.reduce((a, b) => a + b, 0), l.total, `IRQ ${l.irq}`);
    }
    assert.ok(view.lines.some((l) => l.actions.length && l.total > 0));
  });

  it('the REPL irq command shows the same per-CPU columns', async function () {
    const text = await evaluate(dc, 'irq', undefined, 'repl');
    const rows = text.split('\n');
    assert.match(rows[0], /TOTAL\s+CPU0\s+CPU1/);
    for (const l of view.lines) {
      const row = rows.find((r) => new RegExp(`^\\s*${l.irq} 0x${l.vector!.toString(16).padStart(2, '0')}\\s`).test(r));
      assert.ok(row, `row for IRQ ${l.irq} in:\n${text}`);
      const cols = row.trim().split(/\s+/);
      assert.deepEqual(cols.slice(2, 5).map(Number), [l.total, ...l.countsPerCpu], row);
    }
  });
});
