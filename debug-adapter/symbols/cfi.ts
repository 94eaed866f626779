import { ByteReader } from './byte-reader';

/**
 * Call frame information (.eh_frame and .debug_frame): for every instruction of a function, how to
 * find the caller's registers. A CIE holds what many functions share (alignment factors, the return
 * address column, initial rules); an FDE covers one address range and holds the instructions
 * ("at +1 the CFA is esp+8 and ebp is saved at CFA-8"...). Executing them up to a PC yields the row:
 * a rule for the CFA (canonical frame address = the caller's esp before the call) and one per register.
 */

export type RegRule =
  | { kind: 'undefined' }
  | { kind: 'same' }
  | { kind: 'offset'; offset: number }          // saved at CFA+offset
  | { kind: 'val-offset'; offset: number }      // value is CFA+offset
  | { kind: 'register'; reg: number }           // value is in another register
  | { kind: 'expression'; expr: Uint8Array }    // saved at the address the expression computes
  | { kind: 'val-expression'; expr: Uint8Array };

export type CfaRule = { kind: 'reg-offset'; reg: number; offset: number } | { kind: 'expression'; expr: Uint8Array };

export interface CfiRow { cfa: CfaRule; regs: Map<number, RegRule>; returnColumn: number }

interface Cie {
  offset: number;
  codeAlign: number;
  dataAlign: number;
  returnColumn: number;
  fdeEncoding: number;
  signalFrame: boolean;
  initial: Uint8Array;
  initialBase: number;
  addrSize: number;
  /** Augmentation "z...": FDEs carry an augmentation data block to skip. */
  augmentationHasZ: boolean;
}

export interface Fde {
  offset: number;
  start: number;
  end: number;
  cie: Cie;
  instructions: Uint8Array;
  instructionsBase: number;
  section: string;
}

const DW_EH_PE_omit = 0xff;

export class CfiTable {
  readonly fdes: Fde[] = [];
  private starts = new Float64Array(0);

  /** Parses .eh_frame (isEh, sectionAddr = its load address for pc-relative pointers) or .debug_frame. */
  addSection(data: Uint8Array, isEh: boolean, sectionAddr: number): void {
    const name = isEh ? '.eh_frame' : '.debug_frame';
    const r = new ByteReader(data, name);
    const cies = new Map<number, Cie>();
    while (r.pos + 4 <= data.length) {
      const entryStart = r.pos;
      let len = r.u32();
      if (len === 0) { if (isEh) break; else continue; }           // .eh_frame terminator
      let offSize = 4;
      if (len === 0xffffffff) { len = r.u64(); offSize = 8; }
      const bodyStart = r.pos;
      const end = bodyStart + len;
      if (end > data.length) r.fail(`entry length 0x${len.toString(16)} runs past the end of the section`, entryStart);
      const id = r.uN(offSize);
      const isCie = isEh ? id === 0 : (offSize === 4 ? id === 0xffffffff : id === 0xffffffffffffffff);
      if (isCie) {
        cies.set(entryStart, this.readCie(r, entryStart, end, isEh));
      } else {
        const cieOff = isEh ? bodyStart - id : id;
        let cie = cies.get(cieOff);
        if (!cie) {
          const save = r.pos;
          const cr = new ByteReader(data, name, cieOff);
          let clen = cr.u32(); let cOff = 4;
          if (clen === 0xffffffff) { clen = cr.u64(); cOff = 8; }
          const cend = cr.pos + clen;
          cr.uN(cOff);
          cie = this.readCie(cr, cieOff, cend, isEh);
          cies.set(cieOff, cie);
          r.pos = save;
        }
        const enc = isEh ? cie.fdeEncoding : 0;
        const start = readEncoded(r, enc, sectionAddr, cie.addrSize);
        const range = readEncoded(r, enc & 0x0f, sectionAddr, cie.addrSize);
        if (isEh && cie.augmentationHasZ) { const n = r.uleb(); r.skip(n); }
        const instructions = data.subarray(r.pos, end);
        if (start !== 0 || range !== 0) {
          this.fdes.push({ offset: entryStart, start, end: start + range, cie, instructions, instructionsBase: r.pos, section: name });
        }
      }
      r.pos = end;
    }
    this.fdes.sort((a, b) => a.start - b.start);
    this.starts = new Float64Array(this.fdes.map((f) => f.start));
  }

