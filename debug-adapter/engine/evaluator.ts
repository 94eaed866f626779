// Expressions and variables at a stop - hover, watch, REPL, breakpoint conditions, log-point holes,
// data-breakpoint targets, setVariable - on top of the symbols layer's C evaluator (../symbols).
// This module only supplies the context: memory through the right CPU's page tables, the frame's
// registers, $cpu and $pid, and turns values into ViewNodes with lazily expanded children.

import type { Engine } from './engine';
import type { EngineFrame } from './unwind';
import { hex32, leaf, type ViewNode } from './view-node';
import { REG, SREG } from './target';
import {
  evaluate as symEvaluate, assign as symAssign, formatValue, valueChildren, hasChildren, variablesAt, locateVariable,
  valueToBigInt, typeToString, resolveType, type EvalContext, type Value, type RegisterReader, type RegName, type MemoryReader, type Type,
} from '../symbols';
import { chainNodes, knownChainOf, knownListAt, knownListArrayAt, listNodes, type KnownList } from './known-lists';
import { taskLine } from '../kernel/tasks';
import { Value as ValueClass } from '../symbols/value';

const GP: RegName[] = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];

export class Evaluator {
  constructor(private readonly engine: Engine) {}

  private memory(cpu: number, frame?: EngineFrame): MemoryReader {
    const m = this.engine.machine;
    // A sleeping task's frames read through its own page tables (read-only: no write path there).
    if (frame?.read) return { read: frame.read };
    return {
      read: (a, n) => m.readLinear(cpu, a >>> 0, n),
      write: (a, b) => m.writeLinear(cpu, a >>> 0, b) !== false,
    };
  }

  /** Live registers of a CPU, writable (for `$eax = 5` and setVariable on register variables). */
  private liveRegisters(cpu: number): RegisterReader {
    const c = this.engine.cpu(cpu);
    return {
      get: (n) => {
        if ((GP as string[]).includes(n)) return c.getReg32(REG[n as keyof typeof REG]);
        if (n === 'eip') return c.eip;
        if (n === 'eflags') return c.getEflags();
        if (n in SREG) return c.getSegment(SREG[n as keyof typeof SREG]).selector;
        const cr = /^cr([0234])$/.exec(n);
        return cr ? c.getControlRegister(Number(cr[1])) : undefined;
      },
      set: (n, v) => {
        if ((GP as string[]).includes(n)) { c.setReg32(REG[n as keyof typeof REG], v >>> 0); return true; }
        if (n === 'eip') { c.eip = v >>> 0; return true; }
        if (n === 'eflags') { c.setEflags(v >>> 0); return true; }
        return false;
      },
    };
  }

  private context(cpu: number, frame?: EngineFrame): EvalContext {
    const e = this.engine;
    const vars: Record<string, number> = { cpu };
    const t = e.currentTask(cpu);
    const s = t !== undefined ? e.taskSummary(t) : undefined;
    if (s) vars.pid = s.pid;
    // The live registers are the innermost frame's only for a running task (a sleeping task's frames carry `read`).
    const innermost = !frame || !frame.sym || (frame.sym.index === 0 && !frame.read);
    return {
      mem: this.memory(cpu, frame),
      regs: innermost ? this.liveRegisters(cpu) : frame!.sym!.regs,
      frame: frame?.sym,
      cpu,
      vars,
    };
  }

  private symbols() {
    const s = this.engine.symbols;
    if (!s) throw new Error('the kernel has no symbols: only raw addresses can be used');
    return s;
  }

  private eval(text: string, cpu: number, frame?: EngineFrame): Value {
    // A user-mode frame's names are the user program's (its symbols came with the frame).
    const syms = frame?.sym?.symbols ?? this.symbols();
    return symEvaluate(syms, this.withCurrent(text, cpu, syms, frame), this.context(cpu, frame));
  }

