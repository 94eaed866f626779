/**
 * CFI unwinding against gdb: the fixtures run natively under gdb, which stops at >= 100 points and
 * records its backtrace; our unwinder runs over the same registers and memory and must find the same
 * frames (function names, pcs, inline frames) and the same recovered registers (esp = CFA, ebp, ebx,
 * esi, edi wherever gdb recovered them). Also checked against the frame-pointer chain at -O0.
 */
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { loadSymbols } from '../../debug-adapter/symbols';
import { unwind } from '../../debug-adapter/symbols/unwinder';
import { FIXTURE_SPEC } from './fixture-spec';
import { FIXTURES, fixturePath } from './oracles';
import { inlineOptions, dumpMemory, dumpRegisters, stopsFor } from './target-dump';

describe('symbols: CFI unwinding equals gdb bt at native stop points', function () {
  let total = 0;
  for (const name of FIXTURES) {
    it(name, () => {
      const elf = fixturePath(name);
      const bytes = readFileSync(elf);
      const syms = loadSymbols(bytes, { strict: true });
      const stops = stopsFor(elf, FIXTURE_SPEC);
      assert.ok(stops.length >= 20, `${stops.length} stops`);
      let compared = 0;
      for (const stop of stops) {
        const mem = dumpMemory(stop, bytes);
        const frames = unwind(syms, dumpRegisters(stop), mem, { userSymbols: syms, ...inlineOptions(stop) });
        // gdb goes on into libc (__libc_start_call_main...), for which we have no symbols: compare up
        // to and including main.
        const mainAt = stop.frames.findIndex((f) => f.name === 'main');
        if (mainAt < 0 || stop.frames.slice(0, mainAt).some((f) => f.name === null)) {
          // gdb lost the chain (it unwinds an asm label without CFI as if it were a function entry);
          // not an oracle here — but our frame-pointer fallback must still reach main.
          const ourMain = frames.findIndex((f) => f.function === 'main');
          assert.ok(ourMain > 0 && frames.slice(0, ourMain).every((f) => f.function), `${stop.where}: ${frames.map((f) => f.function).join(' < ')}`);
          continue;
        }
        const want = stop.frames.slice(0, mainAt + 1);
        const tag = `${name} stop in ${stop.where} @0x${stop.regs.eip!.toString(16)}`;
        assert.ok(frames.length >= want.length, `${tag}: ${frames.length} frames, gdb ${want.length}: ${frames.map((f) => f.function).join(' < ')}`);
        want.forEach((g, i) => {
          const f = frames[i];
          assert.equal(f.function, g.name, `${tag} frame ${i} function`);
          assert.equal(f.pc.toString(16), g.pc.toString(16), `${tag} frame ${i} pc`);
          assert.equal(f.kind === 'inline', g.inline, `${tag} frame ${i} inline`);
          for (const r of ['esp', 'ebp', 'ebx', 'esi', 'edi'] as const) {
            const gv = g.regs[r];
            if (gv === null) continue;
            const ours = f.regs.get(r);
            assert.equal(ours?.toString(16), gv.toString(16), `${tag} frame ${i} (${g.name}) ${r}`);
          }
        });
        compared++;
      }
      total += compared;
    });
  }
  after(() => assert.ok(total >= 100, `compared ${total} stops (>= 100 required)`));

  it('agrees with the frame-pointer chain at -O0 (every frame with a saved ebp)', () => {
    const elf = fixturePath('o0-dwarf5');
    const bytes = readFileSync(elf);
    const syms = loadSymbols(bytes);
    let checked = 0;
    for (const stop of stopsFor(elf, FIXTURE_SPEC)) {
      const mem = dumpMemory(stop, bytes);
      const frames = unwind(syms, dumpRegisters(stop), mem, { userSymbols: syms, ...inlineOptions(stop) }).filter((f) => f.kind !== 'inline');
      // Walk the ebp chain from a frame whose ebp is set up (after the prologue) and compare return addresses.
      for (let i = 0; i + 1 < frames.length; i++) {
        const f = frames[i];
        const fn = syms.functionAt(f.isCaller ? f.pc - 1 : f.pc);
        if (!fn?.die || f.pc < syms.postPrologueAddress(fn)! ) continue;
        const ebp = f.regs.get('ebp')!;
        const b = mem.read(ebp + 4, 4);
        if (!b) continue;
        const ret = Buffer.from(b).readUInt32LE(0);
        assert.equal(ret.toString(16), frames[i + 1].pc.toString(16), `return address of ${f.function}`);
        const saved = Buffer.from(mem.read(ebp, 4)!).readUInt32LE(0);
        assert.equal(saved.toString(16), frames[i + 1].regs.get('ebp')!.toString(16), `saved ebp of ${f.function}`);
        checked++;
      }
    }
    assert.ok(checked >= 50, `checked ${checked} frames`);
  });
});
