import * as dwarfConstants from './dwarf-constants';
// Bound once: module-namespace reads are getters under CommonJS transpilers; these are hot.
const { DW_AT, DW_TAG } = dwarfConstants;
import { Die } from './dwarf-info';
import { MemoryReader, RegisterReader, RegName } from './interfaces';
import { evaluateLocation, Location, locationExpressionAt } from './location';
import { SymbolFile } from './program';
import { inRanges, dieRanges } from './ranges';
import { Type } from './types';

/**
 * Variables visible at a PC (parameters, locals of the enclosing lexical blocks, static locals) and
 * globals, and where each one lives in a given frame.
 */

export type VariableKind = 'param' | 'local' | 'static-local' | 'global';

export interface Variable {
  name: string;
  kind: VariableKind;
  readonly type: Type;
  /** The DIE carrying the location (concrete instance for inlined code, definition for globals). */
  die: Die;
  declLine?: number;
}

/** What locating a variable needs from a frame. */
export interface FrameView {
  pc: number;
  /** True when pc is a return address (use pc-1 for location lists and scopes). */
  isCaller?: boolean;
  regs: RegisterReader;
  mem: MemoryReader;
  /** CFA of the frame when the unwinder knows it (else computed from CFI at pc). */
  cfa?: number;
}

function varName(d: Die): string | undefined { return d.resolvedName(); }

function typeDie(d: Die): Die { return d.inherited(DW_AT.type) ?? d; }

function makeVar(syms: SymbolFile, d: Die, kind: VariableKind): Variable | undefined {
  const name = varName(d);
  if (name === undefined) return undefined;
  let t: Type | undefined;
  const td = typeDie(d);
  const line = d.inherited(DW_AT.decl_line)?.num(DW_AT.decl_line);
  return { name, kind, die: d, declLine: line, get type() { return t ??= syms.types.typeOf(td); } };
}

/** Is this DIE a static (non-stack) local: a variable whose location is a fixed address. */
function isStaticLocal(d: Die): boolean {
  const loc = d.attr(DW_AT.location);
  return loc instanceof Uint8Array && loc.length === 5 && loc[0] === 0x03;
}

/**
 * Parameters and locals visible at pc in `scope` (a subprogram or inlined_subroutine DIE; by default
 * the innermost one at pc). Locals of nested lexical blocks that contain pc are included, innermost
 * first; an inner variable hides an outer one of the same name.
 */
export function variablesAt(syms: SymbolFile, pc: number, scope?: Die): { params: Variable[]; locals: Variable[] } {
  const sc = scope ?? syms.inlinedChainAt(pc)[0]?.die;
  const params: Variable[] = [], locals: Variable[] = [];
  if (!sc) return { params, locals };
  const levels: Variable[][] = [];
  const walk = (d: Die, depth: number) => {
    const mine: Variable[] = [];
    for (const c of d.children) {
      if (c.tag === DW_TAG.formal_parameter && d === sc) {
        const v = makeVar(syms, c, 'param');
        if (v) params.push(v);
      } else if (c.tag === DW_TAG.variable) {
        const v = makeVar(syms, c, isStaticLocal(c) ? 'static-local' : 'local');
        if (v) mine.push(v);
      } else if (c.tag === DW_TAG.lexical_block) {
        const ranges = dieRanges(c);
        if (ranges.length === 0 || inRanges(ranges, pc)) walk(c, depth + 1);
      }
    }
    levels[depth] = mine;
  };
  walk(sc, 0);
  const seen = new Set<string>(params.map((p) => p.name));
  for (let i = levels.length - 1; i >= 0; i--) {
    for (const v of levels[i] ?? []) {
      if (seen.has(v.name)) continue;
      seen.add(v.name);
      locals.push(v);
    }
  }
  return { params, locals };
}

