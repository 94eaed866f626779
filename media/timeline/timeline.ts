/**
 * Kernel Timeline webview script (bundled by scripts/build.mjs to dist/media/timeline.js, runs in the
 * webview's sandbox; it talks to the extension only through postMessage).
 *
 * Mouse: wheel zooms around the pointer, drag pans, hover shows a card, click reveals the task/IRQ in the
 * side bar views. Keyboard (the drawing is one tab stop): ←/→ previous/next event, ↑/↓ change CPU,
 * +/− zoom, PageUp/PageDown pan, 0 fit all, Enter reveal the selected event. An aria-live line reads out
 * the selection, so the timeline is usable with a screen reader.
 */
import type { TimelineBody, TimelineEvent, TimelineSpan, TimelineResponseBody } from '../../debug-adapter/protocol/kernel-views';
import {
  Viewport, laneLayout, placeSpans, placeEvents, fitAll, zoom, pan, neighbourEvent, ticks, formatTime, spanText, eventText,
  timeToX, xToTime, LANE_LABEL_WIDTH,
} from './layout';

declare function acquireVsCodeApi(): { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void };
const vscode = acquireVsCodeApi();
const SVG = 'http://www.w3.org/2000/svg';

export type HostMessage = { type: 'timeline'; body: TimelineResponseBody } | { type: 'state'; text: string };

let body: TimelineBody | undefined;
let view: Viewport | undefined;
let selected: TimelineEvent | undefined;
let selectedCpu: number | null = null;

const root = document.getElementById('timeline')!;
const status = document.getElementById('status')!;
const card = document.getElementById('card')!;
const live = document.getElementById('live')!;
const svg = document.createElementNS(SVG, 'svg');
svg.setAttribute('tabindex', '0');
svg.setAttribute('role', 'application');
svg.setAttribute('aria-roledescription', 'kernel timeline');
svg.setAttribute('aria-label', 'Kernel timeline. Left and right arrows: previous and next event. Up and down: change CPU. Plus and minus: zoom. Enter: reveal.');
root.appendChild(svg);

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, parent: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent.appendChild(e);
  return e;
}

function plotWidth(): number { return Math.max(100, root.clientWidth - LANE_LABEL_WIDTH - 16); }

