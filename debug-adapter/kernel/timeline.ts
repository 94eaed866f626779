// ksim/timeline: what each CPU did over virtual time, as nested spans and point events per CPU lane.
//
// Two sources, both free of guest-visible side effects:
//  - the machine's event trace (interrupt/exception/int n deliveries, iret, hlt/wake, IPIs), which the
//    machine records anyway: a delivery opens a span, the iret that leaves it closes it, so nesting on a
//    lane is the nesting of the CPU's interrupt stack frames;
//  - the adapter's tracepoints (tracepoints.ts): every __switch_to (prev -> next, read from the
//    task_structs in %eax/%edx) and every bottom-half run - each softirq action, tasklet function and
//    work function, from its first instruction to its return, with the task it ran in.
// Both are replayed per CPU with one stack (buildTimeline step 2), so a span's parent is what really
// enclosed it: a tasklet inside its TASKLET_SOFTIRQ run, that inside the hardirq whose irq_exit ran it.
// The tracepoints fire during steps too; a switch they could still not see (one before tracing started)
// is inferred from the running task changing between two stops and marked as such.

import type { Engine } from '../engine/engine';
import type { TraceEvent } from '../../simulator/machine/trace';
import type { CodeRef, TaskRef, TimelineBody, TimelineEvent, TimelineSpan, TimelineSpanKind } from '../protocol/kernel-views';
import type { BottomHalfRecord, KernelTracepoints, SwitchRecord } from './tracepoints';

/** First vector of the ISA IRQ lines in the teaching kernel's IDT layout. */
const FIRST_EXTERNAL_VECTOR = 0x20;
const SYSCALL_VECTOR = 0x80;
/** Local APIC vectors of the teaching kernel (arch/i386/kernel: LOCAL_TIMER_VECTOR and the IPIs). */
const APIC_VECTOR_NAMES: Record<number, string> = { 0xef: 'LAPIC timer', 0xf0: 'thermal', 0xfb: 'call-function IPI', 0xfc: 'reschedule IPI', 0xfd: 'TLB IPI', 0xfe: 'APIC error', 0xff: 'spurious' };

/** Exception names by vector (Intel SDM vol. 3 table 6-1). */
const EXCEPTION_NAMES = ['#DE divide error', '#DB debug', 'NMI', '#BP breakpoint', '#OF overflow', '#BR bound', '#UD invalid opcode',
  '#NM no FPU', '#DF double fault', 'coprocessor overrun', '#TS invalid TSS', '#NP segment not present', '#SS stack fault',
  '#GP general protection', '#PF page fault', 'reserved', '#MF x87 error', '#AC alignment', '#MC machine check', '#XM SIMD'];

export function taskLabel(t: TaskRef): string { return `${t.comm} [${t.pid}]`; }

/** Per-stop samples of the running task per CPU, to infer switches the tracepoints did not see. */
export class StopSampler {
  private lastStopId = -1;
  private last: (number | undefined)[] = [];
  private lastTime = 0;

  constructor(private readonly e: Engine, private readonly tp: KernelTracepoints) {}

  sample(): void {
    if (this.e.stopId === this.lastStopId) return;
    this.lastStopId = this.e.stopId;
    const now: (number | undefined)[] = [];
    for (let cpu = 0; cpu < this.e.cpuCount; cpu++) {
      let t: number | undefined;
      try { t = this.e.currentTask(cpu); } catch { t = undefined; }
      now.push(t);
      const before = this.last[cpu];
      if (before === undefined || t === undefined || before === t) continue;
      const seen = this.tp.switches.some((s) => s.cpu === cpu && s.time >= this.lastTime);
      if (!seen) {
        this.tp.switches.push({ time: this.tp.now(cpu), cpu, prev: this.tp.ref(before), next: this.tp.ref(t), eip: this.e.pc(cpu), inferred: true });
      }
    }
    this.last = now;
    this.lastTime = this.e.machine.time;
  }
}

