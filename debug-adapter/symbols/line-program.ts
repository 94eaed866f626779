import { ByteReader, stringAt } from './byte-reader';
import * as dwarfConstants from './dwarf-constants';
// Bound once: module-namespace reads are getters under CommonJS transpilers; these are hot.
const { DW_FORM, DW_LNCT } = dwarfConstants;
import { DwarfSections } from './dwarf-info';

/**
 * .debug_line: the line-number program of one compile unit (DWARF 2–5).
 *
 * Instead of a table, the compiler emits a byte-code program for a tiny state machine (address, file,
 * line, column, is_stmt, ...). "Special" opcodes advance address and line together in one byte and
 * append a row; standard and extended opcodes set individual registers. Running the program yields the
 * rows, grouped in sequences of increasing addresses that each end with an end_sequence row (whose
 * address is one past the last instruction).
 */

export interface LineRow {
  address: number;
  /** Index into LineTable.files (as encoded: 1-based in DWARF 2–4, 0-based in DWARF 5). */
  file: number;
  line: number;
  column: number;
  isStmt: boolean;
  basicBlock: boolean;
  endSequence: boolean;
  prologueEnd: boolean;
  epilogueBegin: boolean;
  discriminator: number;
}

export interface LineFile {
  /** Full path as the producer gave it (directory joined when the name is relative). */
  path: string;
  name: string;
  dir: string;
}

export interface LineTable {
  offset: number;
  version: number;
  /** Indexed by the file register (index 0 is a placeholder in DWARF 2–4). */
  files: (LineFile | undefined)[];
  rows: LineRow[];
}

