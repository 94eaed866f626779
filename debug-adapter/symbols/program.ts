import { SymbolsError } from './errors';
import { ElfFile, ElfSymbol, SHF_EXECINSTR } from './elf';
import * as dwarfConstants from './dwarf-constants';
// Bound once: module-namespace reads are getters under CommonJS transpilers; these are hot.
const { DW_AT, DW_TAG } = dwarfConstants;
import { CompileUnit, Die, DieDirectory, DwarfSections, dwarfSections, isBlockForm, readUnits, TopLevelEntry } from './dwarf-info';
import { LineFile, LineTable, readLineTable, readLineTableFiles } from './line-program';
import { IndexedRow, LineIndex } from './line-index';
import { AddrRange, dieRanges, inRanges } from './ranges';
import { BaseType, Type, TypeFactory } from './types';
import { CfiTable } from './cfi';

/**
 * The symbols of one ELF file: ELF symbol table, DWARF units, line tables and functions, with the
 * queries a debugger asks (address → function/line/inlined chain, file:line → addresses, function →
 * breakpoint address). DWARF is parsed lazily: unit headers at load, line tables on the first line
 * query, a unit's DIE tree when something inside it is needed.
 */

export interface SourceLocation {
  /** Full path of the source file as recorded in the line table. */
  file: string;
  line: number;
  column: number;
  /** Start address of the line-table row that covers the queried address. */
  address: number;
  isStmt: boolean;
  discriminator: number;
}

export interface FunctionInfo {
  name: string;
  /** Lowest address (entry point for contiguous functions). */
  lowPc: number;
  /** One past the highest address. */
  highPc: number;
  ranges: AddrRange[];
  /** Declaration file/line (DW_AT_decl_file/decl_line) when known. */
  file?: string;
  line?: number;
  external: boolean;
  /** Name of the compile unit (source file given to the compiler). */
  unit: string;
  /** The DW_TAG_subprogram DIE (for variables, frame base); absent when only an ELF symbol is known. */
  die?: Die;
}

/** One level of the chain at an address: innermost (inlined callee) first, the real function last. */
export interface InlineFrame {
  function: string;
  /** Source position in this function: for the innermost frame the line-table position of the address,
   * for outer frames the call site of the next inner inlined function. */
  file?: string;
  line?: number;
  column?: number;
  /** True when this frame is an inlined instance (DW_TAG_inlined_subroutine). */
  inlined: boolean;
  /** The DIE of the inlined_subroutine or subprogram (scope for variables). */
  die?: Die;
}

export interface LineResolution {
  /** The line that has code: the requested one or the next line with code (moved=true). */
  line: number;
  moved: boolean;
  /** The matched source file (full path as in the line table). */
  file: string;
  /** One address per function / inlined instance (lowest address of that line there), ascending. */
  addresses: number[];
}

export interface LoadOptions {
  /** Throw on the first DWARF problem instead of recording it in `warnings` and degrading. */
  strict?: boolean;
}

interface UnitEntry {
  cu: CompileUnit; index: number; ranges?: AddrRange[]; lines?: LineTable | null; lineIndex?: LineIndex;
  /** Paths of the files its line table names (lineFiles), without the rows when the table is not read yet. */
  filePaths?: Set<string>;
  /** The unit's top-level DIEs (scanTopLevel), null when the scan failed (the warning is recorded once). */
  topLevel?: TopLevelEntry[] | null;
  /** The unit may reference DIEs of other units (CompileUnit.refersToOtherUnits). */
  crossUnit?: boolean;
}

export class SymbolFile implements DieDirectory {
  readonly elf: ElfFile;
  readonly sections: DwarfSections;
  readonly units: CompileUnit[] = [];
  /** DWARF problems that were survived (the affected part is skipped). Empty for a healthy file. */
  readonly warnings: SymbolsError[] = [];
  private readonly strict: boolean;
  private readonly unitEntries: UnitEntry[] = [];
  private sortedSymbols?: ElfSymbol[];
  private symbolsByName?: Map<string, ElfSymbol[]>;
  private lineIndex?: LineIndex;
  private sourceFileList?: string[];
  private functionsByName?: Map<string, number[]>;
  private globalsByName?: Map<string, number[]>;
  private typesByName?: Map<string, number[]>;
  /** Offsets of the top-level DIEs that carry DW_AT_declaration (prototypes, extern variables, incomplete types). */
  private declarationOffsets?: Set<number>;

  /** Builds C types from DIEs (cached per DIE). */
  readonly types: TypeFactory = new TypeFactory(this);

  constructor(bytes: Uint8Array, options: LoadOptions = {}) {
    this.elf = new ElfFile(bytes);
    this.strict = !!options.strict;
    this.sections = dwarfSections(this.elf);
    if (this.sections.info.length > 0) {
      try {
        this.units.push(...readUnits(this));
      } catch (e) {
        this.degrade(e);
      }
      this.units.forEach((cu, index) => this.unitEntries.push({ cu, index }));
    }
  }

  /** Records a DWARF problem (or rethrows in strict mode / for non-DWARF errors). */
  degrade(e: unknown): void {
    if (!(e instanceof SymbolsError) || this.strict) throw e;
    this.warnings.push(e);
  }

  get hasDwarf(): boolean { return this.units.length > 0; }

  // ---------------------------------------------------------------- ELF symbols

  /** Function, object and label symbols with names, sorted by address. */
  get symbols(): ElfSymbol[] {
    if (!this.sortedSymbols) {
      const rank = (s: ElfSymbol) => (s.type === 'func' ? 0 : s.type === 'object' ? 1 : 2) * 2 + (s.bind === 'local' ? 1 : 0);
      this.sortedSymbols = this.elf.symbols
        .filter((s) => s.name !== '' && s.shndx !== 0 && (s.type === 'func' || s.type === 'object' || s.type === 'notype') && !s.name.startsWith('$'))
        .sort((a, b) => a.value - b.value || rank(a) - rank(b));
    }
    return this.sortedSymbols;
  }

