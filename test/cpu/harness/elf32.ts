// Just enough ELF32 for the CPU test harnesses: PT_LOAD segments (placed at their physical addresses, as a
// multiboot loader does, with the bss part zeroed), the entry point and the symbol table.

export interface Elf32Image {
  entry: number;
  segments: { paddr: number; vaddr: number; data: Uint8Array; memsz: number; flags: number }[];
  symbols: Map<string, number>;
}

export function readElf32(file: Uint8Array): Elf32Image {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length < 52 || dv.getUint32(0, false) !== 0x7f454c46) throw new Error('not an ELF file');
  if (file[4] !== 1 || file[5] !== 1 || dv.getUint16(18, true) !== 3) throw new Error('not a little-endian ELF32 i386 file');
  const u16 = (o: number) => dv.getUint16(o, true);
  const u32 = (o: number) => dv.getUint32(o, true);
  const entry = u32(24);
  const phoff = u32(28), phentsize = u16(42), phnum = u16(44);
  const shoff = u32(32), shentsize = u16(46), shnum = u16(48);
  const segments: Elf32Image['segments'] = [];
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (u32(p) !== 1) continue; // PT_LOAD
    const offset = u32(p + 4), vaddr = u32(p + 8), paddr = u32(p + 12), filesz = u32(p + 16), memsz = u32(p + 20);
    if (offset + filesz > file.length) throw new Error('truncated ELF segment');
    segments.push({ paddr, vaddr, data: file.subarray(offset, offset + filesz), memsz, flags: u32(p + 24) });
  }
  const symbols = new Map<string, number>();
  for (let i = 0; i < shnum; i++) {
    const s = shoff + i * shentsize;
    if (u32(s + 4) !== 2) continue; // SHT_SYMTAB
    const off = u32(s + 16), size = u32(s + 20), link = u32(s + 24), entsize = u32(s + 36) || 16;
    const strOff = u32(shoff + link * shentsize + 16);
    for (let e = off; e + entsize <= off + size; e += entsize) {
      let n = strOff + u32(e);
      let name = '';
      while (file[n]) name += String.fromCharCode(file[n++]);
      if (name) symbols.set(name, u32(e + 4));
    }
  }
  return { entry, segments, symbols };
}

/** Copies the PT_LOAD segments to their physical addresses and zeroes their bss parts. */
export function loadElf32(img: Elf32Image, ram: Uint8Array): void {
  for (const s of img.segments) {
    if (s.paddr + s.memsz > ram.length) throw new Error(`segment at ${s.paddr.toString(16)} does not fit in RAM`);
    ram.fill(0, s.paddr, s.paddr + s.memsz);
    ram.set(s.data, s.paddr);
  }
}
