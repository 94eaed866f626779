// Reading tasks out of guest memory: `current` on a CPU, the process list, and one task's summary.
//
// `current` is found the way the kernel itself finds it (ULK3 §3.2.2.1): the kernel stack and the
// thread_info share one THREAD_SIZE-aligned thread_union, so esp & ~(THREAD_SIZE-1) is the running
// task's thread_info, whose first field points to its task_struct. The process list is the circular
// `tasks` list threaded through every task_struct, starting at init_task (for_each_process).

import { KernelLayout, MissingKernelSymbol } from './layout';

export type ReadMemory = (address: number, length: number) => Uint8Array | null;

/** ps-style one-letter states, from task_struct.state / exit_state (2.6.11 values). */
export function stateLetter(state: number, exitState: number): { letter: string; name: string } {
  if (exitState & 16) return { letter: 'Z', name: 'EXIT_ZOMBIE' };
  if (exitState & 32) return { letter: 'X', name: 'EXIT_DEAD' };
  if (state === 0) return { letter: 'R', name: 'TASK_RUNNING' };
  if (state & 1) return { letter: 'S', name: 'TASK_INTERRUPTIBLE' };
  if (state & 2) return { letter: 'D', name: 'TASK_UNINTERRUPTIBLE' };
  if (state & 4) return { letter: 'T', name: 'TASK_STOPPED' };
  if (state & 8) return { letter: 't', name: 'TASK_TRACED' };
  return { letter: '?', name: `state ${state}` };
}

export interface TaskSummary {
  address: number;
  pid: number;
  tgid: number;
  comm: string;
  state: number;
  exitState: number;
  letter: string;
  stateName: string;
  /** thread_info->cpu */
  cpu: number;
  prio: number;
  staticPrio?: number;
  parent?: number;
  mm: number;
  flags: number;
  /** thread_info address (the base of the task's kernel stack). */
  threadInfo: number;
  threadEsp: number;
  threadEip: number;
}

/** The one-line form of a task wherever one is shown: "pid 9 pipeline S cpu1 prio 120". */
export function taskLine(t: TaskSummary): string {
  return `pid ${t.pid} ${t.comm} ${t.letter} cpu${t.cpu} prio ${t.prio}`;
}

export class TaskReader {
  readonly threadSize: number;
  private readonly o: {
    tiTask: number; tiCpu?: number; tiFlags?: number; tiPreempt?: number;
    state: number; exitState?: number; threadInfo: number; pid: number; tgid?: number; comm: number;
    tasks: number; prio?: number; staticPrio?: number; realParent?: number; mm?: number; flags?: number;
    threadEsp?: number; threadEip?: number;
  };

  constructor(readonly layout: KernelLayout) {
    this.threadSize = layout.sizeOf('union thread_union') ?? 8192;
    const req = (p: string) => layout.requireMember('struct task_struct', p);
    const opt = (p: string) => layout.member('struct task_struct', p)?.offset;
    const ti = (p: string) => layout.member('struct thread_info', p)?.offset;
    const tiTask = ti('task');
    if (tiTask === undefined) throw new MissingKernelSymbol('field struct thread_info.task');
    this.o = {
      tiTask, tiCpu: ti('cpu'), tiFlags: ti('flags'), tiPreempt: ti('preempt_count'),
      state: req('state'), exitState: opt('exit_state'), threadInfo: req('thread_info'), pid: req('pid'),
      tgid: opt('tgid'), comm: req('comm'), tasks: req('tasks'), prio: opt('prio'), staticPrio: opt('static_prio'),
      realParent: opt('real_parent'), mm: opt('mm'), flags: opt('flags'), threadEsp: opt('thread.esp'), threadEip: opt('thread.eip'),
    };
  }

  /** Offsets other readers need (thread_info.preempt_count, flags). */
  get threadInfoOffsets() { return { flags: this.o.tiFlags, preemptCount: this.o.tiPreempt, cpu: this.o.tiCpu }; }