  /** ELF symbols of that name (several when static symbols share it). */
  lookupSymbol(name: string): ElfSymbol[] {
    if (!this.symbolsByName) {
      this.symbolsByName = new Map();
      for (const s of this.symbols) {
        const l = this.symbolsByName.get(s.name);
        if (l) l.push(s); else this.symbolsByName.set(s.name, [s]);
      }
    }
    return this.symbolsByName.get(name) ?? [];
  }

  /**
   * The symbol an address belongs to: the nearest symbol at or below it (labels such as
   * ret_from_fork count), as name+offset. Sized symbols whose size the address exceeds are still
   * returned when nothing else is closer (asm labels have size 0).
   */
  symbolAt(addr: number): { symbol: ElfSymbol; offset: number } | undefined {
    const syms = this.symbols;
    let lo = 0, hi = syms.length - 1, ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (syms[mid].value <= addr) { ans = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (ans < 0) return undefined;
    // Several symbols at the same address: prefer the best-ranked (first of the run).
    let i = ans;
    while (i > 0 && syms[i - 1].value === syms[ans].value) i--;
    const symbol = syms[i];
    // Do not attribute addresses outside any section (e.g. past the end of .text) to the last symbol.
    const sec = this.elf.sectionAt(addr);
    if (!sec || (symbol.section && sec.name !== symbol.section)) return undefined;
    return { symbol, offset: addr - symbol.value };
  }

  /** Size of an unsized symbol (asm routine or label): up to the next symbol or the end of its section. */
  symbolExtent(value: number): number {
    const sec = this.elf.sectionAt(value);
    let end = sec ? sec.addr + sec.size : value + 1;
    for (const s of this.symbols) if (s.value > value && s.value < end) { end = s.value; break; }
    return Math.max(1, end - value);
  }

  /** "name+0x12" or "name" for an address, or undefined when no symbol covers it. */
  describeAddress(addr: number): string | undefined {
    const s = this.symbolAt(addr);
    if (!s) return undefined;
    return s.offset ? `${s.symbol.name}+0x${s.offset.toString(16)}` : s.symbol.name;
  }

  isExecutable(addr: number): boolean {
    const s = this.elf.sectionAt(addr);
    return !!s && (s.flags & SHF_EXECINSTR) !== 0;
  }

  // ---------------------------------------------------------------- call frame information

  private cfiTable?: CfiTable;
  /** .eh_frame and .debug_frame FDEs (parsed on first use; a broken section is skipped with a warning). */
  get cfi(): CfiTable {
    if (!this.cfiTable) {
      const t = new CfiTable();
      try { if (this.sections.ehFrame.length) t.addSection(this.sections.ehFrame, true, this.sections.ehFrameAddr); } catch (e) { this.degrade(e); }
      try { if (this.sections.frame.length) t.addSection(this.sections.frame, false, 0); } catch (e) { this.degrade(e); }
      this.cfiTable = t;
    }
    return this.cfiTable;
  }

  // ---------------------------------------------------------------- DIEs

  dieAt(offset: number): Die | undefined {
    const units = this.units;
    let lo = 0, hi = units.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const u = units[mid];
      if (offset < u.offset) hi = mid - 1;
      else if (offset >= u.end) lo = mid + 1;
      else return u.dieAt(offset);
    }
    return undefined;
  }

  /** Root DIE of a unit, parsed; undefined (with a warning) when the unit is broken. */
  unitRoot(cu: CompileUnit): Die | undefined {
    try { return cu.root(); } catch (e) { this.degrade(e); return undefined; }
  }

  private unitRanges(e: UnitEntry): AddrRange[] {
    if (!e.ranges) {
      try { e.ranges = dieRanges(e.cu.header()); } catch (err) { this.degrade(err); e.ranges = []; }
    }
    return e.ranges;
  }

  /** The compile unit whose code covers an address. */
  unitAt(addr: number): CompileUnit | undefined {
    for (const e of this.unitEntries) if (inRanges(this.unitRanges(e), addr)) return e.cu;
    return undefined;
  }

  // ---------------------------------------------------------------- line tables

  lineTable(cu: CompileUnit): LineTable | undefined {
    const e = this.unitEntries.find((u) => u.cu === cu);
    if (!e) return undefined;
    if (e.lines === undefined) {
      e.lines = null;
      try {
        const off = cu.stmtList;
        if (off !== undefined) e.lines = readLineTable(this.sections, off, cu.compDir, cu.name);
      } catch (err) { this.degrade(err); }
    }
    return e.lines ?? undefined;
  }

  private lines(): LineIndex {
    if (!this.lineIndex) {
      const tables: { table: LineTable; cuIndex: number }[] = [];
      for (const e of this.unitEntries) {
        const t = this.lineTable(e.cu);
        if (t) tables.push({ table: t, cuIndex: e.index });
      }
      this.lineIndex = new LineIndex(tables);
    }
    return this.lineIndex;
  }

  /**
   * The paths of the files a unit's line table names: from the table when it is read, else from a pass
   * over its line program that builds no rows (a file:line query reads the rows of those units only).
   */
  private lineFiles(e: UnitEntry): Set<string> {
    if (!e.filePaths) {
      let files: (LineFile | undefined)[] = [];
      if (e.lines !== undefined) files = e.lines?.files ?? [];
      else {
        try {
          const off = e.cu.stmtList;
          if (off !== undefined) files = readLineTableFiles(this.sections, off, e.cu.compDir, e.cu.name);
        } catch {
          files = this.lineTable(e.cu)?.files ?? [];    // the full read records the problem once
        }
      }
      e.filePaths = new Set();
      for (const f of files) if (f) e.filePaths.add(f.path);
    }
    return e.filePaths;
  }

  /** Every line row of the program (for tools and oracle tests), in unit order. */
  allLineTables(): { unit: CompileUnit; table: LineTable }[] {
    const out: { unit: CompileUnit; table: LineTable }[] = [];
    for (const e of this.unitEntries) { const t = this.lineTable(e.cu); if (t) out.push({ unit: e.cu, table: t }); }
    return out;
  }

