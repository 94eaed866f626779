/**
 * Public entry of the symbols layer (see README.md in this folder for the API).
 */
export { SymbolsError } from './errors';
export { ElfFile, ElfSection, ElfSegment, ElfSymbol } from './elf';
export { MemoryReader, RegisterReader, RegName, REG_NAMES, DWARF_REGS, registersFromRecord } from './interfaces';
export {
  SymbolFile, SourceLocation, FunctionInfo, InlineFrame, LineResolution, LoadOptions,
} from './program';
export {
  Type, BaseType, PointerType, StructType, ArrayType, EnumType, TypedefType, QualifiedType, FunctionType, VoidType,
  Member, resolveType, typeToString,
} from './types';
export { Variable, VariableKind, FrameView, variablesAt, findGlobal, locateVariable } from './variables';
export { Location } from './location';
export { Frame, FrameKind, FrameOrigin, UnwindOptions, unwind, DEFAULT_ENTRY_LABELS } from './unwinder';
export { EvalContext, evaluate, assign } from './evaluate';
export { ExpressionSyntaxError } from './expr-parser';
export { Value, EvalError, valueToBigInt, valueToFloat } from './value';
export { formatValue, valueChildren, hasChildren, FormatOptions } from './format';
import { LoadOptions, SymbolFile } from './program';

/** Loads an ELF32 file's symbols. Throws SymbolsError when the ELF itself is unreadable; DWARF problems
 * degrade to `warnings` (unless options.strict). */
export function loadSymbols(bytes: Uint8Array, options?: LoadOptions): SymbolFile {
  return new SymbolFile(bytes, options);
}
