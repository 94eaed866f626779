// The Registers scope: general registers, segments with their hidden descriptor caches, EFLAGS and the
// control registers decoded into named bits, the descriptor-table registers and the TSS's esp0.
//
// Bit names follow the Intel SDM vol. 3A (2.3 EFLAGS / 2.5 control registers). Showing "IF ZF" instead of
// 0x246 is what makes a kernel stop readable: IF tells whether interrupts are on, CR0.TS whether the
// next FPU instruction will trap (lazy FPU switching), CR0.PG/CR4.PSE how addresses are translated.

import { REG, SREG, type TargetCpu } from './target';
import { hex32, leaf, type ViewNode } from './view-node';

/** [bit, name] pairs; IOPL is a two-bit field handled separately. */
const EFLAGS_BITS: [number, string][] = [
  [0, 'CF'], [2, 'PF'], [4, 'AF'], [6, 'ZF'], [7, 'SF'], [8, 'TF'], [9, 'IF'], [10, 'DF'], [11, 'OF'],
  [14, 'NT'], [16, 'RF'], [17, 'VM'], [18, 'AC'], [19, 'VIF'], [20, 'VIP'], [21, 'ID'],
];
const CR0_BITS: [number, string][] = [
  [0, 'PE'], [1, 'MP'], [2, 'EM'], [3, 'TS'], [4, 'ET'], [5, 'NE'], [16, 'WP'], [18, 'AM'], [29, 'NW'], [30, 'CD'], [31, 'PG'],
];
const CR4_BITS: [number, string][] = [
  [0, 'VME'], [1, 'PVI'], [2, 'TSD'], [3, 'DE'], [4, 'PSE'], [5, 'PAE'], [6, 'MCE'], [7, 'PGE'], [8, 'PCE'],
  [9, 'OSFXSR'], [10, 'OSXMMEXCPT'],
];

/** Names of the set bits, e.g. flagNames(0x246, EFLAGS_BITS) -> ['PF', 'ZF', 'IF']. */
function flagNames(value: number, bits: [number, string][]): string[] {
  return bits.filter(([b]) => ((value >>> b) & 1) !== 0).map(([, n]) => n);
}

/** "0x00000246 [PF ZF IF]" (plus IOPL when non-zero), the way gdb prints eflags. */
export function describeEflags(v: number): string {
  const names = flagNames(v, EFLAGS_BITS);
  const iopl = (v >>> 12) & 3;
  if (iopl) names.push(`IOPL=${iopl}`);
  return `${hex32(v)} [${names.join(' ')}]`;
}
export function describeCr0(v: number): string { return `${hex32(v)} [${flagNames(v, CR0_BITS).join(' ')}]`; }
export function describeCr4(v: number): string { return `${hex32(v)} [${flagNames(v, CR4_BITS).join(' ')}]`; }

function bitChildren(v: number, bits: [number, string][], expr: string): ViewNode[] {
  return bits.map(([b, n]) => leaf(n, String((v >>> b) & 1), { type: 'bit', evaluateName: `(${expr} >> ${b}) & 1` }));
}

/** Descriptor attributes (bits 0-7 access byte, 12-15 flags) as "code r-x dpl0 32-bit". */
function describeSegmentAccess(access: number): string {
  if (!(access & 0x80)) return 'not present';
  const dpl = (access >> 5) & 3;
  const s = (access >> 4) & 1;
  const type = access & 0xf;
  const big = (access >> 14) & 1 ? '32-bit' : '16-bit';
  if (!s) return `system type ${type} dpl${dpl}`;
  const code = (type & 8) !== 0;
  const kind = code ? `code ${type & 2 ? 'r-x' : '--x'}` : `data ${type & 2 ? 'rw-' : 'r--'}`;
  return `${kind} dpl${dpl} ${big}`;
}

export interface RegisterViewDeps {
  cpu: TargetCpu;
  /** Reads guest memory through this CPU's page tables (for the TSS's esp0). */
  read(address: number, length: number): Uint8Array | null;
  /** Writes a general register (or eip/eflags) from text; used by setVariable. */
  parseNumber(text: string): number;
}

