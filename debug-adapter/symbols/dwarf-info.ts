import { ByteReader, stringAt } from './byte-reader';
import { SymbolsError } from './errors';
import * as dwarfConstants from './dwarf-constants';
// Bound once: module-namespace reads are getters under CommonJS transpilers; these are hot.
const { DW_AT, DW_FORM, DW_TAG, DW_UT } = dwarfConstants;
import { ElfFile } from './elf';

/**
 * .debug_info / .debug_abbrev: compile units and their trees of DIEs (debugging information entries).
 *
 * A DIE is a tag (what it describes: a variable, a struct, a function...) plus attributes; the abbrev
 * table says, for each abbreviation code, which attributes a DIE with that code carries and in which
 * "form" (encoding) each value is stored. Attribute values are kept raw here and interpreted on access
 * (a string offset becomes a string only when someone asks for the name), so parsing a unit is one pass
 * of cursor moves.
 */

export interface DwarfSections {
  info: Uint8Array; abbrev: Uint8Array; str: Uint8Array; lineStr: Uint8Array; strOffsets: Uint8Array;
  addr: Uint8Array; line: Uint8Array; aranges: Uint8Array; ranges: Uint8Array; rnglists: Uint8Array;
  loc: Uint8Array; loclists: Uint8Array; frame: Uint8Array; ehFrame: Uint8Array; ehFrameAddr: number;
}

export function dwarfSections(elf: ElfFile): DwarfSections {
  const d = (n: string) => elf.sectionData(n);
  return {
    info: d('.debug_info'), abbrev: d('.debug_abbrev'), str: d('.debug_str'), lineStr: d('.debug_line_str'),
    strOffsets: d('.debug_str_offsets'), addr: d('.debug_addr'), line: d('.debug_line'),
    aranges: d('.debug_aranges'), ranges: d('.debug_ranges'), rnglists: d('.debug_rnglists'),
    loc: d('.debug_loc'), loclists: d('.debug_loclists'), frame: d('.debug_frame'), ehFrame: d('.eh_frame'),
    ehFrameAddr: elf.section('.eh_frame')?.addr ?? 0,
  };
}

export interface Abbrev {
  code: number;
  tag: number;
  hasChildren: boolean;
  attrs: number[];
  forms: number[];
  /** DW_FORM_implicit_const values (the value lives in the abbrev, not in the DIE). */
  implicit: number[];
}

const abbrevCache = new WeakMap<Uint8Array, Map<number, Map<number, Abbrev>>>();

export function readAbbrevTable(section: Uint8Array, offset: number): Map<number, Abbrev> {
  let perSection = abbrevCache.get(section);
  if (!perSection) { perSection = new Map(); abbrevCache.set(section, perSection); }
  const hit = perSection.get(offset);
  if (hit) return hit;
  const table = new Map<number, Abbrev>();
  const r = new ByteReader(section, '.debug_abbrev', offset);
  for (;;) {
    const code = r.uleb();
    if (code === 0) break;
    const tag = r.uleb();
    const hasChildren = r.u8() !== 0;
    const attrs: number[] = [], forms: number[] = [], implicit: number[] = [];
    for (;;) {
      const at = r.uleb(), form = r.uleb();
      if (at === 0 && form === 0) break;
      attrs.push(at); forms.push(form);
      implicit.push(form === DW_FORM.implicit_const ? r.sleb() : 0);
    }
    table.set(code, { code, tag, hasChildren, attrs, forms, implicit });
  }
  perSection.set(offset, table);
  return table;
}

export type RawValue = number | string | Uint8Array;

const NO_CHILDREN: Die[] = [];

export class Die {
  children: Die[] = NO_CHILDREN;
  parent: Die | undefined;
  constructor(
    readonly cu: CompileUnit,
    readonly offset: number,
    readonly abbrev: Abbrev,
    readonly values: RawValue[],
  ) {}

  get tag(): number { return this.abbrev.tag; }

