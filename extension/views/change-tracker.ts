/**
 * "Values changed since the last stop" for the kernel views, as a debugger's Variables view does it:
 * each row has a stable id and a value signature; a row is highlighted when the signature differs from
 * the one it had at the previous stop, or when the row did not exist then (a new task, a new timer).
 */
import type { ViewNode } from './view-node';

export class ChangeTracker {
  private previous: Map<string, string> | undefined;

  /** Mark `changed` on the nodes (in place) and remember their values for the next stop. */
  mark(nodes: ViewNode[]): ViewNode[] {
    const now = new Map<string, string>();
    const prev = this.previous;
    const walk = (list: ViewNode[]) => {
      for (const n of list) {
        if (n.value !== undefined) {
          now.set(n.id, n.value);
          if (prev && n.changed === undefined) n.changed = prev.get(n.id) !== n.value;
        }
        if (n.children) walk(n.children);
      }
    };
    walk(nodes);
    this.previous = now;
    return nodes;
  }

  /** Forget everything (a new session: nothing is "changed" at its first stop). */
  reset(): void { this.previous = undefined; }
}

/** Count of highlighted rows (for tests and the view's badge). */
export function countChanged(nodes: ViewNode[]): number {
  let n = 0;
  for (const x of nodes) { if (x.changed) n++; if (x.children) n += countChanged(x.children); }
  return n;
}
