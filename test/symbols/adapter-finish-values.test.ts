/**
 * Value bugs the debug adapter ran into, checked against gdb over the same stopped state (the fixture
 * program run natively under gdb, as in expressions.test.ts): a char array cast to char * prints as a
 * string, casts to function-pointer types parse, and char[16] arrays print the way gdb's `print` does
 * (trailing NULs folded into "<repeats N times>" or dropped).
 */
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import { loadSymbols } from '../../debug-adapter/symbols';
import { evaluate } from '../../debug-adapter/symbols/evaluate';
import { formatValue } from '../../debug-adapter/symbols/format';
import { unwind } from '../../debug-adapter/symbols/unwinder';
import { fixturePath, KERNEL_ELF, kernelAvailable } from './oracles';
import { execFileSync } from 'child_process';
import type { MemoryReader } from '../../debug-adapter/symbols';
import { inlineOptions, dumpMemory, dumpRegisters, stopsFor, type DumpSpec } from './target-dump';

const same = (...xs: string[]): [string, string][] => xs.map((x) => [x, x]);

const SPEC: DumpSpec = {
  breakpoints: [{ where: 'visit', hits: 2 }],
  maxStops: 2,
  expressions: {
    visit: same(
      '(char *)t->comm', '(char *)tasks[3].comm', '(unsigned char *)tasks[2].comm', '(char *)&tasks[1].comm[1]',
      't->comm', 'tasks[0].comm', 'tasks[3].comm', 'banner',
      '(int (*)(struct task_struct *, int))tasks[1].fn', '(void (*)(void))tasks[1].fn', '(task_fn)tasks[1].fn',
      '(void (*)(void))0', 'sizeof(int (*)(int))',
    ),
  },
};

describe('symbols: values the adapter shows equal gdb (char * of arrays, function-pointer casts, char arrays)', () => {
  for (const name of ['o0-dwarf5', 'o2-dwarf5']) {
    it(name, () => {
      const elf = fixturePath(name);
      const bytes = readFileSync(elf);
      const syms = loadSymbols(bytes, { strict: true });
      const failures: string[] = [];
      let compared = 0;
      for (const stop of stopsFor(elf, SPEC)) {
        const mem = dumpMemory(stop, bytes);
        const regs = dumpRegisters(stop);
        const frame = unwind(syms, regs, mem, { userSymbols: syms, ...inlineOptions(stop) })[0];
        for (const e of stop.expressions) {
          const tag = `${name} ${e.expr}`;
          if (e.error !== undefined) { failures.push(`${tag}: gdb failed: ${e.error}`); continue; }
          let text: string;
          try { text = formatValue(syms, evaluate(syms, e.expr, { mem, regs, frame, cpu: 0 })); } catch (x) { failures.push(`${tag}: we failed (${(x as Error).message}), gdb «${e.value!.text}»`); continue; }
          if (text !== e.value!.text) failures.push(`${tag}: gdb «${e.value!.text}» we «${text}»`);
          compared++;
        }
      }
      assert.deepEqual(failures, []);
      assert.ok(compared >= 13, `compared ${compared}`);
    });
  }

  it('the teaching kernel\'s static data, as gdb prints it from the ELF file', function () {
    if (!kernelAvailable()) throw new Error(`the teaching kernel is not built: ${KERNEL_ELF}`);
    const bytes = readFileSync(KERNEL_ELF);
    const syms = loadSymbols(bytes);
    // Memory = the ELF's file contents at their link addresses (what gdb reads without a target).
    const mem: MemoryReader = {
      read: (addr, len) => {
        const sec = syms.elf.sectionAt(addr);
        if (!sec || sec.type === 8 || addr + len > sec.addr + sec.size) return null;
        return syms.elf.sectionData(sec).slice(addr - sec.addr, addr - sec.addr + len);
      },
    };
    const exprs = ['init_task.comm', '(char *)init_task.comm', '(char *)&init_task.comm[2]', '(void (*)(void))init_task.thread.eip == 0',
      'sizeof(void (*)(int))', 'sizeof(long (*)(struct task_struct *, unsigned long))', '(unsigned long)(int (*)(void))0x1234'];
    // (A function pointer itself is not printed here: gdb's `print` prefixes it with its type, which
    // the adapter's Variables view does not; the fixture test above compares those as gdb's Python str().)
    const out = execFileSync('gdb', ['-batch', '-nx', ...exprs.flatMap((e) => ['-ex', `print ${e}`]), KERNEL_ELF], { encoding: 'utf8' });
    const gdb = out.trim().split('\n').filter((l) => /^\$\d+ = /.test(l)).map((l) => l.replace(/^\$\d+ = /, ''));
    assert.equal(gdb.length, exprs.length, out);
    const regs = { get: () => undefined };
    const ours = exprs.map((e) => formatValue(syms, evaluate(syms, e, { mem, regs, cpu: 0 })));
    assert.deepEqual(ours, gdb);
  });
});