  has(at: number): boolean { return this.abbrev.attrs.indexOf(at) >= 0; }
  form(at: number): number | undefined {
    const i = this.abbrev.attrs.indexOf(at);
    return i < 0 ? undefined : this.abbrev.forms[i];
  }
  raw(at: number): RawValue | undefined {
    const i = this.abbrev.attrs.indexOf(at);
    return i < 0 ? undefined : this.values[i];
  }

  /** Attribute value interpreted by its form: strings resolved, references made section-absolute, indexed addresses fetched. */
  attr(at: number): RawValue | undefined {
    const i = this.abbrev.attrs.indexOf(at);
    if (i < 0) return undefined;
    return this.cu.interpret(this.abbrev.forms[i], this.values[i]);
  }
  str(at: number): string | undefined {
    const v = this.attr(at);
    return typeof v === 'string' ? v : undefined;
  }
  num(at: number): number | undefined {
    const v = this.attr(at);
    return typeof v === 'number' ? v : undefined;
  }
  /** A reference attribute as a DIE (possibly in another unit). */
  ref(at: number): Die | undefined {
    const i = this.abbrev.attrs.indexOf(at);
    if (i < 0) return undefined;
    const form = this.abbrev.forms[i];
    if (!isRefForm(form)) return undefined;
    const off = this.cu.interpret(form, this.values[i]) as number;
    return this.cu.owner.dieAt(off);
  }
  get name(): string | undefined { return this.str(DW_AT.name); }
  get flagDeclaration(): boolean { return this.has(DW_AT.declaration) && this.attr(DW_AT.declaration) !== 0; }

  /** Name, following abstract_origin / specification links (inlined and out-of-line instances). */
  resolvedName(): string | undefined {
    let d: Die | undefined = this;
    for (let i = 0; d && i < 8; i++) {
      const n = d.name;
      if (n !== undefined) return n;
      d = d.ref(DW_AT.abstract_origin) ?? d.ref(DW_AT.specification);
    }
    return undefined;
  }

  /** Attribute from this DIE or, when absent, from its abstract origin / specification. */
  inherited(at: number): Die | undefined {
    let d: Die | undefined = this;
    for (let i = 0; d && i < 8; i++) {
      if (d.has(at)) return d;
      d = d.ref(DW_AT.abstract_origin) ?? d.ref(DW_AT.specification);
    }
    return undefined;
  }
}

/** A top-level DIE of a unit as CompileUnit.scanTopLevel() reports it (offsets are section-absolute). */
export interface TopLevelEntry {
  offset: number;
  tag: number;
  name: string | undefined;
  /** Targets of DW_AT_abstract_origin / DW_AT_specification (where an unnamed DIE takes its name). */
  origin: number | undefined;
  specification: number | undefined;
  /** DW_AT_declaration is set (a declaration, not a definition). */
  declaration: boolean;
  /** For an enumeration type: the names of its enumerators. */
  enumerators?: string[];
}

const strCaches = new WeakMap<Uint8Array, Map<number, string>>();
/**
 * The .debug_str string at `offset`, decoded once per offset: the linker merges identical strings, so
 * the same offset ("task_struct", "list_head", ...) is asked for by DIEs in every unit.
 */
function debugStr(section: Uint8Array, offset: number): string {
  let cache = strCaches.get(section);
  if (!cache) { cache = new Map(); strCaches.set(section, cache); }
  let str = cache.get(offset);
  if (str === undefined) { str = stringAt(section, offset, '.debug_str'); cache.set(offset, str); }
  return str;
}

