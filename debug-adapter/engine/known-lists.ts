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

/**
 * Singly linked chains: structures that point to the next one of their kind through a member, the
 * list ending at NULL - the tasklets queued on a CPU (tasklet_head.list -> tasklet_struct.next -> ...).
 * A pointer to such a structure lists the chain from it.
 */
const CHAINS: Record<string, { next: string }> = {
  'struct tasklet_struct': { next: 'next' },
};

/** The member that links `struct` into its chain, when it is a known chained structure. */
export function knownChainOf(struct: string | undefined): { next: string } | undefined {
  return struct ? CHAINS[struct] : undefined;
}

/**
 * Addresses along a NULL-terminated chain from `first` (included), following the pointer at
 * `nextOffset` in each node; at most `limit`. Stops at an unreadable node or a loop.
 */
export function chainNodes(mem: MemoryReader, first: number, nextOffset: number, limit: number): { nodes: number[]; problem?: string } {
  const nodes: number[] = [];
  const seen = new Set<number>();
  for (let p = first >>> 0; p !== 0;) {
    if (seen.has(p)) return { nodes, problem: `the chain loops back to 0x${p.toString(16)}` };
    if (nodes.length >= limit) return { nodes, problem: `more than ${limit} entries` };
    seen.add(p);
    nodes.push(p);
    const b = mem.read((p + nextOffset) >>> 0, 4);
    if (!b || b.length < 4) return { nodes, problem: `an unreadable ->next at 0x${p.toString(16)}` };
    p = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  }
  return { nodes };
}

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
