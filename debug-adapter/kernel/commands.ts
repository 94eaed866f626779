// Debug Console commands in the spirit of crash(8) and drgn: ps, runq, bt, task, softirq, tasklets,
// dmesg, per_cpu, help. They print plain text computed from guest memory at the current stop.

import type { Engine } from '../engine/engine';
import { MissingKernelSymbol } from './layout';
import { KernelModel } from './model';
import type { TaskSummary } from './tasks';
import { SubsystemViews } from './subsystem-views';
import type { CodeRef } from '../protocol/kernel-views';

type Command = { usage: string; help: string; run: (args: string[], cpu: number) => string };

function pad(s: string | number, n: number): string { return String(s).padStart(n); }
function hex(v: number): string { return '0x' + (v >>> 0).toString(16); }

export class KernelCommands {
  private readonly model: KernelModel;
  private readonly table: Record<string, Command>;

  constructor(private readonly e: Engine) {
    this.model = new KernelModel(e);
    this.table = {
      help: { usage: 'help', help: 'list the commands', run: () => this.help() },
      ps: { usage: 'ps', help: 'every task: pid, parent, CPU, state, priority, name (> = running now)', run: () => this.ps() },
      runq: { usage: 'runq [CPU]', help: 'run queues: running count, current task, active and expired priority lists', run: (a) => this.runq(a) },
      bt: { usage: 'bt [PID]', help: 'backtrace of a task (default: the task on the selected CPU)', run: (a, cpu) => this.bt(a, cpu) },
      task: { usage: 'task PID', help: 'one task in detail', run: (a) => this.task(a) },
      softirq: { usage: 'softirq', help: 'pending softirqs per CPU, by name', run: () => this.softirq() },
      tasklets: { usage: 'tasklets', help: 'tasklets queued on each CPU (tasklet_vec, tasklet_hi_vec)', run: () => this.tasklets() },
      dmesg: { usage: 'dmesg [LINES]', help: 'the kernel log buffer (last LINES lines)', run: (a) => this.dmesg(a) },
      irq: { usage: 'irq [-a]', help: 'interrupt lines: per-CPU counts, controller, status, handlers (-a: unused lines too)', run: (a) => this.irq(a) },
      workqueues: { usage: 'workqueues', help: 'work queues: worker thread and queued work per CPU', run: () => this.workqueues() },
      timers: { usage: 'timers', help: 'pending dynamic timers per CPU, by expiry (delta from jiffies)', run: () => this.timers() },
      per_cpu: { usage: 'per_cpu VAR [CPU]', help: "address and first word of a per-CPU variable's copy", run: (a, cpu) => this.perCpu(a, cpu) },
    };
  }

  names(): string[] { return Object.keys(this.table); }

  /**
   * Completions for argument `index` (0-based) of a command, from its usage: PID -> the pids of the
   * task list (comm as detail), CPU -> the CPU numbers, VAR -> the per-CPU variables (per_cpu__NAME
   * symbols without the prefix). Empty when nothing sensible can be offered.
   */
  argumentCompletions(command: string, index: number): { label: string; detail?: string; type?: 'value' | 'variable' }[] {
    const usage = this.table[command]?.usage;
    const placeholder = usage?.split(/\s+/).slice(1)[index]?.replace(/[[\]]/g, '');
    try {
      switch (placeholder) {
        case 'PID': {
          if (!this.e.tasks || this.e.isRunning) return [];
          const read = this.e.reader(this.e.lastStop?.cpu ?? 0);
          return this.e.tasks.allTasks(read).map((a) => this.e.taskSummary(a)).filter((t): t is TaskSummary => !!t)
            .map((t) => ({ label: String(t.pid), detail: t.comm, type: 'value' as const }));
        }
        case 'CPU': return [...Array(this.e.cpuCount).keys()].map((c) => ({ label: String(c), type: 'value' as const }));
        case 'VAR': return (this.e.symbols?.globalNames() ?? []).filter((n) => n.startsWith('per_cpu__')).sort()
          .map((n) => ({ label: n.slice('per_cpu__'.length), type: 'variable' as const }));
        default: return [];
      }
    } catch {
      return [];
    }
  }