/** The forms CompileUnit.readForm understands. */
const KNOWN_FORMS = new Set<number>([
  DW_FORM.addr, DW_FORM.data1, DW_FORM.ref1, DW_FORM.flag, DW_FORM.strx1, DW_FORM.addrx1, DW_FORM.data2, DW_FORM.ref2,
  DW_FORM.strx2, DW_FORM.addrx2, DW_FORM.strx3, DW_FORM.addrx3, DW_FORM.data4, DW_FORM.ref4, DW_FORM.strx4, DW_FORM.addrx4,
  DW_FORM.ref_sup4, DW_FORM.data8, DW_FORM.ref8, DW_FORM.ref_sig8, DW_FORM.ref_sup8, DW_FORM.data16, DW_FORM.sdata,
  DW_FORM.udata, DW_FORM.ref_udata, DW_FORM.strx, DW_FORM.addrx, DW_FORM.loclistx, DW_FORM.rnglistx,
  DW_FORM.GNU_addr_index, DW_FORM.GNU_str_index, DW_FORM.string, DW_FORM.strp, DW_FORM.line_strp, DW_FORM.sec_offset,
  DW_FORM.strp_sup, DW_FORM.GNU_ref_alt, DW_FORM.GNU_strp_alt, DW_FORM.ref_addr, DW_FORM.block1, DW_FORM.block2,
  DW_FORM.block4, DW_FORM.block, DW_FORM.exprloc, DW_FORM.flag_present, DW_FORM.implicit_const, DW_FORM.indirect,
]);
/** Forms whose reference may leave the unit (or, for indirect, may be such a form). */
const CROSS_UNIT_FORMS = new Set<number>([
  DW_FORM.ref_addr, DW_FORM.ref_sig8, DW_FORM.GNU_ref_alt, DW_FORM.ref_sup4, DW_FORM.ref_sup8, DW_FORM.indirect,
]);
const summaries = new WeakMap<Map<number, Abbrev>, { allKnown: boolean; crossUnit: boolean }>();

/**
 * One pass over an abbreviation table's forms (cached per table): whether readForm knows them all, and
 * whether any may reference another unit.
 */
function formSummary(abbrevs: Map<number, Abbrev>): { allKnown: boolean; crossUnit: boolean } {
  let s = summaries.get(abbrevs);
  if (!s) {
    s = { allKnown: true, crossUnit: false };
    for (const a of abbrevs.values()) {
      for (const f of a.forms) {
        if (!KNOWN_FORMS.has(f)) s.allKnown = false;
        if (CROSS_UNIT_FORMS.has(f)) s.crossUnit = true;
      }
    }
    summaries.set(abbrevs, s);
  }
  return s;
}

/** Section offset named by a reference attribute of a parsed DIE. */
function refTarget(d: Die, at: number): number | undefined {
  const form = d.form(at);
  if (form === undefined || !isRefForm(form)) return undefined;
  const v = d.attr(at);
  return typeof v === 'number' ? v : undefined;
}

export function isRefForm(form: number): boolean {
  return form === DW_FORM.ref1 || form === DW_FORM.ref2 || form === DW_FORM.ref4 || form === DW_FORM.ref8 ||
    form === DW_FORM.ref_udata || form === DW_FORM.ref_addr;
}

export function isConstantForm(form: number): boolean {
  return form === DW_FORM.data1 || form === DW_FORM.data2 || form === DW_FORM.data4 || form === DW_FORM.data8 ||
    form === DW_FORM.sdata || form === DW_FORM.udata || form === DW_FORM.implicit_const;
}

export function isBlockForm(form: number): boolean {
  return form === DW_FORM.exprloc || form === DW_FORM.block || form === DW_FORM.block1 ||
    form === DW_FORM.block2 || form === DW_FORM.block4;
}

/** Anything that can look DIEs up by section offset (the whole program). */
export interface DieDirectory {
  readonly sections: DwarfSections;
  dieAt(offset: number): Die | undefined;
}

export class CompileUnit {
  readonly version: number;
  readonly unitType: number;
  readonly addrSize: number;
  readonly offsetSize: number;
  readonly abbrevOffset: number;
  /** Section offset just past the unit. */
  readonly end: number;
  /** Section offset of the first DIE. */
  readonly dieStart: number;
  strOffsetsBase = 8;
  addrBase = 8;
  rnglistsBase = 0;
  loclistsBase = 0;
  private rootDie?: Die;
  private dies?: Map<number, Die>;
  private abbrevs?: Map<number, Abbrev>;
  private headerRoot?: Die;

