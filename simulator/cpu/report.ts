// Human-readable register dumps (triple-fault reports, `ksim run` errors).

import type { Cpu } from './cpu';
import { REG32_NAMES, SREG_NAMES } from './registers';

const hex = (v: number, w = 8) => (v >>> 0).toString(16).padStart(w, '0');

export function formatCpuState(c: Cpu): string {
  const lines: string[] = [];
  const r = REG32_NAMES.map((n, k) => `${n.toUpperCase()}=${hex(c.regs[k])}`);
  lines.push(r.slice(0, 4).join(' '), r.slice(4).join(' '));
  lines.push(`EIP=${hex(c.eip)} EFLAGS=${hex(c.getEflags())} CPL=${c.cpl} instructions=${c.instructionCount}`);
  for (let s = 0; s < 6; s++) {
    lines.push(`${SREG_NAMES[s].toUpperCase()}=${hex(c.segSel[s], 4)} base=${hex(c.segBase[s])} limit=${hex(c.segLimit[s])} attr=${hex(c.segAttr[s], 4)}`);
  }
  lines.push(`LDTR=${hex(c.ldtSel, 4)} base=${hex(c.ldtBase)} limit=${hex(c.ldtLimit)}  TR=${hex(c.trSel, 4)} base=${hex(c.trBase)} limit=${hex(c.trLimit)}`);
  lines.push(`GDT=${hex(c.gdtBase)}/${hex(c.gdtLimit, 4)} IDT=${hex(c.idtBase)}/${hex(c.idtLimit, 4)}`);
  lines.push(`CR0=${hex(c.cr0)} CR2=${hex(c.cr2)} CR3=${hex(c.cr3)} CR4=${hex(c.cr4)}`);
  return lines.join('\n');
}