/** A global (or file-static) variable by name; `preferUnit` picks among same-named statics. */
export function findGlobal(syms: SymbolFile, name: string, preferUnit?: string): Variable | undefined {
  // Definitions first: a C declaration (DW_AT_declaration, the header's `extern`) has no location, and
  // looking at definitions only leaves the units that merely declare the name unparsed.
  const located = (dies: Die[]) => dies.filter((d) => d.has(DW_AT.location) || d.has(DW_AT.const_value));
  let withLoc = located(syms.globalDefinitions(name));
  if (withLoc.length === 0) withLoc = located(syms.globalDies(name));
  const pick = withLoc.find((d) => preferUnit !== undefined && d.cu.name === preferUnit) ?? withLoc[0];
  if (pick) return makeVar(syms, pick, 'global');
  // A declaration only (extern) in every unit with DWARF: fall back to the definition via specification.
  for (const e of syms.units) {
    const root = syms.unitRoot(e);
    if (!root) continue;
    for (const d of root.children) {
      if (d.tag === DW_TAG.variable && d.has(DW_AT.specification) && d.resolvedName() === name && d.has(DW_AT.location)) {
        return makeVar(syms, d, 'global');
      }
    }
  }
  return undefined;
}

/** The subprogram DIE enclosing a scope (for DW_AT_frame_base). */
function enclosingSubprogram(d: Die): Die | undefined {
  for (let cur: Die | undefined = d; cur; cur = cur.parent) if (cur.tag === DW_TAG.subprogram) return cur;
  return undefined;
}

/** Canonical frame address at the frame's pc, from CFI (when the unwinder did not supply it). */
export function frameCfa(syms: SymbolFile, f: FrameView): number | undefined {
  if (f.cfa !== undefined) return f.cfa;
  const pc = f.isCaller ? f.pc - 1 : f.pc;
  const fde = syms.cfi.find(pc);
  if (!fde) return undefined;
  const row = syms.cfi.rowAt(fde, pc);
  if (row.cfa.kind !== 'reg-offset') return undefined;
  const names: Record<number, RegName> = { 0: 'eax', 1: 'ecx', 2: 'edx', 3: 'ebx', 4: 'esp', 5: 'ebp', 6: 'esi', 7: 'edi' };
  const r = names[row.cfa.reg];
  const base = r ? f.regs.get(r) : undefined;
  return base === undefined ? undefined : (base + row.cfa.offset) >>> 0;
}

/** Where a variable lives in a frame (memory address, register, computed value, or why not). */
export function locateVariable(syms: SymbolFile, v: Variable, f: FrameView): Location {
  const d = v.die;
  const pc = f.isCaller ? f.pc - 1 : f.pc;
  const form = d.form(DW_AT.location);
  if (form === undefined) {
    const cv = d.attr(DW_AT.const_value);
    if (typeof cv === 'number') {
      const size = v.type.size || 4;
      const bytes = new Uint8Array(size);
      let x = BigInt.asUintN(size * 8, BigInt(cv));
      for (let i = 0; i < size; i++) { bytes[i] = Number(x & 0xffn); x >>= 8n; }
      return { kind: 'value', bytes };
    }
    if (cv instanceof Uint8Array) return { kind: 'value', bytes: cv };
    if (typeof cv === 'string') return { kind: 'value', bytes: new TextEncoder().encode(cv + '\0') };
    return { kind: 'optimized-out' };
  }
  let expr: Uint8Array | null;
  try {
    expr = locationExpressionAt(d.cu, form, d.raw(DW_AT.location) as number | Uint8Array, pc);
  } catch (e) {
    return { kind: 'unavailable', reason: (e as Error).message };
  }
  if (!expr) return { kind: 'optimized-out' };
  const sub = enclosingSubprogram(d);
  const ctx = {
    reg: (n: RegName) => f.regs.get(n),
    mem: f.mem,
    cu: d.cu,
    cfa: () => frameCfa(syms, f),
    frameBase: () => {
      if (!sub) return undefined;
      const fbForm = sub.form(DW_AT.frame_base);
      if (fbForm === undefined) return undefined;
      const fbExpr = locationExpressionAt(sub.cu, fbForm, sub.raw(DW_AT.frame_base) as number | Uint8Array, pc);
      if (!fbExpr) return undefined;
      const loc = evaluateLocation(fbExpr, { reg: (n: RegName) => f.regs.get(n), mem: f.mem, cu: sub.cu, cfa: () => frameCfa(syms, f) });
      // A frame base in a register (DW_OP_breg5 0 / DW_OP_reg5): its value is the base address.
      if (loc.kind === 'memory') return loc.address;
      if (loc.kind === 'register') return f.regs.get(loc.reg);
      return undefined;
    },
  };
  return evaluateLocation(expr, ctx);
}