  /**
   * The line index of one unit (its own table only), built on first use. Address queries go to the unit
   * whose ranges cover the address, so a stop needs the line tables of the units on its stack, not all.
   */
  private unitLines(e: UnitEntry): LineIndex | undefined {
    if (!e.lineIndex) {
      const t = this.lineTable(e.cu);
      if (!t) return undefined;
      e.lineIndex = new LineIndex([{ table: t, cuIndex: e.index }]);
    }
    return e.lineIndex;
  }

  private unitEntryAt(addr: number): UnitEntry | undefined {
    for (const e of this.unitEntries) if (inRanges(this.unitRanges(e), addr)) return e;
    return undefined;
  }

  /** The line row at an address: from the covering unit's table, else (no unit, or no row there) from all tables. */
  private lineRowAt(addr: number): IndexedRow | undefined {
    const u = this.unitEntryAt(addr);
    const local = u ? this.unitLines(u)?.lookup(addr) : undefined;
    return local ?? this.lines().lookup(addr);
  }

  /** Source position of an address from the line table. */
  lineAt(addr: number): SourceLocation | undefined {
    const e = this.lineRowAt(addr);
    if (!e) return undefined;
    const f = e.table.files[e.row.file];
    return {
      file: f?.path ?? '??', line: e.row.line, column: e.row.column, address: e.row.address,
      isStmt: e.row.isStmt, discriminator: e.row.discriminator,
    };
  }

  /** All distinct source files named by the line tables (full paths). */
  sourceFiles(): string[] {
    if (!this.sourceFileList) {
      const set = new Set<string>();
      for (const e of this.unitEntries) for (const f of this.lineFiles(e)) set.add(f);
      this.sourceFileList = [...set].sort();
    }
    return [...this.sourceFileList];
  }

  /**
   * Matches a user's path to the line tables' paths: exact match first, otherwise the paths sharing the
   * longest tail of path components (so /home/me/ksim/simulator/guest/kernel/sched.c finds
   * /build/kernel/sched.c, and "sched.c" alone finds it too).
   */
  matchSourceFile(path: string): string[] {
    const files = this.sourceFiles();
    if (files.includes(path)) return [path];
    const want = path.split('/').filter((p) => p !== '' && p !== '.');
    let best = 0, out: string[] = [];
    for (const f of files) {
      const have = f.split('/').filter((p) => p !== '' && p !== '.');
      let k = 0;
      while (k < want.length && k < have.length && want[want.length - 1 - k] === have[have.length - 1 - k]) k++;
      if (k === 0) continue;
      if (k > best) { best = k; out = [f]; } else if (k === best) out.push(f);
    }
    return out;
  }

  /**
   * Addresses for a breakpoint at file:line. A line without code moves to the next line that has code
   * in the same file (moved=true). One address per function or inlined instance containing the line:
   * the lowest is_stmt address of that line there; a function's entry is moved past its prologue.
   */
  addressesForLine(path: string, line: number): LineResolution | undefined {
    return this.addressesForFiles(new Set(this.matchSourceFile(path)), line);
  }

  /** addressesForLine for the line tables' own paths (what matchSourceFile gave). */
  private addressesForFiles(files: Set<string>, line: number): LineResolution | undefined {
    if (files.size === 0) return undefined;
    // Collect the is_stmt rows of each line in the matched files, as gdb keeps them (see breakableRows).
    const byLine = new Map<number, { address: number; file: string }[]>();
    for (const e of this.unitEntries) {
      // Only tables that name one of the files can have rows for it: the others are not even read
      // (and breakableRows is memoised per table).
      if (![...files].some((f) => this.lineFiles(e).has(f))) continue;
      const table = this.lineTable(e.cu);
      if (!table) continue;
      // One file: its rows alone (cheaper to find); several: in the order the table names them.
      const only = files.size === 1 ? [...files][0] : undefined;
      const perFile = only !== undefined ? [[only, this.breakableRowsOfFile(table, only)] as const] : this.breakableRowsOf(table);
      for (const [path, rows] of perFile) {
        if (!files.has(path)) continue;
        for (const row of rows) {
          if (!row.isStmt || row.line === 0) continue;
          const l = byLine.get(row.line);
          const item = { address: row.address, file: path };
          if (l) l.push(item); else byLine.set(row.line, [item]);
        }
      }
    }
    let target = line;
    if (!byLine.has(target)) {
      let best = Infinity;
      for (const l of byLine.keys()) if (l > line && l < best) best = l;
      if (best === Infinity) return undefined;
      target = best;
    }
    const items = byLine.get(target)!;
    // One location per innermost block (lexical block, inlined instance or function), the lowest
    // address in it — as gdb does, so a `for` line gives one location, an inlined function one per copy.
    const groups = new Map<string, number>();
    for (const it of items) {
      const block = this.blockAt(it.address);
      const owner = block ? `${block.offset}` : `addr${it.address}`;
      const cur = groups.get(owner);
      if (cur === undefined || it.address < cur) groups.set(owner, it.address);
    }
    const addresses: number[] = [];
    let movedPastPrologue: number | undefined;
    for (const a of groups.values()) {
      const fn = this.functionAt(a);
      if (fn && fn.lowPc === a) {
        const post = this.postPrologueAddress(fn) ?? a;
        if (post !== a) movedPastPrologue = post;
        addresses.push(post);
      } else addresses.push(a);
    }
    addresses.sort((a, b) => a - b);
    // A breakpoint on a function's opening line really sits on its first statement: report that line.
    let shownLine = target;
    if (movedPastPrologue !== undefined) {
      const at = this.lineAt(movedPastPrologue);
      if (at && files.has(at.file) && at.line >= target) shownLine = at.line;
    }
    return { line: shownLine, moved: shownLine !== line, file: items[0].file, addresses: [...new Set(addresses)] };
  }

