// ksim/timeline: what each CPU did over virtual time, as nested spans and point events per CPU lane.
//
// Two sources, both free of guest-visible side effects:
//  - the machine's event trace (interrupt/exception/int n deliveries, iret, hlt/wake, IPIs), which the
//    machine records anyway: a delivery opens a span, the iret that leaves it closes it, so nesting on a
//    lane is the nesting of the CPU's interrupt stack frames;
//  - the adapter's tracepoints (tracepoints.ts): every __switch_to (prev -> next, read from the
//    task_structs in %eax/%edx) and the bottom-half runs (__do_softirq, tasklet actions, run_workqueue).
// Switches the tracepoints could not see (the user single-stepped through switch_to, or tracing was
// armed late) are inferred from the running task changing between two stops and marked as such.

import type { Engine } from '../engine/engine';
import type { TraceEvent } from '../../simulator/machine/trace';
import type { CodeRef, TaskRef, TimelineBody, TimelineEvent, TimelineSpan, TimelineSpanKind } from '../protocol/kernel-views';
import type { KernelTracepoints, SwitchRecord } from './tracepoints';

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

interface Open { span: TimelineSpan }

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
  const stacks: Open[][] = [...Array(cpuCount)].map(() => []);
  const open = (cpu: number, kind: TimelineSpanKind, start: number, label: string, extra: Partial<TimelineSpan>): void => {
    const st = stacks[cpu];
    const span: TimelineSpan = { id: id++, cpu, kind, depth: st.length + 1, start, end: null, label, ...extra };
    spans.push(span);
    st.push({ span });
  };

  // Interrupt frames live on a task's kernel stack: when a handler's exit path schedules, the frame
  // stays suspended with prev, and the next iret on this CPU returns from *next's* old frame. So a
  // switch closes the lane's open spans at the switch (the CPU left them), and an iret with nothing
  // open on the lane is the return from such an earlier frame.
  const switchesByTime = [...tp.switches].sort((a, b) => a.time - b.time);
  let si = 0;
  const closeLane = (cpu: number, t: number) => { for (const o of stacks[cpu].splice(0)) o.span.end = t; };
  for (const ev of events) {
    while (si < switchesByTime.length && switchesByTime[si].time <= ev.time) {
      const s = switchesByTime[si++];
      if (s.cpu < cpuCount) closeLane(s.cpu, s.time);
    }
    const cpu = ev.cpu;
    if (cpu < 0 || cpu >= cpuCount) continue;
    const v = ev.vector ?? -1;
    switch (ev.kind) {
      case 'interrupt': case 'nmi': {
        const irq = v >= FIRST_EXTERNAL_VECTOR && v < FIRST_EXTERNAL_VECTOR + 16 ? v - FIRST_EXTERNAL_VECTOR : undefined;
        const label = ev.kind === 'nmi' ? 'NMI' : irq !== undefined ? `IRQ ${irq}` : `${APIC_VECTOR_NAMES[v] ?? 'interrupt'} (0x${v.toString(16)})`;
        open(cpu, 'hardirq', ev.time, label, { vector: v >= 0 ? v : undefined, irq });
        break;
      }
      case 'exception': {
        const name = EXCEPTION_NAMES[v] ?? `exception ${v}`;
        open(cpu, 'exception', ev.time, name, { vector: v });
        evs.push({ id: id++, time: ev.time, cpu, kind: 'exception', label: name, vector: v, errorCode: ev.errorCode, code: ev.eip !== undefined ? code(ev.eip) : undefined });
        break;
      }
      case 'software':
        open(cpu, v === SYSCALL_VECTOR ? 'syscall' : 'exception', ev.time, v === SYSCALL_VECTOR ? 'system call' : `int 0x${v.toString(16)}`, { vector: v });
        break;
      case 'iret': {
        // Back in user mode (value = CPL after the iret): the kernel stack is empty, nothing stays open.
        if (ev.value === 3) { closeLane(cpu, ev.time); break; }
        const top = stacks[cpu].pop();
        if (top) top.span.end = ev.time;
        break;
      }
      case 'ipi-send': {
        const shorthand = ((ev.value ?? 0) >>> 18) & 3;
        const targets = shorthand === 0 ? (ev.target !== undefined ? [ev.target] : [])
          : shorthand === 1 ? [cpu] : shorthand === 2 ? [...Array(cpuCount).keys()] : [...Array(cpuCount).keys()].filter((c) => c !== cpu);
        evs.push({ id: id++, time: ev.time, cpu, kind: 'ipi', label: `IPI 0x${v.toString(16)} → CPU ${targets.join(', ')}`, vector: v >= 0 ? v : undefined, targetCpus: targets });
        break;
      }
      default: break;
    }
  }
  // A CPU running in user mode at the stop (cpl 3) has closed every kernel frame: anything still open
  // then missed its iret before the trace window. Spans left open are open at endTime (end null).

  // Bottom halves run inside a hardirq exit or a task: put them one level below what is open then.
  const lanes: TimelineSpan[][] = [...Array(cpuCount)].map(() => []);
  for (const s of spans) lanes[s.cpu].push(s); // by start time: the trace is in time order
  for (const bh of [...tp.bottomHalves].sort((x, y) => x.start - y.start)) {
    if (bh.cpu >= cpuCount) continue;
    const lane = lanes[bh.cpu];
    let lo = 0, hi = lane.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (lane[mid].start <= bh.start) lo = mid + 1; else hi = mid; }
    let depth = 1;
    for (let i = lo - 1; i >= 0 && i >= lo - 64; i--) {
      const s = lane[i];
      if (s.end === null || s.end > bh.start) depth = Math.max(depth, s.depth + 1);
    }
    const span: TimelineSpan = { id: id++, cpu: bh.cpu, kind: bh.kind, depth, start: bh.start, end: bh.end, label: bh.name, code: bh.func !== undefined ? code(bh.func) : undefined };
    spans.push(span);
    lane.splice(lo, 0, span); // a tasklet run nests inside the softirq run that called it
  }

  // Task spans (depth 0) between consecutive switches on a lane, and a 'switch' event at each.
  const switches = [...tp.switches].sort((a, b) => a.time - b.time);
  for (let cpu = 0; cpu < cpuCount; cpu++) {
    const mine = switches.filter((s) => s.cpu === cpu);
    let cur: TaskRef | undefined = mine[0]?.prev;
    let from = startTime;
    if (!mine.length) {
      const t = e.currentTask(cpu);
      if (t !== undefined) cur = tp.ref(t);
    }
    const taskSpan = (t: TaskRef, start: number, end: number | null) => spans.push({
      id: id++, cpu, kind: t.pid === 0 ? 'idle' : 'task', depth: 0, start, end, label: taskLabel(t), task: t,
    });
    for (const s of mine) {
      if (cur) taskSpan(cur, from, s.time);
      evs.push(switchEvent(id++, s, code));
      cur = s.next; from = s.time;
    }
    if (cur) taskSpan(cur, from, null);
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
    cpuCount, startTime: Math.max(startTime, Number.isFinite(from) ? from : startTime), endTime: Math.min(endTime, to),
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
