// Kernel view models for the extension's custom requests (contract: ../protocol/kernel-views.ts) and
// the kernel-aware scopes of the Variables view (This CPU, Globals).

import type { Engine } from '../engine/engine';
import { hex32, leaf, type ViewNode } from '../engine/view-node';
import { Evaluator } from '../engine/evaluator';
import { MissingKernelSymbol } from './layout';
import { KernelModel, type PrioArray, type TaskletInfo } from './model';
import { taskLine, type TaskSummary } from './tasks';
import type {
  CodeRef, CpuView, KernelViewUnavailable, PrioArrayView, TaskRef, TaskView, TaskletView, SoftirqView, TaskStateLetter,
} from '../protocol/kernel-views';

/** Vector of ISA IRQ n in the teaching kernel's layout (FIRST_EXTERNAL_VECTOR = 0x20, seed 003:2243). */
const FIRST_EXTERNAL_VECTOR = 0x20;

const IMPLEMENTED = new Set(['ksim/tasks', 'ksim/cpus', 'ksim/softirqs', 'ksim/dmesg']);
const KNOWN_LATER = new Set(['ksim/irqs', 'ksim/workqueues', 'ksim/timers', 'ksim/waitqueues', 'ksim/timeline', 'ksim/contextSwitch', 'ksim/breakWhenTaskRuns']);

export class KernelViews {
  private readonly model: KernelModel;

  constructor(private readonly e: Engine) {
    this.model = new KernelModel(e);
  }

  /** A kernel structure as an expandable, DWARF-typed node (its fields as children). */
  private objectNode(name: string, typeName: string, address: number, cpu: number): ViewNode {
    return (this.objects ??= new Evaluator(this.e)).objectNode(name, typeName, address, cpu);
  }
  private objects?: Evaluator;

  jiffies(): number | undefined {
    try { return this.model.jiffies(); } catch { return undefined; }
  }

  vectorOfIrq(irq: number): number { return FIRST_EXTERNAL_VECTOR + irq; }
  irqOfVector(v: number): number | undefined {
    return v >= FIRST_EXTERNAL_VECTOR && v < FIRST_EXTERNAL_VECTOR + 24 ? v - FIRST_EXTERNAL_VECTOR : undefined;
  }

  handles(command: string): boolean { return IMPLEMENTED.has(command) || KNOWN_LATER.has(command); }

  request(command: string, args: Record<string, unknown>, running: boolean): unknown {
    if (running) return unavailable('the machine is running; views are computed at a stop', 'running');
    if (KNOWN_LATER.has(command)) return unavailable(`${command} is not implemented by this adapter version yet`, 'error');
    const warnings: string[] = [];
    try {
      let body: object;
      switch (command) {
        case 'ksim/tasks': body = this.tasksView(!!args.hideExited, warnings); break;
        case 'ksim/cpus': body = this.cpusView(warnings); break;
        case 'ksim/softirqs': body = this.softirqsView(warnings); break;
        case 'ksim/dmesg': body = this.dmesgView(Number(args.since ?? 0)); break;
        default: return unavailable(`unknown view ${command}`, 'error');
      }
      return { available: true, stopId: this.e.stopId, time: this.e.machine.time, jiffies: this.jiffies(), ...(warnings.length ? { warnings } : {}), ...body };
    } catch (err) {
      if (err instanceof MissingKernelSymbol) return unavailable(err.message, 'symbols', [err.missing]);
      return unavailable((err as Error).message, 'error');
    }
  }

  // ---------------------------------------------------------------- views

  private ref(t: TaskSummary): TaskRef { return { pid: t.pid, comm: t.comm, address: t.address }; }

  private code(a: number): CodeRef {
    const s = this.e.symbols;
    const fn = s?.functionAt(a);
    return { address: a, symbol: s?.describeAddress(a), file: fn?.file, line: fn?.line };
  }

