// Kernel data structures read out of a stopped machine: run queues, softirq and tasklet state,
// preempt_count, the printk ring, per-CPU variables. Each reader throws MissingKernelSymbol when the
// kernel lacks what it needs, which the views turn into "not available".

import type { Engine } from '../engine/engine';
import { MissingKernelSymbol } from './layout';
import { TaskReader, type TaskSummary } from './tasks';

export interface DecodedBits { raw: number; names: string[] }

export interface PrioList { prio: number; tasks: TaskSummary[] }
export interface PrioArray { address: number; nrActive: number; lists: PrioList[] }
export interface RunQueue {
  cpu: number; address: number; nrRunning: number; nrSwitches?: number;
  curr?: TaskSummary; idle?: TaskSummary; active?: PrioArray; expired?: PrioArray;
}

export interface TaskletInfo { address: number; func: number; data: number; state: number; count: number }

export class KernelModel {
  constructor(private readonly e: Engine) {}

  private get layout() {
    if (!this.e.layout) throw new MissingKernelSymbol('symbols');
    return this.e.layout;
  }

  private get tasks(): TaskReader {
    if (!this.e.tasks) throw new MissingKernelSymbol(this.e.kernelAwarenessError?.replace(/^the kernel has no /, '') ?? 'task_struct');
    return this.e.tasks;
  }

  private get cpu0(): number { return this.e.lastStop?.cpu ?? 0; }

  r32(a: number): number {
    const v = this.e.read32(this.cpu0, a);
    if (v === undefined) throw new Error(`cannot read guest memory at 0x${(a >>> 0).toString(16)}`);
    return v;
  }

  r64(a: number): number { return this.r32(a) + this.r32(a + 4) * 2 ** 32; }

  /** Address of CPU `cpu`'s copy of a per-CPU variable (per_cpu__name + __per_cpu_offset[cpu]). */
  perCpuAddress(name: string, cpu: number): number {
    const l = this.layout;
    const tmpl = l.address(`per_cpu__${name}`);
    if (tmpl === undefined) {
      // Also accept plain NR_CPUS arrays (irq_stat[cpu]).
      const arr = l.address(name);
      if (arr === undefined) throw new MissingKernelSymbol(`per-CPU variable '${name}'`);
      throw new MissingKernelSymbol(`per-CPU variable '${name}' (found an ordinary symbol instead)`);
    }
    const offsets = l.requireAddress('__per_cpu_offset');
    return (tmpl + this.r32(offsets + 4 * cpu)) >>> 0;
  }

  jiffies(): number | undefined {
    const a = this.e.layout?.address('jiffies_64') ?? this.e.layout?.address('jiffies');
    if (a === undefined) return undefined;
    return this.e.read32(this.cpu0, a);
  }

  task(addr: number): TaskSummary | undefined { return this.e.taskSummary(addr); }

  allTasks(warnings?: string[]): TaskSummary[] {
    const read = this.e.reader(this.cpu0);
    return this.tasks.allTasks(read, warnings).map((a) => this.task(a)).filter((t): t is TaskSummary => !!t);
  }

  /** The idle tasks (pid 0 of each CPU) are not on the task list except the boot CPU's init_task. */
  idleTasks(): (TaskSummary | undefined)[] {
    const a = this.layout.address('idle_tasks');
    if (a === undefined) return [];
    const out: (TaskSummary | undefined)[] = [];
    for (let i = 0; i < this.e.cpuCount; i++) {
      const t = this.e.read32(this.cpu0, a + 4 * i);
      out.push(t ? this.task(t) : undefined);
    }
    return out;
  }

  runQueue(cpu: number): RunQueue {
    const l = this.layout;
    const rq = this.perCpuAddress('runqueues', cpu);
    const m = (f: string) => l.member('runqueue_t', f)?.offset ?? l.member('struct runqueue', f)?.offset;
    const need = (f: string) => { const o = m(f); if (o === undefined) throw new MissingKernelSymbol(`field runqueue.${f}`); return o; };
    const curr = m('curr');
    const idle = m('idle');
    const out: RunQueue = { cpu, address: rq, nrRunning: this.r32(rq + need('nr_running')) };
    const sw = m('nr_switches');
    if (sw !== undefined) out.nrSwitches = this.r64(rq + sw);
    if (curr !== undefined) out.curr = this.task(this.r32(rq + curr));
    if (idle !== undefined) out.idle = this.task(this.r32(rq + idle));
    const act = m('active');
    const exp = m('expired');
    if (act !== undefined) out.active = this.prioArray(this.r32(rq + act));
    if (exp !== undefined) out.expired = this.prioArray(this.r32(rq + exp));
    return out;
  }

