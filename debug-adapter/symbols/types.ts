import * as dwarfConstants from './dwarf-constants';
// Bound once: module-namespace reads are getters under CommonJS transpilers; these are hot.
const { DW_AT, DW_ATE, DW_TAG } = dwarfConstants;
import { Die, isBlockForm } from './dwarf-info';

/**
 * C types built from DWARF type DIEs. Objects are created once per DIE (cached) and resolve their
 * referenced types lazily, so recursive types (struct task_struct { struct task_struct *parent; })
 * are plain object graphs. A struct declared but not defined in one unit ("struct opaque;") is
 * completed with the definition of the same name from another unit when one exists.
 */

export type BaseEncoding = 'signed' | 'unsigned' | 'float' | 'bool' | 'signed-char' | 'unsigned-char' | 'address' | 'other';

export interface BaseType { kind: 'base'; name: string; size: number; encoding: BaseEncoding }
export interface VoidType { kind: 'void'; size: number }
export interface PointerType { kind: 'pointer'; size: number; readonly target: Type }
export interface Member {
  name?: string;
  readonly type: Type;
  /** Byte offset of the member (for bitfields: byte containing the field's lowest bit). */
  offset: number;
  /** Bitfields: width in bits. */
  bitSize?: number;
  /** Bitfields: position of the lowest bit, counted from bit 0 of the struct (little-endian numbering). */
  bitPosition?: number;
}
export interface StructType {
  kind: 'struct' | 'union';
  name?: string;
  size: number;
  /** True when only a declaration exists anywhere in the program (members empty, size 0). */
  incomplete: boolean;
  readonly members: Member[];
}
export interface ArrayType {
  kind: 'array';
  readonly element: Type;
  /** Number of elements; undefined for a flexible array member / unknown bound. */
  count?: number;
  size: number;
}
export interface Enumerator { name: string; value: number }
export interface EnumType { kind: 'enum'; name?: string; size: number; enumerators: Enumerator[]; signed: boolean }
export interface TypedefType { kind: 'typedef'; name: string; readonly target: Type; size: number }
export interface QualifiedType { kind: 'qualified'; qualifier: 'const' | 'volatile' | 'restrict' | 'atomic'; readonly target: Type; size: number }
export interface FunctionType { kind: 'function'; readonly returns: Type; readonly params: Type[]; variadic: boolean; size: number }

export type Type = BaseType | VoidType | PointerType | StructType | ArrayType | EnumType | TypedefType | QualifiedType | FunctionType;

export const VOID: VoidType = { kind: 'void', size: 1 };

/** Strips typedefs and qualifiers. */
export function resolveType(t: Type): Type {
  let cur = t;
  for (let i = 0; i < 64 && (cur.kind === 'typedef' || cur.kind === 'qualified'); i++) cur = cur.target;
  return cur;
}

export function isIntegral(t: Type): boolean {
  const r = resolveType(t);
  return (r.kind === 'base' && r.encoding !== 'float') || r.kind === 'enum';
}
export function isSigned(t: Type): boolean {
  const r = resolveType(t);
  if (r.kind === 'base') return r.encoding === 'signed' || r.encoding === 'signed-char' || r.encoding === 'float';
  if (r.kind === 'enum') return r.signed;
  return false;
}

/** Anything that can find type DIEs by name across the program (the SymbolFile). */
export interface TypeDirectory {
  typeDies(name: string): Die[];
  /** The first non-declaration DIE of that type name (else the first declaration), parsing only its unit. */
  typeDefinition(name: string): Die | undefined;
}

export class TypeFactory {
  private readonly cache = new Map<number, Type>();
  constructor(private readonly dir: TypeDirectory, private readonly addrSize = 4) {}

  /** The type of a DIE's DW_AT_type (void when absent). */
  typeOf(die: Die): Type {
    const t = die.ref(DW_AT.type);
    return t ? this.fromDie(t) : VOID;
  }

  fromDie(die: Die): Type {
    const hit = this.cache.get(die.offset);
    if (hit) return hit;
    const t = this.build(die);
    this.cache.set(die.offset, t);
    return t;
  }