  constructor(readonly owner: DieDirectory, readonly offset: number) {
    const r = new ByteReader(owner.sections.info, '.debug_info', offset);
    let len = r.u32();
    this.offsetSize = 4;
    if (len === 0xffffffff) { len = r.u64(); this.offsetSize = 8; }
    else if (len >= 0xfffffff0) r.fail(`reserved unit length 0x${len.toString(16)}`, offset);
    this.end = r.pos + len;
    if (this.end > r.length) r.fail(`unit length 0x${len.toString(16)} runs past the end of the section`, offset);
    this.version = r.u16();
    if (this.version < 2 || this.version > 5) r.fail(`unsupported DWARF version ${this.version}`, offset + 4);
    if (this.version >= 5) {
      this.unitType = r.u8();
      this.addrSize = r.u8();
      this.abbrevOffset = r.uN(this.offsetSize);
      if (this.unitType === DW_UT.skeleton || this.unitType === DW_UT.split_compile) r.skip(8);
      else if (this.unitType === DW_UT.type || this.unitType === DW_UT.split_type) r.skip(8 + this.offsetSize);
    } else {
      this.unitType = DW_UT.compile;
      this.abbrevOffset = r.uN(this.offsetSize);
      this.addrSize = r.u8();
    }
    if (this.addrSize !== 4 && this.addrSize !== 8) r.fail(`unsupported address size ${this.addrSize}`);
    this.dieStart = r.pos;
  }

  private abbrevTable(): Map<number, Abbrev> {
    if (!this.abbrevs) this.abbrevs = readAbbrevTable(this.owner.sections.abbrev, this.abbrevOffset);
    return this.abbrevs;
  }

  /**
   * The unit's root DIE only (DW_TAG_compile_unit with name, comp_dir, pcs, stmt_list and the DWARF 5
   * bases), without parsing the children — cheap enough to do for every unit at load time.
   */
  header(): Die {
    if (this.rootDie) return this.rootDie;
    if (this.headerRoot) return this.headerRoot;
    const r: ByteReader = new ByteReader(this.owner.sections.info, '.debug_info', this.dieStart);
    const die = this.readDie(r, this.abbrevTable());
    if (!die) r.fail('unit has no root DIE', this.dieStart);
    this.applyBases(die);
    this.headerRoot = die;
    return die;
  }

  private applyBases(root: Die): void {
    const v = (at: number) => { const x = root.raw(at); return typeof x === 'number' ? x : undefined; };
    this.strOffsetsBase = v(DW_AT.str_offsets_base) ?? this.strOffsetsBase;
    this.addrBase = v(DW_AT.addr_base) ?? this.addrBase;
    this.rnglistsBase = v(DW_AT.rnglists_base) ?? this.rnglistsBase;
    this.loclistsBase = v(DW_AT.loclists_base) ?? this.loclistsBase;
  }

  /**
   * Whether a DIE of this unit may reference a DIE of another unit (an abbreviation uses ref_addr or
   * another section-wide reference form); without, every reference stays inside the unit.
   */
  get refersToOtherUnits(): boolean { return formSummary(this.abbrevTable()).crossUnit; }

  /** The full DIE tree of this unit (parsed on first use). */
  root(): Die {
    if (this.rootDie) return this.rootDie;
    const abbrevs = this.abbrevTable();
    const r: ByteReader = new ByteReader(this.owner.sections.info, '.debug_info', this.dieStart);
    const dies = new Map<number, Die>();
    const stack: Die[] = [];
    let root: Die | undefined;
    while (r.pos < this.end) {
      const die = this.readDie(r, abbrevs);
      if (!die) {                       // null entry: end of the current sibling list
        stack.pop();
        if (stack.length === 0) break;
        continue;
      }
      dies.set(die.offset, die);
      const parent = stack[stack.length - 1];
      if (parent) {
        die.parent = parent;
        if (parent.children === NO_CHILDREN) parent.children = [];
        parent.children.push(die);
      } else if (!root) root = die;
      if (die.abbrev.hasChildren) stack.push(die);
      else if (!parent) break;
    }
    if (!root) r.fail('unit has no root DIE', this.dieStart);
    this.applyBases(root);
    this.dies = dies;
    this.rootDie = root;
    return root;
  }

