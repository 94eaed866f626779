// Expressions at a stop: hover, watch, REPL, breakpoint conditions and log-point holes.
//
// The full C evaluator with DWARF types belongs to debug-adapter/symbols (README: "Expressions").
// Until it is available this module evaluates the integer subset a kernel debugger needs most:
// numbers, registers ($eax ... $cr4), $cpu and $pid (the task running on the stopping CPU), global
// variables by name (read with their DWARF size), &global, *(address) as a 32-bit load, and the C
// arithmetic, comparison and logical operators with C precedence.

import type { Engine } from './engine';
import type { EngineFrame } from './unwind';
import { hex32, leaf, type ViewNode } from './view-node';
import { REG, SREG } from './target';
import { typeSize } from '../kernel/layout';
import { DW_AT } from '../symbols/dwarf-constants';

type Token = { k: 'num'; v: number } | { k: 'id'; v: string } | { k: 'op'; v: string };

const OPS = ['<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '<', '>', '&', '|', '^', '!', '~', '(', ')'];

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) { i++; continue; }
    const num = /^(0x[0-9a-fA-F]+|\d+)[uUlL]*/.exec(text.slice(i));
    if (num) { out.push({ k: 'num', v: Number(num[1]) }); i += num[0].length; continue; }
    const id = /^\$?[A-Za-z_][\w]*/.exec(text.slice(i));
    if (id) { out.push({ k: 'id', v: id[0] }); i += id[0].length; continue; }
    const chr = /^'(\\?.)'/.exec(text.slice(i));
    if (chr) { out.push({ k: 'num', v: chr[1].length === 2 ? ({ n: 10, t: 9, r: 13, '0': 0 } as Record<string, number>)[chr[1][1]] ?? chr[1].charCodeAt(1) : chr[1].charCodeAt(0) }); i += chr[0].length; continue; }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (!op) throw new Error(`unexpected '${ch}' in '${text}'`);
    out.push({ k: 'op', v: op });
    i += op.length;
  }
  return out;
}

/** Binary operators by precedence level, lowest first (C's table). */
const LEVELS: string[][] = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

interface Scalar { value: number; address?: number; size?: number; name?: string }

export class Evaluator {
  constructor(private readonly engine: Engine) {}

  /** Parse and evaluate an integer expression on CPU `cpu`. */
  private evalScalar(text: string, cpu: number, frame?: EngineFrame): Scalar {
    const toks = tokenize(text);
    let pos = 0;
    const peek = () => toks[pos];
    const take = (v?: string) => {
      const t = toks[pos];
      if (!t || (v !== undefined && !(t.k === 'op' && t.v === v))) throw new Error(`expected '${v ?? 'an operand'}' in '${text}'`);
      pos++;
      return t;
    };
    const binary = (level: number): Scalar => {
      if (level === LEVELS.length) return unary();
      let left = binary(level + 1);
      for (;;) {
        const t = peek();
        if (!t || t.k !== 'op' || !LEVELS[level].includes(t.v)) return left;
        pos++;
        const right = binary(level + 1);
        left = { value: applyBinary(t.v, left.value, right.value) };
      }
    };
    const unary = (): Scalar => {
      const t = peek();
      if (t && t.k === 'op') {
        if (t.v === '-') { pos++; return { value: -unary().value | 0 }; }
        if (t.v === '!') { pos++; return { value: unary().value ? 0 : 1 }; }
        if (t.v === '~') { pos++; return { value: ~unary().value >>> 0 }; }
        if (t.v === '*') {
          pos++;
          const a = unary().value >>> 0;
          const v = this.engine.read32(cpu, a);
          if (v === undefined) throw new Error(`cannot read memory at ${hex32(a)}`);
          return { value: v, address: a, size: 4 };
        }
        if (t.v === '&') {
          pos++;
          const operand = unary();
          if (operand.address === undefined) throw new Error(`'&' needs an object in memory`);
          return { value: operand.address };
        }
        if (t.v === '(') { pos++; const v = binary(0); take(')'); return v; }
      }
      return primary();
    };
    const primary = (): Scalar => {
      const t = take();
      if (t.k === 'num') return { value: t.v };
      if (t.k === 'id') return this.identifier(t.v, cpu, frame);
      throw new Error(`unexpected '${t.v}' in '${text}'`);
    };
    const result = binary(0);
    if (pos !== toks.length) throw new Error(`unexpected '${(toks[pos] as { v: unknown }).v}' in '${text}'`);
    return result;
  }

