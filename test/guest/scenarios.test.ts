// The issue-4 teaching scenarios of the kernel in simulator/guest: each one boots the committed image
// with "scenario=NAME", runs a workload that makes one point of ULK3 ch. 3–4 visible, prints summary
// lines that do not depend on timing, and exits through port 0xf4.
//
// The expected lines state the book's facts (10 passes of __do_softirq, a tasklet scheduled twice
// runs once, an exclusive wake-up wakes one waiter...). Each scenario is checked on the reference PC
// (QEMU, -smp 2) and on ksim with 1, 2 and 4 CPUs; QEMU and ksim must print the same lines.

import assert from 'node:assert/strict';
import { runQemu, runKsim, scenarioResult, describeRun, EXIT_PASS, KernelRun } from './run-kernel';

interface Scenario {
  name: string;
  /** Expected summary lines with 2 or more CPUs. */
  smp: string[];
  /** Expected summary lines with 1 CPU, when they differ (scenarios that need two CPUs). */
  up?: string[];
}

const SKIPPED_UP = ['needs 2 CPUs: skipped'];

const SCENARIOS: Scenario[] = [
  {
    name: 'timer-preempt',
    smp: ['two CPU-bound threads on CPU 0, neither yields', 'both ran: yes', 'they alternated at least twice each: yes',
      'switches came from the timer via preempt_schedule_irq: yes'],
  },
  {
    name: 'kernel-preempt',
    smp: ['a nice-19 thread loops in kernel mode on CPU 0, a nice -10 thread sleeps on a timer',
      'woken thread preempted the kernel loop (preempt_schedule_irq): yes', 'no switch inside preempt_disable(): yes',
      'switch happened at preempt_enable() (preempt_schedule): yes'],
  },
  {
    name: 'ipi-resched',
    smp: ['thread bound to CPU 1 woken from CPU 0', 'it ran on CPU 1: yes', 'CPU 1 received a RESCHEDULE IPI: yes'],
    up: SKIPPED_UP,
  },
  {
    name: 'load-balance',
    smp: ['3 hogs per CPU started on CPU 0', 'hogs ran on every online CPU: yes', 'load_balance pulled tasks: yes'],
  },
  {
    name: 'sched-compare',
    smp: ['8 CPU-bound threads on CPU 0', 'O(1): every thread ran: yes',
      'O(1): next task found by sched_find_first_bit over a 140-bit bitmap', 'goodness: every thread ran: yes',
      'goodness: examined at least 8 runnable tasks in one schedule(): yes'],
  },
  {
    name: 'irq-pending-smp',
    smp: ['IRQ 4 handled on CPU 0; the same IRQ then arrives on CPU 1',
      'CPU 1 found IRQ_INPROGRESS and set IRQ_PENDING: yes', 'handler calls: 2, all on CPU 0: yes',
      'CPU 0 looped once more in __do_IRQ: yes'],
    up: SKIPPED_UP,
  },
  {
    name: 'irq-disable-replay',
    smp: ['disable_irq(4); the device interrupts; enable_irq(4)', 'handler calls while disabled: 0',
      'IRQ_PENDING recorded while disabled: yes', 'enable_irq set IRQ_REPLAY and resent the vector: yes',
      'handler calls after enable_irq: 1'],
  },
  {
    name: 'shared-irq',
    smp: ['two ISRs share IRQ 4 (SA_SHIRQ)', 'a non-shared request on the line is refused: yes',
      'device A interrupts: both ISRs called, A returns IRQ_HANDLED, B IRQ_NONE: yes',
      'an unclaimed occurrence counts in irqs_unhandled: 1',
      'device B interrupts: both ISRs called, only B handles it: yes'],
  },
  {
    name: 'nested-irq',
    smp: ['IRQ 4 handler without SA_INTERRUPT spins until a local timer tick',
      'the timer interrupt nested inside it: yes', 'hardirq count reached 2: yes',
      'no process switch inside the handler: yes', 'with SA_INTERRUPT nothing nested: yes'],
  },
  {
    name: 'softirq-restart',
    smp: ['a softirq that re-raises itself 50 times', 'the first __do_softirq ran it 10 times (10 passes)',
      'then it gave up and woke ksoftirqd: yes', 'all 50 runs completed: yes'],
  },
  {
    name: 'tasklet-once',
    smp: ['tasklet_schedule called twice before the tasklet could run', 'TASKLET_STATE_SCHED set by the first call: yes',
      'tasklet ran 1 time(s); hi tasklet ran 1 time(s)',
      'SCHED cleared when it ran, so a later schedule runs it again: yes'],
  },
  {
    name: 'tasklet-disabled',
    smp: ['DECLARE_TASKLET_DISABLED, then tasklet_schedule', 'runs while disabled: 0',
      'tasklet_action re-queued it and re-raised the softirq: yes', 'runs after tasklet_enable: 1'],
  },
  {
    name: 'workqueue',
    smp: ['create_workqueue("ksimwq"): one worker thread ksimwq/N per CPU',
      'queue_work accepted 4 works; a pending one was refused: yes', 'works ran in the worker threads and slept: yes',
      'flush_workqueue returned after all 4 had finished: yes', 'queue_delayed_work(5 ticks) ran no earlier: yes',
      'cancel_delayed_work stopped a pending delayed work: yes', 'schedule_work ran in events/N (keventd): yes'],
  },
  {
    name: 'timers',
    smp: ['add_timer 300 ticks ahead: placed in tv2 (tv1 covers 256 ticks): yes',
      'cascaded into tv1 as its time came near: yes', 'it ran from the wheel slot of its expiry tick, never early: yes',
      'mod_timer on a pending timer returned 1 and it ran at the new time: yes',
      'del_timer returned 1, then 0; the function never ran: yes',
      'del_timer_sync waited for the function running on CPU 1: yes'],
    up: ['add_timer 300 ticks ahead: placed in tv2 (tv1 covers 256 ticks): yes',
      'cascaded into tv1 as its time came near: yes', 'it ran from the wheel slot of its expiry tick, never early: yes',
      'mod_timer on a pending timer returned 1 and it ran at the new time: yes',
      'del_timer returned 1, then 0; the function never ran: yes', 'del_timer_sync across CPUs: needs 2 CPUs'],
  },
  {
    name: 'ipi-call',
    smp: ['smp_call_function ran the function on every other CPU: yes',
      'there it ran in interrupt context (CALL_FUNCTION_VECTOR): yes',
      'flush_tlb_all reached every other CPU (INVALIDATE_TLB_VECTOR): yes'],
    up: SKIPPED_UP,
  },
  {
    name: 'wait-herd',
    smp: ['4 non-exclusive waiters (add_wait_queue) and 4 exclusive ones (add_wait_queue_exclusive)',
      'wake_up on the non-exclusive queue woke 4 of 4 (the herd), 1 got the resource',
      'wake_up on the exclusive queue woke 1 of 4, 1 got the resource'],
  },
  {
    name: 'many-tasks',
    smp: ['1000 kernel threads created (kthread_create), spread over the online CPUs',
      '720 TASK_INTERRUPTIBLE on 3 wait queues, 200 TASK_UNINTERRUPTIBLE on one, 72 in schedule_timeout, 8 running (nice 19, yielding)',
      'all of them reached that state: yes',
      'kthread_stop stopped 1000; released without wait4 (exit_notify: EXIT_DEAD): 1000'],
  },
];

