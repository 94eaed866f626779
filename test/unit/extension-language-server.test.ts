import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadSymbols } from '../../debug-adapter/symbols';
import { KernelDwarfIndex } from '../../extension/language-server/dwarf-index';
import { wordAt, profileLensTitle } from '../../extension/language-server/text-utils';

// The language server's answers about the bundled kernel, checked against gdb reading the same ELF.
const kernel = path.join(__dirname, '..', '..', 'simulator', 'guest', 'build', 'ksim-kernel.elf');
const gdb = (...cmds: string[]) => execFileSync('gdb', ['-batch', '-nx', ...cmds.flatMap((c) => ['-ex', c]), kernel], { encoding: 'utf8', timeout: 60_000 });

describe('language server: text helpers', () => {
  it('finds the identifier under the cursor and the word before it', () => {
    assert.deepEqual(wordAt('\tstruct task_struct *prev, *next;', 12), { word: 'task_struct', previous: 'struct' });
    assert.deepEqual(wordAt('x = current->pid;', 13), { word: 'pid', previous: 'current' });
    assert.equal(wordAt('   ;', 1), undefined);
  });
  it('words the code lens with calls and the share of instructions', () => {
    assert.equal(profileLensTitle(1234, 125, 1000), '1,234 calls · 12.5% of instructions (last run)');
    assert.equal(profileLensTitle(1, 1, 100000), '1 call · <0.1% of instructions (last run)');
  });
});

describe('language server: DWARF answers about the bundled kernel (oracle: gdb)', function () {
  this.timeout(120_000);
  let index: KernelDwarfIndex;
  before(function () {
    if (!existsSync(kernel)) throw new Error(`${kernel} is not built`);
    index = new KernelDwarfIndex(loadSymbols(readFileSync(kernel)));
  });

  for (const type of ['task_struct', 'tasklet_struct', 'irq_desc', 'list_head']) {
    it(`hover on struct ${type} gives gdb's member offsets and sizes (ptype /o)`, () => {
      const ours = index.hover(type, 'struct');
      assert.ok(ours, `no hover for struct ${type}`);
      const oracle = gdb(`ptype /o struct ${type}`);
      // gdb: "/*    480      |       4 */    unsigned long eip;"  (top-level members only: nested struct
      // bodies are indented further and skipped on both sides)
      const gdbRows = [...oracle.matchAll(/^\/\*\s+(\d+)(?::\s*\d+)?\s+\|\s+(\d+) \*\/ {4}(?! )(.*?);?$/gm)]
        .map((m) => ({ offset: Number(m[1]), size: Number(m[2]) }));
      const ourRows = [...ours.matchAll(/\/\*\s+(\d+)\s+(\d+) \*\//g)].map((m) => ({ offset: Number(m[1]), size: Number(m[2]) }));
      assert.ok(gdbRows.length > 0, 'gdb printed members');
      assert.deepEqual(ourRows, gdbRows);
      // gdb prints a "total size" per nested struct too; the outer struct's is the last one.
      const total = [...oracle.matchAll(/total size \(bytes\):\s+(\d+)/g)].pop()![1];
      assert.match(ours, new RegExp(`size: ${total},`));
    });
  }

  it('definition of schedule() is where gdb says it is declared', () => {
    const oracle = gdb('info functions ^schedule$');
    const m = /File (.*):\n(\d+):/.exec(oracle)!;
    const defs = index.definition('schedule');
    assert.equal(defs.length, 1);
    assert.ok(defs[0].file.endsWith(m[1]), `${defs[0].file} vs ${m[1]}`);
    assert.equal(defs[0].line, Number(m[2]));
  });

  it('workspace symbols and per-file functions include schedule and the asm entry points', () => {
    const names = index.workspaceSymbols('').map((s) => s.name);
    for (const n of ['schedule', 'do_IRQ', '__switch_to', 'common_interrupt']) assert.ok(names.includes(n), n);
    const inSched = index.functionsInFile('/anywhere/kernel/sched.c').map((f) => f.name);
    assert.ok(inSched.includes('schedule'));
    assert.ok(!inSched.includes('do_IRQ'));
  });
});