  /**
   * The unit's top-level DIEs (children of the root) as plain records, without building the DIE tree:
   * a cursor pass that decodes only the attributes a name index needs and jumps over subtrees by
   * DW_AT_sibling when the producer recorded it (gcc does for DIEs with children), else skips them
   * attribute by attribute. A few times cheaper than root() and allocation-free below the top level, so
   * the program's name index can cover every unit without materialising every unit's DIEs.
   * Throws SymbolsError on malformed input, like root().
   */
  scanTopLevel(): TopLevelEntry[] {
    if (this.rootDie) {
      return this.rootDie.children.map((d) => ({
        offset: d.offset, tag: d.tag, name: d.name,
        origin: refTarget(d, DW_AT.abstract_origin), specification: refTarget(d, DW_AT.specification),
        declaration: d.flagDeclaration,
        enumerators: d.tag === DW_TAG.enumeration_type
          ? d.children.filter((c) => c.tag === DW_TAG.enumerator && c.name !== undefined).map((c) => c.name!) : undefined,
      }));
    }
    this.header();                        // the root's DWARF 5 bases (str_offsets_base...) for strx names
    const abbrevs = this.abbrevTable();
    // Subtrees are jumped over only when every abbreviation's forms can be read: otherwise the walk
    // visits every DIE, so a malformed one fails the scan at the same place as root() (and strict loads
    // report the same error).
    const jump = formSummary(abbrevs).allKnown;
    const r: ByteReader = new ByteReader(this.owner.sections.info, '.debug_info', this.dieStart);
    const out: TopLevelEntry[] = [];
    let depth = 0;
    // The top-level enumeration whose children (its enumerators) are being read, whose names are kept.
    let enumeration: TopLevelEntry | undefined;
    while (r.pos < this.end) {
      const offset = r.pos;
      const code = r.uleb();
      if (code === 0) {                   // null entry: end of the current sibling list
        if (--depth <= 0) break;
        if (depth === 1) enumeration = undefined;
        continue;
      }
      const ab = abbrevs.get(code);
      if (!ab) r.fail(`unknown abbreviation code ${code} (abbrev table at 0x${this.abbrevOffset.toString(16)})`, offset);
      let sibling = -1;
      if (depth === 1) {
        // A top-level DIE: keep what a name index needs.
        let name: string | undefined, origin: number | undefined, specification: number | undefined;
        let declaration = false;
        for (let i = 0; i < ab.forms.length; i++) {
          const at = ab.attrs[i], form = ab.forms[i];
          if (at === DW_AT.name || at === DW_AT.abstract_origin || at === DW_AT.specification || at === DW_AT.declaration || at === DW_AT.sibling) {
            const v = this.interpret(form, this.readForm(r, form, ab.implicit[i]));
            if (at === DW_AT.name) { if (typeof v === 'string') name = v; }
            else if (at === DW_AT.declaration) declaration = v !== 0;
            else if (isRefForm(form) && typeof v === 'number') {
              if (at === DW_AT.abstract_origin) origin = v; else if (at === DW_AT.specification) specification = v; else sibling = v;
            }
          } else this.skipForm(r, form);
        }
        const entry: TopLevelEntry = { offset, tag: ab.tag, name, origin, specification, declaration };
        if (ab.tag === DW_TAG.enumeration_type) {
          entry.enumerators = [];
          if (ab.hasChildren) { enumeration = entry; sibling = -1; }    // read its children below
        }
        out.push(entry);
      } else if (depth === 2 && enumeration && ab.tag === DW_TAG.enumerator) {
        for (let i = 0; i < ab.forms.length; i++) {
          const form = ab.forms[i];
          if (ab.attrs[i] === DW_AT.name) {
            const v = this.interpret(form, this.readForm(r, form, ab.implicit[i]));
            if (typeof v === 'string') enumeration.enumerators!.push(v);
          } else this.skipForm(r, form);
        }
      } else {
        for (let i = 0; i < ab.forms.length; i++) {
          const form = ab.forms[i];
          if (ab.attrs[i] === DW_AT.sibling && isRefForm(form)) sibling = this.interpret(form, this.readForm(r, form, 0)) as number;
          else this.skipForm(r, form);
        }
      }
      if (!ab.hasChildren) {
        if (depth === 0) break;           // a root without children
        continue;
      }
      // Jump over the children when the sibling reference is usable (forward, inside the unit).
      if (jump && depth > 0 && sibling > r.pos && sibling <= this.end) r.pos = sibling;
      else depth++;
    }
    return out;
  }