function check(run: KernelRun, s: Scenario, cpus: number): void {
  const r = scenarioResult(run, s.name);
  assert.equal(r.crashed, false, `kernel crashed\n${describeRun(run)}`);
  const expected = cpus === 1 && s.up ? s.up : s.smp;
  assert.deepEqual(r.summary, expected, `summary of ${s.name} on ${cpus} CPU(s)\n${describeRun(run)}`);
  assert.equal(r.verdict, 'PASS', describeRun(run));
  assert.equal(run.exitCode, EXIT_PASS, `exit code\n${describeRun(run)}`);
}

describe('guest: issue-4 scenarios (QEMU -smp 2, ksim 1/2/4 CPUs)', function () {
  this.timeout(150_000);
  for (const s of SCENARIOS) {
    describe(s.name, () => {
      let qemuSummary: string[] | undefined;
      it('QEMU -smp 2 prints the expected summary', async () => {
        const run = await runQemu({ cpus: 2, cmdline: `scenario=${s.name}` });
        check(run, s, 2);
        qemuSummary = scenarioResult(run, s.name).summary;
      });
      for (const cpus of [1, 2, 4]) {
        it(`ksim --cpus ${cpus} prints the expected summary`, async () => {
          const run = await runKsim({ cpus, cmdline: `scenario=${s.name}` });
          check(run, s, cpus);
          if (cpus === 2 && qemuSummary) assert.deepEqual(scenarioResult(run, s.name).summary, qemuSummary);
        });
      }
    });
  }

  it('an unknown scenario is refused with the list of scenarios (ksim)', async () => {
    const run = await runKsim({ cpus: 1, cmdline: 'scenario=no-such-thing' });
    assert.match(run.output, /unknown scenario "no-such-thing"/);
    assert.match(run.output, /scenarios:.* timer-preempt/);
    assert.equal(run.exitCode, 3, describeRun(run));
  });

  it('boot options hz= and sched=goodness select the tick rate and the 2.4 scheduler (QEMU -smp 2)', async () => {
    const run = await runQemu({ cpus: 2, cmdline: 'scenario=timer-preempt sched=goodness hz=100' });
    assert.match(run.output, /Scheduler: 2\.4 goodness \(sched=goodness\)/, describeRun(run));
    assert.match(run.output, /time: PIT at HZ=100 on IRQ 0/);
    check(run, SCENARIOS[0], 2);
    const bad = await runQemu({ cpus: 1, cmdline: 'scenario=boot hz=5' });
    assert.match(bad.output, /hz=5 out of range 10\.\.1000, using 1000/, describeRun(bad));
    assert.match(bad.output, /Scheduler: O\(1\)/);
    assert.equal(bad.exitCode, EXIT_PASS);
  });

  it('a kernel-mode exception prints an oops with registers and a backtrace, then panics (QEMU and ksim)', async () => {
    for (const run of [await runQemu({ cpus: 2, cmdline: 'scenario=oops' }), await runKsim({ cpus: 2, cmdline: 'scenario=oops' })]) {
      assert.match(run.output, /Oops: divide error: 0000 \[#1\]/, describeRun(run));
      assert.match(run.output, /EIP:\s+0060:\[<c0[0-9a-f]{6}>\]/);
      assert.match(run.output, /eax: [0-9a-f]{8}\s+ebx: [0-9a-f]{8}/);
      assert.match(run.output, /Process init \(pid: 1,/);
      assert.match(run.output, /Call Trace:\n \[<c0[0-9a-f]{6}>\]/);
      assert.match(run.output, /Kernel panic - not syncing: Fatal exception/);
      assert.equal(run.exitCode, 5, describeRun(run));
    }
  });

  it('the default workload runs until the instruction budget ends (ksim, 2 CPUs)', async () => {
    const run = await runKsim({ cpus: 2, cmdline: '', maxInstructions: 30_000_000 });
    assert.match(run.output, /=== scenario default:/);
    assert.match(run.output, /default: workload running/);
    assert.doesNotMatch(run.output, /Kernel panic|Oops:/);
    assert.equal(run.exitCode, 6, `expected "budget exhausted"\n${describeRun(run)}`);
  });
});
