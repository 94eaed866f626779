import * as dwarfConstants from './dwarf-constants';
// Bound once: module-namespace reads are getters under CommonJS transpilers; these are hot.
const { DW_TAG } = dwarfConstants;
import { Die } from './dwarf-info';
import { MemoryReader, RegisterReader, RegName, REG_NAMES } from './interfaces';
import { Location } from './location';
import { Node, parseExpression, TypeSpec } from './expr-parser';
import { SymbolFile } from './program';
import { EnumType, FunctionType, isIntegral, isSigned, Member, PointerType, resolveType, Type, VOID } from './types';
import {
  bigIntToBytes, EvalError, floatToBytes, floatValue, intValue, isFloatType, registerValue, T, Value,
  valueToBigInt, valueToFloat,
} from './value';
import { findGlobal, FrameView, locateVariable, Variable, variablesAt } from './variables';

/**
 * Evaluates C expressions against a stopped target: variables of the frame, globals, registers,
 * kernel helpers (per_cpu, container_of, list_entry), with C's conversions and pointer arithmetic.
 */

export interface EvalContext {
  mem: MemoryReader;
  /** Registers of the frame the expression is evaluated in. */
  regs: RegisterReader;
  /** The frame (from unwind()) — pc, isCaller, cfa and scope; default: innermost frame at regs.eip. */
  frame?: { pc: number; isCaller?: boolean; cfa?: number; scope?: Die };
  /** CPU number for per_cpu(var) without a cpu argument, and $cpu. */
  cpu?: number;
  /** Per-CPU area offset of a CPU when the kernel has no __per_cpu_offset array. */
  perCpuOffset?(cpu: number): number | undefined;
  /** Convenience variables ($cpu, $pid, ...), integers. */
  vars?: Record<string, number>;
}

const REG_SET = new Set<string>(REG_NAMES);
/** Enumerator name → value, per program (built on first use). */
const enumIndexes = new WeakMap<SymbolFile, Map<string, { value: number; type: EnumType }>>();

export function evaluate(syms: SymbolFile, text: string, ctx: EvalContext): Value {
  const ev = new Evaluator(syms, ctx);
  return ev.eval(ev.parse(text));
}

/** lhs = rhs (setVariable): converts rhs to lhs's type, writes it, returns the new value. */
export function assign(syms: SymbolFile, lhs: string, rhs: string, ctx: EvalContext): Value {
  const ev = new Evaluator(syms, ctx);
  const l = ev.eval(ev.parse(lhs));
  const r = ev.eval(ev.parse(rhs));
  return ev.store(l, r);
}

export class Evaluator {
  private readonly pc: number;
  private readonly frameView: FrameView;
  private scopeVars?: Map<string, Variable>;

  constructor(readonly syms: SymbolFile, readonly ctx: EvalContext) {
    this.pc = ctx.frame?.pc ?? ctx.regs.get('eip') ?? 0;
    this.frameView = { pc: this.pc, isCaller: ctx.frame?.isCaller, regs: ctx.regs, mem: ctx.mem, cfa: ctx.frame?.cfa };
  }

  parse(text: string): Node {
    return parseExpression(text, (name) => this.isTypedefName(name));
  }

  private isTypedefName(name: string): boolean {
    if (this.lookupVariable(name)) return false;
    for (const d of this.syms.eachTypeDie(name)) if (d.tag === DW_TAG.typedef) return true;
    return false;
  }

  // ------------------------------------------------------------------ names

  private variables(): Map<string, Variable> {
    if (!this.scopeVars) {
      this.scopeVars = new Map();
      const lookupPc = this.ctx.frame?.isCaller ? this.pc - 1 : this.pc;
      try {
        const { params, locals } = variablesAt(this.syms, lookupPc, this.ctx.frame?.scope);
        for (const v of [...locals, ...params]) if (!this.scopeVars.has(v.name)) this.scopeVars.set(v.name, v);
      } catch { /* no scope */ }
    }
    return this.scopeVars;
  }

