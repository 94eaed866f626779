/**
 * Line tables and address queries against tools we did not write:
 * every decoded row equals llvm-dwarfdump's, >= 10,000 addresses agree with addr2line -f -i,
 * and `break FUNC` addresses equal gdb's.
 */
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { loadSymbols, SymbolFile } from '../../debug-adapter/symbols';
import { addr2line, dwarfdumpLines, FIXTURES, fixturePath, gdbBatch, KERNEL_ELF, kernelAvailable } from './oracles';

const targets = [...FIXTURES.map(fixturePath), ...(kernelAvailable() ? [KERNEL_ELF] : [])];

function load(elf: string): SymbolFile {
  const s = loadSymbols(readFileSync(elf), { strict: true });
  assert.deepEqual(s.warnings, []);
  return s;
}

describe('symbols: line tables equal llvm-dwarfdump --debug-line', () => {
  for (const elf of targets) {
    it(path.basename(elf), () => {
      const syms = load(elf);
      const oracle = dwarfdumpLines(elf);
      const ours = syms.allLineTables();
      assert.equal(ours.length, oracle.length, 'number of line tables');
      let rows = 0;
      for (const o of oracle) {
        const mine = ours.find((t) => t.table.offset === o.offset);
        assert.ok(mine, `line table at 0x${o.offset.toString(16)}`);
        const t = mine.table;
        // File entries: same names (the oracle prints name and directory index separately).
        for (const [idx, name] of o.files) {
          const f = t.files[idx];
          assert.ok(f, `file ${idx} of table 0x${o.offset.toString(16)}`);
          const base = name.includes('|') ? name.split('|')[1] : name;
          assert.ok(f.path.endsWith(base), `file ${idx}: ${f.path} vs ${name}`);
        }
        assert.equal(t.rows.length, o.rows.length, `row count of table 0x${o.offset.toString(16)}`);
        o.rows.forEach((r, i) => {
          const m = t.rows[i];
          const got = {
            address: m.address, line: m.line, column: m.column, file: m.file, discriminator: m.discriminator,
            isStmt: m.isStmt, endSequence: m.endSequence, prologueEnd: m.prologueEnd, basicBlock: m.basicBlock,
            epilogueBegin: m.epilogueBegin,
          };
          assert.deepEqual(got, r, `table 0x${o.offset.toString(16)} row ${i}`);
          rows++;
        });
      }
      assert.ok(rows > 100, `compared ${rows} rows`);
    });
  }
});

describe('symbols: address -> function/file/line/inlined chain equals addr2line -f -i', () => {
  let total = 0;
  for (const elf of targets) {
    it(path.basename(elf), () => {
      const syms = load(elf);
      const text = syms.elf.section('.text')!;
      // Every byte of .text for the fixtures; a deterministic stride sample of the kernel.
      const stride = Math.max(1, Math.floor(text.size / 20000));
      const addrs: number[] = [];
      for (let a = text.addr; a < text.addr + text.size; a += stride) addrs.push(a);
      const oracle = addr2line(elf, addrs);
      let compared = 0;
      for (const a of addrs) {
        const want = oracle.get(a)!;
        assert.ok(want, `addr2line answered 0x${a.toString(16)}`);
        if (want[0].line === undefined) {
          // No line info there for addr2line (crt code): we must not invent one.
          assert.equal(syms.lineAt(a), undefined, `0x${a.toString(16)}: addr2line has no line`);
          continue;
        }
        const chain = syms.inlinedChainAt(a);
        const norm = (p?: string) => (p === undefined ? p : path.normalize(p));
        const got = chain.map((f) => ({ function: f.function, file: norm(f.file), line: f.line }));
        const exp = want.map((f) => ({ function: f.function, file: norm(f.file), line: f.line }));
        assert.deepEqual(got, exp, `0x${a.toString(16)}`);
        const loc = syms.lineAt(a)!;
        assert.equal(loc.discriminator || undefined, want[0].discriminator, `discriminator at 0x${a.toString(16)}`);
        compared++;
      }
      total += compared;
      assert.ok(compared > 1000, `compared ${compared} addresses`);
    });
  }
  after(() => assert.ok(total >= 10000, `sampled ${total} addresses in all (>= 10,000 required)`));
});

