/**
 * Struct and union layouts (size, member names, offsets, bitfield positions and widths) of every named
 * struct/union in the fixtures (and the kernel when built) equal gdb's `ptype /o`.
 */
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { loadSymbols } from '../../debug-adapter/symbols';
import { Type, resolveType, typeToString } from '../../debug-adapter/symbols/types';
import { FIXTURES, fixturePath, gdbLayouts, KERNEL_ELF, kernelAvailable, LayoutEntry } from './oracles';

const targets = [...FIXTURES.map(fixturePath), ...(kernelAvailable() ? [KERNEL_ELF] : [])];

/** Our flattened layout in the shape of gdb's ptype /o listing. */
function flatten(t: Type, baseBits: number, depth: number, inUnion: boolean, out: LayoutEntry[]): void {
  const r = t.kind === 'qualified' ? resolveType(t) : t;
  if (r.kind !== 'struct' && r.kind !== 'union') return;
  for (const m of r.members) {
    const mt = m.type;
    const direct = mt.kind === 'qualified' ? resolveType(mt) : mt;
    const bits = m.bitPosition !== undefined ? baseBits + m.bitPosition : baseBits + m.offset * 8;
    const e: LayoutEntry = {
      depth, size: mt.size, name: m.name ?? '',
      offset: inUnion ? undefined : Math.floor(bits / 8),
      bit: inUnion ? undefined : m.bitSize !== undefined ? bits % 8 : undefined,
      bitSize: m.bitSize,
    };
    if (m.bitSize !== undefined && inUnion) e.bitSize = m.bitSize;
    out.push(e);
    if (direct.kind === 'struct' || direct.kind === 'union') flatten(direct, bits, depth + 1, direct.kind === 'union', out);
  }
}

describe('symbols: struct/union layouts equal gdb ptype /o', () => {
  for (const elf of targets) {
    it(path.basename(elf), () => {
      const syms = loadSymbols(readFileSync(elf), { strict: true });
      const names = syms.typeNames().filter((n) => /^(struct|union) /.test(n))
        .filter((n) => syms.typeDies(n).some((d) => !d.flagDeclaration));
      assert.ok(names.length >= 8, `${names.length} types`);
      const oracle = gdbLayouts(elf, names);
      let members = 0;
      for (const n of names) {
        const want = oracle.get(n);
        assert.ok(want, `gdb printed ${n}`);
        const t = syms.findType(n)!;
        assert.ok(t, n);
        const r = resolveType(t);
        assert.ok(r.kind === 'struct' || r.kind === 'union');
        assert.equal(r.size, want.size, `sizeof(${n})`);
        const got: LayoutEntry[] = [];
        flatten(r, 0, 0, r.kind === 'union', got);
        // gdb leaves the bit out for union members and prints "{" lines for nested bodies only.
        const norm = (e: LayoutEntry) => ({ ...e, bitSize: e.bitSize });
        assert.deepEqual(got.map(norm), want.entries.map(norm), n);
        members += got.length;
      }
      assert.ok(members > 20);
    });
  }
  it('completes a declared-only struct from the unit that defines it; spells C types', () => {
    const syms = loadSymbols(readFileSync(fixturePath('o0-dwarf5')));
    const main = syms.units.find((u) => u.name === 'main.c')!;
    const v = syms.globalDies('opaque_ptr').find((d) => d.cu === main)!;
    const pt = resolveType(syms.types.typeOf(v));
    assert.equal(pt.kind, 'pointer');
    const target = resolveType((pt as any).target);
    assert.equal(target.kind, 'struct');
    assert.equal((target as any).incomplete, false);
    assert.deepEqual((target as any).members.map((m: any) => m.name), ['hidden', 'tag']);
    const task = syms.findType('struct task_struct')!;
    const r = resolveType(task) as any;
    const spell = (m: string) => typeToString(r.members.find((x: any) => x.name === m).type, m);
    assert.equal(spell('comm'), 'char comm[16]');
    assert.equal(spell('matrix'), 'unsigned char matrix[3][4]');
    assert.equal(spell('children'), 'struct task_struct *children[2]');
    assert.equal(spell('argv'), 'const char * const *argv');
    assert.equal(typeToString(syms.findType('kpid_t')!), 'kpid_t');
    assert.equal(typeToString(resolveType(syms.findType('kpid_t')!)), 'unsigned int');
    assert.equal(syms.findType('unsigned long')!.size, 4);
  });
});