  isCommand(text: string): boolean {
    const word = text.trim().split(/\s+/)[0];
    return word in this.table && (text.trim() === word || /^\S+\s/.test(text.trim()));
  }

  run(text: string, cpu: number): string {
    const [word, ...args] = text.trim().split(/\s+/);
    const cmd = this.table[word];
    if (!cmd) throw new Error(`unknown command '${word}'; try help`);
    try {
      return cmd.run(args, cpu);
    } catch (err) {
      if (err instanceof MissingKernelSymbol) return `${word}: not available: ${err.message}`;
      throw err;
    }
  }

  // ------------------------------------------------------------------ irq, workqueues, timers
  // Tables in the manner of crash's `irq` and /proc/interrupts, `timer`, and the workqueue listing of
  // drgn; the data are those of the Interrupts/Work queues/Timers views (subsystem-views.ts).

  private subsystems(): { v: SubsystemViews; warnings: string[] } {
    const warnings: string[] = [];
    return { v: new SubsystemViews(this.e, warnings), warnings };
  }

  private code(c: CodeRef): string { return c.symbol ?? hex(c.address); }

  private withWarnings(rows: string[], warnings: string[]): string {
    return rows.concat(warnings.map((w) => `warning: ${w}`)).join('\n');
  }

  private irq(args: string[]): string {
    const { v, warnings } = this.subsystems();
    const { lines, other } = v.irqs(args.includes('-a'));
    const cpus = this.e.cpuCount;
    const cpuHead = Array.from({ length: cpus }, (_, i) => pad(`CPU${i}`, 10)).join('');
    // TOTAL is irq_desc.irq_count (the kernel's own count). The per-CPU columns are the kernel's kstat
    // counts (kstat_cpu(cpu).irqs[irq], as /proc/interrupts) when it has them; on a kernel without kstat,
    // and for the APIC timer / IPI rows, they come from the machine's delivery trace, so they can cover
    // less than the whole run (a warning says so).
    const rows = [`IRQ  VEC      TOTAL${cpuHead}  CHIP           STATUS            HANDLERS`];
    for (const l of lines) {
      const counts = Array.from({ length: cpus }, (_, i) => pad(l.countsPerCpu[i] ?? 0, 10)).join('');
      const handlers = l.actions.map((a) => `${a.name} (${this.code(a.handler)})`).join(', ') || '-';
      const status = l.status.names.join('|') || '-';
      rows.push(`${pad(l.irq, 3)} ${l.vector !== undefined ? '0x' + l.vector.toString(16).padStart(2, '0') : '   -'} ${pad(l.total, 10)}${counts}  ${(l.chip ?? '-').padEnd(14)} ${status.padEnd(17)} ${handlers}${l.depth ? ` [disabled depth ${l.depth}]` : ''}`);
    }
    for (const o of other ?? []) {
      const counts = Array.from({ length: cpus }, (_, i) => pad(o.countsPerCpu[i] ?? 0, 10)).join('');
      rows.push(`${o.name.padStart(3)} ${o.vector !== undefined ? '0x' + o.vector.toString(16).padStart(2, '0') : '   -'} ${pad('-', 10)}${counts}`);
    }
    return this.withWarnings(rows, warnings);
  }

  private workqueues(): string {
    const { v, warnings } = this.subsystems();
    const rows: string[] = [];
    for (const wq of v.workqueues().workqueues) {
      rows.push(`WORKQUEUE ${hex(wq.address)} "${wq.name}"`);
      rows.push('  CPU  THREAD               INSERTED  REMOVED  QUEUED WORK');
      for (const c of wq.perCpu) {
        const thread = c.thread ? `${c.thread.comm} [${c.thread.pid}]` : '-';
        const work = c.worklist.map((w) => `${this.code(w.func)}(${hex(w.data)})${w.pending ? '' : ' (not pending)'}`).join(', ') || '(none)';
        rows.push(`  ${pad(c.cpu, 3)}  ${thread.padEnd(20)} ${pad(c.insertSequence, 8)} ${pad(c.removeSequence, 8)}  ${work}`);
      }
    }
    if (rows.length === 0) rows.push('no work queues');
    return this.withWarnings(rows, warnings);
  }

