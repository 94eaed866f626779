import { strict as assert } from 'node:assert';
import type { TimelineBody, ContextSwitchBody, StatusEventBody } from '../../debug-adapter/protocol/kernel-views';
import { webviewHtml, contentSecurityPolicy } from '../../extension/webviews/webview-html';
import { laneLayout, placeSpans, placeEvents, fitAll, zoom, neighbourEvent, ticks, eventText, ROW_HEIGHT, LANE_GAP } from '../../media/timeline/layout';
import { contextSwitchHtml } from '../../media/context-switch/render';
import { statusText, compactCount } from '../../extension/status-text';
import { parseIrq } from '../../extension/commands-parse';

describe('webview shell', () => {
  it('allows only nonce-carrying scripts and local styles (no inline code, no remote content)', () => {
    const html = webviewHtml({ title: 'T', cspSource: 'https://res.example', scriptUri: 'https://res.example/t.js', styleUri: 'https://res.example/t.css', bodyHtml: '<div id="x"></div>', nonce: 'abc123' });
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1];
    assert.equal(csp, contentSecurityPolicy('https://res.example', 'abc123'));
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-abc123'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    assert.equal(scripts.length, 1);
    assert.match(scripts[0], /nonce="abc123"/);
    assert.doesNotMatch(html, /style="/, 'inline style attributes are blocked by the CSP');
  });
});

const body: TimelineBody = {
  cpuCount: 2, startTime: 1000, endTime: 2000, truncated: false,
  spans: [
    { id: 1, cpu: 0, kind: 'task', depth: 0, start: 1000, end: 1500, label: 'init [1]' },
    { id: 2, cpu: 0, kind: 'hardirq', depth: 1, start: 1200, end: 1210, label: 'IRQ 0 timer', irq: 0 },
    { id: 3, cpu: 0, kind: 'softirq', depth: 2, start: 1205, end: 1208, label: 'TIMER_SOFTIRQ' },
    { id: 4, cpu: 0, kind: 'task', depth: 0, start: 1500, end: null, label: 'sh [5]' },
    { id: 5, cpu: 1, kind: 'idle', depth: 0, start: 1000, end: null, label: 'idle' },
  ],
  events: [
    { id: 10, cpu: 0, time: 1500, kind: 'switch', label: 'switch', prev: { pid: 1, comm: 'init', address: 1 }, next: { pid: 5, comm: 'sh', address: 2 } },
    { id: 11, cpu: 1, time: 1700, kind: 'ipi', label: 'IPI', vector: 0xfc, targetCpus: [0] },
  ],
};

describe('Kernel Timeline layout', () => {
  it('gives each CPU a lane as deep as its deepest nesting', () => {
    const lanes = laneLayout(body);
    assert.deepEqual(lanes.map((l) => l.rows), [3, 1]);
    assert.equal(lanes[1].top, 3 * ROW_HEIGHT + LANE_GAP);
  });

  it('maps virtual time to pixels and extends open spans to the end of the trace', () => {
    const v = fitAll(body, 1000); // 1 px per instruction
    const placed = placeSpans(body, v, laneLayout(body));
    const sh = placed.find((p) => p.span.id === 4)!;
    assert.equal(sh.x, 500);
    assert.equal(sh.w, 500);
    const irq = placed.find((p) => p.span.id === 2)!;
    assert.equal(irq.y, ROW_HEIGHT);
    const softirq = placed.find((p) => p.span.id === 3)!;
    assert.equal(softirq.w, 3);
    const ev = placeEvents(body, v, laneLayout(body));
    assert.deepEqual(ev.map((e) => e.x), [500, 700]);
  });

  it('zooms around a point and clips spans to the window', () => {
    const v = zoom(fitAll(body, 1000), 10, 1200); // 100 instructions wide, 1200 stays at the same fraction
    assert.equal(v.end - v.start, 100);
    assert.equal(v.start, 1180);
    const placed = placeSpans(body, v, laneLayout(body));
    assert.ok(placed.every((p) => p.x >= 0 && p.x + p.w <= 1000 + 1e-9));
    assert.ok(!placed.some((p) => p.span.id === 4), 'sh starts after the window');
  });

  it('moves between events with the keyboard and describes switches as prev → next', () => {
    assert.equal(neighbourEvent(body, 1000, null, 1)!.id, 10);
    assert.equal(neighbourEvent(body, 1500, null, 1, 10)!.id, 11);
    assert.equal(neighbourEvent(body, 1700, null, -1, 11)!.id, 10);
    assert.equal(neighbourEvent(body, 1000, 1, 1)!.id, 11);
    assert.equal(neighbourEvent(body, 1700, null, 1, 11), undefined);
    assert.equal(eventText(body.events[0]), 'CPU 0 · context switch init [1] → sh [5] at 1.5k');
  });

  it('puts axis ticks on round numbers', () => {
    assert.deepEqual(ticks({ start: 1000, end: 2000, width: 800 }, 5), [1000, 1200, 1400, 1600, 1800]);
  });
});