  private lookupVariable(name: string): Variable | undefined {
    const local = this.variables().get(name);
    if (local) return local;
    const unit = this.syms.unitAt(this.pc)?.name;
    return findGlobal(this.syms, name, unit);
  }

  private valueOfVariable(v: Variable): Value {
    return locationToValue(locateVariable(this.syms, v, this.frameView), v.type, this.ctx, this.frameView.regs);
  }

  private ident(name: string): Value {
    const v = this.lookupVariable(name);
    if (v) return this.valueOfVariable(v);
    const en = this.enumerator(name);
    if (en) return intValue(BigInt(en.value), T.int);
    const fn = this.syms.findFunctions(name)[0];
    if (fn) {
      const ft: FunctionType = fn.die ? (this.syms.types.fromDie(fn.die) as FunctionType) : { kind: 'function', returns: T.int, params: [], variadic: false, size: 1 };
      return new Value(ft, { kind: 'memory', address: fn.lowPc }, this.ctx.mem);
    }
    const sym = this.syms.lookupSymbol(name)[0];
    if (sym) return new Value(T.int, { kind: 'memory', address: sym.value }, this.ctx.mem);
    throw new EvalError(`No symbol "${name}" in current context.`);
  }

  private enumerator(name: string): { value: number; type: EnumType } | undefined {
    let index = enumIndexes.get(this.syms);
    if (!index) {
      index = new Map();
      enumIndexes.set(this.syms, index);
      for (const n of this.syms.typeNames()) {
        if (!n.startsWith('enum ')) continue;
        const t = this.syms.findType(n);
        if (t && t.kind === 'enum') for (const e of t.enumerators) if (!index!.has(e.name)) index!.set(e.name, { value: e.value, type: t });
      }
      // Anonymous enums are reachable only by walking the units.
      for (const cu of this.syms.units) {
        const root = this.syms.unitRoot(cu);
        if (!root) continue;
        for (const d of root.children) {
          if (d.tag !== DW_TAG.enumeration_type || d.name) continue;
          const t = this.syms.types.fromDie(d) as EnumType;
          for (const e of t.enumerators) if (!index!.has(e.name)) index!.set(e.name, { value: e.value, type: t });
        }
      }
    }
    return index.get(name);
  }

  resolveTypeSpec(spec: TypeSpec): Type {
    let t = this.syms.findType(spec.base);
    if (!t) {
      if (spec.base === 'void') t = VOID;
      else throw new EvalError(`No type named ${spec.base}.`);
    }
    for (let i = 0; i < spec.pointers; i++) t = pointerTo(t);
    if (spec.fn) {
      // `ret (*)(params)`: a pointer to a function returning t (one pointer per star inside the parentheses).
      t = { kind: 'function', returns: t, params: spec.fn.params.map((q) => this.resolveTypeSpec(q)), variadic: false, size: 1 };
      for (let i = 0; i < spec.fn.pointers; i++) t = pointerTo(t);
    }
    for (let i = spec.arrays.length - 1; i >= 0; i--) {
      const el: Type = t;
      const count = spec.arrays[i];
      t = { kind: 'array', element: el, count, size: count * el.size };
    }
    return t;
  }

  // ------------------------------------------------------------------ evaluation

  eval(n: Node): Value {
    switch (n.k) {
      case 'int': return intValue(n.value, literalType(n));
      case 'float': return floatValue(n.value);
      case 'char': return intValue(BigInt(n.value), T.char);
      case 'string': {
        const bytes = new Uint8Array(n.value.length + 1);
        for (let i = 0; i < n.value.length; i++) bytes[i] = n.value.charCodeAt(i) & 0xff;
        return new Value({ kind: 'array', element: T.char, count: bytes.length, size: bytes.length }, { kind: 'none' }, undefined, bytes);
      }
      case 'ident': return this.ident(n.name);
      case 'reg': return this.register(n.name);
      case 'member': return this.member(n.arrow ? this.deref(this.eval(n.obj)) : this.eval(n.obj), n.name);
      case 'index': return this.index(this.eval(n.obj), this.eval(n.index));
      case 'call': return this.call(n.fn, n.args);
      case 'unary': return this.unary(n.op, n.e);
      case 'cast': return this.cast(this.eval(n.e), this.resolveTypeSpec(n.type));
      case 'sizeofType': return intValue(BigInt(this.resolveTypeSpec(n.type).size), T.ulong);
      case 'sizeofExpr': return intValue(BigInt(this.eval(n.e).type.size), T.ulong);
      case 'binary': return this.binary(n.op, n.l, n.r);
      case 'ternary': return truthy(this.eval(n.c)) ? this.eval(n.t) : this.eval(n.f);
      case 'assign': {
        const l = this.eval(n.l);
        const r = n.op === '=' ? this.eval(n.r) : this.arith(n.op.slice(0, -1), rvalue(l), this.eval(n.r));
        return this.store(l, r);
      }
    }
  }