  private timers(): string {
    const { v, warnings } = this.subsystems();
    const rows: string[] = [];
    for (const c of v.timers().cpus) {
      rows.push(`TVEC_BASES[${c.cpu}]${c.timerJiffies !== undefined ? `  timer_jiffies ${c.timerJiffies}` : ''}  (${c.timers.length} pending)`);
      if (c.timers.length) rows.push('   EXPIRES     DELTA  TIMER_LIST  FUNCTION (DATA)');
      for (const t of c.timers) rows.push(`  ${pad(t.expires, 8)} ${pad(t.delta, 9)}  ${hex(t.address).padEnd(10)}  ${this.code(t.function)} (${hex(t.data)})`);
    }
    return this.withWarnings(rows, warnings);
  }

  private help(): string {
    return Object.values(this.table).map((c) => `${c.usage.padEnd(20)} ${c.help}`).join('\n') +
      '\nAnything else is evaluated as an expression ($eax, jiffies, &jiffies, *0xc0100000, $pid == 1 ...).';
  }

  private runningOn(): Map<number, number> {
    const m = new Map<number, number>();
    for (let i = 0; i < this.e.cpuCount; i++) {
      const t = this.e.currentTask(i);
      if (t !== undefined) m.set(t, i);
    }
    return m;
  }

  private ps(): string {
    const running = this.runningOn();
    const warnings: string[] = [];
    const tasks = this.model.allTasks(warnings);
    const seen = new Set(tasks.map((t) => t.address));
    for (const idle of this.model.idleTasks()) if (idle && !seen.has(idle.address)) { tasks.unshift(idle); seen.add(idle.address); }
    tasks.sort((a, b) => a.pid - b.pid || a.cpu - b.cpu);
    const rows = ['   PID   PPID  CPU ST PRIO  TASK        COMM'];
    for (const t of tasks) {
      const on = running.get(t.address);
      rows.push(`${on !== undefined ? '>' : ' '}${pad(t.pid, 5)} ${pad(t.parent ?? '-', 6)} ${pad(on ?? t.cpu, 4)}  ${t.letter} ${pad(t.prio, 4)}  ${hex(t.address).padEnd(10)}  ${t.comm}`);
    }
    return rows.concat(warnings.map((w) => `warning: ${w}`)).join('\n');
  }