  /**
   * `current`, as in kernel code: the kernel's macro (get_current(), the task of the running CPU's
   * stack) has no DWARF, so the name is replaced by that task as a typed pointer - unless the program
   * has a real variable of that name in scope. Member names (`x.current`, `p->current`) are left alone.
   */
  private withCurrent(text: string, cpu: number, syms: NonNullable<Engine['symbols']>, frame?: EngineFrame): string {
    if (!/(^|[^\w.$>])current\b/.test(text) || !syms.findType('struct task_struct')) return text;
    if (syms.globalDies('current').length || syms.lookupSymbol('current').length || this.scopeNames(frame).includes('current')) return text;
    const task = this.engine.currentTask(cpu);
    if (task === undefined) return text;
    return text.replace(/(^|[^\w.$>])current\b/g, (_m, pre: string) => `${pre}((struct task_struct *)0x${task.toString(16)})`);
  }

  /** The type of an expression in a frame (completions); reads memory like any evaluation. */
  typeOf(text: string, cpu: number, frame?: EngineFrame): Type {
    return this.eval(text, cpu, frame).type;
  }

  /** Names of a frame's locals and arguments, innermost scope first (completions). */
  scopeNames(frame: EngineFrame | undefined): string[] {
    const f = frame?.sym;
    const syms = f?.symbols ?? this.engine.symbols;
    if (!syms || !f || !f.scope) return [];
    const vars = variablesAt(syms, f.isCaller ? (f.pc - 1) >>> 0 : f.pc, f.scope);
    return [...vars.locals, ...vars.params].map((v) => v.name);
  }

  /**
   * A value as a ViewNode: gdb-style text, children expanded on demand. Kernel awareness on top: a
   * task_struct (or a pointer to one) carries its one-line summary, and a list_head whose list is
   * known (see known-lists.ts; `where` says which structure member it is) lists the structures it links.
   */
  valueNode(name: string, v: Value, evaluateName?: string, hex = false, where?: { list?: KnownList; listArray?: KnownList }): ViewNode {
    const syms = this.engine.symbols;
    const node: ViewNode = {
      name, value: formatValue(syms, v, { hex }), type: typeToString(v.type), evaluateName,
    };
    const task = this.taskLineOf(v);
    if (task) node.value = resolveType(v.type).kind === 'pointer' ? `${node.value} {${task}}` : `{${task}}`;
    if (v.address !== undefined) node.memoryReference = v.address;
    else if (v.type.kind === 'pointer' && !v.problem) {
      try { node.memoryReference = Number(valueToBigInt(v) & 0xffffffffn); } catch { /* unreadable */ }
    }
    if (hasChildren(v)) {
      const t = resolveType(v.type);
      const owner = structName(v.type);
      const chain = this.chainStart(v);
      node.children = () => {
        const kids = valueChildren(syms, v, 2000).map((c) => this.valueNode(c.name, c.value, childExpression(evaluateName, c.name), false,
          t.kind === 'array' ? { list: where?.listArray } : { list: knownListAt(owner, c.name), listArray: knownListArrayAt(owner, c.name) }));
        if (where?.list && owner === 'struct list_head' && v.address !== undefined && v.mem) kids.push(...this.listEntries(v.address, v.mem, where.list));
        if (chain) kids.push(...this.chainEntries(chain.first, chain.struct, v.mem!));
        return kids;
      };
      if (chain) node.value = `${node.value} (chain of ${chain.struct} via ->${knownChainOf(chain.struct)!.next})`;
      if (where?.list && owner === 'struct list_head') node.value = `${node.value} (${where.list.container} list via .${where.list.link})`;
    }
    if (v.isLvalue && evaluateName) {
      node.set = (text) => formatValue(syms, symAssign(this.symbols(), evaluateName, text, this.context(this.lastCpu, this.lastFrame)));
    }
    return node;
  }

