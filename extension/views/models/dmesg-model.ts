/**
 * Kernel Log view: the printk ring buffer as lines. The log is fetched incrementally (`since` = the next
 * sequence number) and the view keeps the most recent `maxLines`.
 */
import type { DmesgBody, DmesgLine } from '../../../debug-adapter/protocol/kernel-views';
import { ViewNode } from '../view-node';

const LEVEL_NAMES = ['EMERG', 'ALERT', 'CRIT', 'ERR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'];
const LEVEL_ICONS = ['error', 'error', 'error', 'error', 'warning', 'info', 'info', 'debug'];

/** Keeps the tail of the log across incremental fetches. */
export class KernelLog {
  private lines: DmesgLine[] = [];
  nextSeq = 0;
  constructor(private readonly maxLines: number) {}

  /** Merge a fetch; returns the lines that are new. A fetch that restarts (new session) resets. */
  merge(body: DmesgBody): DmesgLine[] {
    const fresh = body.lines.filter((l) => l.seq >= this.nextSeq);
    this.lines.push(...fresh);
    if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
    this.nextSeq = Math.max(this.nextSeq, body.nextSeq);
    return fresh;
  }

  reset(): void { this.lines = []; this.nextSeq = 0; }
  all(): readonly DmesgLine[] { return this.lines; }
  text(): string { return this.lines.map((l) => l.text).join('\n') + (this.lines.length ? '\n' : ''); }
}

export function buildDmesgNodes(lines: readonly DmesgLine[], newSince: number): ViewNode[] {
  return lines.map((l) => ({
    id: `log${l.seq}`,
    label: l.text.length ? l.text : ' ',
    description: l.level !== undefined ? LEVEL_NAMES[l.level] ?? String(l.level) : undefined,
    icon: l.level !== undefined ? LEVEL_ICONS[l.level] ?? 'info' : 'blank',
    // A new line is "changed" so the highlight shows what the kernel printed since the last stop.
    value: String(l.seq),
    changed: l.seq >= newSince,
  }));
}
