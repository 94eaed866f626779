// Multiboot v1 loader: what GRUB (or QEMU's `-kernel`) does between the firmware and a kernel's first
// instruction.
//
// A multiboot kernel carries a 12-byte (or longer) header, 4-byte aligned, somewhere in its first 8 KiB:
//   magic 0x1BADB002, flags, checksum   with   magic + flags + checksum == 0 (mod 2^32).
// If flags bit 16 ("address fields valid", the a.out kludge) is set, the header also says where to load
// the file; otherwise the loader reads the ELF program headers and copies every PT_LOAD segment to its
// *physical* address (p_paddr), zero-filling p_memsz beyond p_filesz (the .bss). Kernels linked at a
// high virtual address (Linux's 0xC0000000) keep low physical load addresses exactly this way.
//
// The loader then builds a "multiboot information" block in memory and enters the kernel in flat 32-bit
// protected mode, paging off, with EAX = 0x2BADB002 (proof that a multiboot loader ran) and EBX = the
// physical address of the information block: memory sizes, a BIOS-style (e820) memory map and the
// kernel command line.

export const MULTIBOOT_HEADER_MAGIC = 0x1badb002;
export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2badb002;

/** A kernel file we cannot boot. The message is one line, fit for a CLI error. */
export class KernelImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelImageError';
  }
}

/** One region of the physical memory map (as in the BIOS e820 call / multiboot mmap). */
export interface MemoryMapEntry {
  base: number;
  length: number;
  /** 1 = usable RAM, 2 = reserved. */
  type: 1 | 2;
}

/** A piece of the image to copy into physical memory. */
export interface LoadSegment {
  paddr: number;
  /** Bytes taken from the file. */
  data: Uint8Array;
  /** Total size in memory; bytes past data.length are zero (bss). */
  memSize: number;
}