  private register(name: string): Value {
    if (this.ctx.vars && name in this.ctx.vars) return intValue(BigInt(this.ctx.vars[name]), T.int);
    if (name === 'cpu' && this.ctx.cpu !== undefined) return intValue(BigInt(this.ctx.cpu), T.int);
    if (name === 'pc') name = 'eip';
    if (name === 'sp') name = 'esp';
    if (name === 'fp') name = 'ebp';
    if (!REG_SET.has(name)) throw new EvalError(`unknown register or convenience variable $${name}`);
    const reg = name as RegName;
    const type: Type = reg === 'esp' || reg === 'ebp' ? pointerTo(VOID)
      : reg === 'eip' ? pointerTo({ kind: 'function', returns: VOID, params: [], variadic: false, size: 1 })
        : reg === 'eflags' || reg.startsWith('cr') ? T.uint : T.long;
    return registerValue(this.ctx.regs, reg, type);
  }

  deref(v: Value): Value {
    const t = resolveType(v.type);
    if (t.kind === 'pointer') {
      const target = t.target;
      if (resolveType(target).kind === 'void') throw new EvalError('Attempt to take contents of a non-pointer value.');
      return new Value(target, { kind: 'memory', address: Number(valueToBigInt(v)) >>> 0 }, this.ctx.mem);
    }
    if (t.kind === 'array') return this.index(v, intValue(0n));
    if (t.kind === 'function') return v;
    if (isIntegral(t)) return new Value(T.long, { kind: 'memory', address: Number(BigInt.asUintN(32, valueToBigInt(v))) }, this.ctx.mem);
    throw new EvalError('Attempt to take contents of a non-pointer value.');
  }

  member(obj: Value, name: string): Value {
    const t = resolveType(obj.type);
    if (t.kind !== 'struct' && t.kind !== 'union') throw new EvalError(`Attempt to extract a component of a value that is not a structure${t.kind === 'pointer' ? ' (use ->)' : ''}.`);
    const path = findMember(t.members, name);
    if (!path) throw new EvalError(`There is no member named ${name}.`);
    let cur = obj;
    for (const m of path) cur = memberValue(cur, m);
    return cur;
  }

  index(obj: Value, idx: Value): Value {
    const t = resolveType(obj.type);
    const i = Number(valueToBigInt(idx));
    if (t.kind === 'array') {
      const el = t.element;
      if (obj.loc.kind === 'memory') return new Value(el, { kind: 'memory', address: (obj.loc.address + i * el.size) >>> 0 }, this.ctx.mem);
      const b = obj.need();
      if (i < 0 || (i + 1) * el.size > b.length) throw new EvalError(`no such vector element`);
      return new Value(el, { kind: 'none' }, undefined, b.slice(i * el.size, (i + 1) * el.size));
    }
    if (t.kind === 'pointer') {
      const base = Number(valueToBigInt(obj)) >>> 0;
      return new Value(t.target, { kind: 'memory', address: (base + i * elementSize(t)) >>> 0 }, this.ctx.mem);
    }
    if (isIntegral(t) && (resolveType(idx.type).kind === 'pointer' || resolveType(idx.type).kind === 'array')) return this.index(idx, obj);
    throw new EvalError('cannot subscript something of this type');
  }

