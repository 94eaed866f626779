// A human-readable register dump of every CPU, for `ksim run` when a run ends badly (triple fault,
// exhausted budget) — the first thing one reads to see where a kernel was stuck.

import type { Cpu } from '../cpu/cpu';

const REGS = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const SREGS = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

function h(v: number): string { return (v >>> 0).toString(16).padStart(8, '0'); }

export function formatCpu(cpu: Cpu, index: number): string {
  const lines: string[] = [];
  lines.push(`CPU ${index}: ${cpu.runState}, ${cpu.instructionCount} instructions retired`);
  lines.push('  ' + REGS.map((r, i) => `${r}=${h(cpu.getReg32(i))}`).join(' '));
  lines.push(`  eip=${h(cpu.eip)} eflags=${h(cpu.getEflags())} cpl=${cpu.cpl}`);
  lines.push('  ' + SREGS.map((r, i) => {
    const s = cpu.getSegment(i);
    return `${r}=${s.selector.toString(16).padStart(4, '0')}(base ${h(s.base)})`;
  }).join(' '));
  lines.push(`  cr0=${h(cpu.getControlRegister(0))} cr2=${h(cpu.getControlRegister(2))} cr3=${h(cpu.getControlRegister(3))} cr4=${h(cpu.getControlRegister(4))}`);
  return lines.join('\n');
}

export function formatMachineCpus(cpus: Cpu[]): string {
  return cpus.map((c, i) => (c.runState === 'shutdown' && c.shutdownReport ? c.shutdownReport : formatCpu(c, i))).join('\n');
}