export function registerNodes(d: RegisterViewDeps): ViewNode[] {
  const { cpu } = d;
  const nodes: ViewNode[] = [];
  for (const [name, index] of Object.entries(REG)) {
    const v = cpu.getReg32(index);
    nodes.push(leaf(name, hex32(v), {
      type: 'register', evaluateName: `$${name}`, kind: 'register',
      set: (text) => { cpu.setReg32(index, d.parseNumber(text)); return hex32(cpu.getReg32(index)); },
    }));
  }
  nodes.push(leaf('eip', hex32(cpu.eip), {
    type: 'register', evaluateName: '$eip', memoryReference: cpu.eip,
    set: (text) => { cpu.eip = d.parseNumber(text) >>> 0; return hex32(cpu.eip); },
  }));
  const fl = cpu.getEflags();
  nodes.push({
    name: 'eflags', value: describeEflags(fl), type: 'register', evaluateName: '$eflags',
    children: () => {
      const kids = bitChildren(fl, EFLAGS_BITS, '$eflags');
      kids.push(leaf('IOPL', String((fl >>> 12) & 3), { type: 'field' }));
      return kids;
    },
    set: (text) => { cpu.setEflags(d.parseNumber(text)); return describeEflags(cpu.getEflags()); },
  });
  nodes.push({
    name: 'segments', value: Object.keys(SREG).map((n) => `${n}=${hex16(cpu.getSegment(SREG[n as keyof typeof SREG]).selector)}`).join(' '),
    children: () => Object.entries(SREG).map(([n, i]) => {
      const s = cpu.getSegment(i);
      return {
        name: n, value: `${hex16(s.selector)} (index ${s.selector >> 3}, ${s.selector & 4 ? 'LDT' : 'GDT'}, RPL ${s.selector & 3})`,
        type: 'segment',
        children: () => [
          leaf('selector', hex16(s.selector)), leaf('base', hex32(s.base)), leaf('limit', hex32(s.limit)),
          leaf('attributes', describeSegmentAccess(s.access)),
        ],
      };
    }),
  });
  const cr0 = cpu.getControlRegister(0);
  const cr3 = cpu.getControlRegister(3);
  const cr4 = cpu.getControlRegister(4);
  nodes.push({ name: 'cr0', value: describeCr0(cr0), type: 'register', evaluateName: '$cr0', children: () => bitChildren(cr0, CR0_BITS, '$cr0') });
  nodes.push(leaf('cr2', hex32(cpu.getControlRegister(2)), { type: 'register', evaluateName: '$cr2' }));
  nodes.push({
    name: 'cr3', value: `${hex32(cr3)} (page directory at ${hex32(cr3 & ~0xfff)})`, type: 'register', evaluateName: '$cr3',
    children: () => [leaf('page directory', hex32(cr3 & ~0xfff)), leaf('PWT', String((cr3 >>> 3) & 1)), leaf('PCD', String((cr3 >>> 4) & 1))],
  });
  nodes.push({ name: 'cr4', value: describeCr4(cr4), type: 'register', evaluateName: '$cr4', children: () => bitChildren(cr4, CR4_BITS, '$cr4') });
  nodes.push(leaf('gdtr', `base ${hex32(cpu.gdtr.base)} limit ${hex16(cpu.gdtr.limit)}`, { memoryReference: cpu.gdtr.base }));
  nodes.push(leaf('idtr', `base ${hex32(cpu.idtr.base)} limit ${hex16(cpu.idtr.limit)}`, { memoryReference: cpu.idtr.base }));
  const tr = cpu.tr;
  nodes.push(leaf('tr', `${hex16(tr.selector)} base ${hex32(tr.base)} limit ${hex32(tr.limit)}`, { memoryReference: tr.base }));
  // The TSS's esp0 (offset 4) is the kernel stack the CPU switches to on an interrupt from user mode:
  // __switch_to writes next->thread.esp0 there on every context switch.
  if (tr.selector !== 0) {
    const b = d.read((tr.base + 4) >>> 0, 4);
    nodes.push(leaf('tss.esp0', b ? hex32(b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) : '<unreadable>', { memoryReference: (tr.base + 4) >>> 0 }));
  }
  return nodes;
}

function hex16(v: number): string { return '0x' + (v & 0xffff).toString(16).padStart(4, '0'); }
