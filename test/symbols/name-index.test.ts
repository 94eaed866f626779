/**
 * The name index (function / global / type name → top-level DIEs) is built from a fast scan of each
 * unit's top level that jumps over subtrees (CompileUnit.scanTopLevel), not from parsed DIE trees. Oracle:
 * llvm-dwarfdump-14 --debug-info — every DIE of depth 1 with its tag, name, declaration flag and the
 * target of its abstract_origin / specification (whose name llvm-dwarfdump prints), for the kernel and
 * every fixture. The index must hold exactly the DIEs the dump says carry each name, in section order,
 * and the lazy lookups (before the index exists) must find what the index finds.
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { readFileSync } from 'fs';
import { loadSymbols, SymbolFile } from '../../debug-adapter/symbols';
import { DW_TAG } from '../../debug-adapter/symbols/dwarf-constants';
import { FIXTURES, fixturePath, KERNEL_ELF } from './oracles';

interface DumpDie { offset: number; tag: string; name?: string; declaration: boolean; origin?: number; originName?: string; enumerators?: string[] }

/** Depth-1 DIEs of every unit, in section order, from llvm-dwarfdump's indentation (2 spaces per level). */
function dumpTopLevel(elf: string): DumpDie[] {
  const out: DumpDie[] = [];
  let cur: DumpDie | undefined;
  let enumeration: DumpDie | undefined;     // the depth-1 enumeration type whose enumerators follow
  let inEnumerator = false;
  // llvm-dwarfdump exits non-zero over a problem in another section of some fixtures (printed on
  // stderr) after dumping .debug_info in full: use its output whatever the status.
  const r = spawnSync('llvm-dwarfdump-14', ['--debug-info', elf], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (r.error) throw r.error;
  for (const line of r.stdout.split('\n')) {
    const die = /^0x([0-9a-f]+):( +)(DW_TAG_\w+|NULL)/.exec(line);
    if (die) {
      const depth = (die[2].length - 1) / 2;
      cur = undefined;
      inEnumerator = depth === 2 && enumeration !== undefined && die[3] === 'DW_TAG_enumerator';
      if (depth === 1 && die[3] !== 'NULL') {
        cur = { offset: parseInt(die[1], 16), tag: die[3], declaration: false };
        out.push(cur);
        enumeration = die[3] === 'DW_TAG_enumeration_type' ? cur : undefined;
        if (enumeration) enumeration.enumerators = [];
      } else if (depth <= 1) enumeration = undefined;
      continue;
    }
    if (inEnumerator) {
      const n = /^\s+DW_AT_name\s+\((.*)\)\s*$/.exec(line);
      if (n) enumeration!.enumerators!.push(JSON.parse(n[1]));
      continue;
    }
    if (!cur) continue;
    const attr = /^\s+DW_AT_(\w+)\s+\((.*)\)\s*$/.exec(line);
    if (!attr) continue;
    const [, at, value] = attr;
    if (at === 'name') cur.name = JSON.parse(value);
    else if (at === 'declaration') cur.declaration = value === 'true';
    else if (at === 'abstract_origin' || (at === 'specification' && cur.origin === undefined)) {
      const m = /^0x([0-9a-f]+)(?: "(.*)")?$/.exec(value);
      if (m) { cur.origin = parseInt(m[1], 16); cur.originName = m[2]; }
    }
  }
  return out;
}

// Tag numbers from DWARF 5 section 7.5.3 for the two top-level tags our reader has no constant for.
const TAG_NAME = new Map<number, string>([...Object.entries(DW_TAG).map(([k, v]): [number, string] => [v, `DW_TAG_${k}`]),
  [0x36, 'DW_TAG_dwarf_procedure'], [0x3b, 'DW_TAG_unspecified_type']]);

function expectedIndex(dies: DumpDie[]) {
  const fns = new Map<string, number[]>(), globals = new Map<string, number[]>(), types = new Map<string, number[]>();
  const add = (m: Map<string, number[]>, k: string, off: number) => { const l = m.get(k); if (l) l.push(off); else m.set(k, [off]); };
  for (const d of dies) {
    const resolved = d.name ?? d.originName;
    if (d.tag === 'DW_TAG_subprogram' && resolved !== undefined) add(fns, resolved, d.offset);
    else if (d.tag === 'DW_TAG_variable' && resolved !== undefined) add(globals, resolved, d.offset);
    else if (d.name) {
      const key = d.tag === 'DW_TAG_structure_type' ? `struct ${d.name}` : d.tag === 'DW_TAG_union_type' ? `union ${d.name}`
        : d.tag === 'DW_TAG_enumeration_type' ? `enum ${d.name}` : d.tag === 'DW_TAG_typedef' || d.tag === 'DW_TAG_base_type' ? d.name : undefined;
      if (key) add(types, key, d.offset);
    }
  }
  return { fns, globals, types };
}

const ELFS = [...FIXTURES.map((f) => ({ name: f, path: fixturePath(f) })), { name: 'ksim-kernel.elf', path: KERNEL_ELF }];

describe('symbols: name index from the top-level scan equals llvm-dwarfdump', () => {
  for (const elf of ELFS) {
    it(elf.name, () => {
      const dump = dumpTopLevel(elf.path);
      assert.ok(dump.length > 10, 'the dump has top-level DIEs');
      const bytes = new Uint8Array(readFileSync(elf.path));

      // The scan itself, unit by unit, on a file where no DIE tree was parsed.
      const scanned = loadSymbols(bytes).units.flatMap((u) => u.scanTopLevel());
      assert.deepEqual(
        scanned.map((e) => ({ offset: e.offset, tag: TAG_NAME.get(e.tag) ?? e.tag, name: e.name, declaration: e.declaration, origin: e.origin ?? e.specification, enumerators: e.enumerators })),
        dump.map((d) => ({ offset: d.offset, tag: d.tag, name: d.name, declaration: d.declaration, origin: d.origin, enumerators: d.enumerators })));
      assert.ok(dump.some((d) => d.enumerators?.length), 'the dump has enumerators');
      // The same records from parsed trees (scanTopLevel on a unit whose tree root() already built).
      const parsed = loadSymbols(bytes);
      const project = (e: ReturnType<typeof scanned.at> & object) => ({ ...e, enumerators: e.enumerators });
      assert.deepEqual(parsed.units.flatMap((u) => { u.root(); return u.scanTopLevel(); }).map(project), scanned.map(project));

      // Lazy type lookups before the index exists = the same lookups through the index.
      const lazy = loadSymbols(bytes);
      const want = expectedIndex(dump);
      const someTypes = [...want.types.keys()].filter((_, i) => i % 7 === 0).slice(0, 40);
      const lazyFound = someTypes.map((t) => [...lazy.eachTypeDie(t)].map((d) => d.offset));

      const syms: SymbolFile = loadSymbols(bytes);
      const offsets = (names: string[], f: (n: string) => { offset: number }[]) => new Map(names.map((n) => [n, f(n).map((d) => d.offset)]));
      assert.deepEqual(offsets(syms.functionNames().sort(), (n) => syms.functionDies(n)), new Map([...want.fns].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
      assert.deepEqual(offsets(syms.globalNames().sort(), (n) => syms.globalDies(n)), new Map([...want.globals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
      assert.deepEqual(offsets(syms.typeNames().sort(), (n) => syms.typeDies(n)), new Map([...want.types].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
      assert.deepEqual(lazyFound, someTypes.map((t) => want.types.get(t)));
      for (const t of someTypes) {
        const defining = want.types.get(t)!.find((off) => !dump.find((d) => d.offset === off)!.declaration) ?? want.types.get(t)![0];
        assert.equal(syms.typeDefinition(t)?.offset, defining, `typeDefinition(${t})`);
      }
      assert.deepEqual(syms.warnings, []);
    });
  }
});
