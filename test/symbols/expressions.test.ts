/**
 * >= 100 C expressions evaluated over the memory and registers gdb dumped at native stop points
 * equal gdb's values for the same state: integers, pointers, enums, chars, floats, bitfields,
 * locals/parameters (with location lists at -O1/-O2, "<optimized out>" where gdb says so), and the
 * kernel helpers (container_of, list_entry, per_cpu) against gdb's own spelled-out equivalents.
 */
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import { loadSymbols } from '../../debug-adapter/symbols';
import { evaluate, assign } from '../../debug-adapter/symbols/evaluate';
import { formatValue } from '../../debug-adapter/symbols/format';
import { unwind } from '../../debug-adapter/symbols/unwinder';
import { resolveType } from '../../debug-adapter/symbols/types';
import { valueToBigInt, valueToFloat } from '../../debug-adapter/symbols/value';
import { FIXTURE_SPEC } from './fixture-spec';
import { FIXTURES, fixturePath } from './oracles';
import { inlineOptions, dumpMemory, dumpRegisters, stopsFor } from './target-dump';

describe('symbols: C expressions equal gdb over the same stopped state', () => {
  let total = 0;
  for (const name of FIXTURES) {
    it(name, () => {
      const elf = fixturePath(name);
      const bytes = readFileSync(elf);
      const syms = loadSymbols(bytes, { strict: true });
      const tasks = syms.lookupSymbol('tasks')[0].value.toString(16);
      let compared = 0;
      const failures: string[] = [];
      for (const stop of stopsFor(elf, FIXTURE_SPEC)) {
        const mem = dumpMemory(stop, bytes);
        const regs = dumpRegisters(stop);
        const frame = unwind(syms, regs, mem, { userSymbols: syms, ...inlineOptions(stop) })[0];
        const ctx = { mem, regs, frame, cpu: 0 };
        for (const e of stop.expressions) {
          const text = e.expr.replace('%TASKS%', tasks);
          const tag = `${name} in ${stop.where}@0x${stop.regs.eip!.toString(16)}: ${text}`;
          if (e.gdb.includes('%TASKS%')) continue;
          let ours: ReturnType<typeof evaluate> | undefined, err: string | undefined;
          try { ours = evaluate(syms, text, ctx); } catch (x) { err = (x as Error).message; }
          if (e.error !== undefined) {
            if (err === undefined && ours && ours.problem === undefined) failures.push(`${tag}: gdb error "${e.error}", we gave ${formatValue(syms, ours)}`);
            compared++;
            continue;
          }
          const g = e.value!;
          if (err !== undefined) { failures.push(`${tag}: we failed (${err}), gdb ${g.text}`); continue; }
          const text1 = formatValue(syms, ours!);
          if (g.text === '<optimized out>') {
            if (text1 !== '<optimized out>' && !text1.startsWith('<unavailable')) failures.push(`${tag}: gdb <optimized out>, we ${text1}`);
            compared++;
            continue;
          }
          const r = resolveType(ours!.type);
          if (g.int !== null) {
            let x: bigint;
            try { x = valueToBigInt(ours!); } catch (xx) { failures.push(`${tag}: ${(xx as Error).message}`); continue; }
            if (r.kind === 'pointer') x = BigInt.asUintN(32, x);
            if (x !== BigInt(g.int)) failures.push(`${tag}: gdb ${g.int} (${g.text}), we ${x} (${text1})`);
          } else if (g.float !== undefined) {
            if (valueToFloat(ours!) !== g.float) failures.push(`${tag}: gdb ${g.float}, we ${valueToFloat(ours!)}`);
          }
          if (text1 !== g.text) failures.push(`${tag}: text gdb «${g.text}» we «${text1}»`);
          compared++;
        }
      }
      assert.deepEqual(failures, []);
      total += compared;
    });
  }
  after(() => assert.ok(total >= 100, `compared ${total} expressions (>= 100 required)`));
});