  /** Advances past one attribute value of `form` without decoding it (as readForm would read it). */
  private skipForm(r: ByteReader, form: number): void {
    switch (form) {
      case DW_FORM.data1: case DW_FORM.ref1: case DW_FORM.flag: case DW_FORM.strx1: case DW_FORM.addrx1: r.skip(1); return;
      case DW_FORM.data2: case DW_FORM.ref2: case DW_FORM.strx2: case DW_FORM.addrx2: r.skip(2); return;
      case DW_FORM.strx3: case DW_FORM.addrx3: r.skip(3); return;
      case DW_FORM.data4: case DW_FORM.ref4: case DW_FORM.strx4: case DW_FORM.addrx4: case DW_FORM.ref_sup4: r.skip(4); return;
      case DW_FORM.data8: case DW_FORM.ref8: case DW_FORM.ref_sig8: case DW_FORM.ref_sup8: r.skip(8); return;
      case DW_FORM.strp: case DW_FORM.line_strp: case DW_FORM.sec_offset: case DW_FORM.strp_sup:
      case DW_FORM.GNU_ref_alt: case DW_FORM.GNU_strp_alt: r.skip(this.offsetSize); return;
      case DW_FORM.block1: r.skip(r.u8()); return;
      case DW_FORM.block2: r.skip(r.u16()); return;
      case DW_FORM.block4: r.skip(r.u32()); return;
      case DW_FORM.block: case DW_FORM.exprloc: r.skip(r.uleb()); return;
      case DW_FORM.flag_present: case DW_FORM.implicit_const: return;
      default: this.readForm(r, form, 0);   // LEB128s, strings, addresses, indirect, and the errors
    }
  }

  dieAt(offset: number): Die | undefined {
    this.root();
    return this.dies!.get(offset);
  }

  contains(offset: number): boolean { return offset >= this.offset && offset < this.end; }

  private readDie(r: ByteReader, abbrevs: Map<number, Abbrev>): Die | undefined {
    const offset = r.pos;
    const code = r.uleb();
    if (code === 0) return undefined;
    const ab = abbrevs.get(code);
    if (!ab) r.fail(`unknown abbreviation code ${code} (abbrev table at 0x${this.abbrevOffset.toString(16)})`, offset);
    const values: RawValue[] = new Array(ab.forms.length);
    for (let i = 0; i < ab.forms.length; i++) values[i] = this.readForm(r, ab.forms[i], ab.implicit[i]);
    return new Die(this, offset, ab, values);
  }