  private call(fn: string, args: (Node | TypeSpec)[]): Value {
    const node = (i: number): Node => {
      const a = args[i];
      if (!a || !('k' in a)) throw new EvalError(`${fn}: argument ${i + 1} must be an expression`);
      return a;
    };
    const typeArg = (i: number): Type => {
      const a = args[i];
      if (a && 'base' in a) return this.resolveTypeSpec(a);
      if (a && a.k === 'ident') { const t = this.syms.findType(a.name); if (t) return t; }
      throw new EvalError(`${fn}: argument ${i + 1} must be a type`);
    };
    const memberArg = (i: number): string[] => {
      const parts: string[] = [];
      let a = node(i);
      while (a.k === 'member' && !a.arrow) { parts.unshift(a.name); a = a.obj; }
      if (a.k !== 'ident') throw new EvalError(`${fn}: argument ${i + 1} must be a member name`);
      parts.unshift(a.name);
      return parts;
    };
    switch (fn) {
      case 'per_cpu': {
        if (args.length < 1 || args.length > 2) throw new EvalError('per_cpu(var, cpu) takes 1 or 2 arguments');
        const a0 = node(0);
        if (a0.k !== 'ident') throw new EvalError('per_cpu: first argument must be a per-CPU variable name');
        const cpu = args.length === 2 ? Number(valueToBigInt(this.eval(node(1)))) : this.ctx.cpu;
        if (cpu === undefined) throw new EvalError('per_cpu: no CPU given and no current CPU');
        const v = this.lookupVariable(`per_cpu__${a0.name}`) ?? this.lookupVariable(a0.name);
        if (!v) throw new EvalError(`No per-CPU variable "${a0.name}" (looked for per_cpu__${a0.name}).`);
        const base = this.valueOfVariable(v);
        if (base.loc.kind !== 'memory') throw new EvalError('per_cpu: the variable is not in memory');
        const off = this.perCpuOffset(cpu);
        return new Value(v.type, { kind: 'memory', address: (base.loc.address + off) >>> 0 }, this.ctx.mem);
      }
      case 'container_of': case 'list_entry': {
        if (args.length !== 3) throw new EvalError(`${fn}(ptr, type, member) takes 3 arguments`);
        const ptr = this.eval(node(0));
        const t = typeArg(1);
        const off = offsetOf(t, memberArg(2));
        const p = ptrToNumber(ptr);
        return new Value(pointerTo(t), { kind: 'none' }, this.ctx.mem, bigIntToBytes(BigInt((p - off) >>> 0), 4));
      }
      case 'offsetof': {
        if (args.length !== 2) throw new EvalError('offsetof(type, member) takes 2 arguments');
        return intValue(BigInt(offsetOf(typeArg(0), memberArg(1))), T.ulong);
      }
    }
    throw new EvalError(`unknown function ${fn}`);
  }

  private perCpuOffset(cpu: number): number {
    const arr = findGlobal(this.syms, '__per_cpu_offset');
    if (arr) {
      const v = this.index(this.valueOfVariable(arr), intValue(BigInt(cpu)));
      return Number(BigInt.asUintN(32, valueToBigInt(v)));
    }
    const o = this.ctx.perCpuOffset?.(cpu);
    if (o !== undefined) return o;
    if (cpu === 0) return 0;
    throw new EvalError('per_cpu: this program has no __per_cpu_offset and the debugger knows no per-CPU offsets');
  }

  private unary(op: string, e: Node): Value {
    if (op === '&') {
      const v = this.eval(e);
      if (v.bitSize !== undefined) throw new EvalError('Attempt to take address of value not located in memory (bitfield).');
      if (v.loc.kind !== 'memory') throw new EvalError('Attempt to take address of value not located in memory.');
      return new Value(pointerTo(v.type), { kind: 'none' }, this.ctx.mem, bigIntToBytes(BigInt(v.loc.address), 4));
    }
    if (op === '*') return this.deref(this.eval(e));
    const v = rvalue(this.eval(e));
    if (op === '!') return intValue(truthy(v) ? 0n : 1n);
    if (isFloatType(v.type)) {
      if (op === '-') return floatValue(-valueToFloat(v));
      if (op === '+') return floatValue(valueToFloat(v));
      throw new EvalError(`Argument to ${op} is not an integer.`);
    }
    if (!isIntegral(v.type)) throw new EvalError(`Argument to arithmetic operation not a number or boolean.`);
    const t = promote(v.type);
    const x = valueToBigInt(v);
    const r = op === '-' ? -x : op === '~' ? ~x : x;
    return intValue(wrap(r, t), t);
  }