  /**
   * Whether `break file:line` stops exactly at `pc` without moving the line — i.e. `pc` is in
   * addressesForLine(file, line).addresses and `moved` is false — for a `file` spelled as the line tables
   * spell it (lineAt's `file`). A line step asks this at every instruction whose row is not is_stmt.
   *
   * addressesForLine looks at every unit whose line table names the file and parses those units' DIE
   * trees (one address per innermost block): for a header line (list.h, spinlock.h) that is most units,
   * hundreds of milliseconds. But `pc` can only be one of its addresses if the unit covering `pc` has a
   * statement row of that line at `pc` itself, or at the entry of a function whose prologue ends at `pc`
   * (rows of an address belong to the unit whose code is there; a prologue ends inside its function). That
   * test reads one line table (already read for lineAt) and the DIEs of the unit being stepped in. Only
   * when it passes is the full answer computed, once per file:line — so the answer is the same as before.
   */
  isStatementStartOfLine(file: string, line: number, pc: number): boolean {
    const unit = this.unitEntryAt(pc);
    const table = unit ? this.lineTable(unit.cu) : undefined;
    const named = !!table && this.lineFiles(unit!).has(file);
    if (named) {
      const here = this.statementRowsOf(table!, file).get(line);
      if (!here) return false;
      let possible = here.includes(pc);
      if (!possible) {
        // The prologue of the function holding pc may end at pc with its entry on this line (a prologue
        // ends inside its function, so that is the only function whose entry can move to pc).
        const fn = this.functionAt(pc);
        possible = !!fn && fn.lowPc !== pc && here.includes(fn.lowPc) && this.postPrologueAddress(fn) === pc;
      }
      if (!possible) return false;
    }
    const key = `${file}\0${line}`;
    let starts = this.lineStatementStarts.get(key);
    if (starts === undefined) {
      // A path the stepped unit's table names is one of sourceFiles(): matchSourceFile would give it alone.
      const res = named ? this.addressesForFiles(new Set([file]), line) : this.addressesForLine(file, line);
      starts = res && !res.moved ? new Set(res.addresses) : null;
      this.lineStatementStarts.set(key, starts);
    }
    return starts !== null && starts.has(pc);
  }
  /** isStatementStartOfLine's full answers: file:line -> breakpoint addresses (null: none, or moved). */
  private readonly lineStatementStarts = new Map<string, Set<number> | null>();

  /** The addresses of one table's breakable is_stmt rows of a file, by line (built once per table and file). */
  private statementRowsOf(table: LineTable, file: string): Map<number, number[]> {
    let perFile = this.statementRows.get(table);
    if (!perFile) { perFile = new Map(); this.statementRows.set(table, perFile); }
    let byLine = perFile.get(file);
    if (!byLine) {
      byLine = new Map();
      for (const r of this.breakableRowsOfFile(table, file)) {
        if (!r.isStmt || r.line === 0) continue;
        const l = byLine.get(r.line);
        if (l) l.push(r.address); else byLine.set(r.line, [r.address]);
      }
      perFile.set(file, byLine);
    }
    return byLine;
  }
  private readonly statementRows = new WeakMap<LineTable, Map<string, Map<number, number[]>>>();

  /** breakableRows(table, file): one file's rows, computed once per table and file (unless the whole table's are known). */
  private breakableRowsOfFile(table: LineTable, file: string): { address: number; line: number; isStmt: boolean }[] {
    const whole = this.breakable.get(table);
    if (whole) return whole.get(file) ?? [];
    let perFile = this.breakableOneFile.get(table);
    if (!perFile) { perFile = new Map(); this.breakableOneFile.set(table, perFile); }
    let rows = perFile.get(file);
    if (!rows) { rows = breakableRows(table, file).get(file) ?? []; perFile.set(file, rows); }
    return rows;
  }
  private readonly breakableOneFile = new WeakMap<LineTable, Map<string, { address: number; line: number; isStmt: boolean }[]>>();

  private readonly breakable = new WeakMap<LineTable, Map<string, { address: number; line: number; isStmt: boolean }[]>>();
  /** breakableRows(table), computed once per table (every file:line query of a step would redo it). */
  private breakableRowsOf(table: LineTable): Map<string, { address: number; line: number; isStmt: boolean }[]> {
    let rows = this.breakable.get(table);
    if (!rows) { rows = breakableRows(table); this.breakable.set(table, rows); }
    return rows;
  }

  /** The innermost block (lexical block, inlined instance or function DIE) containing an address. */
  blockAt(addr: number): Die | undefined {
    let cur: Die | undefined;
    try { cur = this.subprogramAt(addr); } catch (e) { this.degrade(e); }
    if (!cur) return undefined;
    for (;;) {
      let next: Die | undefined;
      for (const c of cur.children) {
        if ((c.tag === DW_TAG.lexical_block || c.tag === DW_TAG.inlined_subroutine) && inRanges(dieRanges(c), addr)) { next = c; break; }
      }
      if (!next) return cur;
      cur = next;
    }
  }

  // ---------------------------------------------------------------- functions

  private locationsValid = new Map<CompileUnit, boolean>();
  /** A gcc >= 4.5 unit whose variables use location lists (optimized code, described instruction by instruction). */
  locationsValidFromEntry(cu: CompileUnit): boolean {
    let v = this.locationsValid.get(cu);
    if (v === undefined) {
      v = false;
      const m = /^GNU .*?(\d+)\.(\d+)/.exec(cu.producer ?? '');
      const root = this.unitRoot(cu);
      if (m && root && (Number(m[1]) > 4 || (Number(m[1]) === 4 && Number(m[2]) >= 5))) {
        const walk = (d: Die): boolean => {
          if ((d.tag === DW_TAG.variable || d.tag === DW_TAG.formal_parameter) && d.has(DW_AT.location)) {
            const form = d.form(DW_AT.location)!;
            if (!isBlockForm(form)) return true;
          }
          for (const c of d.children) if (walk(c)) return true;
          return false;
        };
        v = walk(root);
      }
      this.locationsValid.set(cu, v);
    }
    return v;
  }

  private functionInfo(die: Die): FunctionInfo {
    const ranges = dieRanges(die);
    const lowPc = ranges.length ? Math.min(...ranges.map((r) => r.start)) : 0;
    const highPc = ranges.length ? Math.max(...ranges.map((r) => r.end)) : 0;
    const decl = die.inherited(DW_AT.decl_file);
    const fileIdx = decl?.num(DW_AT.decl_file);
    const table = decl ? this.lineTable(decl.cu) : undefined;
    return {
      name: die.resolvedName() ?? '??', lowPc, highPc, ranges,
      file: fileIdx !== undefined ? table?.files[fileIdx]?.path : undefined,
      line: decl?.num(DW_AT.decl_line),
      external: !!die.inherited(DW_AT.external),
      unit: die.cu.name ?? '??', die,
    };
  }

