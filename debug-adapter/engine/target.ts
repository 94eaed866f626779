// What the engine needs from the simulated machine, written down as interfaces.
//
// simulator/machine's Machine and simulator/cpu's Cpu satisfy these structurally; naming only the
// members the debugger touches keeps the engine honest about its dependencies (and documents them for
// the machine engineer). Registers are indexed in x86 encoding order (EAX=0 ... EDI=7; ES=0 CS=1 SS=2
// DS=3 FS=4 GS=5), as simulator/cpu/registers.ts defines them.

import type { CpuHooks, StopReason } from '../../simulator/cpu/hooks';

export interface TargetSegment { selector: number; base: number; limit: number; access: number }
export interface TargetTableRegister { base: number; limit: number }

export interface TargetCpu {
  getReg32(index: number): number;
  setReg32(index: number, value: number): void;
  eip: number;
  getEflags(): number;
  setEflags(value: number): void;
  getSegment(index: number): TargetSegment;
  getControlRegister(n: number): number;
  readonly cpl: number;
  readonly gdtr: TargetTableRegister;
  readonly idtr: TargetTableRegister;
  readonly tr: TargetSegment;
  readonly runState: string;
  readonly instructionCount: number;
  readonly hooks: CpuHooks;
  readonly stopReason: StopReason;
  /** After a triple fault: "CPU n: triple fault (vectors #14 -> ...)" and the register dump. */
  readonly shutdownReport?: string;
}

export interface TargetRunResult {
  reason: 'budget' | 'exit' | 'all-halted' | 'shutdown' | 'stopped' | 'idle';
  exitCode?: number;
  cpuIndex?: number;
}

export interface TargetMachine {
  readonly cpus: readonly TargetCpu[];
  readonly time: number;
  /** Instructions executed by all CPUs together since power-on. */
  readonly instructionsRetired: number;
  /** Index of the CPU a hook stopped (-1 when none). */
  readonly stoppedCpu?: number;
  run(maxInstructions: number): TargetRunResult;
  requestStop(): void;
  onSerialOutput(listener: (bytes: Uint8Array) => void): void;
  sendSerialInput(bytes: Uint8Array | string): void;
  raiseIrq(line: number): void;
  readLinear(cpuIndex: number, address: number, length: number): Uint8Array | null;
  writeLinear(cpuIndex: number, address: number, bytes: Uint8Array): boolean | void;
  readPhysical(address: number, length: number): Uint8Array | null;
  writePhysical(address: number, bytes: Uint8Array): boolean | void;
}

/** Register indices (simulator/cpu/registers.ts uses const enums, which cannot cross module boundaries in
 *  isolated transpilation, so the engine names the numbers once here). */
export const REG = { eax: 0, ecx: 1, edx: 2, ebx: 3, esp: 4, ebp: 5, esi: 6, edi: 7 } as const;
export const SREG = { es: 0, cs: 1, ss: 2, ds: 3, fs: 4, gs: 5 } as const;