export interface ParsedKernel {
  entry: number;
  segments: LoadSegment[];
  /** Offset of the multiboot header in the file, and its flags word. */
  headerOffset: number;
  headerFlags: number;
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
const PT_LOAD = 1;
const EM_386 = 3;

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

/** Finds the multiboot header: 4-byte aligned, entirely inside the first 8192 bytes, valid checksum. */
function findMultibootHeader(image: Uint8Array): { offset: number; flags: number } | null {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const limit = Math.min(8192, image.length) - 12;
  for (let off = 0; off <= limit; off += 4) {
    if (view.getUint32(off, true) !== MULTIBOOT_HEADER_MAGIC) continue;
    const flags = view.getUint32(off + 4, true);
    const checksum = view.getUint32(off + 8, true);
    if (((MULTIBOOT_HEADER_MAGIC + flags + checksum) >>> 0) === 0) return { offset: off, flags };
  }
  return null;
}

/**
 * Validates a kernel image and lists what to load where. Throws KernelImageError (one-line message)
 * for: not an ELF, not i386, truncated, no multiboot header.
 */
export function parseMultibootKernel(image: Uint8Array): ParsedKernel {
  if (image.length < 4 || ELF_MAGIC.some((b, i) => image[i] !== b)) {
    throw new KernelImageError('not an ELF file (bad magic; expected a multiboot v1 ELF kernel)');
  }
  if (image.length < 52) throw new KernelImageError(`truncated ELF: ${image.length} bytes, shorter than the ELF header`);
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const elfClass = image[4];
  const dataEncoding = image[5];
  if (elfClass !== 1) {
    throw new KernelImageError(`not an i386 kernel: ELF class ${elfClass === 2 ? '64-bit' : elfClass} (need ELF32)`);
  }
  if (dataEncoding !== 1) throw new KernelImageError('not an i386 kernel: big-endian ELF');
  const machine = view.getUint16(18, true);
  if (machine !== EM_386) throw new KernelImageError(`not an i386 kernel: ELF machine ${machine} (need 3, EM_386)`);

  // A truncated file is reported as such even when the cut also removed the multiboot header.
  const elfSegments = readElfLoadSegments(image, view);

  const header = findMultibootHeader(image);
  if (!header) {
    throw new KernelImageError('no multiboot header (magic 0x1BADB002 with a valid checksum) in the first 8 KiB');
  }
  // (flags bit 2, a video mode request, is ignored: the console is the serial port, as with QEMU -nographic)

  // The a.out kludge: the header itself says where the file goes.
  if (header.flags & 0x10000) {
    if (header.offset + 32 > image.length) throw new KernelImageError('truncated multiboot header (address fields)');
    const headerAddr = view.getUint32(header.offset + 12, true);
    const loadAddr = view.getUint32(header.offset + 16, true);
    const loadEndAddr = view.getUint32(header.offset + 20, true);
    const bssEndAddr = view.getUint32(header.offset + 24, true);
    const entry = view.getUint32(header.offset + 28, true);
    const fileStart = header.offset - (headerAddr - loadAddr);
    if (headerAddr < loadAddr || fileStart < 0) throw new KernelImageError('invalid multiboot address fields (header_addr below load_addr)');
    const loadLen = loadEndAddr === 0 ? image.length - fileStart : loadEndAddr - loadAddr;
    if (loadLen < 0 || fileStart + loadLen > image.length) {
      throw new KernelImageError(`truncated kernel: multiboot load range needs ${fileStart + loadLen} bytes, file has ${image.length}`);
    }
    const memSize = bssEndAddr === 0 ? loadLen : Math.max(loadLen, bssEndAddr - loadAddr);
    return {
      entry,
      segments: [{ paddr: loadAddr, data: image.subarray(fileStart, fileStart + loadLen), memSize }],
      headerOffset: header.offset,
      headerFlags: header.flags,
    };
  }

  if (elfSegments.length === 0) throw new KernelImageError('ELF has no PT_LOAD segment: nothing to load');
  return { entry: view.getUint32(24, true), segments: elfSegments, headerOffset: header.offset, headerFlags: header.flags };
}

/** The PT_LOAD segments of an ELF32 image, with bounds checked against the file. */
function readElfLoadSegments(image: Uint8Array, view: DataView): LoadSegment[] {
  const phoff = view.getUint32(28, true);
  const phentsize = view.getUint16(42, true);
  const phnum = view.getUint16(44, true);
  if (phnum === 0) return [];
  if (phentsize < 32) throw new KernelImageError(`bad ELF program header size ${phentsize}`);
  if (phoff + phnum * phentsize > image.length) {
    throw new KernelImageError(`truncated ELF: program headers end at ${phoff + phnum * phentsize}, file has ${image.length} bytes`);
  }
  const segments: LoadSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (view.getUint32(ph, true) !== PT_LOAD) continue;
    const offset = view.getUint32(ph + 4, true);
    const paddr = view.getUint32(ph + 12, true);
    const filesz = view.getUint32(ph + 16, true);
    const memsz = view.getUint32(ph + 20, true);
    if (offset + filesz > image.length) {
      throw new KernelImageError(`truncated ELF: segment ${i} (paddr ${hex(paddr)}) needs bytes up to ${offset + filesz}, file has ${image.length}`);
    }
    if (memsz < filesz) throw new KernelImageError(`bad ELF segment ${i}: p_memsz < p_filesz`);
    if (memsz === 0) continue;
    segments.push({ paddr, data: image.subarray(offset, offset + filesz), memSize: memsz });
  }
  return segments;
}

/**
 * The layout of low memory our "firmware" uses, chosen like a PC with SeaBIOS:
 *  - 0x00000-0x9FBFF usable (real-mode IVT, BDA at 0x400, free low memory for AP trampolines)
 *  - 0x09000-0x0FFFF holds the multiboot info block, memory map and command line (like GRUB, below 1 MiB;
 *    the kernel may reuse it once it has read it)
 *  - 0x9FC00-0x9FFFF EBDA (reserved), 0xE0000-0xFFFFF BIOS area with the ACPI and MP tables (reserved)
 *  - 0x100000 to 128 KiB below the end of RAM usable; the top 128 KiB reserved (as SeaBIOS does)
 */
export const MULTIBOOT_INFO_ADDR = 0x9000;
const MMAP_ADDR = 0x9100;
const LOADER_NAME_ADDR = 0x9300;
const CMDLINE_ADDR = 0x9400;
const CMDLINE_MAX = 0x10000 - CMDLINE_ADDR - 1;
export const EBDA_BASE = 0x9fc00;
export const BIOS_AREA_BASE = 0xe0000;

/**
 * End of the usable RAM above 1 MiB: SeaBIOS keeps the top 128 KiB of RAM for itself (reserved in the
 * e820 map), so on QEMU `-m 128` a multiboot kernel sees mem_upper = 129920 KiB; we report the same.
 */
export function highRamEnd(ramBytes: number): number { return ramBytes - 0x20000; }

