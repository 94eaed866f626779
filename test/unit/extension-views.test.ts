import { strict as assert } from 'node:assert';
import type { TaskView, TasksBody, CpusBody, CpuView, IrqsBody, DmesgBody } from '../../debug-adapter/protocol/kernel-views';
import { buildTaskTree, taskLabel } from '../../extension/views/models/tasks-model';
import { buildCpuTree, preemptText } from '../../extension/views/models/cpus-model';
import { buildIrqTree } from '../../extension/views/models/irqs-model';
import { KernelLog, buildDmesgNodes } from '../../extension/views/models/dmesg-model';
import { expiryText } from '../../extension/views/models/bottom-halves-model';
import { ChangeTracker, countChanged } from '../../extension/views/change-tracker';
import type { ViewNode } from '../../extension/views/view-node';

// What each row of the kernel views says, from the adapter's view models (no VS Code needed).

let nextAddr = 0xc1000000;
function task(pid: number, comm: string, parentPid: number | null, extra: Partial<TaskView> = {}): TaskView {
  const address = (nextAddr += 0x1000);
  return {
    pid, comm, address, key: '0x' + address.toString(16), tgid: pid, parentPid, stateValue: 1, state: 'S',
    stateName: 'TASK_INTERRUPTIBLE', cpu: 0, running: false, prio: 120, kernelThread: false,
    variablesReference: 100 + pid, expression: `*(struct task_struct *)0x${address.toString(16)}`, ...extra,
  };
}
const find = (nodes: ViewNode[], pred: (n: ViewNode) => boolean): ViewNode | undefined => {
  for (const n of nodes) { if (pred(n)) return n; const c = n.children && find(n.children, pred); if (c) return c; }
  return undefined;
};
const taskRows = (n: ViewNode) => (n.children ?? []).filter((c) => c.contextValue?.startsWith('task'));

describe('Kernel Tasks view model (pstree)', () => {
  it('nests children under their parent and idle tasks at the top, like pstree -p', () => {
    const body: TasksBody = { tasks: [
      task(0, 'swapper', null, { cpu: 0, state: 'R', running: true, kernelThread: true, prio: 140 }),
      task(0, 'swapper', null, { cpu: 1, state: 'R', kernelThread: true, prio: 140 }),
      task(1, 'init', 0, { state: 'R', cpu: 1, running: true }),
      task(2, 'ksoftirqd/0', 1, { kernelThread: true }),
      task(9, 'pipeline', 1),
      task(10, 'pipeline', 9, { state: 'D', stateName: 'TASK_UNINTERRUPTIBLE' }),
    ] };
    const roots = buildTaskTree(body);
    assert.deepEqual(roots.map((r) => r.label), ['[swapper] 0', '[swapper] 0']);
    // init belongs to the boot CPU's idle task (the first pid-0 task), not to CPU 1's.
    assert.deepEqual(taskRows(roots[0]).map((r) => r.label), ['init 1']);
    assert.equal(taskRows(roots[1]).length, 0);
    const init = taskRows(roots[0])[0];
    assert.deepEqual(taskRows(init).map((r) => r.label), ['[ksoftirqd/0] 2', 'pipeline 9']);
    const p10 = find(roots, (n) => n.label === 'pipeline 10')!;
    assert.equal(p10.description, 'D · cpu0 · prio 120');
    assert.equal(p10.contextValue, 'task.sleeping');
    assert.equal(init.description, 'R · cpu1 · prio 120 · running');
    assert.equal(init.contextValue, 'task.running');
    // Expanding a task shows its task_struct through the DAP variables reference first.
    assert.equal(init.children![0].label, 'task_struct');
    assert.equal(init.children![0].variablesReference, 101);
  });

  it('lists every task exactly once even when parent links form a loop (corrupt memory)', () => {
    const body: TasksBody = { tasks: [task(5, 'a', 6), task(6, 'b', 5), task(7, 'c', 42)] };
    const roots = buildTaskTree(body);
    const labels: string[] = [];
    const walk = (ns: ViewNode[]) => ns.forEach((n) => { if (n.contextValue?.startsWith('task')) labels.push(n.label); if (n.children) walk(n.children); });
    walk(roots);
    assert.deepEqual(labels.sort(), ['a 5', 'b 6', 'c 7']);
  });

  it('prints kernel threads in brackets as ps does', () => {
    assert.equal(taskLabel(task(3, 'events/0', 1, { kernelThread: true })), '[events/0] 3');
    assert.equal(taskLabel(task(12, 'sh', 1)), 'sh 12');
  });
});

function cpu(n: number, extra: Partial<CpuView> = {}): CpuView {
  return {
    key: `cpu${n}`, cpu: n, runState: 'running', mode: 'kernel', stoppedHere: false, eip: { address: 0xc0101000, symbol: 'schedule+0x10' },
    esp: 0xc0300000, interruptsEnabled: true, current: { pid: 0, comm: 'swapper', address: 0xc0200000 }, threadId: n + 1, ...extra,
  };
}

