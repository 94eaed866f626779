/**
 * Bad and missing input: clear errors naming section and offset; without DWARF the debugger keeps
 * ELF symbols and CFI; without symbols it still unwinds to raw addresses; expression errors are
 * messages, never crashes or wrong values.
 */
import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { loadSymbols, SymbolsError, evaluate, assign, formatValue, valueToBigInt, registersFromRecord } from '../../debug-adapter/symbols';
import { ElfFile } from '../../debug-adapter/symbols/elf';
import { unwind } from '../../debug-adapter/symbols/unwinder';
import { FIXTURE_SPEC } from './fixture-spec';
import { fixturePath } from './oracles';
import { dumpMemory, dumpRegisters, stopsFor } from './target-dump';

const FIX = fixturePath('o2-dwarf5');
const bytes = () => new Uint8Array(readFileSync(FIX));

function expectSymbolsError(f: () => unknown, section: string, detail: RegExp): SymbolsError {
  try { f(); } catch (e) {
    assert.ok(e instanceof SymbolsError, `SymbolsError expected, got ${e}`);
    assert.equal(e.section, section);
    assert.match(e.message, detail);
    assert.match(e.message, /^section .+ offset 0x[0-9a-f]+: /);
    return e;
  }
  assert.fail('no error');
}

function sectionOffset(b: Uint8Array, name: string): number {
  return new ElfFile(b).section(name)!.offset;
}

describe('symbols: bad input', () => {
  it('rejects non-ELF, ELF64 and truncated files with the place of the problem', () => {
    expectSymbolsError(() => loadSymbols(new TextEncoder().encode('#!/bin/sh\necho hello, this is no ELF file at all........')), 'ELF header', /not an ELF file/);
    const b64 = bytes(); b64[4] = 2;
    expectSymbolsError(() => loadSymbols(b64), 'ELF header', /not ELF32/);
    expectSymbolsError(() => loadSymbols(bytes().slice(0, 20)), 'ELF header', /too short/);
    // Section header table lives at the end of the file: cut it off.
    expectSymbolsError(() => loadSymbols(bytes().slice(0, bytes().length - 100)), 'section headers', /truncated/);
  });

  it('an unknown attribute form is reported with section and offset; ELF symbols keep working', () => {
    const b = bytes();
    const ab = sectionOffset(b, '.debug_abbrev');
    // First abbreviation: code, tag, has_children, then (attribute, form) pairs — break the first form.
    let p = ab;
    const uleb = () => { let v = 0, s = 0, x; do { x = b[p++]; v |= (x & 0x7f) << s; s += 7; } while (x & 0x80); return v; };
    uleb(); uleb(); p++; uleb();
    b[p] = 0x7f;
    const e = expectSymbolsError(() => loadSymbols(b, { strict: true }).functionNames(), '.debug_info', /unknown attribute form 0x7f/);
    assert.ok(e.offset > 0);
    const syms = loadSymbols(b);
    syms.functionNames();
    assert.ok(syms.warnings.some((w) => /unknown attribute form 0x7f/.test(w.message)), syms.warnings.map((w) => w.message).join('; '));
    const visit = syms.lookupSymbol('visit')[0];
    assert.equal(syms.describeAddress(visit.value + 3), 'visit+0x3');
    assert.equal(syms.functionAt(visit.value + 3)?.name, 'visit');
  });

  it('a line program running past its section is reported; other units still answer', () => {
    const b = bytes();
    const off = sectionOffset(b, '.debug_line');
    b[off + 3] = 0x7f; // unit_length of the first line program: huge
    const syms = loadSymbols(b);
    const main = syms.lookupSymbol('main')[0].value;
    syms.lineAt(main);
    assert.ok(syms.warnings.some((w) => w.section === '.debug_line' && /runs past the end/.test(w.message)));
    expectSymbolsError(() => loadSymbols(b, { strict: true }).lineAt(main), '.debug_line', /runs past the end/);
  });

  it('an unknown call frame instruction is reported for .eh_frame', () => {
    const b = bytes();
    const eh = new ElfFile(b).section('.eh_frame')!;
    const first = loadSymbols(b).cfi.find(loadSymbols(b).lookupSymbol('visit')[0].value)!;
    b[eh.offset + first.instructionsBase] = 0x3f; // first instruction of visit's FDE → an opcode that does not exist
    const syms = loadSymbols(b);
    const fde = syms.cfi.find(syms.lookupSymbol('visit')[0].value)!;
    assert.throws(() => syms.cfi.rowAt(fde, fde.start + 4), /\.eh_frame offset 0x[0-9a-f]+: unknown call frame instruction 0x3f/);
  });

  it('without DWARF (strip --strip-debug): ELF symbols, CFI unwinding, no lines', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ksim-strip-'));
    const out = path.join(dir, 'nodebug');
    execFileSync('strip', ['--strip-debug', '-o', out, FIX]);
    const syms = loadSymbols(readFileSync(out));
    assert.equal(syms.hasDwarf, false);
    assert.deepEqual(syms.warnings, []);
    const visit = syms.lookupSymbol('visit')[0];
    assert.equal(syms.lineAt(visit.value), undefined);
    assert.equal(syms.functionAt(visit.value + 1)?.name, 'visit');
    assert.deepEqual(syms.breakpointAddresses('visit'), [visit.value]);
    assert.equal(syms.addressesForLine('main.c', 30), undefined);
    // Unwinding at a gdb stop still names every frame up to main (CFI + symbols).
    const stop = stopsFor(FIX, FIXTURE_SPEC).find((s) => s.where === 'fib')!;
    const frames = unwind(syms, dumpRegisters(stop), dumpMemory(stop, bytes()), { userSymbols: syms });
    const names = frames.map((f) => f.function);
    const full = loadSymbols(bytes());
    const want = unwind(full, dumpRegisters(stop), dumpMemory(stop, bytes()), { userSymbols: full }).filter((f) => f.kind !== 'inline').map((f) => f.function);
    assert.deepEqual(names.slice(0, names.indexOf('main') + 1), want.slice(0, want.indexOf('main') + 1));
    assert.throws(() => evaluate(syms, 'tasks[1].prio', { mem: dumpMemory(stop, bytes()), regs: dumpRegisters(stop) }), /No symbol "tasks"|cannot subscript/);
  });

  it('without any symbols (strip -s): raw addresses, no crash', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ksim-strip-'));
    const out = path.join(dir, 'nosyms');
    execFileSync('strip', ['-s', '-o', out, FIX]);
    const syms = loadSymbols(readFileSync(out));
    assert.equal(syms.symbols.filter((x) => x.type === 'func').length, 0);
    const stop = stopsFor(FIX, FIXTURE_SPEC).find((s) => s.where === 'fib')!;
    const frames = unwind(syms, dumpRegisters(stop), dumpMemory(stop, bytes()), { userSymbols: syms });
    assert.ok(frames.length >= 2, 'raw frames from .eh_frame');
    assert.equal(frames[0].pc, stop.regs.eip);
    assert.equal(frames[0].function, undefined);
    // gdb's physical (non-inline) frames up to main have the same pcs.
    const phys = stop.frames.filter((f) => !f.inline);
    const upToMain = phys.slice(0, phys.findIndex((f) => f.name === 'main') + 1).map((f) => f.pc.toString(16));
    assert.deepEqual(frames.slice(0, upToMain.length).map((f) => f.pc.toString(16)), upToMain);
  });
});

