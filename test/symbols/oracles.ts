/**
 * Runs the tools we did not write (llvm-dwarfdump, addr2line, objdump, gdb) and parses their output
 * into plain records the tests compare against. Nothing here knows our reader.
 */
import { execFileSync } from 'child_process';
import { existsSync } from 'fs';
import * as path from 'path';

export const FIXTURE_DIR = path.join(__dirname, 'fixtures', 'bin');
export const FIXTURES = ['o0-dwarf5', 'o1-dwarf5', 'o2-dwarf5', 'o0-dwarf4', 'o2-dwarf4', 'o1-debugframe'];
export const KERNEL_ELF = path.join(__dirname, '..', '..', 'simulator', 'guest', 'build', 'ksim-kernel.elf');

export function fixturePath(name: string): string { return path.join(FIXTURE_DIR, name); }
export function kernelAvailable(): boolean { return existsSync(KERNEL_ELF); }

export function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, input, stdio: ['pipe', 'pipe', 'pipe'] });
}

export interface OracleLineRow {
  address: number; line: number; column: number; file: number; discriminator: number;
  isStmt: boolean; endSequence: boolean; prologueEnd: boolean; basicBlock: boolean; epilogueBegin: boolean;
}
export interface OracleLineTable { offset: number; files: Map<number, string>; rows: OracleLineRow[] }

/** `llvm-dwarfdump-14 --debug-line`: every line table with its file entries and decoded rows. */
export function dwarfdumpLines(elf: string): OracleLineTable[] {
  const out = run('llvm-dwarfdump-14', ['--debug-line', elf]);
  const tables: OracleLineTable[] = [];
  let cur: OracleLineTable | undefined;
  let dirs: string[] = [];
  let pendingFile: { idx: number; name?: string; dir?: number } | undefined;
  const flushFile = () => {
    if (cur && pendingFile && pendingFile.name !== undefined) {
      const d = pendingFile.dir ?? 0;
      const dir = dirs[d] ?? '';
      cur.files.set(pendingFile.idx, pendingFile.name.startsWith('/') ? pendingFile.name : `${dir}|${pendingFile.name}`);
    }
    pendingFile = undefined;
  };
  for (const line of out.split('\n')) {
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^debug_line\[0x([0-9a-f]+)\]/))) {
      flushFile();
      cur = { offset: parseInt(m[1], 16), files: new Map(), rows: [] };
      dirs = [];
      tables.push(cur);
    } else if ((m = line.match(/^include_directories\[\s*(\d+)\] = "(.*)"$/))) {
      dirs[Number(m[1])] = m[2];
    } else if ((m = line.match(/^file_names\[\s*(\d+)\]:$/))) {
      flushFile();
      pendingFile = { idx: Number(m[1]) };
    } else if (pendingFile && (m = line.match(/^\s+name: "(.*)"$/))) {
      pendingFile.name = m[1];
    } else if (pendingFile && (m = line.match(/^\s+dir_index: (\d+)$/))) {
      pendingFile.dir = Number(m[1]);
    } else if ((m = line.match(/^0x([0-9a-f]{16})\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*(.*)$/))) {
      flushFile();
      const flags = m[7];
      cur!.rows.push({
        address: parseInt(m[1], 16), line: Number(m[2]), column: Number(m[3]), file: Number(m[4]),
        discriminator: Number(m[6]), isStmt: /\bis_stmt\b/.test(flags), endSequence: /\bend_sequence\b/.test(flags),
        prologueEnd: /\bprologue_end\b/.test(flags), basicBlock: /\bbasic_block\b/.test(flags),
        epilogueBegin: /\bepilogue_begin\b/.test(flags),
      });
    }
  }
  flushFile();
  return tables;
}

export interface Addr2LineFrame { function: string; file: string; line: number | undefined; discriminator?: number }