  private functionRanges = new Map<CompileUnit, { starts: Float64Array; items: { start: number; end: number; die: Die }[] }>();

  /** The subprogram DIE (out-of-line function) containing an address: binary search in the unit's ranges. */
  private subprogramAt(addr: number): Die | undefined {
    const cu = this.unitAt(addr);
    if (!cu) return undefined;
    let idx = this.functionRanges.get(cu);
    if (!idx) {
      const root = this.unitRoot(cu);
      const items: { start: number; end: number; die: Die }[] = [];
      if (root) {
        for (const c of root.children) {
          if (c.tag !== DW_TAG.subprogram) continue;
          for (const r of dieRanges(c)) items.push({ start: r.start, end: r.end, die: c });
        }
      }
      items.sort((a, b) => a.start - b.start);
      idx = { starts: new Float64Array(items.map((i) => i.start)), items };
      this.functionRanges.set(cu, idx);
    }
    const a = idx.starts;
    let lo = 0, hi = a.length - 1, ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid] <= addr) { ans = mid; lo = mid + 1; } else hi = mid - 1;
    }
    for (let i = ans; i >= 0 && i >= ans - 8; i--) {
      const it = idx.items[i];
      if (addr >= it.start && addr < it.end) return it.die;
    }
    return undefined;
  }

  /** The function containing an address (from DWARF, else from the ELF symbol table). */
  functionAt(addr: number): FunctionInfo | undefined {
    try {
      const die = this.subprogramAt(addr);
      if (die) return this.functionInfo(die);
    } catch (e) { this.degrade(e); }
    const s = this.symbolAt(addr);
    if (s && (s.symbol.type === 'func' || (s.symbol.type === 'notype' && this.isExecutable(addr))) &&
        (s.symbol.size === 0 || s.offset < s.symbol.size)) {
      const end = s.symbol.value + (s.symbol.size || this.symbolExtent(s.symbol.value));
      return {
        name: s.symbol.name, lowPc: s.symbol.value, highPc: end, ranges: [{ start: s.symbol.value, end }],
        external: s.symbol.bind !== 'local', unit: '',
      };
    }
    return undefined;
  }

  /**
   * The inlined chain at an address, innermost first, like `addr2line -f -i`: the innermost inlined
   * callee with the line-table position, then each caller with the call site of its inlined callee,
   * ending with the out-of-line function.
   */
  inlinedChainAt(addr: number): InlineFrame[] {
    let sub: Die | undefined;
    try { sub = this.subprogramAt(addr); } catch (e) { this.degrade(e); }
    const loc = this.lineAt(addr);
    if (!sub) {
      const s = this.symbolAt(addr);
      return s ? [{ function: s.symbol.name, file: loc?.file, line: loc?.line, column: loc?.column, inlined: false }] : [];
    }
    // Walk down through lexical blocks and inlined subroutines that contain addr.
    const path: Die[] = [sub];
    let cur: Die = sub;
    for (;;) {
      let next: Die | undefined;
      for (const c of cur.children) {
        if ((c.tag === DW_TAG.lexical_block || c.tag === DW_TAG.inlined_subroutine) && inRanges(dieRanges(c), addr)) { next = c; break; }
      }
      if (!next) break;
      if (next.tag === DW_TAG.inlined_subroutine) path.push(next);
      cur = next;
    }
    const frames: InlineFrame[] = [];
    let file = loc?.file, line = loc?.line, column = loc?.column;
    for (let i = path.length - 1; i >= 0; i--) {
      const d = path[i];
      frames.push({ function: d.resolvedName() ?? '??', file, line, column, inlined: d.tag === DW_TAG.inlined_subroutine, die: d });
      if (d.tag === DW_TAG.inlined_subroutine) {
        const cf = d.num(DW_AT.call_file);
        file = cf !== undefined ? this.lineTable(d.cu)?.files[cf]?.path : undefined;
        line = d.num(DW_AT.call_line);
        column = d.num(DW_AT.call_column);
      }
    }
    return frames;
  }

  /**
   * Name → top-level DIE offsets (functions, variables, types), in unit order. Built from a fast scan of
   * every unit's top level (CompileUnit.scanTopLevel), not from parsed DIE trees: a name lookup then
   * parses only the units that hold the DIEs it returns (TaskReader at launch needs three structs, so the
   * debugger starts without parsing the whole kernel's DWARF). A unit whose scan fails is skipped with a
   * warning, like any broken unit.
   */
  private buildNameIndexes(): void {
    if (this.functionsByName) return;
    const functions = new Map<string, number[]>(), globals = new Map<string, number[]>(), types = new Map<string, number[]>();
    const add = (m: Map<string, number[]>, k: string, off: number) => { const l = m.get(k); if (l) l.push(off); else m.set(k, [off]); };
    const perUnit: TopLevelEntry[][] = [];
    const byOffset = new Map<number, TopLevelEntry>();
    const declarations = new Set<number>();
    for (const e of this.unitEntries) {
      const entries = this.topLevelOf(e);
      if (!entries) continue;
      perUnit.push(entries);
      for (const t of entries) { byOffset.set(t.offset, t); if (t.declaration) declarations.add(t.offset); }
    }
    for (const entries of perUnit) {
      for (const d of entries) {
        const name = d.name;
        switch (d.tag) {
          case DW_TAG.subprogram: {
            const n = name ?? this.resolvedEntryName(d, byOffset);
            if (n !== undefined) add(functions, n, d.offset);
            break;
          }
          case DW_TAG.variable: {
            const n = name ?? this.resolvedEntryName(d, byOffset);
            if (n !== undefined) add(globals, n, d.offset);
            break;
          }
          default: { const k = typeKey(d); if (k !== undefined) add(types, k, d.offset); }
        }
      }
    }
    this.functionsByName = functions;
    this.globalsByName = globals;
    this.typesByName = types;
    this.declarationOffsets = declarations;
  }

  /**
   * Die.resolvedName() of an unnamed top-level DIE, following abstract_origin / specification through the
   * scanned entries; when a link leaves the top level, the DIE itself is parsed and asked.
   */
  private resolvedEntryName(d: TopLevelEntry, byOffset: Map<number, TopLevelEntry>): string | undefined {
    let cur: TopLevelEntry | undefined = d;
    for (let i = 0; cur && i < 8; i++) {
      if (cur.name !== undefined) return cur.name;
      const link = cur.origin ?? cur.specification;
      if (link === undefined) return undefined;
      cur = byOffset.get(link);
      if (!cur) {
        try { return this.dieAt(d.offset)?.resolvedName(); } catch (e) { this.degrade(e); return undefined; }
      }
    }
    return undefined;
  }

  /** The DIEs at these offsets (their units parsed on demand; a broken unit's DIEs are left out). */
  private diesAt(offsets: number[] | undefined): Die[] {
    const out: Die[] = [];
    for (const off of offsets ?? []) {
      try { const d = this.dieAt(off); if (d) out.push(d); } catch (e) { this.degrade(e); }
    }
    return out;
  }

  /** Top-level DIEs (functions; out-of-line definitions and declarations) named `name`, in unit order. */
  functionDies(name: string): Die[] { this.buildNameIndexes(); return this.diesAt(this.functionsByName!.get(name)); }
  /** Top-level variable DIEs named `name` (definitions and declarations). */
  globalDies(name: string): Die[] { this.buildNameIndexes(); return this.diesAt(this.globalsByName!.get(name)); }
  /** Top-level type DIEs: "struct x", "union x", "enum x", typedef and base type names. */
  typeDies(name: string): Die[] { this.buildNameIndexes(); return this.diesAt(this.typesByName!.get(name)); }
  /**
   * The first top-level type DIE named `name` (unit order) that is not a declaration — the definition
   * findType and kernel layouts use — else the first declaration. Parses only the unit that holds it,
   * where typeDies() parses every unit that mentions the name.
   */
  typeDefinition(name: string): Die | undefined {
    this.buildNameIndexes();
    const offsets = this.typesByName!.get(name);
    if (!offsets) return undefined;
    const flags = this.declarationOffsets!;
    for (const off of offsets) {
      if (flags.has(off)) continue;
      const d = this.diesAt([off])[0];
      if (d) return d;
    }
    return this.diesAt(offsets)[0];
  }
  /**
   * typeDies() one at a time, in unit order: a caller that stops early parses only the units it reached.
   * Before the name index exists, units are scanned one by one, so finding the first definition of
   * "struct task_struct" (in the first unit that includes sched.h) touches a unit or two, not all.
   */
  *eachTypeDie(name: string): Generator<Die> {
    if (this.typesByName) {
      for (const off of this.typesByName.get(name) ?? []) yield* this.diesAt([off]);
      return;
    }
    for (const e of this.unitEntries) {
      for (const t of this.topLevelOf(e) ?? []) if (typeKey(t) === name) yield* this.diesAt([t.offset]);
    }
  }

  /**
   * Whether a unit may hold a top-level enumeration with an enumerator of this name (from the scan,
   * without parsing the unit), so a search over all units parses only the ones that do. True when the
   * scan failed, so such a unit is still parsed (and its problem reported) as before.
   */
  unitMayHaveEnumerator(cu: CompileUnit, enumerator: string): boolean {
    const e = this.unitEntries[this.units.indexOf(cu)];
    if (!e) return true;
    const entries = this.topLevelOf(e);
    return entries === null || entries.some((t) => t.enumerators?.includes(enumerator));
  }

  /**
   * globalDies(name) without the declarations (DW_AT_declaration: the `extern` every unit including the
   * header has), whose units are then not parsed. Only definitions carry a location or a constant value.
   */
  globalDefinitions(name: string): Die[] {
    this.buildNameIndexes();
    return this.diesAt((this.globalsByName!.get(name) ?? []).filter((off) => !this.declarationOffsets!.has(off)));
  }

  /** A unit's top-level entries, scanned once (a failure is recorded once and the unit skipped). */
  private topLevelOf(e: UnitEntry): TopLevelEntry[] | null {
    if (e.topLevel === undefined) {
      try { e.topLevel = e.cu.scanTopLevel(); } catch (err) { e.topLevel = null; this.degrade(err); }
    }
    return e.topLevel;
  }
  /** All type names of the index (for completions). */
  typeNames(): string[] { this.buildNameIndexes(); return [...this.typesByName!.keys()]; }
  functionNames(): string[] { this.buildNameIndexes(); return [...this.functionsByName!.keys()]; }
  globalNames(): string[] { this.buildNameIndexes(); return [...this.globalsByName!.keys()]; }

  /**
   * A named type: "struct task_struct", "union x", "enum x", a typedef or a base type ("unsigned long"
   * finds DWARF's "long unsigned int"). Declarations are completed from the defining unit. Base types
   * the program never mentions are synthesized (i386 sizes), so casts like (unsigned short)x always work.
   */
  findType(name: string): Type | undefined {
    const n = name.trim().replace(/\s+/g, ' ');
    const tryName = (k: string): Type | undefined => {
      const def = this.typeDefinition(k);
      return def ? this.types.fromDie(def) : undefined;
    };
    const direct = tryName(n);
    if (direct) return direct;
    const base = C_BASE_TYPES[n];
    if (base) return tryName(base.name) ?? { ...base };
    return undefined;
  }

  /**
   * Out-of-line functions named `name` (static functions of several units give several), from DWARF;
   * for names only the ELF symbol table knows (asm routines, labels), a symbol-based entry.
   */
  findFunctions(name: string): FunctionInfo[] {
    const out: FunctionInfo[] = [];
    const seen = new Set<number>();
    // Declarations (DW_AT_declaration: the prototype every unit including the header has) carry no code:
    // skipping them by the index's flag leaves their units unparsed.
    this.buildNameIndexes();
    const definitions = (this.functionsByName!.get(name) ?? []).filter((off) => !this.declarationOffsets!.has(off));
    for (const d of this.diesAt(definitions)) {
      const info = this.functionInfo(d);
      if (info.ranges.length && !seen.has(info.lowPc)) { seen.add(info.lowPc); out.push(info); }
    }
    for (const s of this.lookupSymbol(name)) {
      if (seen.has(s.value) || !this.isExecutable(s.value)) continue;
      seen.add(s.value);
      const end = s.value + (s.size || this.symbolExtent(s.value));
      out.push({ name, lowPc: s.value, highPc: end, ranges: [{ start: s.value, end }], external: s.bind !== 'local', unit: '' });
    }
    return out;
  }

  /**
   * Every address where a breakpoint on function `name` must be planted, ascending: each out-of-line
   * copy past its prologue, each inlined instance at the start of its first non-empty range,
   * asm routines and labels at their symbol. Like gdb's locations for `break name`.
   */
  breakpointAddresses(name: string): number[] {
    const out = new Set<number>();
    for (const f of this.findFunctions(name)) {
      const a = this.postPrologueAddress(f);
      if (a !== undefined) out.add(a);
    }
    for (const d of this.inlinedInstances(name)) {
      // gdb's block entry: the start of the first non-empty range as listed (DW_AT_entry_pc often names
      // an address of an empty range, where no instruction of the instance is).
      const ranges = dieRanges(d);
      if (ranges.length) out.add(ranges[0].start);
    }
    return [...out].sort((a, b) => a - b);
  }

  /**
   * All DW_TAG_inlined_subroutine DIEs (anywhere in any unit) that are instances of function `name`, in
   * unit and tree order. An inlined instance names its function through DW_AT_abstract_origin, which
   * points at the function's abstract instance root (DWARF 5 3.3.8.2): a top-level subprogram named
   * `name`, not a declaration, in the same unit unless the unit uses section-wide references. So only
   * the units holding such a DIE, plus units with cross-unit references, are parsed and walked.
   */
  inlinedInstances(name: string): Die[] {
    let found = this.inlineByName.get(name);
    if (found) return found;
    this.buildNameIndexes();
    const holders = new Set<CompileUnit>();
    for (const off of this.functionsByName!.get(name) ?? []) {
      if (this.declarationOffsets!.has(off)) continue;     // a prototype is never an abstract instance root
      const cu = this.unitOfOffset(off);
      if (cu) holders.add(cu);
    }
    found = [];
    for (const e of this.unitEntries) {
      if (!holders.has(e.cu) && !this.crossUnit(e)) continue;
      const root = this.unitRoot(e.cu);
      if (!root) continue;
      const walk = (d: Die) => {
        for (const c of d.children) {
          if (c.tag === DW_TAG.inlined_subroutine && c.resolvedName() === name) found!.push(c);
          if (c.children.length) walk(c);
        }
      };
      walk(root);
    }
    this.inlineByName.set(name, found);
    return found;
  }
  private readonly inlineByName = new Map<string, Die[]>();

  /** The unit whose .debug_info range holds a section offset. */
  private unitOfOffset(offset: number): CompileUnit | undefined {
    const units = this.units;
    let lo = 0, hi = units.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const u = units[mid];
      if (offset < u.offset) hi = mid - 1; else if (offset >= u.end) lo = mid + 1; else return u;
    }
    return undefined;
  }

  private crossUnit(e: UnitEntry): boolean {
    if (e.crossUnit === undefined) {
      try { e.crossUnit = e.cu.refersToOtherUnits; } catch (err) { this.degrade(err); e.crossUnit = true; }
    }
    return e.crossUnit;
  }

  /**
   * First address after a function's prologue — where `break func` stops, following gdb's i386 rule:
   * a prologue_end row in the function if the compiler marked one; otherwise skip the frame set-up
   * instructions (stack realignment of main, push %ebp; mov %esp,%ebp; pushes of callee-saved
   * registers) and, when that lands inside a line-table row, move to the start of the next row.
   * Asm labels and functions without line info are returned unchanged.
   */
  postPrologueAddress(fn: FunctionInfo | string): number | undefined {
    const f = typeof fn === 'string' ? this.findFunctions(fn)[0] : fn;
    if (!f) return undefined;
    const start = f.lowPc;
    if (!f.die) return start;
    // gdb trusts the variable locations of optimized gcc (>= 4.5) code, i.e. of units with location
    // lists, from the first instruction on, and stops at the entry without skipping a prologue.
    if (this.locationsValidFromEntry(f.die.cu)) return start;
    // The function's own unit's line index answers for its addresses (all units' only as a fallback).
    const unit = this.unitEntries.find((e) => e.cu === f.die!.cu);
    let idx = unit ? this.unitLines(unit) : undefined;
    let first = idx?.lookup(start);
    if (!idx || !first) { idx = this.lines(); first = idx.lookup(start); }
    if (!first) return start;
    // prologue_end marker inside the function's first range.
    for (let i = idx.entries.indexOf(first); i >= 0 && i < idx.entries.length; i++) {
      const e = idx.entries[i];
      if (e.row.address >= f.highPc || (e.row.endSequence && e.row.address > start)) break;
      if (e.row.prologueEnd && e.row.address >= start) return e.row.address;
    }
    const pc = skipFrameSetup(this.elf, start, f.highPc);
    if (pc === start) return start;
    const row = idx.lookup(pc);
    if (row && row.row.address === pc) return pc;
    const next = idx.rangeEnd(pc);
    if (next !== undefined && next < f.highPc) return next;
    return pc;
  }
}