  /** "pid 9 pipeline S cpu1 prio 120" for a struct task_struct or a non-null pointer to one. */
  private taskLineOf(v: Value): string | undefined {
    if (!this.engine.tasks || v.problem) return undefined;
    const t = resolveType(v.type);
    let address: number | undefined;
    if (t.kind === 'pointer' && structName(t.target) === 'struct task_struct') {
      try { address = Number(valueToBigInt(v) & 0xffffffffn) || undefined; } catch { return undefined; }
    } else if (structName(v.type) === 'struct task_struct') address = v.address;
    if (address === undefined) return undefined;
    try {
      const s = this.engine.taskSummary(address);
      return s ? taskLine(s) : undefined;
    } catch {
      return undefined;                             // not readable as a task: show the plain value
    }
  }

  /** A non-null pointer to a chained structure (known-lists.ts CHAINS): where its chain starts. */
  private chainStart(v: Value): { first: number; struct: string } | undefined {
    const t = resolveType(v.type);
    if (t.kind !== 'pointer' || v.problem || !v.mem) return undefined;
    const struct = structName(t.target);
    if (!knownChainOf(struct)) return undefined;
    try {
      const first = Number(valueToBigInt(v) & 0xffffffffn);
      return first ? { first, struct: struct! } : undefined;
    } catch {
      return undefined;
    }
  }

  /** The structures along a chain, as children `[0]` (the pointed-to one), `[1]`... */
  private chainEntries(first: number, struct: string, mem: MemoryReader): ViewNode[] {
    const type = this.engine.symbols?.findType(struct);
    const link = this.engine.layout?.member(struct, knownChainOf(struct)!.next);
    if (!type || !link) return [leaf('[chain]', `<${struct} is not in the kernel's DWARF>`)];
    const { nodes, problem } = chainNodes(mem, first, link.offset, 500);
    const out = nodes.map((a, i) => this.valueNode(`[${i}]`, new ValueClass(type, { kind: 'memory', address: a }, mem), `*(${struct} *)0x${a.toString(16)}`));
    if (problem) out.push(leaf('[…]', `<chain walk stopped: ${problem}>`));
    return out;
  }

  /** A structure of type `typeName` at `address` (through CPU `cpu`'s page tables) as a node (views). */
  objectNode(name: string, typeName: string, address: number, cpu: number): ViewNode {
    const type = this.engine.symbols?.findType(typeName);
    if (!type) return leaf(name, `<${typeName} is not in the kernel's DWARF>`);
    return this.valueNode(name, new ValueClass(type, { kind: 'memory', address }, this.memory(cpu)), `*(${typeName} *)0x${address.toString(16)}`);
  }

  /** The structures a known list links, as children `[0]`, `[1]`... after the list_head's own next/prev. */
  private listEntries(head: number, mem: MemoryReader, list: KnownList): ViewNode[] {
    const syms = this.engine.symbols;
    const type = syms?.findType(list.container);
    const link = this.engine.layout?.member(list.container, list.link);
    if (!type || !link) return [leaf('[entries]', `<${list.container} or its member ${list.link} is not in the kernel's DWARF>`)];
    const { nodes, problem } = listNodes(mem, head, 500);
    const out = nodes.map((n, i) => {
      const addr = (n - link.offset) >>> 0;
      const value = new ValueClass(type, { kind: 'memory', address: addr }, mem);
      return this.valueNode(`[${i}]`, value, `*(${list.container} *)0x${addr.toString(16)}`);
    });
    if (problem) out.push(leaf('[…]', `<list walk stopped: ${problem}>`));
    else if (nodes.length === 0) out.push(leaf('[entries]', '<empty list>'));
    return out;
  }

  private lastCpu = 0;
  private lastFrame?: EngineFrame;

  evaluate(text: string, cpu: number, frame?: EngineFrame, hex = false): ViewNode {
    this.lastCpu = cpu;
    this.lastFrame = frame;
    const v = this.eval(text, cpu, frame);
    return this.valueNode(text, v, text, hex, this.whereIs(text, cpu, frame));
  }

