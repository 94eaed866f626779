// The Interrupts, Work queues, Timers and Wait queues views, read through DWARF from a stopped machine.
//
// Every offset comes from the kernel's debug information (KernelLayout); a kernel without one of the
// structures answers MissingKernelSymbol, which the request layer turns into `available: false,
// cause: 'symbols'`. Lists in guest memory are walked with a bound and a cycle check, and a list that
// does not close is reported as a warning, never as an exception.

import type { Engine } from '../engine/engine';
import { DW_AT, DW_TAG } from '../symbols/dwarf-constants';
import type { Die } from '../symbols/dwarf-info';
import type { TraceEvent } from '../../simulator/machine/trace';
import type {
  CodeRef, CpuTimersView, CpuWorkqueueView, DecodedFlags, InterruptCounterView, IrqLineView, TaskRef, TimerView,
  WaitqueueView, WorkItemView, WorkqueueView,
} from '../protocol/kernel-views';
import { MissingKernelSymbol, type KernelLayout } from './layout';
import { hex32 } from '../engine/view-node';

const FIRST_EXTERNAL_VECTOR = 0x20;
/** irq_desc.status bits (include/linux/irq.h, seed 003:2400-2420). */
const IRQ_STATUS = ['IRQ_INPROGRESS', 'IRQ_DISABLED', 'IRQ_PENDING', 'IRQ_REPLAY', 'IRQ_AUTODETECT', 'IRQ_WAITING', 'IRQ_LEVEL', 'IRQ_MASKED', 'IRQ_PER_CPU'];
/** irqaction.flags (include/linux/interrupt.h). */
const SA_FLAGS: [number, string][] = [[0x20000000, 'SA_INTERRUPT'], [0x10000000, 'SA_SAMPLE_RANDOM'], [0x04000000, 'SA_SHIRQ']];
/** Local APIC vectors counted like the bottom of /proc/interrupts. */
// The local APIC's own vectors (the teaching kernel's include/asm-i386/hw_irq.h, as 2.6.11 i386).
const APIC_COUNTERS: [string, number][] = [['LOC', 0xef], ['CAL', 0xfb], ['RES', 0xfc], ['TLB', 0xfd], ['ERR', 0xfe], ['SPU', 0xff]];
const LIST_LIMIT = 4096;

function strip(d: Die | undefined): Die | undefined {
  for (let i = 0; d && i < 16; i++) {
    if (d.tag === DW_TAG.typedef || d.tag === DW_TAG.const_type || d.tag === DW_TAG.volatile_type) d = d.ref(DW_AT.type);
    else return d;
  }
  return d;
}

export class SubsystemViews {
  constructor(private readonly e: Engine, private readonly warnings: string[]) {}

  private get l(): KernelLayout {
    if (!this.e.layout) throw new MissingKernelSymbol('symbols');
    return this.e.layout;
  }
  private get cpu0(): number { return this.e.lastStop?.cpu ?? 0; }

  private r32(a: number): number {
    const v = this.e.read32(this.cpu0, a);
    if (v === undefined) throw new Error(`cannot read guest memory at ${hex32(a)}`);
    return v;
  }

  private str(a: number, max = 64): string {
    if (!a) return '';
    const b = this.e.machine.readLinear(this.cpu0, a, max) ?? new Uint8Array();
    let s = '';
    for (const c of b) { if (!c) break; s += String.fromCharCode(c); }
    return s;
  }

  private code(a: number): CodeRef {
    const fn = this.e.symbols?.functionAt(a);
    return { address: a, symbol: this.e.symbols?.describeAddress(a), file: fn?.file, line: fn?.line };
  }

  private off(struct: string, path: string): number { return this.l.requireMember(struct, path); }

  private task(a: number): TaskRef | null {
    if (!a) return null;
    const s = this.e.taskSummary(a);
    return s ? { pid: s.pid, comm: s.comm, address: s.address } : null;
  }