  private readCie(r: ByteReader, offset: number, end: number, isEh: boolean): Cie {
    const version = r.u8();
    const aug = r.cstring();
    let addrSize = 4;
    if (aug.includes('eh')) r.skip(4);
    if (!isEh && version >= 4) { addrSize = r.u8(); r.u8(); }
    const codeAlign = r.uleb();
    const dataAlign = r.sleb();
    const returnColumn = version === 1 ? r.u8() : r.uleb();
    let fdeEncoding = 0, signalFrame = false;
    const z = aug.startsWith('z');
    if (z) {
      const n = r.uleb();
      const augEnd = r.pos + n;
      for (const c of aug.slice(1)) {
        if (c === 'R') fdeEncoding = r.u8();
        else if (c === 'L') r.u8();
        else if (c === 'P') { const e = r.u8(); readEncoded(r, e & 0x7f, 0, addrSize); }
        else if (c === 'S') signalFrame = true;
        else break;
      }
      r.pos = augEnd;
    }
    const initialBase = r.pos;
    return {
      offset, codeAlign, dataAlign, returnColumn, fdeEncoding, signalFrame, addrSize,
      initial: r.bytes.subarray(r.pos, end), initialBase, augmentationHasZ: z,
    };
  }

  /** The FDE covering pc. */
  find(pc: number): Fde | undefined {
    const a = this.starts;
    let lo = 0, hi = a.length - 1, ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid] <= pc) { ans = mid; lo = mid + 1; } else hi = mid - 1;
    }
    for (let i = ans; i >= 0 && i > ans - 4; i--) {
      const f = this.fdes[i];
      if (pc >= f.start && pc < f.end) return f;
    }
    return undefined;
  }

  /** Executes the CIE's initial instructions and the FDE's instructions up to (and including rows at) pc. */
  rowAt(fde: Fde, pc: number): CfiRow {
    const cie = fde.cie;
    const state: CfiRow = { cfa: { kind: 'reg-offset', reg: 4, offset: 4 }, regs: new Map(), returnColumn: cie.returnColumn };
    run(cie.initial, cie, state, undefined, fde.start, Infinity, fde.section);
    const initialRegs = new Map(state.regs);
    run(fde.instructions, cie, state, initialRegs, fde.start, pc, fde.section);
    return state;
  }
}