export function joinPath(dir: string | undefined, name: string): string {
  if (!dir || name.startsWith('/')) return name;
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

/**
 * The file list of a line program without running it: readLineTable(...).files, from the header alone
 * (a file:line query reads the rows of the units naming the file only). Only DWARF 2–4's
 * DW_LNE_define_file adds files from inside the program (DWARF 5 dropped it); for those versions a
 * quick walk over the opcodes looks for one (gcc and clang never emit it) and then the whole table is
 * read instead.
 */
export function readLineTableFiles(s: DwarfSections, offset: number, compDir: string | undefined, cuName?: string): (LineFile | undefined)[] {
  const header = readLineTable(s, offset, compDir, cuName, 'header');
  if (header.version <= 4 && programDefinesFiles(s.line, header.programStart, header.programEnd, header.opcodeBase, header.stdLengths)) {
    return readLineTable(s, offset, compDir, cuName).files;
  }
  return header.files;
}

/**
 * Whether the opcodes in [start, end) contain a DW_LNE_define_file. Walks the bytes directly (every
 * opcode's operands are skipped, nothing is interpreted); a malformed program answers true, so the
 * full read reports the problem.
 */
function programDefinesFiles(bytes: Uint8Array, start: number, end: number, opcodeBase: number, stdLengths: number[]): boolean {
  let p = start;
  const skipLeb = () => { while (p < end && (bytes[p] & 0x80)) p++; p++; };
  while (p < end) {
    const op = bytes[p++];
    if (op >= opcodeBase) continue;                       // special opcode: no operands
    if (op === 0) {                                       // extended: ULEB length, sub-opcode, operands
      let len = 0, shift = 0, b: number;
      do { b = bytes[p++]; len += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80 && p < end);
      if (len > 0 && bytes[p] === 3) return true;         // DW_LNE_define_file
      p += len;
    } else if (op === 9) p += 2;                           // fixed_advance_pc: a u16
    else {
      // The standard opcodes readLineTable knows take one LEB operand or none; others say in the header.
      const operands = op <= 12 ? (op === 1 || (op >= 6 && op <= 11) ? 0 : 1) : stdLengths[op] ?? 0;
      for (let i = 0; i < operands; i++) skipLeb();
    }
  }
  return p !== end;
}

interface LineHeader { version: number; files: (LineFile | undefined)[]; programStart: number; programEnd: number; opcodeBase: number; stdLengths: number[] }

export function readLineTable(s: DwarfSections, offset: number, compDir: string | undefined, cuName?: string): LineTable;
export function readLineTable(s: DwarfSections, offset: number, compDir: string | undefined, cuName: string | undefined, only: 'header'): LineHeader;
export function readLineTable(s: DwarfSections, offset: number, compDir: string | undefined, cuName?: string, only?: 'header'): LineTable | LineHeader {
  const r = new ByteReader(s.line, '.debug_line', offset);
  let unitLength = r.u32();
  let offsetSize = 4;
  if (unitLength === 0xffffffff) { unitLength = r.u64(); offsetSize = 8; }
  const end = r.pos + unitLength;
  if (end > r.length) r.fail(`line program length 0x${unitLength.toString(16)} runs past the end of the section`, offset);
  const version = r.u16();
  if (version < 2 || version > 5) r.fail(`unsupported line table version ${version}`, offset + 4);
  if (version >= 5) { r.u8(); r.u8(); /* address_size, segment_selector_size */ }
  const headerLength = r.uN(offsetSize);
  const programStart = r.pos + headerLength;
  const minInstLength = r.u8();
  if (version >= 4) r.u8(); // maximum_operations_per_instruction (VLIW only; 1 on x86)
  const defaultIsStmt = r.u8() !== 0;
  const lineBase = r.i8();
  const lineRange = r.u8();
  if (lineRange === 0) r.fail('line_range is 0', r.pos - 1);
  const opcodeBase = r.u8();
  const stdLengths: number[] = [0];
  for (let i = 1; i < opcodeBase; i++) stdLengths.push(r.u8());

  const files: (LineFile | undefined)[] = [];
  if (version >= 5) {
    const readEntries = (what: string, dirs: string[] | undefined): { path: string; dirIndex: number }[] => {
      const fmtCount = r.u8();
      const fmt: [number, number][] = [];
      for (let i = 0; i < fmtCount; i++) fmt.push([r.uleb(), r.uleb()]);
      const count = r.uleb();
      const out: { path: string; dirIndex: number }[] = [];
      for (let i = 0; i < count; i++) {
        let path = '', dirIndex = 0;
        for (const [content, form] of fmt) {
          const v = readLineForm(r, s, form, offsetSize, what);
          if (content === DW_LNCT.path) path = String(v);
          else if (content === DW_LNCT.directory_index) dirIndex = Number(v);
        }
        out.push({ path, dirIndex });
      }
      void dirs;
      return out;
    };
    const dirs = readEntries('directory', undefined).map((d) => d.path);
    const comp = dirs[0] ?? compDir;
    for (const f of readEntries('file', dirs)) {
      const dir = f.dirIndex === 0 ? comp ?? '' : joinPath(comp, dirs[f.dirIndex] ?? '');
      files.push({ name: f.path, dir, path: joinPath(dir, f.path) });
    }
  } else {
    const dirs: string[] = [];
    for (;;) { const d = r.cstring(); if (d === '') break; dirs.push(d); }
    files.push(cuName ? { name: cuName, dir: compDir ?? '', path: joinPath(compDir, cuName) } : undefined);
    for (;;) {
      const name = r.cstring();
      if (name === '') break;
      const dirIndex = r.uleb(); r.uleb(); r.uleb();
      const dir = dirIndex === 0 ? compDir ?? '' : joinPath(compDir, dirs[dirIndex - 1] ?? '');
      files.push({ name, dir, path: joinPath(dir, name) });
    }
  }

  if (only === 'header') return { version, files, programStart, programEnd: end, opcodeBase, stdLengths };

  // The state machine.
  r.pos = programStart;
  const rows: LineRow[] = [];
  let address = 0, file = 1, line = 1, column = 0, isStmt = defaultIsStmt, basicBlock = false;
  let prologueEnd = false, epilogueBegin = false, discriminator = 0;
  const reset = () => {
    address = 0; file = 1; line = 1; column = 0; isStmt = defaultIsStmt; basicBlock = false;
    prologueEnd = false; epilogueBegin = false; discriminator = 0;
  };
  const emit = (endSequence: boolean) => {
    rows.push({ address, file, line, column, isStmt, basicBlock, endSequence, prologueEnd, epilogueBegin, discriminator });
    basicBlock = false; prologueEnd = false; epilogueBegin = false; discriminator = 0;
  };
  const constAddPc = Math.floor((255 - opcodeBase) / lineRange) * minInstLength;
  while (r.pos < end) {
    const opAt = r.pos;
    const op = r.u8();
    if (op >= opcodeBase) {
      const adj = op - opcodeBase;
      address = (address + Math.floor(adj / lineRange) * minInstLength) >>> 0;
      line += lineBase + (adj % lineRange);
      emit(false);
      continue;
    }
    switch (op) {
      case 0: {
        const len = r.uleb();
        const subStart = r.pos;
        if (len === 0) break;
        const sub = r.u8();
        switch (sub) {
          case 1: emit(true); reset(); break;
          case 2: address = r.uN(len - 1) >>> 0; break;
          case 3: { // DW_LNE_define_file (DWARF 2–4; reserved in DWARF 5)
            if (version >= 5) break;
            const name = r.cstring(); const di = r.uleb(); r.uleb(); r.uleb();
            void di; files.push({ name, dir: compDir ?? '', path: joinPath(compDir, name) });
            break;
          }
          case 4: discriminator = r.uleb(); break;
          default: break; // unknown extended opcode: skipped by its length
        }
        r.pos = subStart + len;
        break;
      }
      case 1: emit(false); break;                                     // DW_LNS_copy
      case 2: address = (address + r.uleb() * minInstLength) >>> 0; break; // advance_pc
      case 3: line += r.sleb(); break;                                // advance_line
      case 4: file = r.uleb(); break;                                 // set_file
      case 5: column = r.uleb(); break;                               // set_column
      case 6: isStmt = !isStmt; break;                                // negate_stmt
      case 7: basicBlock = true; break;                               // set_basic_block
      case 8: address = (address + constAddPc) >>> 0; break;          // const_add_pc
      case 9: address = (address + r.u16()) >>> 0; break;             // fixed_advance_pc
      case 10: prologueEnd = true; break;                             // set_prologue_end
      case 11: epilogueBegin = true; break;                           // set_epilogue_begin
      case 12: r.uleb(); break;                                       // set_isa
      default: {
        // Unknown standard opcode: the header says how many ULEB operands to skip.
        const n = stdLengths[op];
        if (n === undefined) r.fail(`unknown line opcode ${op}`, opAt);
        for (let i = 0; i < n; i++) r.uleb();
      }
    }
  }
  return { offset, version, files, rows };
}

function readLineForm(r: ByteReader, s: DwarfSections, form: number, offsetSize: number, what: string): string | number {
  switch (form) {
    case DW_FORM.string: return r.cstring();
    case DW_FORM.line_strp: return stringAt(s.lineStr, r.uN(offsetSize), '.debug_line_str');
    case DW_FORM.strp: return stringAt(s.str, r.uN(offsetSize), '.debug_str');
    case DW_FORM.udata: return r.uleb();
    case DW_FORM.data1: return r.u8();
    case DW_FORM.data2: return r.u16();
    case DW_FORM.data4: return r.u32();
    case DW_FORM.data8: return r.u64();
    case DW_FORM.data16: r.skip(16); return 0;
    case DW_FORM.block: r.skip(r.uleb()); return 0;
    default: return r.fail(`unknown form 0x${form.toString(16)} in ${what} entry format`);
  }
}