function render(): void {
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  if (!body || !view) return;
  view = { ...view, width: plotWidth() };
  const lanes = laneLayout(body);
  const axisH = 22;
  const height = (lanes.length ? lanes[lanes.length - 1].top + lanes[lanes.length - 1].height : 0) + axisH + 8;
  svg.setAttribute('width', String(view.width + LANE_LABEL_WIDTH + 8));
  svg.setAttribute('height', String(height));

  // Axis
  const axis = el('g', { class: 'axis', transform: `translate(${LANE_LABEL_WIDTH},0)` }, svg);
  for (const t of ticks(view)) {
    const x = timeToX(view, t);
    el('line', { x1: x, x2: x, y1: axisH - 6, y2: height, class: 'tick' }, axis);
    const label = el('text', { x: x + 2, y: axisH - 9, class: 'tick-label' }, axis);
    label.textContent = formatTime(t);
  }

  const plot = el('g', { transform: `translate(${LANE_LABEL_WIDTH},${axisH})` }, svg);
  const labels = el('g', { transform: `translate(0,${axisH})` }, svg);
  for (const lane of lanes) {
    el('rect', { x: 0, y: lane.top, width: view.width, height: lane.height, class: 'lane' + (lane.cpu === selectedCpu ? ' lane-selected' : '') }, plot);
    const t = el('text', { x: 4, y: lane.top + 13, class: 'lane-label' }, labels);
    t.textContent = `CPU ${lane.cpu}`;
  }
  for (const p of placeSpans(body, view, lanes)) {
    const r = el('rect', { x: p.x, y: p.y + 1, width: p.w, height: p.h, class: `span span-${p.span.kind}`, 'data-kind': p.span.kind, 'data-id': p.span.id }, plot);
    (r as unknown as { __span: TimelineSpan }).__span = p.span;
    if (p.w > 40) {
      const tx = el('text', { x: p.x + 3, y: p.y + 13, class: 'span-label' }, plot);
      tx.textContent = p.span.label.length * 6.5 > p.w - 6 ? p.span.label.slice(0, Math.max(1, Math.floor((p.w - 6) / 6.5))) : p.span.label;
    }
  }
  for (const p of placeEvents(body, view, lanes)) {
    const g = el('g', { class: `event event-${p.event.kind}` + (selected?.id === p.event.id ? ' selected' : ''), 'data-kind': p.event.kind, 'data-id': p.event.id }, plot);
    g.setAttribute('aria-label', eventText(p.event));
    el('line', { x1: p.x, x2: p.x, y1: p.y - 2, y2: p.y + p.h + 2, class: 'event-line' }, g);
    el('path', { d: `M${p.x - 4},${p.y - 4} L${p.x + 4},${p.y - 4} L${p.x},${p.y + 2} Z`, class: 'event-head' }, g);
    el('rect', { x: p.x - 4, y: p.y - 4, width: 8, height: p.h + 8, class: 'hit' }, g);
    (g as unknown as { __event: TimelineEvent }).__event = p.event;
    if (p.event.kind === 'ipi' && p.event.targetCpus) {
      for (const target of p.event.targetCpus) {
        const tl = lanes[target];
        if (tl) el('line', { x1: p.x, x2: p.x + 6, y1: p.y + p.h / 2, y2: tl.top + tl.height / 2, class: 'ipi-arrow', 'marker-end': '' }, g);
      }
    }
  }
  status.textContent = `${body.spans.length} spans · ${body.events.length} events · ${formatTime(view.start)}–${formatTime(view.end)} instructions` +
    (body.instructionsPerJiffy ? ` · 1 jiffy = ${formatTime(body.instructionsPerJiffy)} instr` : '') + (body.truncated ? ' · trace truncated (oldest items dropped)' : '');
  vscode.setState({ view, selectedId: selected?.id, selectedCpu });
}

function showCard(text: string, x: number, y: number): void {
  card.textContent = text;
  card.style.left = `${Math.min(x + 12, window.innerWidth - 320)}px`;
  card.style.top = `${y + 12}px`;
  card.hidden = false;
}

function targetOf(e: Event): { span?: TimelineSpan; event?: TimelineEvent } {
  let n = e.target as Element | null;
  while (n && n !== svg) {
    const any = n as unknown as { __span?: TimelineSpan; __event?: TimelineEvent };
    if (any.__event) return { event: any.__event };
    if (any.__span) return { span: any.__span };
    n = n.parentElement;
  }
  return {};
}

function reveal(t: { span?: TimelineSpan; event?: TimelineEvent }): void {
  if (t.event) vscode.postMessage({ type: 'reveal', event: t.event });
  else if (t.span) vscode.postMessage({ type: 'reveal', span: t.span });
}

function select(e: TimelineEvent | undefined): void {
  if (!e || !body || !view) return;
  selected = e;
  selectedCpu = e.cpu;
  if (e.time < view.start || e.time >= view.end) {
    const len = view.end - view.start;
    view = { start: e.time - len / 2, end: e.time + len / 2, width: view.width };
  }
  live.textContent = eventText(e);
  render();
}