  private identifier(name: string, cpu: number, frame?: EngineFrame): Scalar {
    const e = this.engine;
    const c = e.cpu(cpu);
    if (name.startsWith('$')) {
      const r = name.slice(1).toLowerCase();
      if (r === 'cpu') return { value: cpu };
      if (r === 'pid') {
        const t = e.currentTask(cpu);
        const s = t !== undefined ? e.taskSummary(t) : undefined;
        if (!s) throw new Error('$pid: no task is running on this CPU (or the kernel has no task_struct)');
        return { value: s.pid };
      }
      if (frame && frame.regs[r as keyof typeof frame.regs] !== undefined && r in REG) return { value: frame.regs[r as keyof typeof frame.regs] as number };
      if (r in REG) return { value: c.getReg32(REG[r as keyof typeof REG]) };
      if (r === 'eip' || r === 'pc') return { value: frame ? frame.pc : c.eip };
      if (r === 'eflags') return { value: c.getEflags() };
      if (r in SREG) return { value: c.getSegment(SREG[r as keyof typeof SREG]).selector };
      const cr = /^cr([0234])$/.exec(r);
      if (cr) return { value: c.getControlRegister(Number(cr[1])) };
      throw new Error(`unknown register '${name}'`);
    }
    const s = e.symbols;
    const sym = s?.lookupSymbol(name)[0];
    if (!sym) throw new Error(`no symbol '${name}' in the kernel`);
    if (s!.isExecutable(sym.value)) return { value: sym.value, name };
    const size = this.globalSize(name) ?? (sym.size > 0 && sym.size <= 4 ? sym.size : 4);
    const bytes = e.machine.readLinear(cpu, sym.value, Math.min(size, 4));
    if (!bytes) throw new Error(`cannot read '${name}' at ${hex32(sym.value)}`);
    let v = 0;
    for (let i = bytes.length - 1; i >= 0; i--) v = (v * 256) + bytes[i];
    return { value: v, address: sym.value, size, name };
  }

  /** Size of a global variable's type from DWARF. */
  private globalSize(name: string): number | undefined {
    for (const d of this.engine.symbols?.globalDies(name) ?? []) {
      const t = d.ref(DW_AT.type) ?? d.ref(DW_AT.specification)?.ref(DW_AT.type);
      const size = typeSize(t);
      if (size !== undefined) return size;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- public API for the session

  evaluate(text: string, cpu: number, frame?: EngineFrame): ViewNode {
    const v = this.evalScalar(text, cpu, frame);
    const sym = this.engine.symbols?.describeAddress(v.value >>> 0);
    const shown = v.size !== undefined && v.size < 4 ? `${v.value}` : `${v.value | 0} (${hex32(v.value)}${sym && v.value > 0xfff ? ` <${sym}>` : ''})`;
    return leaf(text, shown, { memoryReference: v.address ?? (sym ? v.value >>> 0 : undefined), evaluateName: text });
  }

  condition(text: string, cpu: number): { truthy: boolean; text: string } {
    const v = this.evalScalar(text, cpu);
    return { truthy: v.value !== 0, text: String(v.size !== undefined && v.size < 4 ? v.value : v.value | 0) };
  }

  /** The object an expression names (for data breakpoints): its address and size. */
  lvalue(text: string, cpu: number): { address: number; size: number } | undefined {
    try {
      const v = this.evalScalar(text, cpu);
      if (v.address === undefined) return undefined;
      return { address: v.address, size: Math.min(v.size ?? 4, 8) };
    } catch {
      return undefined;
    }
  }

  addressOf(text: string, cpu: number): number | undefined {
    try {
      const v = this.evalScalar(text, cpu);
      return v.address ?? v.value >>> 0;
    } catch {
      return undefined;
    }
  }

  number(text: string, cpu: number): number {
    return this.evalScalar(text, cpu).value >>> 0;
  }

  /** Locals and parameters of a frame; undefined until the symbols layer provides variables. */
  frameVariables(_frame: EngineFrame, _cpu: number): { locals: ViewNode[]; params: ViewNode[] } | undefined {
    return undefined;
  }
}

function applyBinary(op: string, a: number, b: number): number {
  switch (op) {
    case '+': return (a + b) | 0;
    case '-': return (a - b) | 0;
    case '*': return Math.imul(a, b);
    case '/': if (b === 0) throw new Error('division by zero'); return (a / b) | 0;
    case '%': if (b === 0) throw new Error('division by zero'); return (a % b) | 0;
    case '<<': return a << b;
    case '>>': return a >>> b;
    case '<': return a < b ? 1 : 0;
    case '>': return a > b ? 1 : 0;
    case '<=': return a <= b ? 1 : 0;
    case '>=': return a >= b ? 1 : 0;
    case '==': return (a >>> 0) === (b >>> 0) ? 1 : 0;
    case '!=': return (a >>> 0) !== (b >>> 0) ? 1 : 0;
    case '&': return a & b;
    case '|': return a | b;
    case '^': return a ^ b;
    case '&&': return a && b ? 1 : 0;
    case '||': return a || b ? 1 : 0;
    default: throw new Error(`unknown operator '${op}'`);
  }
}