  cast(v: Value, to: Type): Value {
    const r = resolveType(to);
    const from = resolveType(v.type);
    if (r.kind === 'void') return new Value(VOID, { kind: 'none' }, this.ctx.mem, new Uint8Array(0));
    if (r.kind === 'struct' || r.kind === 'union' || r.kind === 'array') {
      if (v.loc.kind === 'memory') return new Value(to, v.loc, this.ctx.mem);
      throw new EvalError('Invalid cast.');
    }
    if (r.kind === 'base' && r.encoding === 'float') return new Value(to, { kind: 'none' }, this.ctx.mem, floatToBytes(valueToFloat(v), r.size));
    let x: bigint;
    if (from.kind === 'array' || from.kind === 'function') {
      if (v.loc.kind !== 'memory') throw new EvalError('Invalid cast.');
      x = BigInt(v.loc.address);
    } else if (from.kind === 'base' && from.encoding === 'float') x = BigInt(Math.trunc(valueToFloat(v)));
    else x = valueToBigInt(v);
    if (r.kind === 'base' && r.encoding === 'bool') x = x !== 0n ? 1n : 0n;
    return new Value(to, { kind: 'none' }, this.ctx.mem, bigIntToBytes(x, r.size || 4));
  }

  private binary(op: string, ln: Node, rn: Node): Value {
    if (op === '&&') { if (!truthy(this.eval(ln))) return intValue(0n); return intValue(truthy(this.eval(rn)) ? 1n : 0n); }
    if (op === '||') { if (truthy(this.eval(ln))) return intValue(1n); return intValue(truthy(this.eval(rn)) ? 1n : 0n); }
    if (op === ',') { this.eval(ln); return this.eval(rn); }
    return this.arith(op, rvalue(this.eval(ln)), rvalue(this.eval(rn)));
  }

  arith(op: string, a: Value, b: Value): Value {
    const ta = resolveType(a.type), tb = resolveType(b.type);
    const ptrA = ta.kind === 'pointer' || ta.kind === 'array' || ta.kind === 'function';
    const ptrB = tb.kind === 'pointer' || tb.kind === 'array' || tb.kind === 'function';
    if (ptrA || ptrB) {
      const pa = ptrA ? this.decay(a) : undefined, pb = ptrB ? this.decay(b) : undefined;
      if (op === '+' || op === '-') {
        if (pa && pb && op === '-') {
          const size = elementSize(resolveType(pa.type) as PointerType) || 1;
          return intValue(BigInt(((ptrToNumber(pa) - ptrToNumber(pb)) | 0) / size | 0), T.long);
        }
        if (pa && !pb) return offsetPointer(pa, Number(valueToBigInt(b)) * (op === '-' ? -1 : 1));
        if (pb && !pa && op === '+') return offsetPointer(pb, Number(valueToBigInt(a)));
      }
      if (['==', '!=', '<', '>', '<=', '>='].includes(op)) {
        const x = BigInt(pa ? ptrToNumber(pa) : Number(valueToBigInt(a)) >>> 0);
        const y = BigInt(pb ? ptrToNumber(pb) : Number(valueToBigInt(b)) >>> 0);
        return intValue(compare(op, x, y) ? 1n : 0n);
      }
      throw new EvalError(`Argument to arithmetic operation not a number or boolean.`);
    }
    if (isFloatType(ta) || isFloatType(tb)) {
      const x = valueToFloat(a), y = valueToFloat(b);
      switch (op) {
        case '+': return floatValue(x + y);
        case '-': return floatValue(x - y);
        case '*': return floatValue(x * y);
        case '/': if (y === 0) throw new EvalError('Division by zero'); return floatValue(x / y);
        case '==': case '!=': case '<': case '>': case '<=': case '>=':
          return intValue(compare(op, x, y) ? 1n : 0n);
        default: throw new EvalError(`Integer only operation ${op}.`);
      }
    }
    if (!isIntegral(ta) || !isIntegral(tb)) throw new EvalError('Argument to arithmetic operation not a number or boolean.');
    const x0 = valueToBigInt(a), y0 = valueToBigInt(b);
    if (op === '<<' || op === '>>') {
      const t = promote(a.type);
      const r = op === '<<' ? x0 << y0 : x0 >> y0;
      return intValue(wrap(r, t), t);
    }
    const t = usualType(a.type, b.type);
    const x = wrap(x0, t), y = wrap(y0, t);
    switch (op) {
      case '+': return intValue(wrap(x + y, t), t);
      case '-': return intValue(wrap(x - y, t), t);
      case '*': return intValue(wrap(x * y, t), t);
      case '/': if (y === 0n) throw new EvalError('Division by zero'); return intValue(wrap(x / y, t), t);
      case '%': if (y === 0n) throw new EvalError('Division by zero'); return intValue(wrap(x % y, t), t);
      case '&': return intValue(wrap(x & y, t), t);
      case '|': return intValue(wrap(x | y, t), t);
      case '^': return intValue(wrap(x ^ y, t), t);
      case '==': case '!=': case '<': case '>': case '<=': case '>=': return intValue(compare(op, x, y) ? 1n : 0n);
    }
    throw new EvalError(`unknown operator ${op}`);
  }