function run(code: Uint8Array, cie: Cie, st: CfiRow, initial: Map<number, RegRule> | undefined, start: number, pc: number, section: string): void {
  const r = new ByteReader(code, section);
  let loc = start;
  const stack: { cfa: CfaRule; regs: Map<number, RegRule> }[] = [];
  const restore = (reg: number) => {
    const rule = initial?.get(reg);
    if (rule) st.regs.set(reg, rule); else st.regs.delete(reg);
  };
  while (!r.atEnd) {
    const op = r.u8();
    const hi = op & 0xc0, low = op & 0x3f;
    if (hi === 0x40) { loc += low * cie.codeAlign; if (loc > pc) return; continue; }      // advance_loc
    if (hi === 0x80) { st.regs.set(low, { kind: 'offset', offset: r.uleb() * cie.dataAlign }); continue; }
    if (hi === 0xc0) { restore(low); continue; }
    switch (op) {
      case 0x00: break;
      case 0x01: loc = r.u32(); if (loc > pc) return; break;
      case 0x02: loc += r.u8() * cie.codeAlign; if (loc > pc) return; break;
      case 0x03: loc += r.u16() * cie.codeAlign; if (loc > pc) return; break;
      case 0x04: loc += r.u32() * cie.codeAlign; if (loc > pc) return; break;
      case 0x05: { const reg = r.uleb(); st.regs.set(reg, { kind: 'offset', offset: r.uleb() * cie.dataAlign }); break; }
      case 0x06: restore(r.uleb()); break;
      case 0x07: st.regs.set(r.uleb(), { kind: 'undefined' }); break;
      case 0x08: st.regs.set(r.uleb(), { kind: 'same' }); break;
      case 0x09: { const reg = r.uleb(); st.regs.set(reg, { kind: 'register', reg: r.uleb() }); break; }
      case 0x0a: stack.push({ cfa: st.cfa, regs: new Map(st.regs) }); break;
      case 0x0b: { const s = stack.pop(); if (s) { st.cfa = s.cfa; st.regs = s.regs; } break; }
      case 0x0c: { const reg = r.uleb(); st.cfa = { kind: 'reg-offset', reg, offset: r.uleb() }; break; }
      case 0x0d: { const reg = r.uleb(); st.cfa = { kind: 'reg-offset', reg, offset: st.cfa.kind === 'reg-offset' ? st.cfa.offset : 0 }; break; }
      case 0x0e: { const off = r.uleb(); if (st.cfa.kind === 'reg-offset') st.cfa = { ...st.cfa, offset: off }; break; }
      case 0x0f: st.cfa = { kind: 'expression', expr: r.bytesN(r.uleb()) }; break;
      case 0x10: { const reg = r.uleb(); st.regs.set(reg, { kind: 'expression', expr: r.bytesN(r.uleb()) }); break; }
      case 0x11: { const reg = r.uleb(); st.regs.set(reg, { kind: 'offset', offset: r.sleb() * cie.dataAlign }); break; }
      case 0x12: { const reg = r.uleb(); st.cfa = { kind: 'reg-offset', reg, offset: r.sleb() * cie.dataAlign }; break; }
      case 0x13: { const off = r.sleb() * cie.dataAlign; if (st.cfa.kind === 'reg-offset') st.cfa = { ...st.cfa, offset: off }; break; }
      case 0x14: { const reg = r.uleb(); st.regs.set(reg, { kind: 'val-offset', offset: r.uleb() * cie.dataAlign }); break; }
      case 0x15: { const reg = r.uleb(); st.regs.set(reg, { kind: 'val-offset', offset: r.sleb() * cie.dataAlign }); break; }
      case 0x16: { const reg = r.uleb(); st.regs.set(reg, { kind: 'val-expression', expr: r.bytesN(r.uleb()) }); break; }
      case 0x2e: r.uleb(); break;                                                         // GNU_args_size
      case 0x2f: { const reg = r.uleb(); st.regs.set(reg, { kind: 'offset', offset: -r.uleb() * cie.dataAlign }); break; }
      default: r.fail(`unknown call frame instruction 0x${op.toString(16)}`, r.pos - 1);
    }
  }
}

/** Reads a pointer in an .eh_frame encoding (DW_EH_PE_*): format in the low nibble, base in the high. */
function readEncoded(r: ByteReader, enc: number, sectionAddr: number, addrSize: number): number {
  if (enc === DW_EH_PE_omit) return 0;
  const fieldAddr = sectionAddr + r.baseOffset + r.pos;
  let v: number;
  switch (enc & 0x0f) {
    case 0x00: v = r.uN(addrSize); break;
    case 0x01: v = r.uleb(); break;
    case 0x02: v = r.u16(); break;
    case 0x03: v = r.u32(); break;
    case 0x04: v = r.u64(); break;
    case 0x09: v = r.sleb(); break;
    case 0x0a: v = r.i16(); break;
    case 0x0b: v = r.i32(); break;
    case 0x0c: v = r.i64(); break;
    default: return r.fail(`unsupported pointer encoding 0x${enc.toString(16)}`);
  }
  switch (enc & 0x70) {
    case 0x00: break;
    case 0x10: v += fieldAddr; break;                  // pcrel
    default: break;                                    // textrel/datarel/funcrel: not used by gcc on i386 executables
  }
  return v >>> 0;
}