/** The key of a top-level type DIE in the type index: "struct x", "union x", "enum x", a typedef or base type name. */
function typeKey(d: TopLevelEntry): string | undefined {
  const name = d.name;
  if (!name) return undefined;
  switch (d.tag) {
    case DW_TAG.structure_type: return `struct ${name}`;
    case DW_TAG.union_type: return `union ${name}`;
    case DW_TAG.enumeration_type: return `enum ${name}`;
    case DW_TAG.typedef: case DW_TAG.base_type: return name;
    default: return undefined;
  }
}

/**
 * The rows of a line table per source file, as a debugger should offer them for breakpoints (gdb's
 * rules, so both agree): when the file changes at an address, the previous file's rows at that same
 * address are dropped (they describe no instructions of that file — typical when an inlined header
 * function starts right at a function's entry); a non-statement row that switches file at an address
 * that already had a statement row is ignored; a repeated row of the same line is dropped when the
 * line has had a non-zero discriminator.
 */
export function breakableRows(table: LineTable, onlyFile?: string): Map<string, { address: number; line: number; isStmt: boolean }[]> {
  // With `onlyFile`, the same walk keeps that file's rows only (the others' rows decide nothing for it).
  const out = new Map<string, { address: number; line: number; isStmt: boolean }[]>();
  const vec = (p: string) => { let v = out.get(p); if (!v) { v = []; out.set(p, v); } return v; };
  // "End marker" for a file at an address: its trailing rows at that address go.
  const finish = (p: string | undefined, addr: number) => {
    if (p === undefined || (onlyFile !== undefined && p !== onlyFile)) return;
    const v = vec(p);
    while (v.length && v[v.length - 1].address === addr) v.pop();
  };
  let lastFile: string | undefined;
  let lastLine = 0;
  let lastAddress = -1;
  let nonZeroDisc = false;
  let discLine = -1;
  let stmtAtAddress = false;     // a statement row was seen at lastAddress
  for (const row of table.rows) {
    const path = table.files[row.file]?.path ?? '??';
    if (row.line !== discLine) { discLine = row.line; nonZeroDisc = false; }
    if (row.discriminator !== 0) nonZeroDisc = true;
    if (row.endSequence) {
      finish(lastFile, row.address);
      if (lastAddress !== row.address) { stmtAtAddress = false; lastAddress = row.address; }
      continue;
    }
    const fileChanged = path !== lastFile;
    const ignore = (fileChanged && lastAddress === row.address && !row.isStmt && stmtAtAddress) || row.line === 0;
    if (fileChanged && !ignore) finish(lastFile, row.address);
    if (!ignore) {
      if ((fileChanged || row.line !== lastLine || !nonZeroDisc) && (onlyFile === undefined || path === onlyFile)) {
        vec(path).push({ address: row.address, line: row.line, isStmt: row.isStmt });
      }
      lastFile = path;
      lastLine = row.line;
    }
    if (lastAddress !== row.address) { stmtAtAddress = false; lastAddress = row.address; }
    stmtAtAddress ||= row.isStmt;
  }
  for (const v of out.values()) v.sort((a, b) => a.address - b.address);
  return out;
}