  private tasksView(hideExited: boolean, warnings: string[]): object {
    const running = new Map<number, number>();
    for (let i = 0; i < this.e.cpuCount; i++) { const t = this.e.currentTask(i); if (t !== undefined) running.set(t, i); }
    const tasks = this.model.allTasks(warnings);
    const seen = new Set(tasks.map((t) => t.address));
    for (const idle of this.model.idleTasks()) if (idle && !seen.has(idle.address)) { tasks.push(idle); seen.add(idle.address); }
    const out: TaskView[] = [];
    for (const t of tasks) {
      if (hideExited && (t.letter === 'Z' || t.letter === 'X')) continue;
      const on = running.get(t.address);
      out.push({
        // The TaskRef fields are written out, not spread (...this.ref(t)): a spread in front of this many
        // properties sends V8 down a slow path, ~30 us per row, 30 ms of every refresh with 1,000 tasks.
        pid: t.pid, comm: t.comm, address: t.address, key: hex32(t.address), tgid: t.tgid, parentPid: t.pid === 0 ? null : t.parent ?? null,
        stateValue: t.state, state: t.letter as TaskStateLetter, stateName: t.stateName, cpu: on ?? t.cpu, running: on !== undefined,
        prio: t.prio, staticPrio: t.staticPrio, kernelThread: t.mm === 0,
        savedEsp: on === undefined ? t.threadEsp : undefined, savedEip: on === undefined && t.threadEip ? this.code(t.threadEip) : undefined,
        threadId: on !== undefined ? on + 1 : this.e.options.showTasksAsThreads ? this.e.threadIdOfTask(t.address) : undefined,
        variablesReference: 0, expression: `*(struct task_struct *)${hex32(t.address)}`,
      });
    }
    const nrThreads = this.e.layout?.address('nr_threads');
    return { tasks: out, nrThreads: nrThreads !== undefined ? this.e.read32(this.e.lastStop?.cpu ?? 0, nrThreads) : undefined };
  }

  private prioArrayView(a: PrioArray | undefined): PrioArrayView {
    return a ? { address: a.address, nrActive: a.nrActive, lists: a.lists.map((l) => ({ prio: l.prio, tasks: l.tasks.map((t) => this.ref(t)) })) }
      : { address: 0, nrActive: 0, lists: [] };
  }

  private taskletView(t: TaskletInfo): TaskletView {
    const names = [t.state & 1 ? 'TASKLET_STATE_SCHED' : '', t.state & 2 ? 'TASKLET_STATE_RUN' : ''].filter(Boolean);
    return { key: hex32(t.address), address: t.address, func: this.code(t.func), data: t.data, state: { raw: t.state, names }, count: t.count };
  }

  private cpusView(warnings: string[]): object {
    const cpus: CpuView[] = [];
    for (let i = 0; i < this.e.cpuCount; i++) {
      const c = this.e.cpu(i);
      const cr0 = c.getControlRegister(0);
      const taskAddr = this.e.currentTask(i);
      const cur = taskAddr !== undefined ? this.e.taskSummary(taskAddr) : undefined;
      const v: CpuView = {
        key: `cpu${i}`, cpu: i,
        runState: c.runState === 'wait-for-sipi' ? 'waiting-for-sipi' : (c.runState as CpuView['runState']),
        mode: !(cr0 & 1) ? 'real' : (c.getEflags() & 0x20000) ? 'vm86' : c.cpl === 3 ? 'user' : 'kernel',
        stoppedHere: this.e.lastStop?.cpu === i,
        eip: this.code(this.e.pc(i)), esp: c.getReg32(4), interruptsEnabled: (c.getEflags() & 0x200) !== 0,
        current: cur ? this.ref(cur) : null, threadId: i + 1,
      };
      const soft = <T>(f: () => T): T | undefined => {
        try { return f(); } catch (err) { if (!(err instanceof MissingKernelSymbol)) warnings.push(`CPU ${i}: ${(err as Error).message}`); return undefined; }
      };
      const pc = soft(() => this.model.preemptCount(i));
      if (pc) {
        v.preemptCount = pc;
        v.context = pc.hardirq ? 'hardirq' : pc.softirq ? 'softirq' : 'task';
      }
      const rq = soft(() => this.model.runQueue(i));
      if (rq) v.runQueue = { address: rq.address, nrRunning: rq.nrRunning, nrSwitches: rq.nrSwitches, active: this.prioArrayView(rq.active), expired: this.prioArrayView(rq.expired), idle: rq.idle ? this.ref(rq.idle) : undefined };
      const sp = soft(() => this.model.softirqPending(i));
      if (sp) v.softirqPending = sp;
      cpus.push(v);
    }
    return { cpus };
  }

