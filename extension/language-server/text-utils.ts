/** Small text helpers of the language server (pure, unit-tested). */

/** The C identifier under `character` in `line`, and the identifier before it ("struct" in "struct x"). */
export function wordAt(line: string, character: number): { word: string; previous?: string } | undefined {
  const re = /[A-Za-z_][A-Za-z0-9_]*/g;
  let m: RegExpExecArray | null;
  let previous: string | undefined;
  while ((m = re.exec(line))) {
    if (character >= m.index && character <= m.index + m[0].length) return { word: m[0], previous };
    previous = m[0];
  }
  return undefined;
}

/** "1,234 calls · 12.5% of instructions" for a function's code lens. */
export function profileLensTitle(calls: number, instructions: number, total: number): string {
  const pct = total > 0 ? (100 * instructions) / total : 0;
  const share = pct >= 0.1 ? pct.toFixed(1) : pct > 0 ? '<0.1' : '0';
  return `${calls.toLocaleString('en-US')} call${calls === 1 ? '' : 's'} · ${share}% of instructions (last run)`;
}