/** Reads code bytes at a virtual address from the file (for prologue analysis). */
function codeBytes(elf: ElfFile, addr: number, len: number): Uint8Array | undefined {
  const s = elf.sectionAt(addr);
  if (!s) return undefined;
  const data = elf.sectionData(s);
  const off = addr - s.addr;
  return data.subarray(off, Math.min(off + len, data.length));
}

/**
 * Skips the i386 frame set-up gcc emits: optional stack realignment (lea 0x4(%esp),%ecx; and $-N,%esp;
 * pushl -0x4(%ecx)), push %ebp; mov %esp,%ebp, then push of %ebx/%esi/%edi/%ecx. Returns the address
 * after it (the start when the function does not begin with push %ebp).
 */
export function skipFrameSetup(elf: ElfFile, start: number, end: number): number {
  const b = codeBytes(elf, start, 32);
  if (!b) return start;
  let i = 0;
  if (b[0] === 0x8d && b[1] === 0x4c && b[2] === 0x24 && b[3] === 0x04) {          // lea 0x4(%esp),%ecx
    i = 4;
    if (b[i] === 0x83 && b[i + 1] === 0xe4) i += 3;                                  // and $imm8,%esp
    else if (b[i] === 0x81 && b[i + 1] === 0xe4) i += 6;                             // and $imm32,%esp
    if (b[i] === 0xff && b[i + 1] === 0x71 && b[i + 2] === 0xfc) i += 3;             // pushl -0x4(%ecx)
  }
  if (b[i] !== 0x55) return start;                                                   // push %ebp
  i++;
  if ((b[i] === 0x89 && b[i + 1] === 0xe5) || (b[i] === 0x8b && b[i + 1] === 0xec)) i += 2; // mov %esp,%ebp
  else return start;
  while (i < b.length && (b[i] === 0x53 || b[i] === 0x56 || b[i] === 0x57 || b[i] === 0x51)) i++;
  return Math.min(start + i, end);
}