  private softirqsView(warnings: string[]): object {
    const names = this.model.softirqNames();
    const pending = [...Array(this.e.cpuCount).keys()].map((cpu) => this.model.softirqPending(cpu).raw);
    const vec = this.e.layout?.address('softirq_vec');
    const actionSize = this.e.layout?.sizeOf('struct softirq_action') ?? 8;
    const softirqs: SoftirqView[] = [...names.entries()].map(([nr, name]) => {
      const action = vec !== undefined ? this.e.read32(this.e.lastStop?.cpu ?? 0, vec + nr * actionSize) : undefined;
      return {
        key: `softirq${nr}`, nr, name, action: action ? this.code(action) : undefined,
        pendingOn: pending.map((p, cpu) => (p & (1 << nr) ? cpu : -1)).filter((c) => c >= 0),
      };
    });
    let tasklets: { cpu: number; hi: TaskletView[]; normal: TaskletView[] }[] | undefined;
    try {
      tasklets = [...Array(this.e.cpuCount).keys()].map((cpu) => ({
        cpu, hi: this.model.tasklets(cpu, 'tasklet_hi_vec').map((t) => this.taskletView(t)),
        normal: this.model.tasklets(cpu, 'tasklet_vec').map((t) => this.taskletView(t)),
      }));
    } catch (err) {
      warnings.push(`tasklets: ${(err as Error).message}`);
    }
    return { softirqs, tasklets };
  }

  private dmesgView(since: number): object {
    const d = this.model.dmesg();
    const first = Math.max(0, since);
    // Sequence numbers count lines since boot; the ring holds the last d.lines.length of them.
    const total = d.lines.length;
    return {
      lines: d.lines.map((text, i) => {
        const m = /^<([0-7])>/.exec(text);
        return { seq: i, level: m ? Number(m[1]) : undefined, text: m ? text.slice(3) : text };
      }).filter((l) => l.seq >= first),
      nextSeq: total, wrapped: d.wrapped,
    };
  }

  // ---------------------------------------------------------------- scopes