  /** Circular list_head walk: entry addresses (link - memberOffset); warns when it does not close. */
  private walk(head: number, memberOffset: number, what: string): number[] {
    const out: number[] = [];
    const seen = new Set<number>();
    let link = this.e.read32(this.cpu0, head);
    while (link !== undefined && link !== head) {
      if (link === 0 || seen.has(link) || out.length >= LIST_LIMIT) { this.warnings.push(`${what}: the list at ${hex32(head)} does not close`); break; }
      seen.add(link);
      out.push((link - memberOffset) >>> 0);
      link = this.e.read32(this.cpu0, link);
    }
    if (link === undefined) this.warnings.push(`${what}: unreadable list link after ${out.length} entries`);
    return out;
  }

  private perCpu(name: string, cpu: number): number {
    const tmpl = this.l.address(`per_cpu__${name}`);
    if (tmpl === undefined) throw new MissingKernelSymbol(`per-CPU variable '${name}'`);
    return (tmpl + this.r32(this.l.requireAddress('__per_cpu_offset') + 4 * cpu)) >>> 0;
  }

  // ---------------------------------------------------------------- ksim/irqs

  irqs(includeUnused: boolean): { lines: IrqLineView[]; other: InterruptCounterView[] } {
    const base = this.l.requireAddress('irq_desc');
    const size = this.l.sizeOf('irq_desc_t') ?? this.l.sizeOf('struct irq_desc');
    if (size === undefined) throw new MissingKernelSymbol('type irq_desc_t');
    const n = this.l.globalArrayLength('irq_desc') ?? 16;
    const D = (f: string) => this.off('struct irq_desc', f);
    const A = (f: string) => this.off('struct irqaction', f);
    const typenameOff = this.l.member('struct hw_interrupt_type', 'typename')?.offset;
    // Per-CPU counts: a kernel with kstat (include/linux/kernel_stat.h) counts each line's interrupts per
    // CPU itself, from boot, like /proc/interrupts. On a kernel without it (one total per line, irq_count)
    // which CPU took each one is in the machine's delivery trace, counted for the window it still holds.
    const kstat = this.kstatIrqs();
    const { perVector, complete } = this.deliveriesPerCpu();
    if (!complete && !kstat) this.warnings.push('per-CPU counts cover only the part of the run the trace buffer still holds');
    if (!complete && kstat) this.warnings.push('APIC timer / IPI per-CPU counts cover only the part of the run the trace buffer still holds');
    const lines: IrqLineView[] = [];
    for (let irq = 0; irq < n; irq++) {
      const d = base + irq * size;
      const status = this.r32(d + D('status'));
      const total = this.r32(d + D('irq_count'));
      let act = this.r32(d + D('action'));
      const actions = [];
      const seen = new Set<number>();
      while (act && !seen.has(act) && actions.length < 32) {
        seen.add(act);
        const flags = this.r32(act + A('flags'));
        actions.push({
          name: this.str(this.r32(act + A('name'))), handler: this.code(this.r32(act + A('handler'))),
          flags: { raw: flags, names: SA_FLAGS.filter(([b]) => flags & b).map(([, nm]) => nm) }, devId: this.r32(act + A('dev_id')),
        });
        act = this.r32(act + A('next'));
      }
      const vector = FIRST_EXTERNAL_VECTOR + irq;
      const counts = kstat ? kstat(irq) : perVector.get(vector) ?? new Array(this.e.cpuCount).fill(0);
      // Unused: no handler and never raised (a line raised with no handler has counts but no irq_count).
      if (!includeUnused && !actions.length && !total && counts.every((c) => c === 0)) continue;
      const chipPtr = this.r32(d + D('handler'));
      lines.push({
        key: `irq${irq}`, irq, vector, chip: chipPtr && typenameOff !== undefined ? this.str(this.r32(chipPtr + typenameOff)) : undefined,
        status: this.flags(status, IRQ_STATUS), depth: this.r32(d + D('depth')), countsPerCpu: counts, total,
        unhandled: this.r32(d + D('irqs_unhandled')), actions,
      });
    }
    const other: InterruptCounterView[] = APIC_COUNTERS.map(([name, vector]) => ({
      key: name, name, vector, countsPerCpu: perVector.get(vector) ?? new Array(this.e.cpuCount).fill(0),
    }));
    return { lines, other };
  }