  private build(die: Die): Type {
    const self = this;
    const name = die.name;
    const size = die.num(DW_AT.byte_size);
    switch (die.tag) {
      case DW_TAG.base_type: {
        const enc = die.num(DW_AT.encoding) ?? 0;
        const encoding: BaseEncoding =
          enc === DW_ATE.signed ? 'signed' : enc === DW_ATE.unsigned ? 'unsigned' : enc === DW_ATE.float ? 'float'
            : enc === DW_ATE.boolean ? 'bool' : enc === DW_ATE.signed_char ? 'signed-char'
              : enc === DW_ATE.unsigned_char || enc === DW_ATE.UTF ? 'unsigned-char' : enc === DW_ATE.address ? 'address' : 'other';
        return { kind: 'base', name: name ?? '?', size: size ?? 0, encoding };
      }
      case DW_TAG.pointer_type: case DW_TAG.reference_type: {
        let target: Type | undefined;
        return { kind: 'pointer', size: size ?? this.addrSize, get target() { return target ??= self.typeOf(die); } };
      }
      case DW_TAG.typedef: {
        let target: Type | undefined;
        return {
          kind: 'typedef', name: name ?? '?',
          get target() { return target ??= self.typeOf(die); },
          get size() { return this.target.size; },
        };
      }
      case DW_TAG.const_type: case DW_TAG.volatile_type: case DW_TAG.restrict_type: case DW_TAG.atomic_type: {
        const qualifier = die.tag === DW_TAG.const_type ? 'const' : die.tag === DW_TAG.volatile_type ? 'volatile'
          : die.tag === DW_TAG.restrict_type ? 'restrict' : 'atomic';
        let target: Type | undefined;
        return {
          kind: 'qualified', qualifier,
          get target() { return target ??= self.typeOf(die); },
          get size() { return this.target.size; },
        };
      }
      case DW_TAG.structure_type: case DW_TAG.union_type: case DW_TAG.class_type: {
        const kind = die.tag === DW_TAG.union_type ? 'union' : 'struct';
        const def: Die = die;
        if (die.flagDeclaration && name) {
          // A declaration (`struct linux_binfmt;`) is completed from the unit that defines the type — on
          // first use of its size or members: its spelling, all a pointer to it shows, needs only the name,
          // and finding the definition parses that other unit's whole DIE tree.
          let full: StructType | null | undefined;
          const complete = (): StructType | null => {
            if (full === undefined) {
              const d = this.dir.typeDefinition(`${kind} ${name}`);
              const t = d && !d.flagDeclaration ? this.fromDie(d) : undefined;
              full = t && (t.kind === 'struct' || t.kind === 'union') ? t : null;
            }
            return full;
          };
          let own: Member[] | undefined;
          return {
            kind, name,
            get size() { return complete()?.size ?? size ?? 0; },
            get incomplete() { return complete()?.incomplete ?? true; },
            get members() { return complete()?.members ?? (own ??= self.members(def)); },
          };
        }
        let members: Member[] | undefined;
        return {
          kind, name, size: size ?? 0, incomplete: def.flagDeclaration,
          get members() { return members ??= self.members(def); },
        };
      }
      case DW_TAG.array_type: {
        // Multi-dimensional arrays are one DIE with several subranges: int a[2][3] is array(2) of array(3).
        const dims: (number | undefined)[] = [];
        for (const c of die.children) {
          if (c.tag !== DW_TAG.subrange_type) continue;
          const count = c.num(DW_AT.count);
          const upper = c.num(DW_AT.upper_bound);
          const lower = c.num(DW_AT.lower_bound) ?? 0;
          dims.push(count !== undefined ? count : upper !== undefined && c.form(DW_AT.upper_bound) !== undefined && !isBlockForm(c.form(DW_AT.upper_bound)!) ? upper - lower + 1 : undefined);
        }
        if (dims.length === 0) dims.push(undefined);
        let elem: Type | undefined;
        const element = () => elem ??= self.typeOf(die);
        const make = (i: number): ArrayType => {
          const count = dims[i];
          let inner: Type | undefined;
          const arr: ArrayType = {
            kind: 'array', count,
            get element() { return inner ??= i + 1 < dims.length ? make(i + 1) : element(); },
            get size() { return count === undefined ? 0 : count * this.element.size; },
          } as ArrayType;
          return arr;
        };
        return make(0);
      }
      case DW_TAG.enumeration_type: {
        const enumerators: Enumerator[] = [];
        for (const c of die.children) {
          if (c.tag === DW_TAG.enumerator) enumerators.push({ name: c.name ?? '?', value: c.num(DW_AT.const_value) ?? 0 });
        }
        const under = die.ref(DW_AT.type);
        const ut = under ? resolveType(this.fromDie(under)) : undefined;
        const signed = ut ? ut.kind === 'base' && (ut.encoding === 'signed' || ut.encoding === 'signed-char') : enumerators.some((e) => e.value < 0);
        // data1/2/4 enumerator values are stored unsigned; reinterpret for signed enums.
        const bytes = size ?? 4;
        if (signed) for (const e of enumerators) if (bytes < 8 && e.value >= 2 ** (bytes * 8 - 1) && e.value < 2 ** (bytes * 8)) e.value -= 2 ** (bytes * 8);
        return { kind: 'enum', name, size: bytes, enumerators, signed };
      }
      case DW_TAG.subroutine_type: case DW_TAG.subprogram: {
        let ret: Type | undefined, params: Type[] | undefined;
        const variadic = die.children.some((c) => c.tag === DW_TAG.unspecified_parameters);
        return {
          kind: 'function', variadic, size: 1,
          get returns() { return ret ??= self.typeOf(die); },
          get params() { return params ??= die.children.filter((c) => c.tag === DW_TAG.formal_parameter).map((c) => self.typeOf(c)); },
        };
      }
      case DW_TAG.unspecified_parameters:
      default:
        return VOID;
    }
  }