  /** "This CPU": current task, preempt_count split, pending softirqs by name, run queue, tasklets. */
  thisCpuNodes(cpu: number): ViewNode[] {
    const nodes: ViewNode[] = [];
    const add = (name: string, f: () => ViewNode | undefined) => {
      try { const n = f(); if (n) nodes.push(n); } catch (err) { nodes.push(leaf(name, `<${(err as Error).message}>`)); }
    };
    add('current', () => {
      const t = this.e.currentTask(cpu);
      const s = t !== undefined ? this.e.taskSummary(t) : undefined;
      if (!s) return leaf('current', this.e.kernelAwarenessError ? `<${this.e.kernelAwarenessError}>` : '<no task (not on a task stack)>');
      return this.taskNode('current', s);
    });
    add('preempt_count', () => {
      const p = this.model.preemptCount(cpu);
      if (!p) return undefined;
      return {
        name: 'preempt_count', value: `${hex32(p.raw)} (preempt ${p.preempt}, softirq ${p.softirq}, hardirq ${p.hardirq}${p.preemptActive ? ', PREEMPT_ACTIVE' : ''})`,
        children: () => [leaf('preempt', String(p.preempt)), leaf('softirq', String(p.softirq)), leaf('hardirq', String(p.hardirq)), leaf('PREEMPT_ACTIVE', p.preemptActive ? '1' : '0')],
      };
    });
    add('__softirq_pending', () => {
      const p = this.model.softirqPending(cpu);
      return leaf('__softirq_pending', `${hex32(p.raw)}${p.names.length ? ` [${p.names.join(' ')}]` : ' (none)'}`, { evaluateName: `irq_stat[${cpu}].__softirq_pending` });
    });
    add('runqueue', () => {
      const rq = this.model.runQueue(cpu);
      const arr = (label: string, a: PrioArray | undefined): ViewNode => ({
        name: label, value: a ? `nr_active ${a.nrActive}` : '-',
        children: a ? () => a.lists.map((l) => leaf(`[${l.prio}]`, l.tasks.map((t) => `${t.comm} [${t.pid}]`).join(', '))) : undefined,
      });
      return {
        name: 'runqueue', value: `nr_running ${rq.nrRunning}, curr ${rq.curr ? `${rq.curr.comm} [${rq.curr.pid}]` : '-'}`,
        memoryReference: rq.address,
        children: () => [
          leaf('nr_running', String(rq.nrRunning)), leaf('nr_switches', String(rq.nrSwitches ?? '?')),
          ...(rq.curr ? [this.taskNode('curr', rq.curr)] : []), ...(rq.idle ? [this.taskNode('idle', rq.idle)] : []),
          arr('active', rq.active), arr('expired', rq.expired),
        ],
      };
    });
    add('tasklets', () => {
      const hi = this.model.tasklets(cpu, 'tasklet_hi_vec');
      const lo = this.model.tasklets(cpu, 'tasklet_vec');
      // Each queued tasklet expands to its tasklet_struct's fields (typed through DWARF).
      const show = (t: TaskletInfo): ViewNode => ({
        ...this.objectNode(hex32(t.address), 'struct tasklet_struct', t.address, cpu),
        name: hex32(t.address), value: `${this.e.symbols?.describeAddress(t.func) ?? hex32(t.func)}(${hex32(t.data)}) state ${t.state} count ${t.count}`,
      });
      return { name: 'tasklets', value: `${hi.length} hi, ${lo.length} normal`, children: () => [...hi.map(show), ...lo.map(show)] };
    });
    return nodes;
  }

  taskNode(name: string, t: TaskSummary): ViewNode {
    return {
      name, value: taskLine(t), type: 'struct task_struct *',
      memoryReference: t.address, evaluateName: `(struct task_struct *)${hex32(t.address)}`,
      children: () => [
        leaf('pid', String(t.pid)), leaf('tgid', String(t.tgid)), leaf('comm', JSON.stringify(t.comm)),
        leaf('state', `${t.state} (${t.stateName})`), leaf('prio', String(t.prio)),
        leaf('static_prio', String(t.staticPrio ?? '?')), leaf('flags', hex32(t.flags)), leaf('mm', hex32(t.mm)),
        leaf('thread_info', hex32(t.threadInfo)), leaf('thread.esp', hex32(t.threadEsp)),
        leaf('thread.eip', `${hex32(t.threadEip)} <${this.e.symbols?.describeAddress(t.threadEip) ?? '?'}>`),
      ],
    };
  }

  /** Globals: a few kernel-wide counters every kernel debugger looks at first. */
  globalNodes(): ViewNode[] {
    const out: ViewNode[] = [];
    for (const name of ['jiffies', 'nr_threads', 'nr_running', 'total_forks', 'nr_context_switches', 'log_end']) {
      const a = this.e.layout?.address(name);
      if (a === undefined) continue;
      const v = this.e.read32(this.e.lastStop?.cpu ?? 0, a);
      out.push(leaf(name, v === undefined ? '<unreadable>' : String(v), { memoryReference: a, evaluateName: name }));
    }
    if (!out.length) out.push(leaf('(none)', this.e.kernelAwarenessError ?? 'the kernel has none of the usual globals'));
    return out;
  }
}

function unavailable(reason: string, cause: KernelViewUnavailable['cause'], missing?: string[]): KernelViewUnavailable {
  return { available: false, reason, cause, ...(missing ? { missing } : {}) };
}