  private flags(raw: number, names: string[]): DecodedFlags {
    return { raw, names: names.filter((_, b) => raw & (1 << b)) };
  }

  /**
   * The kernel's own per-CPU interrupt counts: kstat_cpu(cpu).irqs[irq], i.e. per_cpu__kstat plus
   * __per_cpu_offset[cpu], then the irqs[] member. Undefined when the kernel has no kstat (older images).
   */
  private kstatIrqs(): ((irq: number) => number[]) | undefined {
    if (this.l.address('per_cpu__kstat') === undefined) return undefined;
    const irqs = this.l.member('struct kernel_stat', 'irqs');
    if (!irqs) return undefined;
    const bases = Array.from({ length: this.e.cpuCount }, (_, cpu) => this.perCpu('kstat', cpu) + irqs.offset);
    const slots = irqs.size !== undefined ? irqs.size / 4 : Infinity;
    return (irq) => bases.map((b) => (irq < slots ? this.r32(b + 4 * irq) : 0));
  }

  private deliveriesPerCpu(): { perVector: Map<number, number[]>; complete: boolean } {
    const t = (this.e.machine as unknown as { trace?: { events(): TraceEvent[]; total: number; size: number } }).trace;
    const perVector = new Map<number, number[]>();
    if (!t || t.size === 0) return { perVector, complete: !t ? false : t.total === 0 };
    for (const ev of t.events()) {
      if (ev.kind !== 'interrupt' || ev.vector === undefined || ev.cpu < 0) continue;
      let row = perVector.get(ev.vector);
      if (!row) { row = new Array(this.e.cpuCount).fill(0); perVector.set(ev.vector, row); }
      row[ev.cpu]++;
    }
    return { perVector, complete: t.total === t.size };
  }

  // ---------------------------------------------------------------- ksim/timers

  timers(): { cpus: CpuTimersView[] } {
    const T = (f: string) => this.off('struct timer_list', f);
    const entry = T('entry');
    const jiffies = this.r32(this.l.address('jiffies_64') ?? this.l.requireAddress('jiffies'));
    const cpus: CpuTimersView[] = [];
    for (let cpu = 0; cpu < this.e.cpuCount; cpu++) {
      const base = this.perCpu('tvec_bases', cpu);
      const timers: TimerView[] = [];
      for (const tv of ['tv1', 'tv2', 'tv3', 'tv4', 'tv5']) {
        const m = this.l.member('struct tvec_t_base_s', `${tv}.vec`);
        if (!m) throw new MissingKernelSymbol(`field tvec_t_base_s.${tv}.vec`);
        const slots = (m.size ?? 0) / 8;
        for (let i = 0; i < slots; i++) {
          for (const t of this.walk(base + m.offset + 8 * i, entry, `CPU ${cpu} ${tv}[${i}]`)) {
            const expires = this.r32(t + T('expires'));
            timers.push({ key: hex32(t), address: t, expires, delta: (expires - jiffies) | 0, function: this.code(this.r32(t + T('function'))), data: this.r32(t + T('data')) });
          }
        }
      }
      timers.sort((a, b) => a.delta - b.delta);
      const tj = this.l.member('struct tvec_t_base_s', 'timer_jiffies');
      cpus.push({ cpu, timerJiffies: tj ? this.r32(base + tj.offset) : undefined, timers });
    }
    return { cpus };
  }

  // ---------------------------------------------------------------- ksim/workqueues

