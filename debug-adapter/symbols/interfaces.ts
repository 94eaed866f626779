/**
 * The small interfaces through which the symbols layer reads a stopped target. The debug adapter
 * implements them over the machine (one CPU's view); tests implement them over gdb dumps. Nothing in
 * debug-adapter/symbols imports the simulator.
 */

/** Linear-address reads as the CPU would see them. `null` = not readable (unmapped page, no memory). */
export interface MemoryReader {
  read(addr: number, len: number): Uint8Array | null;
  /** Optional: writes for setVariable/assignment. Returns false when the address is not writable. */
  write?(addr: number, bytes: Uint8Array): boolean;
}

/** i386 register names known to the unwinder and the expression evaluator. */
export type RegName =
  | 'eax' | 'ecx' | 'edx' | 'ebx' | 'esp' | 'ebp' | 'esi' | 'edi' | 'eip' | 'eflags'
  | 'cs' | 'ss' | 'ds' | 'es' | 'fs' | 'gs'
  | 'cr0' | 'cr2' | 'cr3' | 'cr4';

export const REG_NAMES: readonly RegName[] = [
  'eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'eip', 'eflags',
  'cs', 'ss', 'ds', 'es', 'fs', 'gs', 'cr0', 'cr2', 'cr3', 'cr4',
];

/** Register values of the innermost frame. `undefined` = not available. Values are unsigned 32-bit. */
export interface RegisterReader {
  get(name: RegName): number | undefined;
  /** Optional: for `$eax = 5` and setVariable on registers. Returns false when not writable. */
  set?(name: RegName, value: number): boolean;
}

/**
 * DWARF register numbers for i386 (System V i386 psABI): 0 eax, 1 ecx, 2 edx, 3 ebx, 4 esp, 5 ebp,
 * 6 esi, 7 edi, 8 eip (return address column), 9 eflags, 40–45 es cs ss ds fs gs.
 */
export const DWARF_REGS: Record<number, RegName> = {
  0: 'eax', 1: 'ecx', 2: 'edx', 3: 'ebx', 4: 'esp', 5: 'ebp', 6: 'esi', 7: 'edi', 8: 'eip', 9: 'eflags',
  40: 'es', 41: 'cs', 42: 'ss', 43: 'ds', 44: 'fs', 45: 'gs',
};

export function dwarfRegNumber(name: RegName): number | undefined {
  for (const [k, v] of Object.entries(DWARF_REGS)) if (v === name) return Number(k);
  return undefined;
}

/** A RegisterReader over a plain record (tests, saved frames). */
export function registersFromRecord(rec: Partial<Record<RegName, number>>): RegisterReader {
  return {
    get: (n) => rec[n],
    set: (n, v) => { rec[n] = v >>> 0; return true; },
  };
}