  private members(die: Die): Member[] {
    const out: Member[] = [];
    const self = this;
    for (const c of die.children) {
      if (c.tag !== DW_TAG.member) continue;
      let offset = 0;
      const locForm = c.form(DW_AT.data_member_location);
      if (locForm !== undefined) {
        const v = c.attr(DW_AT.data_member_location);
        if (typeof v === 'number') offset = v;
        else if (v instanceof Uint8Array) offset = constantMemberLocation(v);
      }
      const bitSize = c.num(DW_AT.bit_size);
      let bitPosition: number | undefined;
      if (bitSize !== undefined) {
        const dataBitOffset = c.num(DW_AT.data_bit_offset);
        if (dataBitOffset !== undefined) bitPosition = dataBitOffset;                     // DWARF 4/5 style
        else {
          // DWARF 2/3 style: DW_AT_bit_offset counts from the most significant bit of a storage unit
          // of DW_AT_byte_size bytes at data_member_location; convert to little-endian bit numbering.
          const storage = c.num(DW_AT.byte_size) ?? this.typeOf(c).size;
          const bitOffset = c.num(DW_AT.bit_offset) ?? 0;
          bitPosition = offset * 8 + storage * 8 - bitOffset - bitSize;
        }
        offset = Math.floor(bitPosition / 8);
      }
      let t: Type | undefined;
      out.push({ name: c.name, get type() { return t ??= self.typeOf(c); }, offset, bitSize, bitPosition });
    }
    return out;
  }
}

/** data_member_location given as an expression (DWARF 2): DW_OP_plus_uconst N (or DW_OP_constu N). */
function constantMemberLocation(expr: Uint8Array): number {
  if (expr.length >= 2 && (expr[0] === 0x23 || expr[0] === 0x10)) {
    let result = 0, mul = 1;
    for (let i = 1; i < expr.length; i++) {
      result += (expr[i] & 0x7f) * mul;
      mul *= 128;
      if (!(expr[i] & 0x80)) break;
    }
    return result;
  }
  return 0;
}

/** C spelling of a type, optionally declaring `name` ("char comm[16]", "int (*fn)(int)"). */
export function typeToString(t: Type, name = ''): string {
  switch (t.kind) {
    case 'void': return name ? `void ${name}` : 'void';
    case 'base': return name ? `${t.name} ${name}` : t.name;
    case 'struct': case 'union': { const b = `${t.kind} ${t.name ?? '{...}'}`; return name ? `${b} ${name}` : b; }
    case 'enum': { const b = `enum ${t.name ?? '{...}'}`; return name ? `${b} ${name}` : b; }
    case 'typedef': return name ? `${t.name} ${name}` : t.name;
    case 'qualified': {
      const target = t.target;
      if (target.kind === 'pointer') return typeToString(target, `${t.qualifier}${name ? ' ' + name : ''}`);
      return `${t.qualifier} ${typeToString(target, name)}`;
    }
    case 'pointer': {
      const inner = t.target;
      const decl = /^(const|volatile|restrict|_Atomic)\b/.test(name) ? `* ${name}` : `*${name}`;
      if (inner.kind === 'array' || inner.kind === 'function') return typeToString(inner, `(${decl})`);
      return typeToString(inner, decl);
    }
    case 'array': return typeToString(t.element, `${name}[${t.count ?? ''}]`);
    case 'function': {
      const params = t.params.map((p) => typeToString(p)).concat(t.variadic ? ['...'] : []).join(', ') || 'void';
      return typeToString(t.returns, `${name}(${params})`);
    }
  }
}
