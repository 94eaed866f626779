// The user programs the kernel can run, with their own symbols, so stacks continue below the kernel's
// entry frames into user code (main(), the C library's wrappers) with the program's sources.
//
// Where they come from: the teaching kernel has no file system; execve looks a program up by name in
// `initramfs_table` (fs/exec.c: find_initramfs_program), an array of { name, data, size } entries whose
// data are the complete static i386 ELF files, DWARF included (user/initramfs_data.S .incbin's them).
// So the kernel image itself carries every program's debug information: we read the table out of the
// kernel ELF's file contents (no guest memory access, no files on disk that could be stale).
//
// Which program a task runs: do_execve copies the table entry's name into task->comm
// (fs/exec.c, after flush_old_exec), and threads created by clone() inherit it; so comm names the program.

import { loadSymbols, type SymbolFile } from '../symbols';

export interface UserProgram {
  name: string;
  /** Link address of the image inside the kernel (in its .rodata). */
  imageAddress: number;
  size: number;
}

/** Size of struct initramfs_entry: three 32-bit words { name, data, size }. */
const ENTRY_SIZE = 12;
const MAX_PROGRAMS = 256;

export class UserPrograms {
  readonly programs: UserProgram[] = [];
  /** Why the table could not be read (kernel without initramfs_table...), or per-program load errors. */
  readonly problems: string[] = [];
  private readonly loaded = new Map<string, SymbolFile | null>();

  constructor(private readonly kernel: SymbolFile) {
    const sym = kernel.lookupSymbol('initramfs_table')[0];
    if (!sym) { this.problems.push('the kernel has no initramfs_table (no user programs to load symbols from)'); return; }
    for (let i = 0; i < MAX_PROGRAMS; i++) {
      const e = this.readStatic(sym.value + i * ENTRY_SIZE, ENTRY_SIZE);
      if (!e) { this.problems.push(`initramfs_table entry ${i} is outside the kernel's file contents`); break; }
      const w = (k: number) => (e[k] | (e[k + 1] << 8) | (e[k + 2] << 16) | (e[k + 3] << 24)) >>> 0;
      const namePtr = w(0);
      if (namePtr === 0) break;                  // the terminating { NULL } entry
      const name = this.readCString(namePtr);
      if (name === undefined) { this.problems.push(`initramfs_table entry ${i}: unreadable name`); continue; }
      this.programs.push({ name, imageAddress: w(4), size: w(8) });
    }
  }

  names(): string[] { return this.programs.map((p) => p.name); }

  /** The symbols of program `name` (loaded on first use), or undefined if unknown or unreadable. */
  symbols(name: string | undefined): SymbolFile | undefined {
    if (name === undefined) return undefined;
    const cached = this.loaded.get(name);
    if (cached !== undefined) return cached ?? undefined;
    const p = this.programs.find((q) => q.name === name);
    let syms: SymbolFile | null = null;
    if (p) {
      const bytes = this.readStatic(p.imageAddress, p.size);
      if (!bytes) this.problems.push(`${name}: its image is outside the kernel's file contents`);
      else {
        try { syms = loadSymbols(bytes); } catch (e) { this.problems.push(`${name}: ${(e as Error).message}`); }
      }
    }
    this.loaded.set(name, syms);
    return syms ?? undefined;
  }

  /**
   * `break file:line` in user code: the addresses in every program built from that file (a library file
   * such as lib/printf.c is linked into all of them). Every program is linked at the same addresses, so
   * a stop there only counts when the task running is one of these programs (see Engine.onBreakpoint).
   */
  resolveLine(file: string, line: number): { programs: { name: string; addresses: number[] }[]; line: number; moved: boolean } | undefined {
    const programs: { name: string; addresses: number[] }[] = [];
    let first: { line: number; moved: boolean } | undefined;
    for (const p of this.programs) {
      const syms = this.symbols(p.name);
      if (!syms || syms.matchSourceFile(file).length === 0) continue;
      const res = syms.addressesForLine(file, line);
      if (!res || res.addresses.length === 0) continue;
      first ??= { line: res.line, moved: res.moved };
      programs.push({ name: p.name, addresses: res.addresses });
    }
    return first ? { programs, ...first } : undefined;
  }

  /** Whether `file` is a source of some user program (for the message of a line without code). */
  isUserSource(file: string): boolean {
    return this.programs.some((p) => (this.symbols(p.name)?.matchSourceFile(file).length ?? 0) > 0);
  }

  /** Programs whose symbols have been loaded so far (for `modules`/`loadedSources`). */
  loadedPrograms(): { program: UserProgram; symbols: SymbolFile }[] {
    const out: { program: UserProgram; symbols: SymbolFile }[] = [];
    for (const p of this.programs) {
      const s = this.loaded.get(p.name);
      if (s) out.push({ program: p, symbols: s });
    }
    return out;
  }

  /** Bytes at a link address of the kernel image, from the section that holds them in the ELF file. */
  private readStatic(addr: number, len: number): Uint8Array | undefined {
    const sec = this.kernel.elf.sectionAt(addr);
    if (!sec || sec.type === 8 /* SHT_NOBITS */) return undefined;
    const off = addr - sec.addr;
    if (off < 0 || off + len > sec.size) return undefined;
    return this.kernel.elf.sectionData(sec).subarray(off, off + len);
  }

  private readCString(addr: number): string | undefined {
    const sec = this.kernel.elf.sectionAt(addr);
    if (!sec || sec.type === 8) return undefined;
    const data = this.kernel.elf.sectionData(sec);
    let s = '';
    for (let o = addr - sec.addr; o < data.length && s.length < 64; o++) {
      if (data[o] === 0) return s;
      s += String.fromCharCode(data[o]);
    }
    return undefined;
  }
}
