/**
 * HTML for the Context Switch panel, as strings (no DOM), so unit tests can check it.
 *
 * switch_to is where one kernel stack is exchanged for another: prev's esp is saved in prev->thread.esp,
 * next->thread.esp is loaded into esp, and the return address pushed from next->thread.eip makes
 * __switch_to "return" into next (label 1, or ret_from_fork for a new task). The panel shows both
 * stacks with the words esp and the saved thread.esp point at, and each executed instruction with the
 * switch registers before and after it — the moment esp jumps from one stack to the other is visible.
 */
import type { ContextSwitchBody, StackWord, SwitchRegisters, SwitchSide } from '../../debug-adapter/protocol/kernel-views';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function hex32(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

const PHASE_TEXT: Record<ContextSwitchBody['phase'], string> = {
  outside: 'Not inside switch_to on this CPU — showing the last switch recorded.',
  'before-stack-switch': 'In switch_to, still on prev\'s kernel stack.',
  'after-stack-switch': 'Stack switched: esp is on next\'s kernel stack, before label 1.',
  done: 'Switch complete: running next after label 1 (or ret_from_fork).',
};

export function phaseText(b: ContextSwitchBody): string { return PHASE_TEXT[b.phase]; }

function stackRows(words: StackWord[]): string {
  if (!words.length) return '<tr><td colspan="3" class="muted">stack not readable</td></tr>';
  return words.slice().reverse().map((w) => {
    const marks = (w.marks ?? []).map((m) => `<span class="mark mark-${escapeHtml(m.replace(/\W/g, '-'))}">${escapeHtml(m)}</span>`).join(' ');
    return `<tr${w.marks?.length ? ' class="marked"' : ''}><td class="addr">${hex32(w.address)}</td><td class="val">${hex32(w.value)}</td>` +
      `<td>${w.symbol ? `<span class="sym">${escapeHtml(w.symbol)}</span> ` : ''}${marks}</td></tr>`;
  }).join('');
}

export function sideHtml(title: string, side: SwitchSide | null): string {
  if (!side) return `<section class="side" aria-label="${title}"><h2>${title}</h2><p class="muted">unknown</p></section>`;
  const frames = side.frames.map((f) => `<li><code>${escapeHtml(f.name)}</code> <span class="muted">${hex32(f.eip)}${f.file ? ` ${escapeHtml(f.file.split('/').pop() ?? '')}:${f.line ?? ''}` : ''}</span></li>`).join('');
  return `<section class="side" aria-label="${title}: ${escapeHtml(side.task.comm)} pid ${side.task.pid}">` +
    `<h2>${title}: ${escapeHtml(side.task.comm)} [${side.task.pid}]</h2>` +
    `<div class="muted">task_struct ${hex32(side.task.address)}${side.stackTop !== undefined ? ` · stack top ${hex32(side.stackTop)}` : ''}</div>` +
    `<h3>Kernel stack (high addresses first)</h3><table class="stack"><thead><tr><th>address</th><th>value</th><th></th></tr></thead><tbody>${stackRows(side.stack)}</tbody></table>` +
    `<h3>Backtrace</h3><ol class="frames">${frames || '<li class="muted">none</li>'}</ol></section>`;
}

const REG_ROWS: [keyof SwitchRegisters, string][] = [
  ['esp', 'esp'], ['eip', 'eip'], ['prevThreadEsp', 'prev→thread.esp'], ['prevThreadEip', 'prev→thread.eip'],
  ['nextThreadEsp', 'next→thread.esp'], ['nextThreadEip', 'next→thread.eip'],
];

export function registersHtml(now: SwitchRegisters | null): string {
  if (!now) return '';
  return `<table class="regs" aria-label="switch registers now"><tbody>${REG_ROWS.map(([k, name]) => `<tr><th>${name}</th><td>${hex32(now[k])}</td></tr>`).join('')}</tbody></table>`;
}

export function stepsHtml(b: ContextSwitchBody): string {
  if (!b.steps.length) return '<p class="muted">No instruction of this switch stepped yet. Step (F11) into switch_to to fill this table.</p>';
  const head = `<tr><th>eip</th><th>instruction</th>${REG_ROWS.map(([, n]) => `<th>${n}</th>`).join('')}</tr>`;
  const rows = b.steps.map((s, i) => {
    const cells = REG_ROWS.map(([k]) => {
      const changed = s.before[k] !== s.after[k];
      return `<td${changed ? ' class="changed" aria-label="changed"' : ''}>${changed ? `${hex32(s.before[k])} → ${hex32(s.after[k])}` : hex32(s.after[k])}</td>`;
    }).join('');
    return `<tr data-step="${i}"><td class="addr">${hex32(s.eip)}${s.symbol ? ` <span class="sym">${escapeHtml(s.symbol)}</span>` : ''}</td><td><code>${escapeHtml(s.instruction)}</code></td>${cells}</tr>`;
  }).join('');
  return `<table class="steps" aria-label="instructions stepped in this switch"><thead>${head}</thead><tbody>${rows}</tbody></table>`;
}

export function contextSwitchHtml(b: ContextSwitchBody): string {
  return `<p class="phase" data-phase="${b.phase}">CPU ${b.cpu} · ${escapeHtml(phaseText(b))}</p>` +
    registersHtml(b.now) +
    `<div class="sides">${sideHtml('prev', b.prev)}${sideHtml('next', b.next)}</div>` +
    `<h3>Instructions in this switch</h3>${stepsHtml(b)}`;
}
