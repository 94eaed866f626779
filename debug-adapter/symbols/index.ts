/**
 * Public entry of the symbols layer (see README.md in this folder for the API).
 */
export { SymbolsError } from './errors';
export { ElfFile, ElfSection, ElfSegment, ElfSymbol } from './elf';
export { MemoryReader, RegisterReader, RegName, REG_NAMES, DWARF_REGS, registersFromRecord } from './interfaces';
export {
  SymbolFile, SourceLocation, FunctionInfo, InlineFrame, LineResolution, LoadOptions,
} from './program';
import { LoadOptions, SymbolFile } from './program';

/** Loads an ELF32 file's symbols. Throws SymbolsError when the ELF itself is unreadable; DWARF problems
 * degrade to `warnings` (unless options.strict). */
export function loadSymbols(bytes: Uint8Array, options?: LoadOptions): SymbolFile {
  return new SymbolFile(bytes, options);
}