  /** Arrays and functions used as values become pointers. */
  private decay(v: Value): Value {
    const t = resolveType(v.type);
    if (t.kind === 'array') {
      if (v.loc.kind !== 'memory') throw new EvalError('array not in memory');
      return new Value(pointerTo(t.element), { kind: 'none' }, this.ctx.mem, bigIntToBytes(BigInt(v.loc.address), 4));
    }
    if (t.kind === 'function') {
      if (v.loc.kind !== 'memory') throw new EvalError('function not in memory');
      return new Value(pointerTo(v.type), { kind: 'none' }, this.ctx.mem, bigIntToBytes(BigInt(v.loc.address), 4));
    }
    return v;
  }

  /** Writes r (converted to l's type) into the lvalue l. */
  store(l: Value, r: Value): Value {
    if (!l.isLvalue) throw new EvalError('Left operand of assignment is not an lvalue.');
    const lt = resolveType(l.type);
    let bytes: Uint8Array;
    if (lt.kind === 'struct' || lt.kind === 'union' || lt.kind === 'array') {
      const rb = r.need();
      if (resolveType(r.type).size !== lt.size) throw new EvalError('Invalid assignment: sizes differ.');
      bytes = rb;
    } else {
      bytes = this.cast(rvalue(r), l.type).need();
    }
    if (l.loc.kind === 'register') {
      const x = Number(BigInt.asUintN(32, bytesToNum(bytes)));
      if (!this.ctx.regs.set?.(l.loc.reg, x)) throw new EvalError(`register $${l.loc.reg} is not writable here`);
      return registerValue(this.ctx.regs, l.loc.reg, l.type);
    }
    if (l.loc.kind !== 'memory') throw new EvalError('Left operand of assignment is not an lvalue.');
    if (!this.ctx.mem.write) throw new EvalError('memory is not writable here');
    if (l.bitSize !== undefined) {
      const old = l.need();
      const nbytes = old.length;
      let word = bytesToNum(old);
      const mask = ((1n << BigInt(l.bitSize)) - 1n) << BigInt(l.bitPos ?? 0);
      word = (word & ~mask) | ((bytesToNum(bytes) << BigInt(l.bitPos ?? 0)) & mask);
      bytes = bigIntToBytes(word, nbytes);
    }
    if (!this.ctx.mem.write(l.loc.address, bytes)) throw new EvalError(`cannot write memory at address 0x${l.loc.address.toString(16)}`);
    return new Value(l.type, l.loc, this.ctx.mem, undefined, undefined, l.bitSize, l.bitPos);
  }
}