describe('symbols: break FUNC locations equal gdb (out-of-line past the prologue, inlined instances)', () => {
  for (const elf of targets) {
    it(path.basename(elf), () => {
      const syms = load(elf);
      const names = syms.functionNames().filter((n) => syms.breakpointAddresses(n).length > 0).sort();
      assert.ok(names.length >= 8);
      const out = gdbBatch(elf, [...names.map((n) => `break ${n}`), 'info breakpoints']);
      // Parse `info breakpoints`: "N breakpoint keep y 0x... in f at ..." or <MULTIPLE> + "N.M y 0x...".
      const locs = new Map<number, number[]>();
      for (const l of out.split('\n')) {
        let m = l.match(/^(\d+)\s+breakpoint\s+\S+\s+\S+\s+0x([0-9a-f]+)/);
        if (m) { locs.set(Number(m[1]), [parseInt(m[2], 16)]); continue; }
        m = l.match(/^(\d+)\.\d+\s+\S+\s+0x([0-9a-f]+)/);
        if (m) { const k = Number(m[1]); locs.set(k, [...(locs.get(k) ?? []), parseInt(m[2], 16)]); }
      }
      names.forEach((n, i) => {
        const want = (locs.get(i + 1) ?? []).sort((a, b) => a - b).map((a) => a.toString(16));
        const got = syms.breakpointAddresses(n).map((a) => a.toString(16));
        assert.deepEqual(got, want, `break ${n}`);
      });
    });
  }
});

describe('symbols: file:line breakpoints equal gdb (addresses, and the next line with code)', () => {
  const cases = [...['o0-dwarf5', 'o2-dwarf5', 'o0-dwarf4', 'o1-dwarf5'].map((n) => ({ name: n, elf: fixturePath(n), files: ['main.c', 'shared.c'], last: 90, step: 1 })),
    ...(kernelAvailable() ? [{ name: 'ksim-kernel.elf', elf: KERNEL_ELF, files: ['kernel/sched.c', 'kernel/softirq.c', 'arch/i386/kernel/irq.c', 'kernel/fork.c', 'kernel/timer.c', 'kernel/workqueue.c', 'kernel/exit.c', 'mm/memory.c'], last: 700, step: 5 }] : [])];
  for (const c of cases) {
    it(c.name, () => {
      const elf = c.elf;
      const syms = load(elf);
      const specs: { file: string; line: number }[] = [];
      for (const file of c.files) for (let line = 1; line <= c.last; line += c.step) specs.push({ file, line });
      // gdb numbers only the breakpoints it could create: mark each request to map numbers back.
      const out = gdbBatch(elf, [...specs.flatMap((s, i) => [`echo @@${i}\\n`, `break ${s.file}:${s.line}`]), 'info breakpoints']);
      const numberOf = new Map<number, number>();
      let pending: number | undefined;
      for (const l of out.split('\n')) {
        const mk = l.match(/^@@(\d+)$/);
        if (mk) { pending = Number(mk[1]); continue; }
        const b = l.match(/^Breakpoint (\d+) at/);
        if (b && pending !== undefined) { numberOf.set(pending, Number(b[1])); pending = undefined; }
      }
      const locs = new Map<number, { addrs: number[]; line?: number }>();
      for (const l of out.split('\n')) {
        let m = l.match(/^(\d+)\s+breakpoint\s+\S+\s+\S+\s+0x([0-9a-f]+) in \S+ at (\S+):(\d+)/);
        if (m) { locs.set(Number(m[1]), { addrs: [parseInt(m[2], 16)], line: Number(m[4]) }); continue; }
        m = l.match(/^(\d+)\.\d+\s+\S+\s+0x([0-9a-f]+) in \S+ at (\S+):(\d+)/);
        if (m) {
          const k = Number(m[1]);
          const e = locs.get(k) ?? { addrs: [] };
          e.addrs.push(parseInt(m[2], 16)); e.line = Number(m[4]);
          locs.set(k, e);
        }
      }
      let compared = 0;
      const failures: string[] = [];
      specs.forEach((s, i) => {
        const num = numberOf.get(i);
        const want = num === undefined ? undefined : locs.get(num);
        const got = syms.addressesForLine(`/some/checkout/${s.file}`, s.line);
        if (!want) { if (got) failures.push(`${s.file}:${s.line}: gdb has no location, we ${got.addresses.map((a) => a.toString(16))}`); return; }
        const w = { line: want.line, addrs: want.addrs.sort((a, b) => a - b).map((a) => a.toString(16)) };
        const g = { line: got?.line, addrs: (got?.addresses ?? []).map((a) => a.toString(16)) };
        if (JSON.stringify(w) !== JSON.stringify(g)) failures.push(`${s.file}:${s.line}: gdb ${JSON.stringify(w)} we ${JSON.stringify(g)}`);
        compared++;
      });
      assert.deepEqual(failures, []);
      assert.ok(compared > 60, `compared ${compared}`);
    });
  }
});