export function standardMemoryMap(ramBytes: number): MemoryMapEntry[] {
  return [
    { base: 0, length: EBDA_BASE, type: 1 },
    { base: EBDA_BASE, length: 0xa0000 - EBDA_BASE, type: 2 },
    { base: BIOS_AREA_BASE, length: 0x100000 - BIOS_AREA_BASE, type: 2 },
    { base: 0x100000, length: highRamEnd(ramBytes) - 0x100000, type: 1 },
    { base: highRamEnd(ramBytes), length: 0x20000, type: 2 },
    { base: 0xfffc0000, length: 0x40000, type: 2 },
  ];
}

/**
 * Copies the segments into RAM (marking dirty pages) and writes the multiboot information block.
 * Returns the entry point and the info block address (for EBX).
 */
export function loadMultibootKernel(
  image: Uint8Array, ram: Uint8Array, dirtyPages: Uint8Array, cmdline: string,
): { entry: number; infoAddr: number } {
  const kernel = parseMultibootKernel(image);
  for (const seg of kernel.segments) {
    const end = seg.paddr + seg.memSize;
    if (end > highRamEnd(ram.length)) {
      throw new KernelImageError(
        `kernel segment at ${hex(seg.paddr)}-${hex(end)} does not fit in ${ram.length >>> 20} MB of memory`);
    }
    if (seg.paddr < 0x100000 && end > EBDA_BASE) {
      throw new KernelImageError(`kernel segment at ${hex(seg.paddr)} overlaps the BIOS area (640K-1M)`);
    }
    ram.set(seg.data, seg.paddr);
    ram.fill(0, seg.paddr + seg.data.length, end);
    for (let p = seg.paddr >>> 12; p <= (end - 1) >>> 12; p++) dirtyPages[p] = 1;
  }
  writeMultibootInfo(ram, dirtyPages, cmdline);
  return { entry: kernel.entry, infoAddr: MULTIBOOT_INFO_ADDR };
}

function writeMultibootInfo(ram: Uint8Array, dirtyPages: Uint8Array, cmdline: string): void {
  const view = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  ram.fill(0, MULTIBOOT_INFO_ADDR, 0x10000);
  const cmd = new TextEncoder().encode(cmdline);
  if (cmd.length > CMDLINE_MAX) throw new KernelImageError(`command line too long (${cmd.length} bytes, max ${CMDLINE_MAX})`);
  ram.set(cmd, CMDLINE_ADDR);
  ram[CMDLINE_ADDR + cmd.length] = 0;
  const name = new TextEncoder().encode('ksim');
  ram.set(name, LOADER_NAME_ADDR);

  const map = standardMemoryMap(ram.length);
  let p = MMAP_ADDR;
  for (const e of map) {
    // Each entry: size (of the rest, 20), base (64-bit), length (64-bit), type.
    view.setUint32(p, 20, true);
    view.setUint32(p + 4, e.base >>> 0, true);
    view.setUint32(p + 8, Math.floor(e.base / 0x100000000), true);
    view.setUint32(p + 12, e.length >>> 0, true);
    view.setUint32(p + 16, Math.floor(e.length / 0x100000000), true);
    view.setUint32(p + 20, e.type, true);
    p += 24;
  }
  const info = MULTIBOOT_INFO_ADDR;
  // flags: 0 mem_lower/upper, 1 boot_device, 2 cmdline, 3 mods, 6 mmap, 9 boot loader name.
  view.setUint32(info + 0, (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 6) | (1 << 9), true);
  view.setUint32(info + 4, EBDA_BASE >>> 10, true);                      // mem_lower: KiB below the EBDA (639)
  view.setUint32(info + 8, (highRamEnd(ram.length) - 0x100000) >>> 10, true); // mem_upper: KiB of RAM from 1 MiB
  view.setUint32(info + 12, 0x8000ffff, true);                           // boot_device: first hard disk, no partition
  view.setUint32(info + 16, CMDLINE_ADDR, true);
  view.setUint32(info + 20, 0, true);                                    // mods_count
  view.setUint32(info + 24, MULTIBOOT_INFO_ADDR + 0x90, true);           // mods_addr (empty list)
  view.setUint32(info + 44, map.length * 24, true);                      // mmap_length
  view.setUint32(info + 48, MMAP_ADDR, true);                            // mmap_addr
  view.setUint32(info + 64, LOADER_NAME_ADDR, true);                     // boot_loader_name
  for (let pg = MULTIBOOT_INFO_ADDR >>> 12; pg < 0x10; pg++) dirtyPages[pg] = 1;
}