describe('Context Switch panel', () => {
  it('shows both stacks with the esp marks and the registers that changed per instruction', () => {
    const regs = { esp: 0xc0301f00, eip: 0xc0101000, prevThreadEsp: 0, prevThreadEip: 0, nextThreadEsp: 0xc0401e00, nextThreadEip: 0xc0101100 };
    const b: ContextSwitchBody = {
      cpu: 0, phase: 'after-stack-switch', now: { ...regs, esp: 0xc0401e00 },
      prev: { task: { pid: 1, comm: 'init', address: 0xc0300000 }, stack: [{ address: 0xc0301f00, value: 0x202, marks: ['thread.esp'] }], frames: [{ name: 'schedule', eip: 0xc0101000 }] },
      next: { task: { pid: 5, comm: 'sh<x>', address: 0xc0400000 }, stack: [{ address: 0xc0401e00, value: 0xc0101100, symbol: 'schedule+0x80', marks: ['esp'] }], frames: [] },
      steps: [{ eip: 0xc0101004, instruction: 'movl 0x1e4(%edx),%esp', before: regs, after: { ...regs, esp: 0xc0401e00, prevThreadEsp: 0xc0301f00 } }],
    };
    const html = contextSwitchHtml(b);
    assert.match(html, /on next's kernel stack/);
    assert.match(html, /prev: init \[1\]/);
    assert.match(html, /next: sh&lt;x&gt; \[5\]/, 'task names are escaped');
    assert.match(html, /mark-thread-esp/);
    const changed = [...html.matchAll(/<td class="changed"[^>]*>([^<]+)<\/td>/g)].map((m) => m[1]);
    assert.deepEqual(changed, ['0xc0301f00 → 0xc0401e00', '0x00000000 → 0xc0301f00']);
  });
});

describe('status bar and inputs', () => {
  it('shows jiffies, virtual time and the task on each CPU', () => {
    const s: StatusEventBody = { state: 'stopped', time: 52_100_000, jiffies: 1234, cpus: [
      { cpu: 0, runState: 'running', current: { pid: 1, comm: 'init', address: 1 } },
      { cpu: 1, runState: 'halted', current: { pid: 0, comm: 'swapper', address: 2 } },
      { cpu: 2, runState: 'waiting-for-sipi', current: null }] };
    assert.equal(statusText(s), '$(debug-pause) ksim · j 1234 · 52.1M instr · 0:init[1] 1:idle 2:off');
    assert.equal(compactCount(9999), '9999');
    assert.equal(compactCount(12_345), '12.3k');
  });

  it('accepts IRQ lines 0..23 only', () => {
    assert.equal(parseIrq('4'), 4);
    assert.equal(parseIrq(' 0x10 '), 16);
    assert.equal(typeof parseIrq('24'), 'string');
    assert.equal(typeof parseIrq('-1'), 'string');
    assert.equal(typeof parseIrq('four'), 'string');
  });
});
