/**
 * The line-step question "does a statement of file:line start at this pc?" (isStatementStartOfLine,
 * asked by the engine at every instruction of a `next`) answered from the stepped unit's line table
 * must equal the answer from `break file:line` (addressesForLine, which lines.test.ts checks against
 * gdb's breakpoint locations): pc is one of its addresses and the line was not moved.
 *
 * The fast answer is computed on a freshly loaded file, so it runs with nothing parsed beforehand (the
 * situation of the first step after a launch); the reference on another load of the same file. Every
 * address that starts a line-table row of the chosen units is asked, with the file:line of every row
 * there (the engine asks with the last one).
 *
 * Also: the file lists read from the line-program headers alone (sourceFiles, used to find the units
 * with rows for a file) equal those of the fully read tables.
 */
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import { loadSymbols, SymbolFile } from '../../debug-adapter/symbols';
import { readLineTable, readLineTableFiles } from '../../debug-adapter/symbols/line-program';
import { FIXTURES, fixturePath, KERNEL_ELF, kernelAvailable } from './oracles';

function load(elf: string): SymbolFile {
  const s = loadSymbols(readFileSync(elf), { strict: true });
  assert.deepEqual(s.warnings, []);
  return s;
}

/** Every (pc, file, line) of the rows of the given units: pc a row start, file:line of a row there. */
function rowQueries(syms: SymbolFile, unitFilter: (name: string) => boolean): { pc: number; file: string; line: number }[] {
  const out = new Map<string, { pc: number; file: string; line: number }>();
  for (const { unit, table } of syms.allLineTables()) {
    if (!unitFilter(unit.name ?? '')) continue;
    for (const r of table.rows) {
      const file = table.files[r.file]?.path;
      if (r.endSequence || file === undefined || r.line === 0) continue;
      out.set(`${r.address}:${file}:${r.line}`, { pc: r.address, file, line: r.line });
    }
  }
  return [...out.values()];
}

const cases: { name: string; elf: string; units: (name: string) => boolean; min: number }[] = [
  ...FIXTURES.map((f) => ({ name: f, elf: fixturePath(f), units: () => true, min: 100 })),
  ...(kernelAvailable()
    ? [{ name: 'kernel (sched.c, softirq.c, fork.c)', elf: KERNEL_ELF, units: (n: string) => /kernel\/(sched|softirq|fork)\.c$/.test(n), min: 5000 }]
    : []),
];

describe('symbols: isStatementStartOfLine equals break file:line (addressesForLine) at every row start', () => {
  for (const c of cases) {
    it(c.name, function () {
      this.timeout(600_000);
      const fast = load(c.elf);
      const ref = load(c.elf);
      const queries = rowQueries(ref, c.units);
      const starts = new Map<string, Set<number> | null>();
      let positives = 0;
      const failures: string[] = [];
      for (const q of queries) {
        const key = `${q.file}\0${q.line}`;
        let s = starts.get(key);
        if (s === undefined) {
          const res = ref.addressesForLine(q.file, q.line);
          s = res && !res.moved ? new Set(res.addresses) : null;
          starts.set(key, s);
        }
        const want = s !== null && s.has(q.pc);
        const got = fast.isStatementStartOfLine(q.file, q.line, q.pc);
        if (want) positives++;
        if (got !== want && failures.length < 20) failures.push(`${q.file}:${q.line} at 0x${q.pc.toString(16)}: break says ${want}, we ${got}`);
      }
      assert.deepEqual(failures, []);
      assert.ok(queries.length >= c.min, `asked ${queries.length}`);
      assert.ok(positives > 0 && positives < queries.length, `${positives} of ${queries.length} are statement starts`);
    });
  }
});

describe('symbols: file lists from line-program headers equal the fully read tables', () => {
  for (const c of cases) {
    it(c.name, () => {
      const syms = load(c.elf);
      let units = 0;
      for (const u of syms.units) {
        if (u.stmtList === undefined) continue;
        const full = readLineTable(syms.sections, u.stmtList, u.compDir, u.name).files.map((f) => f?.path);
        const header = readLineTableFiles(syms.sections, u.stmtList, u.compDir, u.name).map((f) => f?.path);
        assert.deepEqual(header, full, `unit ${u.name}`);
        units++;
      }
      assert.ok(units > 0);
      // sourceFiles() now comes from the headers alone; a fresh load's full tables say the same.
      const fromHeaders = syms.sourceFiles();
      const fromTables = new Set<string>();
      for (const { table } of load(c.elf).allLineTables()) for (const f of table.files) if (f) fromTables.add(f.path);
      assert.deepEqual(fromHeaders, [...fromTables].sort());
    });
  }
});


