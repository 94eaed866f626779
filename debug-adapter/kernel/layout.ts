// Structure layouts and symbol addresses of the kernel being debugged, read from its DWARF.
//
// Kernel awareness never hard-codes an offset: "where is task_struct.pid" is answered by the kernel's
// own debug information, so the views keep working when a field is added, and degrade to "not
// available" (naming what is missing) on a kernel that lacks a structure or symbol.

import type { SymbolFile } from '../symbols/program';
import { DW_AT, DW_TAG } from '../symbols/dwarf-constants';
import type { Die } from '../symbols/dwarf-info';

/** A required symbol or field is absent: the view that asked reports "not available" with `missing`. */
export class MissingKernelSymbol extends Error {
  constructor(readonly missing: string) {
    super(`the kernel has no ${missing}`);
    this.name = 'MissingKernelSymbol';
  }
}

export interface MemberInfo {
  offset: number;
  /** Byte size of the member's type (after typedefs), when known. */
  size?: number;
  /** The member's type DIE with typedefs/qualifiers stripped. */
  type?: Die;
}

function stripTypedefs(d: Die | undefined): Die | undefined {
  for (let i = 0; d && i < 16; i++) {
    if (d.tag === DW_TAG.typedef || d.tag === DW_TAG.const_type || d.tag === DW_TAG.volatile_type ||
        d.tag === DW_TAG.restrict_type || d.tag === DW_TAG.atomic_type) {
      d = d.ref(DW_AT.type);
    } else {
      return d;
    }
  }
  return d;
}

/** Byte size of a (stripped) type DIE: byte_size, pointers 4, arrays element size x count. */
export function typeSize(d: Die | undefined): number | undefined {
  d = stripTypedefs(d);
  if (!d) return undefined;
  const bs = d.num(DW_AT.byte_size);
  if (bs !== undefined) return bs;
  if (d.tag === DW_TAG.pointer_type) return 4;
  if (d.tag === DW_TAG.array_type) {
    const el = typeSize(d.ref(DW_AT.type));
    const n = arrayCount(d);
    return el !== undefined && n !== undefined ? el * n : undefined;
  }
  return undefined;
}

/** Element count of the first dimension of an array type DIE. */
export function arrayCount(d: Die): number | undefined {
  const sub = d.children.find((c) => c.tag === DW_TAG.subrange_type);
  if (!sub) return undefined;
  const count = sub.num(DW_AT.count);
  if (count !== undefined) return count;
  const ub = sub.num(DW_AT.upper_bound);
  return ub !== undefined ? ub + 1 - (sub.num(DW_AT.lower_bound) ?? 0) : undefined;
}

export class KernelLayout {
  private readonly structs = new Map<string, Die | null>();

  constructor(readonly symbols: SymbolFile) {}

  /** Address of a global symbol (ELF symbol table), or undefined. */
  address(name: string): number | undefined {
    const s = this.symbols.lookupSymbol(name);
    return s.length ? s[0].value : undefined;
  }

  /** Like address() but throws MissingKernelSymbol. */
  requireAddress(name: string): number {
    const a = this.address(name);
    if (a === undefined) throw new MissingKernelSymbol(`symbol '${name}'`);
    return a;
  }

  /** The defining DIE of "struct x" / "union x" / a typedef name (declarations are skipped). */
  typeDie(name: string): Die | undefined {
    if (this.structs.has(name)) return this.structs.get(name) ?? undefined;
    let found: Die | undefined;
    for (const d of this.symbols.eachTypeDie(name)) {   // lazily: stops parsing units at the first definition
      const t = stripTypedefs(d);
      if (t && !t.flagDeclaration && (t.children.length > 0 || t.num(DW_AT.byte_size) !== undefined)) { found = t; break; }
    }
    this.structs.set(name, found ?? null);
    return found;
  }

  /** Size of a named type, or undefined. */
  sizeOf(name: string): number | undefined {
    return typeSize(this.typeDie(name));
  }

  /**
   * Offset of a member path inside a structure: member('struct task_struct', 'thread.esp'). Array
   * members may be indexed: 'queue[3]'. Returns undefined when any part is missing.
   */
  member(structName: string, path: string): MemberInfo | undefined {
    let t = this.typeDie(structName);
    let offset = 0;
    let last: MemberInfo | undefined;
    for (const part of path.split('.')) {
      const m = /^([A-Za-z_]\w*)(?:\[(\d+)\])?$/.exec(part);
      if (!t || !m) return undefined;
      const field = t.children.find((c) => c.tag === DW_TAG.member && c.name === m[1]);
      if (!field) return undefined;
      const off = field.num(DW_AT.data_member_location) ?? 0;
      let ft = stripTypedefs(field.ref(DW_AT.type));
      offset += off;
      if (m[2] !== undefined) {
        if (!ft || ft.tag !== DW_TAG.array_type) return undefined;
        const el = stripTypedefs(ft.ref(DW_AT.type));
        const es = typeSize(el);
        if (es === undefined) return undefined;
        offset += es * Number(m[2]);
        ft = el;
      }
      last = { offset, size: typeSize(ft), type: ft };
      t = ft;
    }
    return last;
  }

  /** Like member() but throws MissingKernelSymbol naming the field. */
  requireMember(structName: string, path: string): number {
    const m = this.member(structName, path);
    if (!m) throw new MissingKernelSymbol(`field ${structName}.${path}`);
    return m.offset;
  }

  /**
   * Enumerator names by value of an enum type that declares `anyEnumerator` (e.g. 'TIMER_SOFTIRQ'), from
   * the first unit that has one; units whose top-level scan shows no such enumerator are not parsed.
   */
  enumContaining(anyEnumerator: string): Map<number, string> | undefined {
    for (const cu of this.symbols.units) {
      if (!this.symbols.unitMayHaveEnumerator(cu, anyEnumerator)) continue;
      const root = this.symbols.unitRoot(cu);
      if (!root) continue;
      for (const d of root.children) {
        if (d.tag !== DW_TAG.enumeration_type) continue;
        if (!d.children.some((c) => c.name === anyEnumerator)) continue;
        const out = new Map<number, string>();
        for (const c of d.children) {
          const v = c.num(DW_AT.const_value);
          if (c.name && v !== undefined) out.set(v, c.name);
        }
        return out;
      }
    }
    return undefined;
  }

  /** Element count of a global array variable (irq_desc[NR_IRQS]), from its DWARF type. */
  globalArrayLength(name: string): number | undefined {
    for (const d of this.symbols.globalDies(name)) {
      const t = stripTypedefs(d.ref(DW_AT.type) ?? d.ref(DW_AT.specification)?.ref(DW_AT.type));
      if (t && t.tag === DW_TAG.array_type) return arrayCount(t);
    }
    return undefined;
  }
}
