/**
 * C expression parser for the debugger's evaluate/watch/hover/conditions: a tokenizer and a
 * precedence-climbing parser producing a small AST. Type names inside casts and sizeof are recognised
 * with a callback (is this identifier a typedef?), as a C compiler does.
 */

export type TypeSpec = {
  base: string; pointers: number; arrays: number[];
  /**
   * A pointer-to-function abstract declarator, `int (*)(struct task_struct *, int)`: base and pointers
   * then spell the return type, `params` the parameter types, `pointers` the stars inside the parentheses.
   */
  fn?: { pointers: number; params: TypeSpec[] };
};

export type Node =
  | { k: 'int'; value: bigint; unsigned: boolean; long: number; text: string }
  | { k: 'float'; value: number }
  | { k: 'char'; value: number }
  | { k: 'string'; value: string }
  | { k: 'ident'; name: string }
  | { k: 'reg'; name: string }
  | { k: 'member'; obj: Node; name: string; arrow: boolean }
  | { k: 'index'; obj: Node; index: Node }
  | { k: 'call'; fn: string; args: (Node | TypeSpec)[] }
  | { k: 'unary'; op: string; e: Node }
  | { k: 'cast'; type: TypeSpec; e: Node }
  | { k: 'sizeofType'; type: TypeSpec }
  | { k: 'sizeofExpr'; e: Node }
  | { k: 'binary'; op: string; l: Node; r: Node }
  | { k: 'ternary'; c: Node; t: Node; f: Node }
  | { k: 'assign'; op: string; l: Node; r: Node };

export class ExpressionSyntaxError extends Error {
  constructor(message: string, readonly position: number) { super(message); this.name = 'ExpressionSyntaxError'; }
}

interface Token { t: 'num' | 'float' | 'char' | 'str' | 'id' | 'reg' | 'op' | 'end'; v: string; pos: number; n?: bigint; f?: number; suffix?: string }

const PUNCT = ['<<=', '>>=', '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=',
  '+', '-', '*', '/', '%', '<', '>', '=', '!', '~', '&', '|', '^', '?', ':', '(', ')', '[', ']', '.', ','];

function unescape(s: string, pos: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\') { out.push(s.charCodeAt(i)); continue; }
    const n = s[++i];
    const simple: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '\\': 92, "'": 39, '"': 34, '?': 63, e: 27 };
    if (n in simple) { out.push(simple[n]); continue; }
    if (n === 'x') {
      let j = i + 1; let h = '';
      while (j < s.length && /[0-9a-fA-F]/.test(s[j])) h += s[j++];
      if (!h) throw new ExpressionSyntaxError('\\x with no hex digits', pos);
      out.push(parseInt(h, 16) & 0xff); i = j - 1; continue;
    }
    if (/[0-7]/.test(n)) {
      let j = i; let o = '';
      while (j < s.length && o.length < 3 && /[0-7]/.test(s[j])) o += s[j++];
      out.push(parseInt(o, 8) & 0xff); i = j - 1; continue;
    }
    throw new ExpressionSyntaxError(`unknown escape \\${n}`, pos);
  }
  return out;
}