  workqueues(): { workqueues: WorkqueueView[] } {
    const head = this.l.requireAddress('workqueues');
    const W = (f: string) => this.off('struct workqueue_struct', f);
    const C = (f: string) => this.off('struct cpu_workqueue_struct', f);
    const K = (f: string) => this.off('struct work_struct', f);
    const cwqSize = this.l.sizeOf('struct cpu_workqueue_struct');
    if (cwqSize === undefined) throw new MissingKernelSymbol('type struct cpu_workqueue_struct');
    const out: WorkqueueView[] = [];
    for (const wq of this.walk(head, W('list'), 'workqueues')) {
      const single = this.l.member('struct workqueue_struct', 'singlethread') ? this.r32(wq + W('singlethread')) !== 0 : false;
      const perCpu: CpuWorkqueueView[] = [];
      for (let cpu = 0; cpu < (single ? 1 : this.e.cpuCount); cpu++) {
        const cwq = wq + W('cpu_wq') + cpu * cwqSize;
        const worklist: WorkItemView[] = this.walk(cwq + C('worklist'), K('entry'), 'worklist').map((w) => ({
          key: hex32(w), address: w, func: this.code(this.r32(w + K('func'))), data: this.r32(w + K('data')), pending: (this.r32(w + K('pending')) & 1) !== 0,
        }));
        perCpu.push({
          cpu, thread: this.task(this.r32(cwq + C('thread'))),
          insertSequence: this.r32(cwq + C('insert_sequence')) | 0, removeSequence: this.r32(cwq + C('remove_sequence')) | 0, worklist,
        });
      }
      out.push({ key: hex32(wq), address: wq, name: this.str(this.r32(wq + W('name'))), perCpu });
    }
    return { workqueues: out };
  }

  // ---------------------------------------------------------------- ksim/waitqueues

  /**
   * Wait queue heads are found in two places: every global or static variable whose DWARF type is a
   * wait_queue_head_t (scenario queues, driver queues), and the more_work / work_done heads of each
   * workqueue's per-CPU part. Only heads with sleepers are returned.
   */
  waitqueues(): { waitqueues: WaitqueueView[] } {
    const s = this.e.symbols;
    if (!s) throw new MissingKernelSymbol('symbols');
    if (!this.l.typeDie('struct __wait_queue_head')) throw new MissingKernelSymbol('type struct __wait_queue_head');
    const H = (f: string) => this.off('struct __wait_queue_head', f);
    const Q = (f: string) => this.off('struct __wait_queue', f);
    const heads: { address: number; name: string }[] = [];
    const seen = new Set<number>();
    const add = (address: number, name: string) => { if (!seen.has(address)) { seen.add(address); heads.push({ address, name }); } };
    for (const name of s.globalNames()) {
      for (const d of s.globalDies(name)) {
        const t = strip(d.ref(DW_AT.type) ?? d.ref(DW_AT.specification)?.ref(DW_AT.type));
        if (!t || t.name !== '__wait_queue_head') continue;
        for (const sym of s.lookupSymbol(name)) add(sym.value, name);
      }
    }
    try {
      for (const wqv of this.workqueues().workqueues) {
        for (const c of wqv.perCpu) {
          const cwq = wqv.address + this.off('struct workqueue_struct', 'cpu_wq') + c.cpu * (this.l.sizeOf('struct cpu_workqueue_struct') ?? 0);
          add(cwq + this.off('struct cpu_workqueue_struct', 'more_work'), `${wqv.name}/${c.cpu} more_work`);
          add(cwq + this.off('struct cpu_workqueue_struct', 'work_done'), `${wqv.name}/${c.cpu} work_done`);
        }
      }
    } catch (err) {
      if (!(err instanceof MissingKernelSymbol)) this.warnings.push(`workqueue heads: ${(err as Error).message}`);
    }
    const out: WaitqueueView[] = [];
    for (const h of heads) {
      const waiters = this.walk(h.address + H('task_list'), Q('task_list'), h.name).map((w) => ({
        key: hex32(w), address: w, task: this.task(this.r32(w + Q('task'))),
        exclusive: (this.r32(w + Q('flags')) & 1) !== 0, func: this.code(this.r32(w + Q('func'))),
      }));
      if (waiters.length) out.push({ key: hex32(h.address), address: h.address, name: h.name, waiters });
    }
    return { waitqueues: out };
  }
}