/** One thing that happens on a CPU lane, from the trace ring or the tracepoints, in time order. */
type LaneItem =
  | { time: number; order: number; kind: 'iret'; toUser: boolean }
  | { time: number; order: number; kind: 'bh-close'; rec: BottomHalfRecord }
  | { time: number; order: number; kind: 'switch'; s: SwitchRecord }
  | { time: number; order: number; kind: 'bh-open'; rec: BottomHalfRecord }
  | { time: number; order: number; kind: 'deliver'; spanKind: TimelineSpanKind; label: string; extra: Partial<TimelineSpan> };

/**
 * Ties at one virtual time, in the order they happen: an iret returns to where a bottom half ends or
 * a call starts; a bottom half returns before an interrupt is delivered at its return address; a run
 * starts before an interrupt delivered at its first instruction.
 */
const ORDER = { 'iret': 0, 'bh-close': 1, 'switch': 2, 'bh-open': 3, 'deliver': 4 } as const;

/** A span open on a CPU's stack: its current segment, and what it is for continuing it elsewhere. */
interface Open { span: TimelineSpan; rec?: BottomHalfRecord }

const TRACE_KINDS = new Set<TimelineSpanKind>(['hardirq', 'exception', 'syscall']);

export function buildTimeline(e: Engine, tp: KernelTracepoints, args: { from?: number; to?: number; maxItems?: number }): TimelineBody {
  const code = (a: number): CodeRef => ({ address: a, symbol: e.symbols?.describeAddress(a) });
  const m = e.machine as unknown as { trace?: { events(): TraceEvent[]; total: number; size: number } };
  const trace = m.trace;
  const events: TraceEvent[] = trace && trace.size > 0 ? trace.events() : [];
  const cpuCount = e.cpuCount;
  const nowTimes = [...Array(cpuCount).keys()].map((c) => tp.now(c));
  const endTime = Math.max(e.machine.time, ...nowTimes);
  const traceStart = events.length ? events[0].time : endTime;
  const startTime = Math.min(traceStart, tp.since, ...tp.switches.map((s) => s.time));
  let truncated = !!trace && trace.total > trace.size;
  if (tp.dropped) truncated = true;

  const spans: TimelineSpan[] = [];
  const evs: TimelineEvent[] = [];
  let id = 1;

  // 1. Everything that opens or closes a span, per CPU lane.
  const lanes: LaneItem[][] = [...Array(cpuCount)].map(() => []);
  const add = (cpu: number, item: LaneItem) => { if (cpu >= 0 && cpu < cpuCount) lanes[cpu].push(item); };
  for (const ev of events) {
    const cpu = ev.cpu;
    const v = ev.vector ?? -1;
    switch (ev.kind) {
      case 'interrupt': case 'nmi': {
        const irq = v >= FIRST_EXTERNAL_VECTOR && v < FIRST_EXTERNAL_VECTOR + 16 ? v - FIRST_EXTERNAL_VECTOR : undefined;
        const label = ev.kind === 'nmi' ? 'NMI' : irq !== undefined ? `IRQ ${irq}` : `${APIC_VECTOR_NAMES[v] ?? 'interrupt'} (0x${v.toString(16)})`;
        add(cpu, { time: ev.time, order: ORDER.deliver, kind: 'deliver', spanKind: 'hardirq', label, extra: { vector: v >= 0 ? v : undefined, irq } });
        break;
      }
      case 'exception': {
        const name = EXCEPTION_NAMES[v] ?? `exception ${v}`;
        add(cpu, { time: ev.time, order: ORDER.deliver, kind: 'deliver', spanKind: 'exception', label: name, extra: { vector: v } });
        if (cpu >= 0 && cpu < cpuCount) evs.push({ id: id++, time: ev.time, cpu, kind: 'exception', label: name, vector: v, errorCode: ev.errorCode, code: ev.eip !== undefined ? code(ev.eip) : undefined });
        break;
      }
      case 'software':
        add(cpu, { time: ev.time, order: ORDER.deliver, kind: 'deliver', spanKind: v === SYSCALL_VECTOR ? 'syscall' : 'exception', label: v === SYSCALL_VECTOR ? 'system call' : `int 0x${v.toString(16)}`, extra: { vector: v } });
        break;
      case 'iret':
        // value = CPL after the iret: 3 means back in user mode, the kernel stack is empty.
        add(cpu, { time: ev.time, order: ORDER.iret, kind: 'iret', toUser: ev.value === 3 });
        break;
      case 'ipi-send': {
        if (cpu < 0 || cpu >= cpuCount) break;
        const shorthand = ((ev.value ?? 0) >>> 18) & 3;
        const targets = shorthand === 0 ? (ev.target !== undefined ? [ev.target] : [])
          : shorthand === 1 ? [cpu] : shorthand === 2 ? [...Array(cpuCount).keys()] : [...Array(cpuCount).keys()].filter((c) => c !== cpu);
        evs.push({ id: id++, time: ev.time, cpu, kind: 'ipi', label: `IPI 0x${v.toString(16)} → CPU ${targets.join(', ')}`, vector: v >= 0 ? v : undefined, targetCpus: targets });
        break;
      }
      default: break;
    }
  }
  for (const rec of tp.bottomHalves) {
    add(rec.cpu, { time: rec.start, order: ORDER['bh-open'], kind: 'bh-open', rec });
    if (rec.end !== null) add(rec.endCpu ?? rec.cpu, { time: rec.end, order: ORDER['bh-close'], kind: 'bh-close', rec });
  }
  for (const s of tp.switches) add(s.cpu, { time: s.time, order: ORDER.switch, kind: 'switch', s });
  for (const lane of lanes) lane.sort((x, y) => x.time - y.time || x.order - y.order);

  // 2. Replay all lanes together in time order, each CPU with a stack of open spans. Interrupt frames
  // and bottom-half calls live on a task's kernel stack: when a task is switched out inside them (an
  // interrupt's exit path that schedules, a work function that sleeps) they are suspended with the
  // task, and continue - on whichever CPU - when it is switched in again; the next iret there returns
  // from that frame. (Virtual time orders the lanes causally: a task switched out on one CPU is
  // switched in elsewhere at a later virtual time.)
  const refs = new Map<number, TaskRef>();
  const refOf = (task: number) => { let r = refs.get(task); if (!r) { r = tp.ref(task); refs.set(task, r); } return r; };
  const suspended = new Map<number, Open[]>();
  const names = tp.softirqNames();
  const fnName = (a: number) => e.symbols?.functionAt(a)?.name ?? e.symbols?.describeAddress(a) ?? `0x${a.toString(16)}`;
  const cpus = lanes.map((lane, cpu) => {
    const firstSwitch = lane.find((x) => x.kind === 'switch') as { s: SwitchRecord } | undefined;
    let cur: TaskRef | undefined = firstSwitch?.s.prev;
    if (!firstSwitch) { const t = e.currentTask(cpu); if (t !== undefined) cur = tp.ref(t); }
    const st = { stack: [] as Open[], cur, taskSpan: undefined as TimelineSpan | undefined };
    startTask(cpu, st, cur, startTime);
    return st;
  });
  type LaneState = (typeof cpus)[number];
  function startTask(cpu: number, st: { cur?: TaskRef; taskSpan?: TimelineSpan }, t: TaskRef | undefined, at: number): void {
    st.cur = t;
    st.taskSpan = t ? { id: id++, cpu, kind: t.pid === 0 ? 'idle' : 'task', depth: 0, start: at, end: null, label: taskLabel(t), task: t } : undefined;
    if (st.taskSpan) spans.push(st.taskSpan);
  }
  const push = (cpu: number, st: LaneState, at: number, kind: TimelineSpanKind, label: string, extra: Partial<TimelineSpan>, rec?: BottomHalfRecord) => {
    const parent = st.stack.length ? st.stack[st.stack.length - 1].span : st.taskSpan;
    const span: TimelineSpan = { id: id++, cpu, kind, depth: st.stack.length + 1, start: at, end: null, label, ...extra, ...(parent ? { parent: parent.id } : {}) };
    spans.push(span);
    st.stack.push({ span, rec });
  };
  const closeFrom = (st: LaneState, i: number, at: number) => { for (const o of st.stack.splice(i)) o.span.end = at; };
  const all = lanes.flatMap((lane, cpu) => lane.map((item) => ({ cpu, item })))
    .sort((x, y) => x.item.time - y.item.time || x.item.order - y.item.order || x.cpu - y.cpu);
  for (const { cpu, item } of all) {
    const st = cpus[cpu];
    switch (item.kind) {
      case 'deliver': push(cpu, st, item.time, item.spanKind, item.label, item.extra); break;
      case 'iret': {
        if (item.toUser) { closeFrom(st, 0, item.time); break; }
        let i = st.stack.length - 1;
        while (i >= 0 && !TRACE_KINDS.has(st.stack[i].span.kind)) i--;
        if (i >= 0) closeFrom(st, i, item.time); // else: the return from a frame opened before the trace window
        break;
      }
      case 'bh-open': {
        const r = item.rec;
        const label = r.kind === 'softirq' ? (r.softirq !== undefined ? names.get(r.softirq) ?? `softirq ${r.softirq}` : fnName(r.func))
          : `${r.kind} ${fnName(r.func)}`;
        push(cpu, st, item.time, r.kind, label, {
          code: code(r.func), ...(r.softirq !== undefined ? { softirq: r.softirq } : {}),
          ...(r.task !== undefined ? { task: refOf(r.task) } : st.cur ? { task: st.cur } : {}),
        }, r);
        break;
      }
      case 'bh-close': {
        const i = st.stack.findIndex((o) => o.rec === item.rec);
        if (i >= 0) closeFrom(st, i, item.time);
        break;
      }
      case 'switch': {
        const s = item.s;
        if (st.taskSpan) st.taskSpan.end = s.time;
        if (st.stack.length) suspended.set(s.prev.address, st.stack.slice());
        closeFrom(st, 0, s.time);
        evs.push(switchEvent(id++, s, code));
        startTask(cpu, st, s.next, s.time);
        const resumed = suspended.get(s.next.address);
        if (resumed) {
          suspended.delete(s.next.address);
          for (const o of resumed) {
            // The same span, continued: everything but its place (id, CPU, depth, parent, times).
            const { id: was, parent: _parent, depth: _depth, start: _start, end: _end, cpu: _cpu, continues: _continues, ...same } = o.span;
            push(cpu, st, s.time, o.span.kind, o.span.label, { ...same, continues: was }, o.rec);
          }
        }
        break;
      }
    }
  }

  // Window and size limits: keep the most recent items.
  const from = args.from ?? -Infinity;
  const to = args.to ?? Infinity;
  let outSpans = spans.filter((s) => (s.end === null || s.end >= from) && s.start < to);
  let outEvents = evs.filter((v) => v.time >= from && v.time < to);
  const max = Math.max(1, args.maxItems ?? 20000);
  if (outSpans.length + outEvents.length > max) {
    truncated = true;
    const cut = [...outSpans.map((s) => s.end ?? Infinity), ...outEvents.map((v) => v.time)].sort((a, b) => b - a)[max - 1];
    outSpans = outSpans.filter((s) => (s.end ?? Infinity) >= cut || s.depth === 0 && s.end === null);
    outEvents = outEvents.filter((v) => v.time >= cut);
  }
  outEvents.sort((a, b) => a.time - b.time);
  return {
    cpuCount, startTime: Math.max(startTime, Number.isFinite(from) ? from : startTime), endTime: Math.min(endTime, to), cpuTimes: nowTimes,
    spans: outSpans, events: outEvents, truncated,
  };
}

function switchEvent(id: number, s: SwitchRecord, code: (a: number) => CodeRef): TimelineEvent {
  return {
    id, time: s.time, cpu: s.cpu, kind: 'switch',
    label: `${taskLabel(s.prev)} → ${taskLabel(s.next)}${s.inferred ? ' (seen between two stops)' : ''}`,
    prev: s.prev, next: s.next, code: code(s.eip),
  };
}
