/**
 * Errors raised while reading an ELF file or its DWARF sections.
 *
 * Every problem found in the input names where it was found (section and byte offset inside it), so a
 * user looking at a broken or unusual kernel image can go straight to the bytes with objdump or a hex
 * editor: "section .debug_info offset 0x1a2c: unknown attribute form 0x99".
 */
export class SymbolsError extends Error {
  constructor(
    readonly section: string,
    readonly offset: number,
    readonly detail: string,
  ) {
    super(`section ${section} offset 0x${offset.toString(16)}: ${detail}`);
    this.name = 'SymbolsError';
  }
}