  static read32(read: ReadMemory, a: number): number | undefined {
    const b = read(a >>> 0, 4);
    return b ? (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0 : undefined;
  }

  /** The task_struct whose kernel stack contains `esp`, or undefined when esp is not on a task stack. */
  taskFromStack(read: ReadMemory, esp: number): number | undefined {
    const ti = (esp & ~(this.threadSize - 1)) >>> 0;
    const task = TaskReader.read32(read, ti + this.o.tiTask);
    if (task === undefined || task === 0) return undefined;
    // A real thread_info points to a task whose thread_info points back: this rejects user stacks and
    // the boot stack before the scheduler exists.
    const back = TaskReader.read32(read, task + this.o.threadInfo);
    return back === ti ? task : undefined;
  }

  /** The byte range of task_struct that summary() decodes: [lo, hi) relative to the task. */
  private get span(): { lo: number; hi: number } {
    if (!this.spanCache) {
      const o = this.o;
      const offs = [o.state, o.exitState, o.threadInfo, o.pid, o.tgid, o.prio, o.staticPrio, o.realParent, o.mm, o.flags,
        o.threadEsp, o.threadEip].filter((x): x is number => x !== undefined);
      this.spanCache = { lo: Math.min(o.comm, ...offs), hi: Math.max(o.comm + 16, ...offs.map((x) => x + 4)) };
    }
    return this.spanCache;
  }
  private spanCache?: { lo: number; hi: number };

  summary(read: ReadMemory, task: number): TaskSummary | undefined {
    // One read of the fields' span instead of one per field: with 1,000 tasks the views read every
    // task_struct on each stop, and each guest read is a page-table walk plus a copy.
    const { lo, hi } = this.span;
    const bytes = read((task + lo) >>> 0, hi - lo);
    if (!bytes) return undefined;
    const r = (off: number | undefined) => {
      if (off === undefined) return undefined;
      const i = off - lo;
      return (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) >>> 0;
    };
    const state = r(this.o.state);
    const pid = r(this.o.pid);
    const commBytes = bytes.subarray(this.o.comm - lo, this.o.comm - lo + 16);
    if (state === undefined || pid === undefined) return undefined;
    let comm = '';
    for (const b of commBytes) { if (b === 0) break; comm += b >= 32 && b < 127 ? String.fromCharCode(b) : '?'; }
    const exitState = r(this.o.exitState) ?? 0;
    const threadInfo = r(this.o.threadInfo) ?? 0;
    const cpu = this.o.tiCpu !== undefined ? TaskReader.read32(read, threadInfo + this.o.tiCpu) ?? 0 : 0;
    const parentTask = r(this.o.realParent);
    const parent = parentTask && parentTask !== task ? (this.o.pid !== undefined ? TaskReader.read32(read, parentTask + this.o.pid) : undefined) : undefined;
    const s = stateLetter(state | 0, exitState);
    return {
      address: task, pid: pid | 0, tgid: (r(this.o.tgid) ?? pid) | 0, comm, state: state | 0, exitState,
      letter: s.letter, stateName: s.name, cpu, prio: (r(this.o.prio) ?? 0) | 0, staticPrio: r(this.o.staticPrio),
      parent, mm: r(this.o.mm) ?? 0, flags: r(this.o.flags) ?? 0, threadInfo,
      threadEsp: r(this.o.threadEsp) ?? 0, threadEip: r(this.o.threadEip) ?? 0,
    };
  }

  /** Every task on the process list, init_task first. Stops at 4096 entries or a broken link. */
  allTasks(read: ReadMemory, warnings?: string[]): number[] {
    const head = this.layout.requireAddress('init_task');
    const out = [head];
    let link = TaskReader.read32(read, head + this.o.tasks);
    const seen = new Set<number>([head]);
    while (link !== undefined && out.length < 4096) {
      const task = (link - this.o.tasks) >>> 0;
      if (task === head) return out;
      if (seen.has(task)) { warnings?.push(`the task list loops back to 0x${task.toString(16)}`); return out; }
      seen.add(task);
      out.push(task);
      link = TaskReader.read32(read, task + this.o.tasks);
    }
    if (link === undefined) warnings?.push('the task list has an unreadable link');
    return out;
  }
}
