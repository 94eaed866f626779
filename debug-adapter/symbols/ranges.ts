import { ByteReader } from './byte-reader';
import * as dwarfConstants from './dwarf-constants';
// Bound once: module-namespace reads are getters under CommonJS transpilers; these are hot.
const { DW_AT, DW_FORM, DW_RLE } = dwarfConstants;
import { CompileUnit, Die, isConstantForm } from './dwarf-info';

/**
 * Address ranges of a DIE: low_pc/high_pc (high_pc is an address in DWARF 2–3 forms, an offset from
 * low_pc when it has a constant form) or DW_AT_ranges pointing into .debug_ranges (DWARF 2–4: pairs of
 * offsets from the unit's base address) or .debug_rnglists (DWARF 5: typed entries).
 */

export interface AddrRange { start: number; end: number }

const rangeCache = new WeakMap<Die, AddrRange[]>();

/** The DIE's address ranges (cached per DIE; callers must not modify the array). */
export function dieRanges(die: Die): AddrRange[] {
  let r = rangeCache.get(die);
  if (!r) { r = computeDieRanges(die); rangeCache.set(die, r); }
  return r;
}

function computeDieRanges(die: Die): AddrRange[] {
  const low = die.num(DW_AT.low_pc);
  if (low !== undefined && die.has(DW_AT.high_pc)) {
    const form = die.form(DW_AT.high_pc)!;
    const hv = die.num(DW_AT.high_pc) ?? 0;
    const high = isConstantForm(form) ? low + hv : hv;
    return high > low ? [{ start: low, end: high }] : [];
  }
  if (die.has(DW_AT.ranges)) {
    const form = die.form(DW_AT.ranges)!;
    const raw = die.raw(DW_AT.ranges) as number;
    return readRangeList(die.cu, form, raw);
  }
  return [];
}

function unitBase(cu: CompileUnit): number {
  return cu.header().num(DW_AT.low_pc) ?? 0;
}

export function readRangeList(cu: CompileUnit, form: number, value: number): AddrRange[] {
  const s = cu.owner.sections;
  const out: AddrRange[] = [];
  if (cu.version < 5) {
    const r = new ByteReader(s.ranges, '.debug_ranges', value);
    let base = unitBase(cu);
    const maxAddr = cu.addrSize === 4 ? 0xffffffff : Number.MAX_SAFE_INTEGER;
    for (;;) {
      const a = r.uN(cu.addrSize), b = r.uN(cu.addrSize);
      if (a === 0 && b === 0) break;
      if (a === maxAddr) { base = b; continue; }
      if (b > a) out.push({ start: base + a, end: base + b });
    }
    return out;
  }
  let off = value;
  if (form === DW_FORM.rnglistx) {
    const r0 = new ByteReader(s.rnglists, '.debug_rnglists', cu.rnglistsBase + value * cu.offsetSize);
    off = cu.rnglistsBase + r0.uN(cu.offsetSize);
  }
  const r = new ByteReader(s.rnglists, '.debug_rnglists', off);
  let base = unitBase(cu);
  for (;;) {
    const at = r.pos;
    const kind = r.u8();
    switch (kind) {
      case DW_RLE.end_of_list: return out;
      case DW_RLE.base_addressx: base = cu.addressAtIndex(r.uleb()); break;
      case DW_RLE.startx_endx: { const a = cu.addressAtIndex(r.uleb()); const b = cu.addressAtIndex(r.uleb()); push(a, b); break; }
      case DW_RLE.startx_length: { const a = cu.addressAtIndex(r.uleb()); push(a, a + r.uleb()); break; }
      case DW_RLE.offset_pair: { const a = r.uleb(), b = r.uleb(); push(base + a, base + b); break; }
      case DW_RLE.base_address: base = r.uN(cu.addrSize); break;
      case DW_RLE.start_end: { const a = r.uN(cu.addrSize), b = r.uN(cu.addrSize); push(a, b); break; }
      case DW_RLE.start_length: { const a = r.uN(cu.addrSize); push(a, a + r.uleb()); break; }
      default: r.fail(`unknown range list entry kind 0x${kind.toString(16)}`, at);
    }
  }
  function push(a: number, b: number) { if (b > a) out.push({ start: a, end: b }); }
}

export function inRanges(ranges: AddrRange[], addr: number): boolean {
  for (const r of ranges) if (addr >= r.start && addr < r.end) return true;
  return false;
}