  /** A prio_array: the non-empty queue[prio] lists, walked through task_struct.run_list. */
  prioArray(addr: number): PrioArray {
    const l = this.layout;
    const nrActive = this.r32(addr + l.requireMember('struct prio_array', 'nr_active'));
    const queue = l.member('struct prio_array', 'queue');
    const runList = l.requireMember('struct task_struct', 'run_list');
    const lists: PrioList[] = [];
    if (!queue) throw new MissingKernelSymbol('field prio_array.queue');
    const nPrio = queue.size !== undefined ? queue.size / 8 : 140;
    for (let prio = 0; prio < nPrio; prio++) {
      const head = addr + queue.offset + prio * 8;
      const tasks = this.walkList(head, runList).map((t) => this.task(t)).filter((t): t is TaskSummary => !!t);
      if (tasks.length) lists.push({ prio, tasks });
    }
    return { address: addr, nrActive, lists };
  }

  /** Entries of a circular list_head list: container addresses (entry - memberOffset). */
  walkList(head: number, memberOffset: number, limit = 4096): number[] {
    const out: number[] = [];
    let link = this.r32(head);
    while (link !== head && out.length < limit) {
      if (link === 0) break;
      out.push((link - memberOffset) >>> 0);
      link = this.r32(link);
    }
    return out;
  }

  softirqNames(): Map<number, string> {
    return this.layout.enumContaining('TIMER_SOFTIRQ') ?? new Map([[0, 'HI_SOFTIRQ'], [1, 'TIMER_SOFTIRQ'], [2, 'NET_TX_SOFTIRQ'], [3, 'NET_RX_SOFTIRQ'], [4, 'SCSI_SOFTIRQ'], [5, 'TASKLET_SOFTIRQ']]);
  }

  /** irq_stat[cpu].__softirq_pending decoded into softirq names. */
  softirqPending(cpu: number): DecodedBits {
    const l = this.layout;
    const base = l.requireAddress('irq_stat');
    const size = l.sizeOf('irq_cpustat_t') ?? 64;
    const off = l.member('irq_cpustat_t', '__softirq_pending')?.offset ?? 0;
    const raw = this.r32(base + cpu * size + off);
    const names = this.softirqNames();
    const set: string[] = [];
    for (let b = 0; b < 32; b++) if (raw & (1 << b)) set.push(names.get(b) ?? `softirq ${b}`);
    return { raw, names: set };
  }

  /** preempt_count of the task running on `cpu`, split into its fields (seed 003:3011-3038). */
  preemptCount(cpu: number): { raw: number; preempt: number; softirq: number; hardirq: number; preemptActive: boolean } | undefined {
    const off = this.tasks.threadInfoOffsets.preemptCount;
    const t = this.e.currentTask(cpu);
    if (off === undefined || t === undefined) return undefined;
    const s = this.task(t);
    if (!s) return undefined;
    const raw = this.r32(s.threadInfo + off);
    return { raw, preempt: raw & 0xff, softirq: (raw >>> 8) & 0xff, hardirq: (raw >>> 16) & 0xfff, preemptActive: (raw & 0x10000000) !== 0 };
  }

  /** Tasklets queued on CPU `cpu` (per-CPU tasklet_vec / tasklet_hi_vec heads). */
  tasklets(cpu: number, which: 'tasklet_vec' | 'tasklet_hi_vec'): TaskletInfo[] {
    const l = this.layout;
    const head = this.perCpuAddress(which, cpu);
    const next = l.requireMember('struct tasklet_struct', 'next');
    const out: TaskletInfo[] = [];
    let t = this.r32(head + (l.member('struct tasklet_head', 'list')?.offset ?? 0));
    while (t !== 0 && out.length < 1024) {
      out.push({
        address: t,
        func: this.r32(t + l.requireMember('struct tasklet_struct', 'func')),
        data: this.r32(t + l.requireMember('struct tasklet_struct', 'data')),
        state: this.r32(t + l.requireMember('struct tasklet_struct', 'state')),
        count: this.r32(t + l.requireMember('struct tasklet_struct', 'count')),
      });
      t = this.r32(t + next);
    }
    return out;
  }

  /** The printk ring (log_buf, log_start, log_end) as lines. */
  dmesg(): { lines: string[]; start: number; end: number; wrapped: boolean } {
    const l = this.layout;
    const buf = l.requireAddress('log_buf');
    const len = l.globalArrayLength('log_buf') ?? 16384;
    const end = this.r32(l.requireAddress('log_end'));
    const startSym = l.address('log_start');
    const start = Math.max(startSym !== undefined ? this.r32(startSym) : 0, end - len);
    let text = '';
    for (let i = start; i < end;) {
      const off = i % len;
      const n = Math.min(end - i, len - off, 4096);
      const b = this.e.machine.readLinear(this.cpu0, buf + off, n);
      if (!b) throw new Error('log_buf is unreadable');
      for (const c of b) text += String.fromCharCode(c);
      i += n;
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return { lines, start, end, wrapped: start > 0 && end > len };
  }

  symbolize(a: number): string {
    return this.e.symbols?.describeAddress(a) ?? `0x${a.toString(16)}`;
  }
}