export function tokenize(src: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    const start = i;
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(0[xX][0-9a-fA-F]+|[0-9]*\.[0-9]+(?:[eE][-+]?[0-9]+)?|[0-9]+\.?(?:[eE][-+]?[0-9]+)?)([uUlLfF]*)/.exec(src.slice(i))!;
      const body = m[1], suffix = m[2].toLowerCase();
      i += m[0].length;
      if (/[.eE]/.test(body) && !/^0[xX]/.test(body)) toks.push({ t: 'float', v: m[0], pos: start, f: parseFloat(body) });
      else {
        let n: bigint;
        if (/^0[xX]/.test(body)) n = BigInt(body);
        else if (/^0[0-7]+$/.test(body)) n = BigInt('0o' + body.slice(1));
        else if (/^[0-9]+$/.test(body)) n = BigInt(body);
        else throw new ExpressionSyntaxError(`bad number ${m[0]}`, start);
        toks.push({ t: 'num', v: m[0], pos: start, n, suffix });
      }
      if (/[A-Za-z_]/.test(src[i] ?? '')) throw new ExpressionSyntaxError(`bad number suffix in ${src.slice(start, i + 1)}`, start);
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      i += m[0].length;
      toks.push({ t: 'id', v: m[0], pos: start });
      continue;
    }
    if (c === '$') {
      const m = /^\$[A-Za-z_0-9]*/.exec(src.slice(i))!;
      i += m[0].length;
      toks.push({ t: 'reg', v: m[0].slice(1), pos: start });
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1; let body = '';
      while (j < src.length && src[j] !== c) { if (src[j] === '\\') body += src[j++]; body += src[j++]; }
      if (j >= src.length) throw new ExpressionSyntaxError('unterminated literal', start);
      i = j + 1;
      const codes = unescape(body, start);
      if (c === "'") {
        if (codes.length !== 1) throw new ExpressionSyntaxError('character literal must hold one character', start);
        toks.push({ t: 'char', v: body, pos: start, n: BigInt(codes[0]) });
      } else toks.push({ t: 'str', v: String.fromCharCode(...codes), pos: start });
      continue;
    }
    const p = PUNCT.find((x) => src.startsWith(x, i));
    if (!p) throw new ExpressionSyntaxError(`unexpected character '${c}'`, i);
    i += p.length;
    toks.push({ t: 'op', v: p, pos: start });
  }
  toks.push({ t: 'end', v: '', pos: src.length });
  return toks;
}

const BASE_WORDS = new Set(['unsigned', 'signed', 'int', 'char', 'short', 'long', 'void', 'float', 'double', '_Bool', 'const', 'volatile']);

const BINARY_PRECEDENCE: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7,
  '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};