function bytesToNum(b: Uint8Array): bigint { let v = 0n; for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]); return v; }

export function pointerTo(t: Type): PointerType { return { kind: 'pointer', size: 4, target: t }; }

function elementSize(p: PointerType): number {
  const t = resolveType(p.target);
  return t.kind === 'void' || t.kind === 'function' ? 1 : p.target.size;
}

function offsetPointer(p: Value, n: number): Value {
  const pt = resolveType(p.type) as PointerType;
  const x = (ptrToNumber(p) + n * elementSize(pt)) >>> 0;
  return new Value(p.type, { kind: 'none' }, p.mem, bigIntToBytes(BigInt(x), 4));
}

function ptrToNumber(v: Value): number {
  const t = resolveType(v.type);
  if ((t.kind === 'array' || t.kind === 'function') && v.loc.kind === 'memory') return v.loc.address;
  return Number(BigInt.asUintN(32, valueToBigInt(v)));
}

/** An lvalue's content as an rvalue (arrays and functions stay lvalues: they decay later). */
function rvalue(v: Value): Value {
  const t = resolveType(v.type);
  if (t.kind === 'array' || t.kind === 'function') return v;
  return v;
}

function truthy(v: Value): boolean {
  const t = resolveType(v.type);
  if (t.kind === 'base' && t.encoding === 'float') return valueToFloat(v) !== 0;
  if (t.kind === 'array' || t.kind === 'function') return true;
  return valueToBigInt(v) !== 0n;
}

function compare(op: string, x: bigint | number, y: bigint | number): boolean {
  switch (op) {
    case '==': return x === y;
    case '!=': return x !== y;
    case '<': return x < y;
    case '>': return x > y;
    case '<=': return x <= y;
    default: return x >= y;
  }
}

function wrap(v: bigint, t: Type): bigint {
  const bits = (t.size || 4) * 8;
  return isSigned(t) ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
}

/** Integer promotion: anything narrower than int (and _Bool, char, enums) becomes int/unsigned int. */
function promote(t: Type): Type {
  const r = resolveType(t);
  if (r.kind === 'enum') return r.signed || r.size < 4 ? T.int : T.uint;
  if (r.kind === 'base') {
    if (r.size < 4) return T.int;
    if (r.size === 8) return r.encoding === 'unsigned' ? T.ullong : T.llong;
    if (r.encoding === 'unsigned' || r.encoding === 'address') return /long/.test(r.name) ? T.ulong : T.uint;
    return /long/.test(r.name) ? T.long : T.int;
  }
  return T.int;
}

/** The usual arithmetic conversions of two integer operands. */
function usualType(a: Type, b: Type): Type {
  const x = promote(a), y = promote(b);
  if (x.size === 8 || y.size === 8) {
    if ((x.size === 8 && !isSigned(x)) || (y.size === 8 && !isSigned(y))) return T.ullong;
    return T.llong;
  }
  const unsigned = !isSigned(x) || !isSigned(y);
  const long = /long/.test((x as { name: string }).name) || /long/.test((y as { name: string }).name);
  return unsigned ? (long ? T.ulong : T.uint) : long ? T.long : T.int;
}

/** Type of an integer literal (C99 6.4.4.1 with 32-bit int and long). */
function literalType(n: { value: bigint; unsigned: boolean; long: number; text: string }): Type {
  const decimal = !/^0/.test(n.text) || n.text === '0' || /^0[uUlL]*$/.test(n.text);
  const fits = (bits: number, signed: boolean) => (signed ? n.value < (1n << BigInt(bits - 1)) : n.value < (1n << BigInt(bits)));
  if (n.long >= 2) return n.unsigned || !fits(64, true) ? T.ullong : T.llong;
  if (n.unsigned) return fits(32, false) ? (n.long ? T.ulong : T.uint) : T.ullong;
  if (fits(32, true)) return n.long ? T.long : T.int;
  if (!decimal && fits(32, false)) return n.long ? T.ulong : T.uint;
  return fits(64, true) ? T.llong : T.ullong;
}