describe('symbols: expression errors and assignment', () => {
  const stop = () => stopsFor(FIX, FIXTURE_SPEC).find((s) => s.where === 'visit')!;
  const ctxFor = () => {
    const st = stop();
    const syms = loadSymbols(bytes());
    const mem = dumpMemory(st, bytes());
    const regs = dumpRegisters(st);
    const frame = unwind(syms, regs, mem, { userSymbols: syms })[0];
    return { syms, ctx: { mem, regs, frame, cpu: 0 } };
  };
  it('reports syntax and semantic errors as messages', () => {
    const { syms, ctx } = ctxFor();
    const msg = (e: string) => { try { evaluate(syms, e, ctx); return 'no error'; } catch (x) { return (x as Error).message; } };
    assert.match(msg('tasks[1].'), /expected a member name/);
    assert.match(msg('(1 + 2'), /expected '\)'/);
    assert.match(msg('no_such_thing + 1'), /No symbol "no_such_thing" in current context/);
    assert.match(msg('jiffies / 0'), /Division by zero/);
    assert.match(msg('*jiffies.x'), /not a structure/);
    assert.match(msg('tasks[1].nosuch'), /There is no member named nosuch/);
    assert.match(msg('&tasks[1].flags.nice'), /bitfield/);
    assert.match(msg('(struct nosuch *)0'), /No (type|symbol)/);
    assert.match(msg('$nosuchreg'), /unknown register/);
    assert.match(msg("'ab'"), /one character/);
  });
  it('assigns to globals, bitfields, pointers and registers (setVariable), neighbours unchanged', () => {
    const { syms, ctx } = ctxFor();
    const get = (e: string) => valueToBigInt(evaluate(syms, e, ctx));
    const before = { sig: get('tasks[2].flags.sigpending'), cpu: get('tasks[2].flags.cpu'), policy: get('tasks[2].flags.policy'), tail: get('tasks[2].flags.tail') };
    assign(syms, 'tasks[2].flags.nice', '-7', ctx);
    assert.equal(get('tasks[2].flags.nice'), -7n);
    assert.deepEqual({ sig: get('tasks[2].flags.sigpending'), cpu: get('tasks[2].flags.cpu'), policy: get('tasks[2].flags.policy'), tail: get('tasks[2].flags.tail') }, before);
    assign(syms, 'tasks[2].flags.nice', '100', ctx);            // truncated to 5 bits, like C
    assert.equal(get('tasks[2].flags.nice'), 4n);
    assign(syms, 'jiffies', 'jiffies * 2 + 1', ctx);
    assert.equal(get('jiffies') % 2n, 1n);
    evaluate(syms, 'tasks[1].utime = 0x123456789', ctx);
    assert.equal(get('tasks[1].utime'), 0x123456789n);
    evaluate(syms, 'tasks[3].parent = &tasks[4]', ctx);
    assert.equal(formatValue(syms, evaluate(syms, 'tasks[3].parent', ctx)), formatValue(syms, evaluate(syms, '&tasks[4]', ctx)));
    assign(syms, '$eax', '0x1234', ctx);
    assert.equal(ctx.regs.get('eax'), 0x1234);
    assert.throws(() => assign(syms, '1', '2', ctx), /not an lvalue/);
  });
  it('registers read through a plain record', () => {
    const syms = loadSymbols(bytes());
    const regs = registersFromRecord({ eax: 0xfffffffe, esp: 0x1000, eip: syms.lookupSymbol('main')[0].value });
    const ctx = { mem: { read: () => null }, regs };
    assert.equal(valueToBigInt(evaluate(syms, '$eax', ctx)), -2n);
    assert.equal(formatValue(syms, evaluate(syms, '$eip', ctx)), `0x${syms.lookupSymbol('main')[0].value.toString(16)} <main>`);
    assert.equal(formatValue(syms, evaluate(syms, '$ecx', ctx)), '<unavailable: register $ecx is not available in this frame>');
  });
});