  private runq(args: string[]): string {
    const cpus = args.length ? [Number(args[0])] : [...Array(this.e.cpuCount).keys()];
    const out: string[] = [];
    for (const cpu of cpus) {
      if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.e.cpuCount) throw new Error(`runq: no CPU ${args[0]}`);
      const rq = this.model.runQueue(cpu);
      out.push(`CPU ${cpu} runqueue at ${hex(rq.address)}: nr_running ${rq.nrRunning}${rq.nrSwitches !== undefined ? `, nr_switches ${rq.nrSwitches}` : ''}`);
      out.push(`  curr: ${this.name(rq.curr)}    idle: ${this.name(rq.idle)}`);
      for (const [label, arr] of [['active', rq.active], ['expired', rq.expired]] as const) {
        if (!arr) continue;
        out.push(`  ${label} (${hex(arr.address)}, nr_active ${arr.nrActive}):${arr.lists.length ? '' : ' empty'}`);
        for (const l of arr.lists) out.push(`    [${l.prio}] ${l.tasks.map((t) => this.name(t)).join(', ')}`);
      }
    }
    return out.join('\n');
  }

  private name(t: TaskSummary | undefined): string {
    return t ? `${t.comm} [${t.pid}]` : '-';
  }

  private findTask(pidText: string): TaskSummary {
    const pid = Number(pidText);
    if (!Number.isInteger(pid)) throw new Error(`'${pidText}' is not a pid`);
    const t = this.model.allTasks().find((x) => x.pid === pid) ?? this.model.idleTasks().find((x) => x?.pid === pid);
    if (!t) throw new Error(`no task with pid ${pid}`);
    return t;
  }

  private bt(args: string[], cpu: number): string {
    let frames;
    let title: string;
    if (args.length) {
      const t = this.findTask(args[0]);
      const on = this.runningOn().get(t.address);
      frames = on !== undefined ? this.e.frames(on + 1) : this.e.taskFrames(t.address);
      title = `${t.comm} [pid ${t.pid}]${on !== undefined ? ` running on CPU ${on}` : ` (${t.stateName})`}`;
    } else {
      frames = this.e.frames(cpu + 1);
      const t = this.e.currentTask(cpu);
      title = `CPU ${cpu}${t !== undefined ? `: ${this.name(this.e.taskSummary(t))}` : ''}`;
    }
    const lines = frames.map((f, i) => {
      if (f.kind === 'entry') return `   ${f.function}`;
      const where = f.file ? ` at ${f.file.split('/').slice(-2).join('/')}:${f.line}` : '';
      return `#${String(i).padEnd(2)} ${hex(f.pc).padEnd(10)} in ${f.function ?? '??'}${where}`;
    });
    return [title, ...lines].join('\n');
  }

  private task(args: string[]): string {
    if (!args.length) throw new Error('usage: task PID');
    const t = this.findTask(args[0]);
    return [
      `task_struct ${hex(t.address)}: pid ${t.pid} ${t.comm} ${t.letter} cpu${t.cpu} prio ${t.prio}`,
      `  state ${t.state} (${t.stateName})${t.exitState ? `, exit_state ${t.exitState}` : ''}`,
      `  tgid ${t.tgid}, parent ${t.parent ?? '-'}, flags ${hex(t.flags)}, mm ${hex(t.mm)}${t.mm ? '' : ' (kernel thread)'}`,
      `  thread_info ${hex(t.threadInfo)}, thread.esp ${hex(t.threadEsp)}, thread.eip ${hex(t.threadEip)} <${this.model.symbolize(t.threadEip)}>`,
    ].join('\n');
  }

  private softirq(): string {
    const out: string[] = [];
    for (let cpu = 0; cpu < this.e.cpuCount; cpu++) {
      const p = this.model.softirqPending(cpu);
      out.push(`CPU ${cpu}: __softirq_pending ${hex(p.raw)}${p.names.length ? ` = ${p.names.join(' | ')}` : ' (none)'}`);
    }
    return out.join('\n');
  }

  private tasklets(): string {
    const out: string[] = [];
    for (let cpu = 0; cpu < this.e.cpuCount; cpu++) {
      for (const which of ['tasklet_hi_vec', 'tasklet_vec'] as const) {
        const list = this.model.tasklets(cpu, which);
        out.push(`CPU ${cpu} ${which}: ${list.length ? '' : 'empty'}`);
        for (const t of list) {
          const st = [t.state & 1 ? 'SCHED' : '', t.state & 2 ? 'RUN' : ''].filter(Boolean).join('|') || '-';
          out.push(`  ${hex(t.address)} func ${this.model.symbolize(t.func)} data ${hex(t.data)} state ${st} count ${t.count}`);
        }
      }
    }
    return out.join('\n');
  }

  private dmesg(args: string[]): string {
    const d = this.model.dmesg();
    const n = args.length ? Number(args[0]) : d.lines.length;
    return d.lines.slice(-n).join('\n');
  }

  private perCpu(args: string[], cpuNow: number): string {
    if (!args.length) throw new Error('usage: per_cpu VAR [CPU]');
    const cpus = args.length > 1 ? [Number(args[1])] : [...Array(this.e.cpuCount).keys()];
    void cpuNow;
    return cpus.map((cpu) => {
      const a = this.model.perCpuAddress(args[0], cpu);
      return `per_cpu(${args[0]}, ${cpu}) at ${hex(a)}: ${hex(this.model.r32(a))}`;
    }).join('\n');
  }
}