describe('CPUs view model', () => {
  it('splits preempt_count into its preempt, softirq and hardirq counts', () => {
    // 0x00010102: hardirq 1 (bits 16-27), softirq 1 (bits 8-15), preempt 2 (bits 0-7)
    const text = preemptText(cpu(0, { preemptCount: { raw: 0x00010102, preempt: 2, softirq: 1, hardirq: 1, preemptActive: false } }));
    assert.equal(text, '0x00010102 (preempt 2, softirq 1, hardirq 1)');
  });

  it('shows the run queue with active and expired priority lists in order', () => {
    const body: CpusBody = { cpus: [cpu(0, {
      context: 'hardirq', interruptsEnabled: false, stoppedHere: true,
      runQueue: { address: 0xc0400000, nrRunning: 3, nrSwitches: 17,
        active: { address: 0xc0400010, nrActive: 2, lists: [{ prio: 115, tasks: [{ pid: 4, comm: 'a', address: 1 }] }, { prio: 120, tasks: [{ pid: 5, comm: 'b', address: 2 }] }] },
        expired: { address: 0xc0400800, nrActive: 1, lists: [{ prio: 125, tasks: [{ pid: 6, comm: 'c', address: 3 }] }] } },
      softirqPending: { raw: 0x22, names: ['TIMER_SOFTIRQ', 'TASKLET_SOFTIRQ'] },
    }), cpu(1, { runState: 'waiting-for-sipi', current: null })] };
    const [c0, c1] = buildCpuTree(body);
    assert.equal(c0.label, 'CPU 0');
    assert.equal(c0.description, 'swapper [0] · kernel · IF=0 · hardirq · ◀ stopped here');
    assert.equal(c1.description, 'not started (waiting for SIPI)');
    const rq = find([c0], (n) => n.id === 'cpu0/rq')!;
    assert.equal(rq.description, 'nr_running 3 · 17 switches');
    const active = find([c0], (n) => n.id === 'cpu0/rq/active')!;
    assert.deepEqual(active.children!.map((c) => `${c.label}: ${c.description}`), ['prio 115: a [4]', 'prio 120: b [5]']);
    assert.equal(find([c0], (n) => n.id === 'cpu0/softirq')!.description, 'TIMER_SOFTIRQ TASKLET_SOFTIRQ');
  });
});

describe('Interrupts view model', () => {
  it('summarises irq_desc like /proc/interrupts with the action names', () => {
    const body: IrqsBody = { lines: [{
      key: 'irq0', irq: 0, vector: 0x20, chip: 'IO-APIC-edge', status: { raw: 0, names: [] }, depth: 0,
      countsPerCpu: [120, 3], total: 123, actions: [{ name: 'timer', handler: { address: 0xc0105000, symbol: 'timer_interrupt' }, flags: { raw: 0x20000000, names: ['SA_INTERRUPT'] }, devId: 0 }],
    }, {
      key: 'irq4', irq: 4, status: { raw: 2, names: ['IRQ_DISABLED'] }, depth: 1, countsPerCpu: [0, 0], total: 0, actions: [],
    }], other: [{ key: 'LOC', name: 'LOC', vector: 0xef, countsPerCpu: [50, 49] }] };
    const rows = buildIrqTree(body);
    assert.equal(rows[0].description, 'timer · IO-APIC-edge · 123');
    assert.equal(find(rows, (n) => n.id === 'irq0/counts')!.description, 'cpu0 120, cpu1 3');
    assert.equal(find(rows, (n) => n.id === 'irq0/action0')!.description, 'timer_interrupt · SA_INTERRUPT');
    assert.equal(rows[1].description, '0 · DISABLED');
    assert.equal(rows[1].icon, 'circle-slash');
    assert.equal(rows[2].description, '99 · cpu0 50, cpu1 49 · vector 0xef');
  });
});

describe('Bottom halves and kernel log', () => {
  it('words timer expiry relative to jiffies', () => {
    assert.equal(expiryText(5), 'in 5 jiffies');
    assert.equal(expiryText(1), 'in 1 jiffy');
    assert.equal(expiryText(-2), 'overdue by 2');
    assert.equal(expiryText(0), 'now');
  });

  it('keeps the tail of the log across incremental fetches and marks the new lines', () => {
    const log = new KernelLog(3);
    const page = (from: number, n: number): DmesgBody => ({ lines: Array.from({ length: n }, (_, i) => ({ seq: from + i, text: `line ${from + i}` })), nextSeq: from + n, wrapped: false });
    log.merge(page(0, 2));
    assert.equal(log.nextSeq, 2);
    log.merge(page(1, 3)); // overlaps line 1: must not duplicate it
    assert.deepEqual(log.all().map((l) => l.text), ['line 1', 'line 2', 'line 3']);
    const nodes = buildDmesgNodes(log.all(), 2);
    assert.deepEqual(nodes.map((n) => n.changed), [false, true, true]);
  });
});

describe('changes since the last stop', () => {
  it('highlights rows whose value changed and new rows, never at the first stop', () => {
    const t = new ChangeTracker();
    const first = t.mark([{ id: 'a', label: 'a', value: '1' }, { id: 'b', label: 'b', value: '1' }]);
    assert.equal(countChanged(first), 0);
    const second = t.mark([{ id: 'a', label: 'a', value: '1' }, { id: 'b', label: 'b', value: '2' }, { id: 'c', label: 'c', value: '1' }]);
    assert.deepEqual(second.map((n) => n.changed), [false, true, true]);
    t.reset();
    assert.equal(countChanged(t.mark([{ id: 'b', label: 'b', value: '3' }])), 0);
  });
});
