/**
 * Geometry of the Kernel Timeline, free of the DOM so it can be unit-tested: which spans and events fall
 * in the visible time window, where they go on screen, and how zoom/pan change the window.
 *
 * Picture: one horizontal lane per CPU; time runs left to right in instructions of virtual time. Inside a
 * lane, row 0 is the task running (or idle); deeper rows show what interrupted it — an exception or
 * system call, a hard interrupt handler, the softirqs run on its exit, a tasklet inside them — so
 * nesting reads top to bottom exactly as the kernel stack nests.
 */
import type { TimelineBody, TimelineEvent, TimelineSpan } from '../../debug-adapter/protocol/kernel-views';

export interface Viewport {
  /** Visible time window [start, end). */
  start: number;
  end: number;
  /** Drawing width in CSS pixels for the time axis. */
  width: number;
}

export interface LaneGeometry {
  cpu: number;
  top: number;
  rows: number;
  height: number;
}

export const ROW_HEIGHT = 18;
export const LANE_GAP = 10;
export const LANE_LABEL_WIDTH = 64;

export function timeToX(v: Viewport, t: number): number {
  return ((t - v.start) / Math.max(1, v.end - v.start)) * v.width;
}

export function xToTime(v: Viewport, x: number): number {
  return v.start + (x / Math.max(1, v.width)) * (v.end - v.start);
}

/** Rows needed by each CPU's lane: 1 + the deepest nesting seen on that CPU. */
export function laneLayout(body: TimelineBody): LaneGeometry[] {
  const depth = new Array<number>(body.cpuCount).fill(0);
  for (const s of body.spans) if (s.cpu < body.cpuCount) depth[s.cpu] = Math.max(depth[s.cpu], s.depth);
  let top = 0;
  return depth.map((d, cpu) => {
    const rows = d + 1;
    const lane = { cpu, top, rows, height: rows * ROW_HEIGHT };
    top += lane.height + LANE_GAP;
    return lane;
  });
}

export interface PlacedSpan { span: TimelineSpan; x: number; w: number; y: number; h: number }
export interface PlacedEvent { event: TimelineEvent; x: number; y: number; h: number }

/**
 * Place the spans visible in the viewport. Open spans (end null) extend to the body's end. Spans are
 * clipped to the window; a span narrower than a pixel still gets 1 px so short interrupts stay visible.
 */
export function placeSpans(body: TimelineBody, v: Viewport, lanes: LaneGeometry[]): PlacedSpan[] {
  const out: PlacedSpan[] = [];
  for (const s of body.spans) {
    const lane = lanes[s.cpu];
    if (!lane) continue;
    const end = s.end ?? body.endTime;
    if (end < v.start || s.start >= v.end) continue;
    const x0 = Math.max(0, timeToX(v, s.start));
    const x1 = Math.min(v.width, timeToX(v, end));
    out.push({ span: s, x: x0, w: Math.max(1, x1 - x0), y: lane.top + s.depth * ROW_HEIGHT, h: ROW_HEIGHT - 2 });
  }
  return out;
}

export function placeEvents(body: TimelineBody, v: Viewport, lanes: LaneGeometry[]): PlacedEvent[] {
  const out: PlacedEvent[] = [];
  for (const e of body.events) {
    const lane = lanes[e.cpu];
    if (!lane || e.time < v.start || e.time >= v.end) continue;
    out.push({ event: e, x: timeToX(v, e.time), y: lane.top, h: lane.height });
  }
  return out;
}

/** The window that shows the whole trace. */
export function fitAll(body: TimelineBody, width: number): Viewport {
  const span = Math.max(1, body.endTime - body.startTime);
  return { start: body.startTime, end: body.startTime + span, width };
}

/** Zoom by `factor` (>1 zooms in) keeping time `at` under the same pixel; never narrower than 10 instr. */
export function zoom(v: Viewport, factor: number, at: number): Viewport {
  const len = Math.max(10, (v.end - v.start) / factor);
  const frac = (at - v.start) / Math.max(1, v.end - v.start);
  const start = at - frac * len;
  return { start, end: start + len, width: v.width };
}

/** Pan by a fraction of the window (negative = to earlier times). */
export function pan(v: Viewport, fraction: number): Viewport {
  const d = (v.end - v.start) * fraction;
  return { start: v.start + d, end: v.end + d, width: v.width };
}

/** Keyboard navigation: the event after (dir 1) or before (dir -1) `time` on `cpu` (any CPU if null). */
export function neighbourEvent(body: TimelineBody, time: number, cpu: number | null, dir: 1 | -1, currentId?: number): TimelineEvent | undefined {
  const list = body.events.filter((e) => cpu === null || e.cpu === cpu)
    .slice().sort((a, b) => a.time - b.time || a.id - b.id);
  if (dir > 0) return list.find((e) => e.time > time || (e.time === time && currentId !== undefined && e.id > currentId));
  for (let i = list.length - 1; i >= 0; i--) {
    const e = list[i];
    if (e.time < time || (e.time === time && currentId !== undefined && e.id < currentId)) return e;
  }
  return undefined;
}

/** Axis ticks at round numbers of instructions: 1, 2 or 5 × 10^k, about `approx` of them. */
export function ticks(v: Viewport, approx = 8): number[] {
  const len = v.end - v.start;
  if (len <= 0) return [];
  const raw = len / approx;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let t = Math.ceil(v.start / step) * step; t < v.end; t += step) out.push(t);
  return out;
}

/** 12_345_678 -> "12.35M". */
export function formatTime(t: number): string {
  const a = Math.abs(t);
  if (a >= 1e9) return `${(t / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${(t / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${(t / 1e3).toFixed(1)}k`;
  return String(Math.round(t));
}

/** One line for a span's hover card / accessible label. */
export function spanText(s: TimelineSpan, endTime: number): string {
  const end = s.end ?? endTime;
  // Nested spans name the task they ran in (a bottom half, an interrupt); a continuation says so.
  const task = s.depth > 0 && s.task ? ` · in ${s.task.comm} [${s.task.pid}]` : '';
  const cont = s.continues !== undefined ? ' (continued after a switch)' : '';
  return `CPU ${s.cpu} · ${s.kind} · ${s.label}${cont}${task} · ${formatTime(s.start)}–${s.end === null ? 'now' : formatTime(end)} (${formatTime(end - s.start)} instr)`;
}

export function eventText(e: TimelineEvent): string {
  switch (e.kind) {
    case 'switch': return `CPU ${e.cpu} · context switch ${e.prev ? `${e.prev.comm} [${e.prev.pid}]` : '?'} → ${e.next ? `${e.next.comm} [${e.next.pid}]` : '?'} at ${formatTime(e.time)}`;
    case 'ipi': return `CPU ${e.cpu} · IPI${e.vector !== undefined ? ' vector 0x' + e.vector.toString(16) : ''} → ${(e.targetCpus ?? []).map((c) => 'CPU ' + c).join(', ')} at ${formatTime(e.time)}`;
    case 'exception': return `CPU ${e.cpu} · exception ${e.label}${e.errorCode !== undefined ? ' error 0x' + e.errorCode.toString(16) : ''} at ${formatTime(e.time)}`;
    default: return `CPU ${e.cpu} · ${e.label} at ${formatTime(e.time)}`;
  }
}
