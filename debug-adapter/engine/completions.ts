// Completions for the Debug Console and the watch box (DAP `completions`).
//
// Three cases, decided from the text before the cursor:
//   1. `expr.` / `expr->` (then maybe the start of a name): the members of expr's struct or union,
//      from the type the C evaluator gives expr in the selected frame (`current->` lists task_struct's
//      members, `init_task.thread.` thread_struct's, `runqueues[0].` a runqueue's). Members of an
//      unnamed struct/union member are reachable directly, so they are offered too.
//   2. A REPL command followed by a space (`bt `, `task `, `per_cpu `): that command's arguments.
//   3. Otherwise a name: the frame's locals and arguments, command names (at the start of a REPL
//      line), $registers and convenience variables, globals and functions.

import { resolveType, type Type } from '../symbols';

export interface CompletionItem { label: string; detail?: string; type?: 'property' | 'variable' | 'function' | 'keyword' | 'value' }

export interface CompletionSources {
  /** The type of a C expression in the selected frame (throws or returns undefined when unknown). */
  typeOf(expression: string): Type | undefined;
  /** The selected frame's locals and arguments. */
  scopeNames(): string[];
  /** Globals and functions. */
  globalNames(): { label: string; type: CompletionItem['type'] }[];
  /** REPL command names, and the candidates for argument `index` of `command`. */
  commands: string[];
  commandArguments(command: string, index: number): CompletionItem[];
}

const CONVENIENCE = ['$eax', '$ebx', '$ecx', '$edx', '$esi', '$edi', '$ebp', '$esp', '$eip', '$eflags', '$cr0', '$cr2', '$cr3', '$cr4', '$cpu', '$pid'];

/** At most this many targets (a client filters further as the user types). */
const LIMIT = 500;

export interface CompletionResult { items: CompletionItem[]; /** length of the word being replaced */ replace: number }

export function complete(textBefore: string, repl: boolean, src: CompletionSources): CompletionResult {
  const word = /[A-Za-z_$][\w$]*$/.exec(textBefore)?.[0] ?? '';
  const head = textBefore.slice(0, textBefore.length - word.length);

  // 1. Members after `.` or `->`.
  const access = /(\.|->)\s*$/.exec(head);
  if (access) {
    const base = expressionBefore(head.slice(0, access.index));
    let items: CompletionItem[] = [];
    if (base) {
      try {
        const t = src.typeOf(base);
        if (t) items = memberItems(t);
      } catch { /* not a valid expression here: nothing to offer */ }
    }
    return { items: filter(items, word), replace: word.length };
  }

  // 2. Arguments of a REPL command.
  if (repl) {
    const cmd = /^\s*([A-Za-z_]\w*)\s+(.*)$/.exec(head);
    if (cmd && src.commands.includes(cmd[1])) {
      const index = cmd[2].trim() ? cmd[2].trim().split(/\s+/).length : 0;
      return { items: filter(src.commandArguments(cmd[1], index), word), replace: word.length };
    }
  }

  // 3. Names: the frame's own first, then commands, registers, and the kernel's globals and functions.
  const items: CompletionItem[] = src.scopeNames().map((label) => ({ label, type: 'variable' as const, detail: 'local' }));
  if (repl && head.trim() === '') for (const c of src.commands) items.push({ label: c, type: 'keyword', detail: 'command' });
  for (const r of CONVENIENCE) items.push({ label: r, type: 'variable' });
  for (const n of src.globalNames()) items.push({ label: n.label, type: n.type });
  return { items: filter(items, word), replace: word.length };
}

/** Members of a struct/union, or of the struct a pointer points to (`p.` is forgiven like gdb). */
function memberItems(t: Type): CompletionItem[] {
  let r = resolveType(t);
  if (r.kind === 'pointer') r = resolveType(r.target);
  if (r.kind !== 'struct' && r.kind !== 'union') return [];
  const out: CompletionItem[] = [];
  const visit = (s: Type, depth: number) => {
    const st = resolveType(s);
    if ((st.kind !== 'struct' && st.kind !== 'union') || depth > 8) return;
    for (const m of st.members) {
      if (m.name) out.push({ label: m.name, type: 'property', detail: typeName(m.type) });
      else visit(m.type, depth + 1);
    }
  };
  visit(r, 0);
  return out;
}

function typeName(t: Type): string {
  switch (t.kind) {
    case 'base': case 'typedef': return t.name;
    case 'struct': case 'union': return `${t.kind} ${t.name ?? '{...}'}`;
    case 'enum': return `enum ${t.name ?? '{...}'}`;
    case 'pointer': return `${typeName(t.target)} *`;
    case 'array': return `${typeName(t.element)} [${t.count ?? ''}]`;
    case 'qualified': return `${t.qualifier} ${typeName(t.target)}`;
    case 'function': return 'function';
    default: return 'void';
  }
}

/**
 * The postfix expression that ends at the end of `text`: names, member accesses, subscripts and
 * parenthesised groups, scanned backwards with bracket depth ("x = runqueues[0]" -> "runqueues[0]",
 * "(*p)" -> "(*p)", "a->b.c" -> "a->b.c").
 */
export function expressionBefore(text: string): string | undefined {
  const s = text.replace(/\s+$/, '');
  let i = s.length;
  let depth = 0;
  while (i > 0) {
    const c = s[i - 1];
    if (c === ')' || c === ']') { depth++; i--; continue; }
    if (c === '(' || c === '[') {
      if (depth === 0) break;
      depth--; i--; continue;
    }
    if (depth > 0) { i--; continue; }
    if (/[\w$.]/.test(c)) { i--; continue; }
    if (c === '>' && s[i - 2] === '-') { i -= 2; continue; }
    break;
  }
  const expr = s.slice(i).trim();
  return expr && depth === 0 ? expr : undefined;
}

function filter(items: CompletionItem[], word: string): CompletionItem[] {
  const seen = new Set<string>();
  const out: CompletionItem[] = [];
  for (const it of items) {
    if (!it.label.startsWith(word) || it.label === word || seen.has(it.label)) continue;
    seen.add(it.label);
    out.push(it);
  }
  // Names in scope and members keep their order (locals first); the long global list is sorted.
  return out.slice(0, LIMIT);
}
