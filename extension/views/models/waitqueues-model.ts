/**
 * Wait Queues view: wait_queue_head_t with their sleepers. Exclusive waiters (WQ_FLAG_EXCLUSIVE, added at
 * the tail) are woken one at a time; non-exclusive ones (at the head) are all woken.
 */
import type { WaitqueuesBody } from '../../../debug-adapter/protocol/kernel-views';
import { ViewNode, hex } from '../view-node';

export function buildWaitqueueTree(body: WaitqueuesBody): ViewNode[] {
  return body.waitqueues.map((q) => ({
    id: q.key, label: q.name, description: `${q.waiters.length} waiter${q.waiters.length === 1 ? '' : 's'} · ${hex(q.address)}`,
    icon: 'watch', value: q.waiters.map((w) => w.task?.pid ?? '?').join(','), expanded: true,
    children: q.waiters.map((w) => ({
      id: `${q.key}/${w.key}`,
      label: w.task ? `${w.task.comm} [${w.task.pid}]` : hex(w.address),
      description: `${w.exclusive ? 'exclusive' : 'non-exclusive'} · ${w.func.symbol ?? hex(w.func.address)}`,
      icon: w.exclusive ? 'person' : 'organization',
      data: w.task ? { pid: w.task.pid } : undefined,
    })),
  }));
}
