/**
 * CPUs view: one row per CPU with what it runs, its interrupt/preemption state and its O(1) run queue
 * (two prio_arrays of 140 FIFO lists: `active` is served first; a task whose time slice ran out moves
 * to `expired`; when active empties the two are swapped).
 */
import type { CpusBody, CpuView, PrioArrayView, TaskletView, TaskRef } from '../../../debug-adapter/protocol/kernel-views';
import { ViewNode, hex, hexShort } from '../view-node';

export function taskRefText(t: TaskRef | null | undefined): string {
  return t ? `${t.comm} [${t.pid}]` : '—';
}

/** "0x00010002 (preempt 2, softirq 0, hardirq 1)". */
export function preemptText(cpu: CpuView): string | undefined {
  const p = cpu.preemptCount;
  if (!p) return undefined;
  const parts = [`preempt ${p.preempt}`, `softirq ${p.softirq}`, `hardirq ${p.hardirq}`];
  if (p.preemptActive) parts.push('PREEMPT_ACTIVE');
  return `${hex(p.raw)} (${parts.join(', ')})`;
}

/** Summary of a CPU for its row: "swapper [0] · kernel · IF=1 · hardirq". */
export function cpuDescription(cpu: CpuView): string {
  if (cpu.runState === 'waiting-for-sipi') return 'not started (waiting for SIPI)';
  if (cpu.runState === 'shutdown') return 'shut down';
  const parts = [taskRefText(cpu.current), cpu.mode, `IF=${cpu.interruptsEnabled ? 1 : 0}`];
  if (cpu.context && cpu.context !== 'task') parts.push(cpu.context);
  if (cpu.runState === 'halted') parts.push('hlt');
  if (cpu.stoppedHere) parts.push('◀ stopped here');
  return parts.join(' · ');
}

function prioArrayNode(id: string, name: string, a: PrioArrayView): ViewNode {
  return {
    id, label: name, description: `${a.nrActive} task${a.nrActive === 1 ? '' : 's'} · ${hex(a.address)}`,
    icon: 'list-ordered', value: String(a.nrActive),
    children: a.lists.length === 0 ? [{ id: `${id}/empty`, label: 'all 140 lists empty', icon: 'circle-slash' }] :
      a.lists.map((l) => ({
        id: `${id}/prio${l.prio}`,
        label: `prio ${l.prio}`,
        description: l.tasks.map(taskRefText).join(' → '),
        icon: 'symbol-array',
        value: l.tasks.map((t) => t.pid).join(','),
      })),
    expanded: name === 'active',
  };
}

export function taskletNodes(idPrefix: string, list: TaskletView[] | undefined): ViewNode[] {
  return (list ?? []).map((t) => ({
    id: `${idPrefix}/${t.key}`,
    label: t.func.symbol ?? hex(t.func.address),
    description: [t.state.names.join('|') || 'idle', t.count ? `disabled ×${t.count}` : '', `data ${hexShort(t.data)}`]
      .filter(Boolean).join(' · '),
    tooltip: `tasklet_struct at \`${hex(t.address)}\``,
    icon: 'symbol-event',
    value: `${t.state.raw}|${t.count}`,
  }));
}

export function buildCpuTree(body: CpusBody): ViewNode[] {
  return body.cpus.map((c) => {
    const id = c.key;
    const kids: ViewNode[] = [
      { id: `${id}/current`, label: 'current', description: taskRefText(c.current), icon: 'play-circle',
        value: c.current ? String(c.current.address) : '', data: c.current ? { pid: c.current.pid } : undefined },
      { id: `${id}/eip`, label: 'eip', description: `${c.eip.symbol ?? ''} ${hex(c.eip.address)}`.trim(), icon: 'debug-stackframe',
        value: String(c.eip.address) },
      { id: `${id}/esp`, label: 'esp', description: hex(c.esp), icon: 'arrow-down', value: String(c.esp) },
      { id: `${id}/if`, label: 'interrupts', description: c.interruptsEnabled ? 'enabled (IF=1)' : 'disabled (IF=0)',
        icon: c.interruptsEnabled ? 'unmute' : 'mute', value: String(c.interruptsEnabled) },
    ];
    const pc = preemptText(c);
    if (pc !== undefined) kids.push({ id: `${id}/preempt`, label: 'preempt_count', description: pc, icon: 'lock', value: pc });
    if (c.softirqPending) {
      kids.push({ id: `${id}/softirq`, label: '__softirq_pending',
        description: c.softirqPending.names.length ? c.softirqPending.names.join(' ') : 'none',
        icon: 'bell', value: String(c.softirqPending.raw) });
    }
    const rq = c.runQueue;
    if (rq) {
      kids.push({
        id: `${id}/rq`, label: 'run queue',
        description: `nr_running ${rq.nrRunning}` + (rq.nrSwitches !== undefined ? ` · ${rq.nrSwitches} switches` : ''),
        icon: 'list-ordered', value: String(rq.nrRunning), expanded: true,
        children: [
          prioArrayNode(`${id}/rq/active`, 'active', rq.active),
          prioArrayNode(`${id}/rq/expired`, 'expired', rq.expired),
          ...(rq.idle ? [{ id: `${id}/rq/idle`, label: 'idle', description: taskRefText(rq.idle), icon: 'coffee' }] : []),
        ],
      });
    }
    if (c.taskletsHi || c.tasklets) {
      const hi = taskletNodes(`${id}/thi`, c.taskletsHi);
      const lo = taskletNodes(`${id}/tlo`, c.tasklets);
      kids.push({
        id: `${id}/tasklets`, label: 'tasklets', description: `${hi.length} hi · ${lo.length} normal`, icon: 'symbol-event',
        value: `${hi.length}|${lo.length}`,
        children: [
          { id: `${id}/tasklets/hi`, label: 'tasklet_hi_vec', description: String(hi.length), children: hi, icon: 'list-unordered' },
          { id: `${id}/tasklets/lo`, label: 'tasklet_vec', description: String(lo.length), children: lo, icon: 'list-unordered' },
        ],
      });
    }
    if (c.apicTimerIrqs !== undefined) {
      kids.push({ id: `${id}/loc`, label: 'apic_timer_irqs', description: String(c.apicTimerIrqs), icon: 'watch', value: String(c.apicTimerIrqs) });
    }
    return {
      id, label: `CPU ${c.cpu}`, description: cpuDescription(c),
      icon: c.runState === 'halted' ? 'debug-pause' : 'circuit-board',
      iconColor: c.stoppedHere ? 'debugIcon.stopForeground' : undefined,
      contextValue: 'cpu', value: cpuDescription(c), children: kids, expanded: true,
      data: { cpu: c.cpu, threadId: c.threadId },
    };
  });
}