  /** Reads one attribute value in the given form (raw: offsets and indices are not yet resolved). */
  private readForm(r: ByteReader, form: number, implicit: number): RawValue {
    switch (form) {
      case DW_FORM.addr: return r.uN(this.addrSize);
      case DW_FORM.data1: case DW_FORM.ref1: case DW_FORM.flag: case DW_FORM.strx1: case DW_FORM.addrx1: return r.u8();
      case DW_FORM.data2: case DW_FORM.ref2: case DW_FORM.strx2: case DW_FORM.addrx2: return r.u16();
      case DW_FORM.strx3: case DW_FORM.addrx3: return r.u24();
      case DW_FORM.data4: case DW_FORM.ref4: case DW_FORM.strx4: case DW_FORM.addrx4: case DW_FORM.ref_sup4: return r.u32();
      case DW_FORM.data8: case DW_FORM.ref8: case DW_FORM.ref_sig8: case DW_FORM.ref_sup8: return r.u64();
      case DW_FORM.data16: return r.bytesN(16);
      case DW_FORM.sdata: return r.sleb();
      case DW_FORM.udata: case DW_FORM.ref_udata: case DW_FORM.strx: case DW_FORM.addrx: case DW_FORM.loclistx:
      case DW_FORM.rnglistx: case DW_FORM.GNU_addr_index: case DW_FORM.GNU_str_index: return r.uleb();
      case DW_FORM.string: return r.cstring();
      case DW_FORM.strp: case DW_FORM.line_strp: case DW_FORM.sec_offset: case DW_FORM.strp_sup:
      case DW_FORM.GNU_ref_alt: case DW_FORM.GNU_strp_alt: return r.uN(this.offsetSize);
      case DW_FORM.ref_addr: return r.uN(this.version <= 2 ? this.addrSize : this.offsetSize);
      case DW_FORM.block1: return r.bytesN(r.u8());
      case DW_FORM.block2: return r.bytesN(r.u16());
      case DW_FORM.block4: return r.bytesN(r.u32());
      case DW_FORM.block: case DW_FORM.exprloc: return r.bytesN(r.uleb());
      case DW_FORM.flag_present: return 1;
      case DW_FORM.implicit_const: return implicit;
      case DW_FORM.indirect: {
        const actual = r.uleb();
        // The value is stored in the actual form; remember it by wrapping the form into the result is not
        // possible for raw numbers, so resolve indirect forms eagerly to their interpreted value.
        return this.interpret(actual, this.readForm(r, actual, 0));
      }
      default:
        return r.fail(`unknown attribute form 0x${form.toString(16)}`);
    }
  }

  /** Interprets a raw value of a form: strings, absolute references, indexed addresses. */
  interpret(form: number, v: RawValue): RawValue {
    const s = this.owner.sections;
    switch (form) {
      case DW_FORM.strp: return debugStr(s.str, v as number);
      case DW_FORM.line_strp: return stringAt(s.lineStr, v as number, '.debug_line_str');
      case DW_FORM.strx: case DW_FORM.strx1: case DW_FORM.strx2: case DW_FORM.strx3: case DW_FORM.strx4:
      case DW_FORM.GNU_str_index: {
        const r = new ByteReader(s.strOffsets, '.debug_str_offsets', this.strOffsetsBase + (v as number) * this.offsetSize);
        return stringAt(s.str, r.uN(this.offsetSize), '.debug_str');
      }
      case DW_FORM.addrx: case DW_FORM.addrx1: case DW_FORM.addrx2: case DW_FORM.addrx3: case DW_FORM.addrx4:
      case DW_FORM.GNU_addr_index:
        return this.addressAtIndex(v as number);
      case DW_FORM.ref1: case DW_FORM.ref2: case DW_FORM.ref4: case DW_FORM.ref8: case DW_FORM.ref_udata:
        return this.offset + (v as number);
      default: return v;
    }
  }

  addressAtIndex(index: number): number {
    const r = new ByteReader(this.owner.sections.addr, '.debug_addr', this.addrBase + index * this.addrSize);
    return r.uN(this.addrSize);
  }

  get name(): string | undefined { return this.header().name; }
  get compDir(): string | undefined { return this.header().str(DW_AT.comp_dir); }
  get producer(): string | undefined { return this.header().str(DW_AT.producer); }
  get stmtList(): number | undefined {
    const h = this.header();
    const v = h.raw(DW_AT.stmt_list);
    return typeof v === 'number' ? v : undefined;
  }
  get isCompileUnit(): boolean {
    const t = this.header().tag;
    return t === DW_TAG.compile_unit || t === DW_TAG.partial_unit || t === DW_TAG.skeleton_unit;
  }
}

/** Walks the unit headers of .debug_info (nothing below the headers is parsed). */
export function readUnits(owner: DieDirectory): CompileUnit[] {
  const units: CompileUnit[] = [];
  const info = owner.sections.info;
  let off = 0;
  while (off < info.length) {
    const cu = new CompileUnit(owner, off);
    units.push(cu);
    if (cu.end <= off) throw new SymbolsError('.debug_info', off, 'unit does not advance');
    off = cu.end;
  }
  return units;
}
