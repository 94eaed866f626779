import { ByteReader, stringAt } from './byte-reader';
import { SymbolsError } from './errors';

/**
 * ELF32 little-endian reader (System V ABI, i386 supplement): file header, section headers, program
 * headers and the symbol table. Only what a debugger needs; nothing is relocated (executables and the
 * kernel are fully linked).
 */

export interface ElfSection {
  index: number;
  name: string;
  type: number;          // SHT_*
  flags: number;         // SHF_*
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

export interface ElfSegment {
  type: number;          // PT_*
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
  flags: number;         // PF_R=4 PF_W=2 PF_X=1
  align: number;
}

export type ElfSymbolType = 'notype' | 'object' | 'func' | 'section' | 'file' | 'common' | 'tls' | 'other';
export type ElfSymbolBind = 'local' | 'global' | 'weak' | 'other';

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  type: ElfSymbolType;
  bind: ElfSymbolBind;
  /** Section index (0 = undefined, 0xfff1 = absolute). */
  shndx: number;
  /** Name of the section the symbol is defined in ('' when undefined or absolute). */
  section: string;
}

export const SHT_NOBITS = 8;
export const SHT_SYMTAB = 2;
export const SHT_DYNSYM = 11;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const SHF_COMPRESSED = 0x800;
export const PT_LOAD = 1;
export const EM_386 = 3;

const SYM_TYPES: ElfSymbolType[] = ['notype', 'object', 'func', 'section', 'file', 'common', 'tls'];
const SYM_BINDS: ElfSymbolBind[] = ['local', 'global', 'weak'];

export class ElfFile {
  readonly type: number;       // ET_EXEC=2, ET_DYN=3, ET_REL=1
  readonly machine: number;
  readonly entry: number;
  readonly sections: ElfSection[] = [];
  readonly segments: ElfSegment[] = [];
  private readonly byName = new Map<string, ElfSection>();
  private symbolCache?: ElfSymbol[];

  constructor(readonly bytes: Uint8Array) {
    const r = new ByteReader(bytes, 'ELF header');
    if (bytes.length < 52) r.fail(`file too short for an ELF32 header (${bytes.length} bytes)`, 0);
    if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
      r.fail('not an ELF file (bad magic)', 0);
    }
    if (bytes[4] !== 1) r.fail(`not ELF32 (EI_CLASS=${bytes[4]})`, 4);
    if (bytes[5] !== 1) r.fail(`not little-endian (EI_DATA=${bytes[5]})`, 5);
    r.pos = 16;
    this.type = r.u16();
    this.machine = r.u16();
    r.u32(); // e_version
    this.entry = r.u32();
    const phoff = r.u32();
    const shoff = r.u32();
    r.u32(); // e_flags
    r.u16(); // e_ehsize
    const phentsize = r.u16();
    const phnum = r.u16();
    const shentsize = r.u16();
    const shnum = r.u16();
    const shstrndx = r.u16();

    if (phnum > 0) {
      if (phentsize < 32) r.fail(`bad e_phentsize ${phentsize}`, 42);
      const p = new ByteReader(bytes, 'program headers');
      for (let i = 0; i < phnum; i++) {
        p.pos = phoff + i * phentsize;
        p.need(32);
        this.segments.push({
          type: p.u32(), offset: p.u32(), vaddr: p.u32(), paddr: p.u32(),
          filesz: p.u32(), memsz: p.u32(), flags: p.u32(), align: p.u32(),
        });
      }
    }

    if (shnum > 0) {
      if (shentsize < 40) r.fail(`bad e_shentsize ${shentsize}`, 46);
      const s = new ByteReader(bytes, 'section headers');
      const raw: Array<Omit<ElfSection, 'name'> & { nameOff: number }> = [];
      for (let i = 0; i < shnum; i++) {
        s.pos = shoff + i * shentsize;
        s.need(40);
        raw.push({
          index: i, nameOff: s.u32(), type: s.u32(), flags: s.u32(), addr: s.u32(), offset: s.u32(),
          size: s.u32(), link: s.u32(), info: s.u32(), addralign: s.u32(), entsize: s.u32(),
        });
      }
      const strtab = raw[shstrndx];
      if (!strtab) r.fail(`e_shstrndx ${shstrndx} out of range (${shnum} sections)`, 50);
      if (strtab.offset + strtab.size > bytes.length) {
        throw new SymbolsError('.shstrtab', 0, `section data beyond end of file (offset 0x${strtab.offset.toString(16)}, size 0x${strtab.size.toString(16)})`);
      }
      const names = bytes.subarray(strtab.offset, strtab.offset + strtab.size);
      for (const h of raw) {
        const { nameOff, ...rest } = h;
        const sec: ElfSection = { ...rest, name: stringAt(names, nameOff, '.shstrtab') };
        this.sections.push(sec);
        if (!this.byName.has(sec.name)) this.byName.set(sec.name, sec);
      }
    }
  }

  section(name: string): ElfSection | undefined { return this.byName.get(name); }

  /** The bytes of a section (empty for SHT_NOBITS such as .bss). Truncated files raise a SymbolsError. */
  sectionData(sec: ElfSection | string): Uint8Array {
    const s = typeof sec === 'string' ? this.byName.get(sec) : sec;
    if (!s) return new Uint8Array(0);
    if (s.type === SHT_NOBITS) return new Uint8Array(0);
    if (s.flags & SHF_COMPRESSED) {
      throw new SymbolsError(s.name, 0, 'compressed sections (SHF_COMPRESSED) are not supported; relink without --compress-debug-sections');
    }
    if (s.offset + s.size > this.bytes.length) {
      throw new SymbolsError(s.name, 0, `section data beyond end of file (file offset 0x${s.offset.toString(16)}, size 0x${s.size.toString(16)}, file size 0x${this.bytes.length.toString(16)})`);
    }
    return this.bytes.subarray(s.offset, s.offset + s.size);
  }

  /** The symbols of .symtab (or .dynsym when stripped), in file order, without the null symbol. */
  get symbols(): ElfSymbol[] {
    if (this.symbolCache) return this.symbolCache;
    const tab = this.sections.find((s) => s.type === SHT_SYMTAB) ?? this.sections.find((s) => s.type === SHT_DYNSYM);
    const out: ElfSymbol[] = [];
    if (tab) {
      const data = this.sectionData(tab);
      const strsec = this.sections[tab.link];
      const strs = strsec ? this.sectionData(strsec) : new Uint8Array(0);
      const r = new ByteReader(data, tab.name);
      const entsize = tab.entsize || 16;
      for (let off = entsize; off + 16 <= data.length; off += entsize) {
        r.pos = off;
        const nameOff = r.u32(), value = r.u32(), size = r.u32(), info = r.u8();
        r.u8(); // st_other
        const shndx = r.u16();
        const name = nameOff ? stringAt(strs, nameOff, strsec?.name ?? '.strtab') : '';
        out.push({
          name, value, size,
          type: SYM_TYPES[info & 0xf] ?? 'other',
          bind: SYM_BINDS[info >> 4] ?? 'other',
          shndx,
          section: shndx > 0 && shndx < 0xff00 ? this.sections[shndx]?.name ?? '' : '',
        });
      }
    }
    this.symbolCache = out;
    return out;
  }

  /** The section containing a virtual address (allocated sections only). */
  sectionAt(addr: number): ElfSection | undefined {
    for (const s of this.sections) {
      if ((s.flags & SHF_ALLOC) && s.size > 0 && addr >= s.addr && addr < s.addr + s.size) return s;
    }
    return undefined;
  }
}
