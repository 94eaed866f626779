// The parts of a breakpoint that decide *whether* a hit stops: hit conditions and log-point messages.
// (Conditions proper are C expressions, evaluated by the symbols' expression evaluator.)
//
// Hit conditions follow the convention of gdb's `ignore` and VS Code's hit-count field:
//   "5" or "=5"  stop on the 5th hit only        ">=5"  stop on the 5th hit and every later one
//   ">5"         from the 6th hit on             "%5"   every 5th hit (5, 10, 15, ...)
// Log points print a message instead of stopping; `{expr}` inside it is replaced by expr's value.

export type HitCondition = (hitCount: number) => boolean;

/** Parse a hit condition; throws Error with a readable message for anything else. */
export function parseHitCondition(text: string): HitCondition {
  const m = /^\s*(==|=|>=|>|<=|<|%)?\s*(\d+)\s*$/.exec(text);
  if (!m) throw new Error(`hit condition '${text}' is not one of N, =N, >=N, >N, <N, <=N, %N`);
  const n = Number(m[2]);
  switch (m[1] ?? '=') {
    case '=': case '==': return (c) => c === n;
    case '>=': return (c) => c >= n;
    case '>': return (c) => c > n;
    case '<=': return (c) => c <= n;
    case '<': return (c) => c < n;
    case '%':
      if (n === 0) throw new Error(`hit condition '${text}': modulus must not be 0`);
      return (c) => c % n === 0;
    default: throw new Error(`hit condition '${text}' is not understood`);
  }
}

/** A log message split into literal text and `{expression}` holes. `{{` and `}}` are literal braces. */
export type LogTemplatePart = { text: string } | { expression: string };

export function parseLogMessage(message: string): LogTemplatePart[] {
  const parts: LogTemplatePart[] = [];
  let literal = '';
  for (let i = 0; i < message.length; i++) {
    const ch = message[i];
    if (ch === '{' && message[i + 1] === '{') { literal += '{'; i++; continue; }
    if (ch === '}' && message[i + 1] === '}') { literal += '}'; i++; continue; }
    if (ch === '{') {
      // Find the matching close brace, allowing nested braces inside the expression (rare, but cheap).
      let depth = 1;
      let j = i + 1;
      for (; j < message.length && depth > 0; j++) {
        if (message[j] === '{') depth++;
        else if (message[j] === '}') depth--;
      }
      if (depth !== 0) { literal += message.slice(i); break; }
      if (literal) { parts.push({ text: literal }); literal = ''; }
      parts.push({ expression: message.slice(i + 1, j - 1).trim() });
      i = j - 1;
      continue;
    }
    literal += ch;
  }
  if (literal) parts.push({ text: literal });
  return parts;
}

/** Render a parsed log message; an expression that fails shows its error in angle brackets. */
export function renderLogMessage(parts: LogTemplatePart[], evaluate: (expr: string) => string): string {
  return parts.map((p) => {
    if ('text' in p) return p.text;
    try { return evaluate(p.expression); } catch (e) { return `<${(e as Error).message}>`; }
  }).join('');
}