/** C base type spellings → DWARF names and i386 sizes. */
const C_BASE_TYPES: Record<string, BaseType> = (() => {
  const t: Record<string, BaseType> = {};
  const add = (names: string[], name: string, size: number, encoding: BaseType['encoding']) => {
    for (const n of names) t[n] = { kind: 'base', name, size, encoding };
  };
  add(['char'], 'char', 1, 'signed-char');
  add(['signed char'], 'signed char', 1, 'signed-char');
  add(['unsigned char'], 'unsigned char', 1, 'unsigned-char');
  add(['short', 'short int', 'signed short', 'signed short int'], 'short int', 2, 'signed');
  add(['unsigned short', 'unsigned short int', 'short unsigned int'], 'short unsigned int', 2, 'unsigned');
  add(['int', 'signed', 'signed int'], 'int', 4, 'signed');
  add(['unsigned', 'unsigned int'], 'unsigned int', 4, 'unsigned');
  add(['long', 'long int', 'signed long', 'signed long int'], 'long int', 4, 'signed');
  add(['unsigned long', 'unsigned long int', 'long unsigned int'], 'long unsigned int', 4, 'unsigned');
  add(['long long', 'long long int', 'signed long long'], 'long long int', 8, 'signed');
  add(['unsigned long long', 'unsigned long long int', 'long long unsigned int'], 'long long unsigned int', 8, 'unsigned');
  add(['_Bool'], '_Bool', 1, 'bool');
  add(['float'], 'float', 4, 'float');
  add(['double'], 'double', 8, 'float');
  return t;
})();
