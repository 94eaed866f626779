/**
 * What the ksim language server knows about the kernel sources, from the kernel ELF's DWARF (through
 * debug-adapter/symbols) — no C parser, no C/C++ extension: the compiler already wrote down every type,
 * function and variable with its layout and location.
 *  - hover on a type: a pahole-like layout (member offsets and sizes, holes, total size);
 *  - hover on a function or global: its C declaration, address and where it is defined;
 *  - definitions and workspace symbols: functions and asm labels at their source lines;
 *  - functions per source file, for code lenses.
 */
import type { SymbolFile, FunctionInfo, Type, Member } from '../../debug-adapter/symbols';
import { resolveType, typeToString, findGlobal } from '../../debug-adapter/symbols';

export interface SourceRef { file: string; line: number }
export interface SymbolEntry extends SourceRef { name: string; kind: 'function' | 'label' | 'variable'; address: number }

function sizeOf(t: Type): number | undefined {
  const r = resolveType(t) as Type & { size?: number };
  if (r.kind === 'pointer') return 4;
  return r.size;
}

/** pahole-style layout of a struct/union: one line per member with offset and size, holes marked. */
export function layoutOf(name: string, t: Type): string {
  const r = resolveType(t);
  if (r.kind !== 'struct' && r.kind !== 'union') return `${typeToString(t)}; /* size ${sizeOf(t) ?? '?'} */`;
  const lines = [`${r.kind} ${r.name ?? name} {`];
  let end = 0;
  for (const m of r.members as Member[]) {
    const size = sizeOf(m.type);
    if (r.kind === 'struct' && m.offset > end && m.bitSize === undefined) lines.push(`\t/* XXX ${m.offset - end} bytes hole */`);
    const decl = typeToString(m.type, m.name ?? '');
    const bits = m.bitSize !== undefined ? `:${m.bitSize}` : '';
    lines.push(`\t${decl}${bits};`.padEnd(44) + ` /* ${String(m.offset).padStart(5)} ${String(size ?? '?').padStart(5)} */`);
    if (size !== undefined) end = Math.max(end, m.offset + size);
  }
  if (r.kind === 'struct' && !r.incomplete && r.size > end) lines.push(`\t/* padding: ${r.size - end} bytes */`);
  lines.push(`}; /* size: ${r.size}, members: ${r.members.length} */`);
  return lines.join('\n');
}

export class KernelDwarfIndex {
  private byFile: Map<string, SymbolEntry[]> | undefined;

  constructor(readonly syms: SymbolFile) {}

  /** Hover text (markdown) for `word`; `prev` is the word before it ("struct", "union", "enum"). */
  hover(word: string, prev?: string): string | undefined {
    const tagged = prev === 'struct' || prev === 'union' || prev === 'enum' ? `${prev} ${word}` : undefined;
    const type = (tagged && this.syms.findType(tagged)) || this.syms.findType(word) ||
      (!tagged ? this.syms.findType(`struct ${word}`) : undefined);
    if (type) return '```c\n' + layoutOf(tagged ?? word, type) + '\n```';
    const fn = this.syms.findFunctions(word)[0];
    if (fn) return this.functionHover(fn);
    const g = findGlobal(this.syms, word);
    if (g) {
      const sym = this.syms.lookupSymbol(word)[0];
      return '```c\n' + typeToString(g.type, g.name) + ';\n```\n' +
        `${sizeOf(g.type) ?? '?'} bytes` + (sym ? ` at \`0x${sym.value.toString(16)}\`` : '') +
        (resolveType(g.type).kind === 'struct' ? '\n\n```c\n' + layoutOf(word, g.type) + '\n```' : '');
    }
    const label = this.syms.lookupSymbol(word)[0];
    if (label) return `\`${word}\`: ${label.type} symbol at \`0x${label.value.toString(16)}\`` + (label.size ? `, ${label.size} bytes` : '');
    return undefined;
  }

  private functionHover(fn: FunctionInfo): string {
    const type = fn.die ? this.syms.types.typeOf(fn.die) : undefined;
    const sig = type ? typeToString(type, fn.name) : `${fn.name}()`;
    const where = fn.file ? `\n\n${fn.file.split('/').slice(-3).join('/')}:${fn.line ?? '?'}` : '';
    return '```c\n' + sig + '\n```\n' + `code \`0x${fn.lowPc.toString(16)}\`–\`0x${fn.highPc.toString(16)}\` (${fn.highPc - fn.lowPc} bytes)` + where;
  }

  definition(word: string): SourceRef[] {
    const out: SourceRef[] = [];
    for (const fn of this.syms.findFunctions(word)) {
      const loc = fn.file && fn.line ? { file: fn.file, line: fn.line } : this.syms.lineAt(fn.lowPc);
      if (loc) out.push({ file: loc.file, line: loc.line });
    }
    return out;
  }

  /** Every function and code label with a source line, grouped by source file (DWARF path). */
  private index(): Map<string, SymbolEntry[]> {
    if (this.byFile) return this.byFile;
    const map = new Map<string, SymbolEntry[]>();
    const add = (e: SymbolEntry) => { const l = map.get(e.file) ?? []; l.push(e); map.set(e.file, l); };
    const seen = new Set<number>();
    for (const name of this.syms.functionNames()) {
      for (const fn of this.syms.findFunctions(name)) {
        if (seen.has(fn.lowPc)) continue;
        seen.add(fn.lowPc);
        const loc = fn.file && fn.line ? { file: fn.file, line: fn.line } : this.syms.lineAt(fn.lowPc);
        if (loc) add({ name: fn.name, kind: 'function', address: fn.lowPc, file: loc.file, line: loc.line });
      }
    }
    for (const s of this.syms.symbols) {
      if (seen.has(s.value) || (s.type !== 'func' && s.type !== 'notype')) continue;
      const loc = this.syms.lineAt(s.value);
      if (!loc || loc.address !== s.value) continue;
      seen.add(s.value);
      add({ name: s.name, kind: s.type === 'func' ? 'function' : 'label', address: s.value, file: loc.file, line: loc.line });
    }
    this.byFile = map;
    return map;
  }

  workspaceSymbols(query: string, limit = 500): SymbolEntry[] {
    const q = query.toLowerCase();
    const out: SymbolEntry[] = [];
    for (const list of this.index().values()) {
      for (const e of list) {
        if (!q || e.name.toLowerCase().includes(q)) out.push(e);
        if (out.length >= limit) return out;
      }
    }
    return out;
  }

  /** Functions defined in the document at `path` (matched to the DWARF paths by their longest tail). */
  functionsInFile(path: string): SymbolEntry[] {
    const files = this.syms.matchSourceFile(path);
    return files.flatMap((f) => this.index().get(f) ?? []).sort((a, b) => a.line - b.line);
  }
}
