// The kernel's doubly linked lists, seen as what they link. A struct list_head is only two pointers;
// which structures it chains is known from where it sits: task_struct.tasks links every task through
// the same member, task_struct.children heads a list of the children's `sibling` members, a
// prio_array's queue[p] links task_structs through run_list, a wait queue head links wait-queue
// entries through their task_list, a cpu_workqueue_struct's worklist links work_structs through entry.
// Walking one: from the head, follow ->next until it comes back to the head; each node minus the offset
// of the link member inside the container is the container (the kernel's list_entry/container_of).

import type { MemoryReader } from '../symbols';

export interface KnownList {
  /** The containing structure of each entry, and the member that links it. */
  container: string;
  link: string;
}

/** "struct owner.member" -> what the list_head at that member links. */
const BY_MEMBER: Record<string, KnownList> = {
  'struct task_struct.tasks': { container: 'struct task_struct', link: 'tasks' },
  'struct task_struct.children': { container: 'struct task_struct', link: 'sibling' },
  'struct __wait_queue_head.task_list': { container: 'struct __wait_queue', link: 'task_list' },
  'struct cpu_workqueue_struct.worklist': { container: 'struct work_struct', link: 'entry' },
  'struct work_struct.entry': { container: 'struct work_struct', link: 'entry' },
};

/** "struct owner.member" of arrays whose every element is a list head: prio_array.queue[MAX_PRIO]. */
const BY_ARRAY_MEMBER: Record<string, KnownList> = {
  'struct prio_array.queue': { container: 'struct task_struct', link: 'run_list' },
};

export function knownListAt(ownerStruct: string | undefined, member: string): KnownList | undefined {
  return ownerStruct ? BY_MEMBER[`${ownerStruct}.${member}`] : undefined;
}

export function knownListArrayAt(ownerStruct: string | undefined, member: string): KnownList | undefined {
  return ownerStruct ? BY_ARRAY_MEMBER[`${ownerStruct}.${member}`] : undefined;
}

/**
 * Addresses of the nodes after `head` (not the head itself), in ->next order, at most `limit`.
 * Stops at an unreadable or null link, or when a node repeats (a corrupted list must not loop forever).
 */
export function listNodes(mem: MemoryReader, head: number, limit: number): { nodes: number[]; problem?: string } {
  const r32 = (a: number) => { const b = mem.read(a >>> 0, 4); return b && b.length === 4 ? (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0 : undefined; };
  const nodes: number[] = [];
  const seen = new Set<number>([head >>> 0]);
  let p = r32(head);
  while (p !== undefined && p !== (head >>> 0)) {
    if (p === 0) return { nodes, problem: 'a null ->next link' };
    if (seen.has(p)) return { nodes, problem: `the list loops back to ${'0x' + p.toString(16)} without reaching its head` };
    if (nodes.length >= limit) return { nodes, problem: `more than ${limit} entries` };
    seen.add(p);
    nodes.push(p);
    p = r32(p);
  }
  return p === undefined ? { nodes, problem: 'an unreadable ->next link' } : { nodes };
}