/** Member lookup, descending into anonymous struct/union members. */
function findMember(members: Member[], name: string): Member[] | undefined {
  for (const m of members) if (m.name === name) return [m];
  for (const m of members) {
    if (m.name !== undefined) continue;
    const t = resolveType(m.type);
    if (t.kind === 'struct' || t.kind === 'union') {
      const sub = findMember(t.members, name);
      if (sub) return [m, ...sub];
    }
  }
  return undefined;
}

function memberValue(obj: Value, m: Member): Value {
  const bitPos = m.bitPosition !== undefined ? m.bitPosition - m.offset * 8 : undefined;
  if (obj.loc.kind === 'memory') {
    return new Value(m.type, { kind: 'memory', address: (obj.loc.address + m.offset) >>> 0 }, obj.mem, undefined, undefined, m.bitSize, bitPos);
  }
  const b = obj.bytes();
  if (!b) return new Value(m.type, { kind: 'none' }, undefined, undefined, obj.problem ?? 'value is not available');
  const n = m.bitSize !== undefined ? Math.ceil(((bitPos ?? 0) + m.bitSize) / 8) : m.type.size;
  return new Value(m.type, { kind: 'none' }, undefined, b.slice(m.offset, m.offset + n), undefined, m.bitSize, bitPos);
}

function offsetOf(t: Type, path: string[]): number {
  let cur = resolveType(t);
  let off = 0;
  for (const name of path) {
    if (cur.kind !== 'struct' && cur.kind !== 'union') throw new EvalError(`${name}: not a member of a structure`);
    const ms = findMember(cur.members, name);
    if (!ms) throw new EvalError(`There is no member named ${name}.`);
    for (const m of ms) off += m.offset;
    cur = resolveType(ms[ms.length - 1].type);
  }
  return off;
}

/** Turns a DWARF location into a Value of the given type. */
export function locationToValue(loc: Location, type: Type, ctx: { mem: MemoryReader }, regs: RegisterReader): Value {
  switch (loc.kind) {
    case 'memory': return new Value(type, { kind: 'memory', address: loc.address }, ctx.mem);
    case 'register': {
      const v = regs.get(loc.reg);
      if (v === undefined) return new Value(type, { kind: 'register', reg: loc.reg }, undefined, undefined, `register $${loc.reg} is not available in this frame`);
      // The memory reader goes along even though the bytes come from a register: a pointer held in a
      // register is dereferenced through it (valueChildren of `prev` in schedule).
      return new Value(type, { kind: 'register', reg: loc.reg }, ctx.mem, bigIntToBytes(BigInt(v), Math.max(type.size, 1)).slice(0, type.size));
    }
    case 'value': {
      const b = new Uint8Array(type.size);
      b.set(loc.bytes.subarray(0, type.size));
      return new Value(type, { kind: 'none' }, ctx.mem, b);
    }
    case 'pieces': {
      const b = new Uint8Array(Math.max(type.size, loc.pieces.reduce((s, p) => s + p.size, 0)));
      let off = 0;
      for (const p of loc.pieces) {
        let part: Uint8Array | null = null;
        if (p.location.kind === 'memory') part = ctx.mem.read(p.location.address, p.size);
        else if (p.location.kind === 'register') { const v = regs.get(p.location.reg); part = v === undefined ? null : bigIntToBytes(BigInt(v), 4).slice(0, p.size); }
        else if (p.location.kind === 'value') part = p.location.bytes.slice(0, p.size);
        if (!part) return new Value(type, { kind: 'none' }, undefined, undefined, p.location.kind === 'optimized-out' ? 'optimized out' : 'part of the value is not available');
        b.set(part, off);
        off += p.size;
      }
      return new Value(type, { kind: 'none' }, ctx.mem, b.slice(0, type.size));
    }
    case 'optimized-out': return new Value(type, { kind: 'none' }, undefined, undefined, 'optimized out');
    case 'unavailable': return new Value(type, { kind: 'none' }, undefined, undefined, loc.reason);
  }
}
