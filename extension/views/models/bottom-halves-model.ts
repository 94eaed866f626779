/**
 * Bottom halves view: the deferred work of the kernel in one tree — softirqs (fixed vector, run by
 * __do_softirq on irq_exit or in ksoftirqd), tasklets (per-CPU lists run from HI_SOFTIRQ/TASKLET_SOFTIRQ),
 * work queues (run by worker threads in process context, may sleep) and dynamic timers (run from
 * TIMER_SOFTIRQ once jiffies reaches `expires`).
 */
import type { SoftirqsBody, TimersBody, WorkqueuesBody, KernelView } from '../../../debug-adapter/protocol/kernel-views';
import { ViewNode, hex, hexShort } from '../view-node';
import { taskletNodes, taskRefText } from './cpus-model';

function unavailableNode(id: string, label: string, reason: string): ViewNode {
  return { id, label, description: 'not available', tooltip: reason, icon: 'circle-slash' };
}

export function softirqNodes(body: SoftirqsBody): ViewNode[] {
  const softirqs: ViewNode = {
    id: 'softirqs', label: 'Softirqs', icon: 'bell', expanded: true,
    description: `${body.softirqs.filter((s) => s.pendingOn.length).length} pending`,
    children: body.softirqs.map((s) => ({
      id: `softirq/${s.key}`, label: `${s.nr} ${s.name}`,
      description: [s.action ? (s.action.symbol ?? hex(s.action.address)) : 'not opened',
        s.pendingOn.length ? `pending on ${s.pendingOn.map((c) => 'cpu' + c).join(', ')}` : '',
        s.countsPerCpu ? `${s.countsPerCpu.reduce((a, b) => a + b, 0)} runs` : ''].filter(Boolean).join(' · '),
      icon: s.pendingOn.length ? 'bell-dot' : 'bell',
      value: `${s.pendingOn.join(',')}|${(s.countsPerCpu ?? []).join(',')}`,
      data: { softirq: s.nr },
    })),
  };
  const out = [softirqs];
  if (body.tasklets) {
    out.push({
      id: 'tasklets', label: 'Tasklets', icon: 'symbol-event',
      description: `${body.tasklets.reduce((n, t) => n + t.hi.length + t.normal.length, 0)} scheduled`,
      children: body.tasklets.map((t) => {
        const kids = [...taskletNodes(`tasklets/cpu${t.cpu}/hi`, t.hi).map((n) => ({ ...n, description: `HI · ${n.description}` })),
          ...taskletNodes(`tasklets/cpu${t.cpu}/lo`, t.normal)];
        return { id: `tasklets/cpu${t.cpu}`, label: `CPU ${t.cpu}`, description: `${kids.length}`, icon: 'circuit-board',
          children: kids.length ? kids : [{ id: `tasklets/cpu${t.cpu}/none`, label: 'none scheduled', icon: 'circle-slash' }] };
      }),
    });
  }
  if (body.ksoftirqd) {
    out.push({ id: 'ksoftirqd', label: 'ksoftirqd', icon: 'server-process',
      description: body.ksoftirqd.map((t, cpu) => `cpu${cpu}: ${taskRefText(t)}`).join(', ') });
  }
  return out;
}

export function workqueueNode(body: WorkqueuesBody): ViewNode {
  return {
    id: 'workqueues', label: 'Work queues', icon: 'server-process',
    description: `${body.workqueues.length}`,
    children: body.workqueues.map((wq) => ({
      id: `wq/${wq.key}`, label: wq.name, icon: 'layers',
      description: `${wq.perCpu.reduce((n, c) => n + c.worklist.length, 0)} queued`,
      value: wq.perCpu.map((c) => c.insertSequence).join(','),
      children: wq.perCpu.map((c) => ({
        id: `wq/${wq.key}/cpu${c.cpu}`, label: `CPU ${c.cpu}`,
        description: `${taskRefText(c.thread)} · inserted ${c.insertSequence} · done ${c.removeSequence}`,
        icon: 'circuit-board', value: `${c.insertSequence}|${c.removeSequence}`,
        children: c.worklist.map((w) => ({
          id: `wq/${wq.key}/cpu${c.cpu}/${w.key}`, label: w.func.symbol ?? hex(w.func.address),
          description: `data ${hexShort(w.data)}${w.pending ? ' · pending' : ''}`, tooltip: `work_struct at \`${hex(w.address)}\``,
          icon: 'symbol-function',
        })),
      })),
    })),
  };
}

/** "in 5 jiffies" / "overdue by 2 jiffies" / "now". */
export function expiryText(delta: number): string {
  if (delta > 0) return `in ${delta} jiff${delta === 1 ? 'y' : 'ies'}`;
  if (delta < 0) return `overdue by ${-delta}`;
  return 'now';
}

export function timersNode(body: TimersBody): ViewNode {
  return {
    id: 'timers', label: 'Timers', icon: 'watch',
    description: `${body.cpus.reduce((n, c) => n + c.timers.length, 0)} pending`,
    children: body.cpus.map((c) => ({
      id: `timers/cpu${c.cpu}`, label: `CPU ${c.cpu}`, icon: 'circuit-board',
      description: `${c.timers.length}` + (c.timerJiffies !== undefined ? ` · timer_jiffies ${c.timerJiffies}` : ''),
      children: c.timers.map((t) => ({
        id: `timers/cpu${c.cpu}/${t.key}`, label: t.function.symbol ?? hex(t.function.address),
        description: `expires ${t.expires} (${expiryText(t.delta)}) · data ${hexShort(t.data)}`,
        tooltip: `timer_list at \`${hex(t.address)}\``, icon: 'clock', value: String(t.expires),
      })),
    })),
  };
}

/** The whole view from the three answers; a part whose symbols are missing shows as "not available". */
export function buildBottomHalvesTree(s: KernelView<SoftirqsBody>, w: KernelView<WorkqueuesBody>, t: KernelView<TimersBody>): ViewNode[] {
  const out: ViewNode[] = s.available ? softirqNodes(s) : [unavailableNode('softirqs', 'Softirqs', s.reason)];
  out.push(w.available ? workqueueNode(w) : unavailableNode('workqueues', 'Work queues', w.reason));
  out.push(t.available ? timersNode(t) : unavailableNode('timers', 'Timers', t.reason));
  return out;
}