  /** For `a.b.member` / `p->member`: which known list (if any) that member is, from the type of `a.b` / `*p`. */
  private whereIs(text: string, cpu: number, frame?: EngineFrame): { list?: KnownList; listArray?: KnownList } | undefined {
    const m = /^(.*\S)\s*(\.|->)\s*([A-Za-z_]\w*)$/.exec(text.trim());
    if (!m) return undefined;
    try {
      const base = this.eval(m[1], cpu, frame);
      const bt = resolveType(base.type);
      const owner = m[2] === '->' && bt.kind === 'pointer' ? structName(bt.target) : structName(base.type);
      return { list: knownListAt(owner, m[3]), listArray: knownListArrayAt(owner, m[3]) };
    } catch {
      return undefined;
    }
  }

  /** Breakpoint conditions and log-point holes, at the stopping CPU's innermost frame. */
  condition(text: string, cpu: number): { truthy: boolean; text: string } {
    const v = this.eval(text, cpu);
    let truthy: boolean;
    try { truthy = valueToBigInt(v) !== 0n; } catch { truthy = true; }
    return { truthy, text: formatValue(this.engine.symbols, v) };
  }

  /** The object an expression names (for data breakpoints): its address and size. */
  lvalue(text: string, cpu: number): { address: number; size: number } | undefined {
    try {
      const v = this.eval(text, cpu);
      if (v.address === undefined) return undefined;
      return { address: v.address, size: Math.max(1, Math.min(v.size || 4, 4096)) };
    } catch {
      return undefined;
    }
  }

  addressOf(text: string, cpu: number): number | undefined {
    try {
      const v = this.eval(text, cpu);
      if (v.type.kind === 'pointer' || v.type.kind === 'base' || v.type.kind === 'enum') return Number(valueToBigInt(v) & 0xffffffffn);
      return v.address;
    } catch {
      return undefined;
    }
  }

  number(text: string, cpu: number): number {
    return Number(valueToBigInt(this.eval(text, cpu)) & 0xffffffffn);
  }

  /** Locals and parameters of a frame (DWARF), or undefined when the frame has no debug info. */
  frameVariables(frame: EngineFrame, cpu: number): { locals: ViewNode[]; params: ViewNode[] } | undefined {
    const f = frame.sym;
    const syms = f?.symbols ?? this.engine.symbols;
    if (!syms || !f || !f.scope) return undefined;
    const pc = f.isCaller ? (f.pc - 1) >>> 0 : f.pc;
    const vars = variablesAt(syms, pc, f.scope);
    const view = { pc: f.pc, isCaller: f.isCaller, regs: f.index === 0 && !frame.read ? this.liveRegisters(cpu) : f.regs, mem: this.memory(cpu, frame), cfa: f.cfa };
    const toNode = (v: (typeof vars.locals)[number]): ViewNode => {
      try {
        const loc = locateVariable(syms, v, view);
        let value: Value;
        switch (loc.kind) {
          case 'memory': value = new ValueClass(v.type, { kind: 'memory', address: loc.address }, view.mem); break;
          default:
            value = this.eval(v.name, cpu, frame);
        }
        return this.valueNode(v.name, value, v.name);
      } catch (err) {
        return leaf(v.name, `<${(err as Error).message}>`, { type: typeToString(v.type) });
      }
    };
    return { locals: vars.locals.map(toNode), params: vars.params.map(toNode) };
  }
}

/** "struct task_struct" for a struct type (through typedefs and qualifiers), else undefined. */
function structName(t: Type): string | undefined {
  const r = resolveType(t);
  return r.kind === 'struct' && r.name ? `struct ${r.name}` : undefined;
}

/** The C expression of a child: s.member, a[3], (*p).member... */
function childExpression(parent: string | undefined, child: string): string | undefined {
  if (!parent) return undefined;
  if (/^\[\d+\]$/.test(child)) return `(${parent})${child}`;
  if (/^\*/.test(child)) return `*(${parent})`;
  if (/^[A-Za-z_]\w*$/.test(child)) return `(${parent}).${child}`;
  return undefined;
}

export { hex32 };
