/**
 * The children a variables view shows for a pointer to a struct (valueChildren: the target's members)
 * equal the member expressions `(p)->member` evaluated like the REPL does (which expressions.test.ts
 * checks against gdb), over the states gdb dumped at the fixtures' stops — in particular for pointers
 * held in a register (optimised code), whose target must still be read from memory.
 */
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import { loadSymbols } from '../../debug-adapter/symbols';
import { evaluate } from '../../debug-adapter/symbols/evaluate';
import { formatValue, valueChildren } from '../../debug-adapter/symbols/format';
import { unwind } from '../../debug-adapter/symbols/unwinder';
import { resolveType } from '../../debug-adapter/symbols/types';
import { FIXTURE_SPEC } from './fixture-spec';
import { FIXTURES, fixturePath } from './oracles';
import { inlineOptions, dumpMemory, dumpRegisters, stopsFor } from './target-dump';

describe('symbols: a pointer\'s children (variables view) equal its member expressions', () => {
  let fromRegisters = 0;
  for (const name of FIXTURES) {
    it(name, () => {
      const elf = fixturePath(name);
      const bytes = readFileSync(elf);
      const syms = loadSymbols(bytes, { strict: true });
      const failures: string[] = [];
      let compared = 0;
      for (const stop of stopsFor(elf, FIXTURE_SPEC)) {
        const mem = dumpMemory(stop, bytes);
        const regs = dumpRegisters(stop);
        const frame = unwind(syms, regs, mem, { userSymbols: syms, ...inlineOptions(stop) })[0];
        const ctx = { mem, regs, frame, cpu: 0 };
        for (const e of stop.expressions) {
          if (e.expr.includes('%TASKS%') || e.error !== undefined) continue;
          let v: ReturnType<typeof evaluate>;
          try { v = evaluate(syms, e.expr, ctx); } catch { continue; }
          const t = resolveType(v.type);
          if (t.kind !== 'pointer' || v.problem) continue;
          const target = resolveType(t.target);
          if (target.kind !== 'struct' && target.kind !== 'union') continue;
          for (const c of valueChildren(syms, v)) {
            if (c.name === '<anonymous>') continue;
            let want: string;
            try { want = formatValue(syms, evaluate(syms, `(${e.expr})->${c.name}`, ctx)); } catch { continue; }
            const got = formatValue(syms, c.value);
            if (got !== want) failures.push(`${name} in ${stop.where}: ${e.expr} -> ${c.name}: children «${got}», expression «${want}»`);
            compared++;
            if (v.loc.kind === 'register' && !want.startsWith('<')) fromRegisters++;
          }
        }
      }
      assert.deepEqual(failures.slice(0, 20), []);
      assert.ok(compared > 0, `${name}: no pointer to a struct among the expressions`);
    });
  }
  after(() => assert.ok(fromRegisters > 0, 'no member read through a pointer held in a register'));
});