svg.addEventListener('mousemove', (ev) => {
  const t = targetOf(ev);
  if (t.event) showCard(eventText(t.event), ev.clientX, ev.clientY);
  else if (t.span && body) showCard(spanText(t.span, body.endTime), ev.clientX, ev.clientY);
  else card.hidden = true;
});
svg.addEventListener('mouseleave', () => { card.hidden = true; });
let drag: { x: number; view: Viewport } | undefined;
let dragged = false;
svg.addEventListener('mousedown', (ev) => { if (view) { drag = { x: ev.clientX, view }; dragged = false; } });
window.addEventListener('mouseup', () => { drag = undefined; });
window.addEventListener('mousemove', (ev) => {
  if (!drag || !view) return;
  const dx = ev.clientX - drag.x;
  if (Math.abs(dx) > 3) dragged = true;
  const dt = (dx / Math.max(1, view.width)) * (drag.view.end - drag.view.start);
  view = { start: drag.view.start - dt, end: drag.view.end - dt, width: view.width };
  render();
});
svg.addEventListener('click', (ev) => {
  if (dragged) return;
  const t = targetOf(ev);
  if (t.event) select(t.event);
  reveal(t);
});
svg.addEventListener('wheel', (ev) => {
  if (!view) return;
  ev.preventDefault();
  const rect = svg.getBoundingClientRect();
  const at = xToTime(view, ev.clientX - rect.left - LANE_LABEL_WIDTH);
  view = zoom(view, ev.deltaY < 0 ? 1.25 : 0.8, at);
  render();
}, { passive: false });
svg.addEventListener('keydown', (ev) => {
  if (!body || !view) return;
  const center = (view.start + view.end) / 2;
  const here = selected?.time ?? center;
  switch (ev.key) {
    case 'ArrowRight': select(neighbourEvent(body, here, selectedCpu, 1, selected?.id)); break;
    case 'ArrowLeft': select(neighbourEvent(body, here, selectedCpu, -1, selected?.id)); break;
    case 'ArrowUp': selectedCpu = selectedCpu === null ? 0 : Math.max(0, selectedCpu - 1); live.textContent = `CPU ${selectedCpu}`; render(); break;
    case 'ArrowDown': selectedCpu = selectedCpu === null ? 0 : Math.min(body.cpuCount - 1, selectedCpu + 1); live.textContent = `CPU ${selectedCpu}`; render(); break;
    case '+': case '=': view = zoom(view, 1.5, here); render(); break;
    case '-': case '_': view = zoom(view, 1 / 1.5, here); render(); break;
    case 'PageUp': view = pan(view, -0.5); render(); break;
    case 'PageDown': view = pan(view, 0.5); render(); break;
    case '0': case 'Home': view = fitAll(body, plotWidth()); render(); break;
    case 'Escape': selectedCpu = null; selected = undefined; render(); break;
    case 'Enter': if (selected) reveal({ event: selected }); break;
    default: return;
  }
  ev.preventDefault();
});
window.addEventListener('resize', () => render());

document.getElementById('fit')?.addEventListener('click', () => { if (body) { view = fitAll(body, plotWidth()); render(); } });
document.getElementById('refresh')?.addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
document.getElementById('last-switch')?.addEventListener('click', () => {
  if (!body) return;
  const switches = body.events.filter((e) => e.kind === 'switch');
  select(switches[switches.length - 1]);
});

window.addEventListener('message', (m: MessageEvent<HostMessage>) => {
  const msg = m.data;
  if (msg.type === 'state') {
    status.textContent = msg.text;
    return;
  }
  if (msg.type === 'timeline') {
    if (!msg.body.available) {
      body = undefined;
      while (svg.firstChild) svg.removeChild(svg.firstChild);
      status.textContent = `Timeline not available: ${msg.body.reason}`;
      return;
    }
    const first = body === undefined;
    body = msg.body;
    const saved = vscode.getState() as { view?: Viewport } | undefined;
    if (first && saved?.view && saved.view.end > body.startTime) view = saved.view;
    // Follow the present: when the previous window showed the end of the trace, keep showing it.
    else if (!view || first) view = fitAll(body, plotWidth());
    else if (view.end >= body.startTime) {
      const len = view.end - view.start;
      if (body.endTime > view.end) view = { start: body.endTime - len, end: body.endTime + len * 0.02, width: view.width };
    }
    selected = undefined;
    render();
  }
});
document.body.dataset.ksimReady = 'true';
vscode.postMessage({ type: 'ready' });
