/**
 * Text of the ksim status bar item: virtual time and who runs where, e.g.
 *   "$(circuit-board) j 1234 · 52.1M instr · 0:init[1] 1:idle"
 * Virtual time is the machine's instruction count (deterministic), jiffies the kernel's tick counter.
 */
import type { StatusEventBody } from '../debug-adapter/protocol/kernel-views';

/** 1234 -> "1234", 52_100_000 -> "52.1M", 3_400 -> "3.4k". */
export function compactCount(n: number): string {
  if (n < 10_000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)}k`;
  if (n < 1_000_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  return `${(n / 1_000_000_000).toFixed(2)}G`;
}

export function cpuTaskText(c: StatusEventBody['cpus'][number]): string {
  if (c.runState === 'waiting-for-sipi') return `${c.cpu}:off`;
  if (!c.current) return `${c.cpu}:?`;
  const name = c.current.pid === 0 ? 'idle' : `${c.current.comm}[${c.current.pid}]`;
  return `${c.cpu}:${name}`;
}

export function statusText(s: StatusEventBody): string {
  const icon = s.state === 'running' ? '$(loading~spin)' : s.state === 'stopped' ? '$(debug-pause)' : '$(debug-stop)';
  const parts = [`${icon} ksim`];
  if (s.jiffies !== undefined) parts.push(`j ${s.jiffies}`);
  parts.push(`${compactCount(s.time)} instr`);
  if (s.cpus.length) parts.push(s.cpus.map(cpuTaskText).join(' '));
  return parts.join(' · ');
}

/** Markdown tooltip with one row per CPU. */
export function statusTooltip(s: StatusEventBody): string {
  const rows = s.cpus.map((c) =>
    `| CPU ${c.cpu} | ${c.runState} | ${c.current ? `${c.current.comm} [${c.current.pid}]` : '—'} |`);
  return `**ksim** — machine ${s.state}\n\nvirtual time: ${s.time.toLocaleString('en-US')} instructions` +
    (s.jiffies !== undefined ? `, jiffies ${s.jiffies}` : '') +
    `\n\n| CPU | state | current |\n|---|---|---|\n${rows.join('\n')}\n\nClick to show the Kernel Timeline.`;
}