export function parseExpression(src: string, isTypedef: (name: string) => boolean): Node {
  const toks = tokenize(src);
  let p = 0;
  const peek = (o = 0) => toks[Math.min(p + o, toks.length - 1)];
  const isOp = (v: string, o = 0) => peek(o).t === 'op' && peek(o).v === v;
  const expect = (v: string) => {
    if (!isOp(v)) throw new ExpressionSyntaxError(`expected '${v}' at column ${peek().pos + 1}${peek().t === 'end' ? ' (end of expression)' : ` near '${peek().v}'`}`, peek().pos);
    p++;
  };

  const startsType = (o = 0): boolean => {
    const t = peek(o);
    if (t.t !== 'id') return false;
    return BASE_WORDS.has(t.v) || t.v === 'struct' || t.v === 'union' || t.v === 'enum' || isTypedef(t.v);
  };

  const parseTypeSpec = (): TypeSpec => {
    const words: string[] = [];
    if (peek().t === 'id' && (peek().v === 'struct' || peek().v === 'union' || peek().v === 'enum')) {
      const kw = toks[p++].v;
      if (peek().t !== 'id') throw new ExpressionSyntaxError(`expected a ${kw} name`, peek().pos);
      words.push(`${kw} ${toks[p++].v}`);
    } else {
      while (peek().t === 'id' && (BASE_WORDS.has(peek().v) || (words.filter((w) => w !== 'const' && w !== 'volatile').length === 0 && isTypedef(peek().v)))) {
        words.push(toks[p++].v);
      }
    }
    while (peek().t === 'id' && (peek().v === 'const' || peek().v === 'volatile')) p++;
    const base = words.filter((w) => w !== 'const' && w !== 'volatile').join(' ') || 'int';
    let pointers = 0;
    while (isOp('*')) { p++; pointers++; while (peek().t === 'id' && (peek().v === 'const' || peek().v === 'volatile')) p++; }
    if (isOp('(') && peek(1).t === 'op' && peek(1).v === '*') {
      // Abstract declarator of a function pointer: `(*)` then the parameter list.
      p++;
      let fnPointers = 0;
      while (isOp('*')) { p++; fnPointers++; }
      expect(')');
      expect('(');
      const params: TypeSpec[] = [];
      if (peek().t === 'id' && peek().v === 'void' && peek(1).t === 'op' && peek(1).v === ')') p++;
      else if (!isOp(')')) {
        for (;;) {
          if (!startsType()) throw new ExpressionSyntaxError('expected a parameter type', peek().pos);
          params.push(parseTypeSpec());
          if (peek().t === 'id') p++;                      // an optional parameter name
          if (!isOp(',')) break;
          p++;
        }
      }
      expect(')');
      return { base, pointers, arrays: [], fn: { pointers: fnPointers, params } };
    }
    const arrays: number[] = [];
    while (isOp('[')) { p++; const n = peek(); if (n.t !== 'num') throw new ExpressionSyntaxError('expected array size', n.pos); p++; arrays.push(Number(n.n)); expect(']'); }
    return { base, pointers, arrays };
  };

  const primary = (): Node => {
    const t = peek();
    switch (t.t) {
      case 'num': {
        p++;
        const s = t.suffix ?? '';
        return { k: 'int', value: t.n!, unsigned: s.includes('u'), long: (s.match(/l/g) ?? []).length, text: t.v };
      }
      case 'float': p++; return { k: 'float', value: t.f! };
      case 'char': p++; return { k: 'char', value: Number(t.n!) };
      case 'str': p++; return { k: 'string', value: t.v };
      case 'reg': p++; return { k: 'reg', name: t.v };
      case 'id': {
        p++;
        if (t.v === 'sizeof') {
          if (isOp('(') && startsType(1)) { p++; const ty = parseTypeSpec(); expect(')'); return { k: 'sizeofType', type: ty }; }
          return { k: 'sizeofExpr', e: unary() };
        }
        if (isOp('(') && (t.v === 'per_cpu' || t.v === 'container_of' || t.v === 'list_entry' || t.v === 'offsetof')) {
          p++;
          const args: (Node | TypeSpec)[] = [];
          if (!isOp(')')) {
            for (;;) {
              args.push(startsType() ? parseTypeSpec() : assignment());
              if (isOp(',')) { p++; continue; }
              break;
            }
          }
          expect(')');
          return { k: 'call', fn: t.v, args };
        }
        return { k: 'ident', name: t.v };
      }
      case 'op':
        if (t.v === '(') { p++; const e = comma(); expect(')'); return e; }
        throw new ExpressionSyntaxError(`unexpected '${t.v}' at column ${t.pos + 1}`, t.pos);
      default:
        throw new ExpressionSyntaxError(t.t === 'end' ? 'incomplete expression' : `unexpected '${t.v}'`, t.pos);
    }
  };

  const postfix = (): Node => {
    let e = primary();
    for (;;) {
      if (isOp('[')) { p++; const i = comma(); expect(']'); e = { k: 'index', obj: e, index: i }; continue; }
      if (isOp('.') || isOp('->')) {
        const arrow = peek().v === '->'; p++;
        const n = peek();
        if (n.t !== 'id') throw new ExpressionSyntaxError(`expected a member name after '${arrow ? '->' : '.'}'`, n.pos);
        p++;
        e = { k: 'member', obj: e, name: n.v, arrow };
        continue;
      }
      return e;
    }
  };

  const unary = (): Node => {
    const t = peek();
    if (t.t === 'op' && ['-', '+', '!', '~', '*', '&'].includes(t.v)) { p++; return { k: 'unary', op: t.v, e: unary() }; }
    if (t.t === 'op' && t.v === '(' && startsType(1)) {
      p++;
      const ty = parseTypeSpec();
      expect(')');
      return { k: 'cast', type: ty, e: unary() };
    }
    return postfix();
  };

  const binary = (minPrec: number): Node => {
    let l = unary();
    for (;;) {
      const t = peek();
      const prec = t.t === 'op' ? BINARY_PRECEDENCE[t.v] : undefined;
      if (prec === undefined || prec < minPrec) return l;
      p++;
      const r = binary(prec + 1);
      l = { k: 'binary', op: t.v, l, r };
    }
  };

  const ternary = (): Node => {
    const c = binary(1);
    if (!isOp('?')) return c;
    p++;
    const t = comma();
    expect(':');
    const f = ternary();
    return { k: 'ternary', c, t, f };
  };

  const assignment = (): Node => {
    const l = ternary();
    const t = peek();
    if (t.t === 'op' && ['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>='].includes(t.v)) {
      p++;
      return { k: 'assign', op: t.v, l, r: assignment() };
    }
    return l;
  };

  const comma = (): Node => {
    let e = assignment();
    while (isOp(',')) { p++; e = { k: 'binary', op: ',', l: e, r: assignment() }; }
    return e;
  };

  const e = comma();
  if (peek().t !== 'end') throw new ExpressionSyntaxError(`unexpected '${peek().v}' at column ${peek().pos + 1}`, peek().pos);
  return e;
}