/** `addr2line -a -f -i -e ELF` for many addresses (fed on stdin): the inline chain per address. */
export function addr2line(elf: string, addrs: number[]): Map<number, Addr2LineFrame[]> {
  const out = run('addr2line', ['-a', '-f', '-i', '-e', elf], addrs.map((a) => '0x' + a.toString(16)).join('\n') + '\n');
  const res = new Map<number, Addr2LineFrame[]>();
  const lines = out.split('\n');
  let cur: Addr2LineFrame[] | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (/^0x[0-9a-f]+$/.test(l)) {
      cur = [];
      res.set(parseInt(l, 16), cur);
    } else if (cur && l !== '') {
      const loc = lines[++i] ?? '';
      const m = loc.match(/^(.*):(\d+|\?)(?: \(discriminator (\d+)\))?$/);
      cur.push({
        function: l, file: m ? m[1] : loc, line: m && m[2] !== '?' ? Number(m[2]) : undefined,
        discriminator: m && m[3] ? Number(m[3]) : undefined,
      });
    }
  }
  return res;
}

/** Runs gdb in batch mode on an ELF with the given commands, returns stdout. */
export function gdbBatch(elf: string, commands: string[]): string {
  const args = ['-batch', '-nx', '-ex', 'set width 0', '-ex', 'set height 0', '-ex', 'set print pretty off'];
  for (const c of commands) args.push('-ex', c);
  args.push(elf);
  return run('gdb', args);
}

export interface LayoutEntry { depth: number; offset?: number; bit?: number; size: number; name: string; bitSize?: number }
export interface Layout { name: string; size: number; entries: LayoutEntry[] }

/**
 * `gdb -batch -ex 'ptype /o struct X' ...` for many types: per type its total size and the flattened
 * member lines (nested struct/union bodies expanded, offsets from the outermost type).
 */
export function gdbLayouts(elf: string, typeNames: string[]): Map<string, Layout> {
  const res = new Map<string, Layout>();
  // Chunk the command line (each ptype is one -ex).
  for (let i = 0; i < typeNames.length; i += 200) {
    const chunk = typeNames.slice(i, i + 200);
    const out = gdbBatch(elf, chunk.map((t) => `ptype /o ${t}`));
    const blocks = out.split(/^\/\* offset\s+\|\s+size \*\/\s+type = /m).slice(1);
    blocks.forEach((b, k) => {
      const lines = b.split('\n');
      const entries: LayoutEntry[] = [];
      const open: LayoutEntry[] = [];
      let size = -1;
      for (const l of lines.slice(1)) {
        let m: RegExpMatchArray | null;
        let off: number | undefined, bit: number | undefined, sz: number, text: string;
        if ((m = l.match(/^\/\*\s+(\d+)(?::\s*(\d+))?\s+\|\s+(\d+) \*\/\s+(.*)$/))) {
          off = Number(m[1]); bit = m[2] !== undefined ? Number(m[2]) : undefined; sz = Number(m[3]); text = m[4];
        } else if ((m = l.match(/^\/\*\s+(\d+) \*\/\s+(.*)$/))) {
          sz = Number(m[1]); text = m[2];
        } else if ((m = l.match(/^\s+\/\* total size \(bytes\):\s+(\d+) \*\//))) {
          if (open.length === 0) size = Number(m[1]);
          continue;
        } else if ((m = l.match(/^\s+\}\s*(\w*)(?:\s*:\s*(\d+))?;$/))) {
          const e = open.pop();
          if (e) e.name = m[1];
          continue;
        } else continue;
        const e: LayoutEntry = { depth: open.length, offset: off, bit, size: sz, name: '' };
        if (text.endsWith('{')) { entries.push(e); open.push(e); continue; }
        const fp = text.match(/\(\*(\w+)\)/);
        const nm = text.match(/(\w+)\s*((?:\[\d*\])*)\s*(?::\s*(\d+))?;$/);
        e.name = fp ? fp[1] : nm ? nm[1] : text;
        if (nm && nm[3] !== undefined) e.bitSize = Number(nm[3]);
        entries.push(e);
      }
      res.set(chunk[k], { name: chunk[k], size, entries });
    });
  }
  return res;
}
