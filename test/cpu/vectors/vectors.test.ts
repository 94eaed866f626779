// Real-hardware vectors: every case recorded on the host CPU by gen/vecgen.c is replayed on one ksim Cpu
// in flat 32-bit protected mode (one step) and must give the same registers, memory and defined EFLAGS.
//
// Regenerate the data with `node test/cpu/vectors/generate.mjs` (gcc -m32, runs natively, ~15 s).

import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Decoder, DecoderOptions, RflagsBits } from 'iced-x86';
import { Cpu } from '../../../simulator/cpu/cpu';
import type { DeliveryEvent } from '../../../simulator/cpu/hooks';
import { RamBus } from '../harness/ram-bus';
import { hex, hexBytes, parseVectorFile, VectorCase, VectorFile } from '../harness/vector-file';

const DATA = join(__dirname, 'data');
const REG_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
/** Each case runs at its own address (instructions under test never reference EIP), so no code byte is ever
 * rewritten and the decoded-code cache needs no invalidation. */
const CODE_AREA = 0x00800000;
const RAM_BYTES = 16 << 20;

function loadAll(): Map<string, VectorFile> {
  const m = new Map<string, VectorFile>();
  for (const f of readdirSync(DATA).filter((n) => n.endsWith('.bin.gz')).sort()) {
    m.set(f.replace('.bin.gz', ''), parseVectorFile(readFileSync(join(DATA, f))));
  }
  return m;
}

function describeCase(c: VectorCase): string {
  const regs = (r: Uint32Array) => REG_NAMES.map((n, i) => `${n}=${hex(r[i])}`).join(' ');
  const wins = c.windows.map((w) => `[${hex(w.addr)}] ${hexBytes(w.before)} -> ${hexBytes(w.after)}`).join('; ');
  return `bytes ${hexBytes(c.code)}\n      in:  ${regs(c.regsIn)} eflags=${hex(c.flagsIn)}\n` +
    `      out: ${regs(c.regsOut)} eflags=${hex(c.flagsOut)} (compared ${hex(c.flagsCompared, 3)})` +
    (wins ? `\n      mem: ${wins}` : '');
}

/** Runs one case; returns undefined when ksim matches the hardware, else what differed. */
function runCase(cpu: Cpu, bus: RamBus, c: VectorCase, at: number, delivered: DeliveryEvent[]): string | undefined {
  bus.ram.set(c.code, at);
  for (const w of c.windows) bus.ram.set(w.before, w.addr);
  for (let r = 0; r < 8; r++) cpu.setReg32(r, c.regsIn[r]);
  cpu.setEflags(c.flagsIn);
  cpu.eip = at;
  delivered.length = 0;
  cpu.step();
  const diffs: string[] = [];
  if (delivered.length) diffs.push(`raised vector ${delivered[0].vector} (error code ${delivered[0].errorCode})`);
  if (cpu.runState !== 'running') diffs.push(`runState ${cpu.runState}`);
  if (cpu.eip !== at + c.code.length) diffs.push(`eip +${(cpu.eip - at).toString(16)} expected +${c.code.length.toString(16)}`);
  for (let r = 0; r < 8; r++) {
    if (!(c.regsCompared & (1 << r))) continue;
    const got = cpu.getReg32(r);
    if (got !== c.regsOut[r]) diffs.push(`${REG_NAMES[r]} got ${hex(got)} expected ${hex(c.regsOut[r])}`);
  }
  const fl = cpu.getEflags();
  if ((fl ^ c.flagsOut) & c.flagsCompared) {
    diffs.push(`eflags got ${hex(fl & c.flagsCompared, 3)} expected ${hex(c.flagsOut & c.flagsCompared, 3)} (mask ${hex(c.flagsCompared, 3)})`);
  }
  for (const w of c.windows) {
    const got = bus.ram.subarray(w.addr, w.addr + w.after.length);
    if (!got.every((b, i) => b === w.after[i])) diffs.push(`memory [${hex(w.addr)}] got ${hexBytes(got)} expected ${hexBytes(w.after)}`);
  }
  return diffs.length ? diffs.join('; ') : undefined;
}

function freshCpu(bus: RamBus, delivered: DeliveryEvent[]): Cpu {
  const cpu = new Cpu(bus, { id: 0 });
  cpu.enterFlatProtectedMode();
  cpu.hooks.onDelivery = (e) => { delivered.push(e); };
  return cpu;
}

describe('CPU vs real hardware (recorded vectors)', function () {
  this.timeout(300_000);
  const files = loadAll();

  it('cover >= 200 instruction forms with >= 500 cases each', () => {
    let forms = 0;
    for (const f of files.values()) {
      for (const form of f.forms) {
        assert.ok(form.cases.length >= 500, `${form.name}: ${form.cases.length} cases`);
        forms++;
      }
    }
    assert.ok(forms >= 200, `${forms} forms`);
  });

  for (const [family, file] of files) {
    it(`${family}: ${file.forms.length} forms x ${file.forms[0]?.cases.length} cases match the host CPU`, () => {
      const bus = new RamBus(RAM_BYTES);
      const delivered: DeliveryEvent[] = [];
      let cpu = freshCpu(bus, delivered);
      let at = CODE_AREA;
      const report: string[] = [];
      let failing = 0;
      for (const form of file.forms) {
        let bad = 0;
        const examples: string[] = [];
        for (let k = 0; k < form.cases.length; k++) {
          const c = form.cases[k];
          let diff: string | undefined;
          try {
            diff = runCase(cpu, bus, c, at, delivered);
          } catch (e) {
            diff = `JavaScript exception: ${(e as Error)?.stack ?? e}`;
          }
          at += 16;
          if (diff) {
            bad++;
            if (examples.length < 2) examples.push(`    case ${k}: ${diff}\n      ${describeCase(c)}`);
            cpu = freshCpu(bus, delivered); // a failed case may have left the CPU anywhere
          }
        }
        if (bad) {
          failing++;
          report.push(`  ${form.name}: ${bad}/${form.cases.length} cases differ\n${examples.join('\n')}`);
        }
      }
      assert.ok(failing === 0, `${failing} of ${file.forms.length} forms differ from the hardware:\n${report.join('\n')}`);
    });
  }

  it('the replay notices a wrong register, flag or memory byte (harness self-check)', () => {
    const form = files.get('alu')!.forms.find((f) => f.name === 'add m32, r32')!;
    const c = form.cases[7];
    const bus = new RamBus(RAM_BYTES);
    const delivered: DeliveryEvent[] = [];
    const cpu = freshCpu(bus, delivered);
    assert.equal(runCase(cpu, bus, c, CODE_AREA, delivered), undefined);
    const wrongReg = { ...c, regsOut: c.regsOut.map((v, i) => (i === 5 ? v ^ 1 : v)) };
    assert.match(runCase(cpu, bus, wrongReg, CODE_AREA + 16, delivered) ?? '', /ebp got/);
    const wrongFlag = { ...c, flagsOut: c.flagsOut ^ 0x1 };
    assert.match(runCase(cpu, bus, wrongFlag, CODE_AREA + 32, delivered) ?? '', /eflags got/);
    const w = c.windows[0];
    const wrongMem = { ...c, windows: [{ ...w, after: w.after.map((b, i) => (i === 0 ? b ^ 0x80 : b)) }] };
    assert.match(runCase(cpu, bus, wrongMem, CODE_AREA + 48, delivered) ?? '', /memory/);
  });

  it('undefined-flag masks agree with iced-x86 (an independent flag table)', () => {
    const icedToEflags: [number, number][] = [[RflagsBits.OF, 0x800], [RflagsBits.SF, 0x80], [RflagsBits.ZF, 0x40],
      [RflagsBits.AF, 0x10], [RflagsBits.CF, 0x1], [RflagsBits.PF, 0x4], [RflagsBits.DF, 0x400]];
    const conv = (r: number) => icedToEflags.reduce((a, [i, e]) => (r & i ? a | e : a), 0);
    const problems: string[] = [];
    for (const file of files.values()) {
      for (const form of file.forms) {
        // rep bsf/bsr: iced decodes f3 0f bc/bd as TZCNT/LZCNT; an i686 (our model) executes BSF/BSR.
        if (/^rep bs[fr]/.test(form.name)) continue;
        // By CL, iced cannot know the count: a count of 0 leaves every flag unaffected and a count of 1
        // defines OF (SDM), so compared flags may be "undefined" for iced exactly in those cases.
        const byCl = /, cl\b/.test(form.name);
        let alwaysCompared = 0xcd5, everCompared = 0, icedUndef = 0;
        for (const c of form.cases) {
          const d = new Decoder(32, c.code, DecoderOptions.None);
          const insn = d.decode();
          const u = conv(insn.rflagsUndefined);
          insn.free();
          d.free();
          icedUndef |= u;
          alwaysCompared &= c.flagsCompared;
          everCompared |= c.flagsCompared;
          const count = c.regsIn[1] & 31;
          if (u & c.flagsCompared && !(byCl && count <= 1)) {
            problems.push(`${form.name}: compares ${hex(u & c.flagsCompared, 3)}, undefined per iced (${hexBytes(c.code)})`);
            break;
          }
        }
        const countDependent = everCompared !== alwaysCompared;
        if (!countDependent && (0xcd5 & ~alwaysCompared) !== icedUndef) {
          problems.push(`${form.name}: masks ${hex(0xcd5 & ~alwaysCompared, 3)}, iced says undefined ${hex(icedUndef, 3)}`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  it('the committed vectors are what this host records (defined results only)', function () {
    if (process.arch !== 'x64' && process.arch !== 'ia32') this.skip();
    const out = mkdtempSync(join(tmpdir(), 'ksim-vec-'));
    try {
      const exe = join(out, 'vecgen');
      execFileSync('gcc', ['-m32', '-O1', '-o', exe, join(__dirname, 'gen', 'vecgen.c')]);
      execFileSync(exe, [out], { stdio: 'pipe' });
      const mismatches: string[] = [];
      for (const [family, committed] of files) {
        const path = join(out, `${family}.bin`);
        assert.ok(existsSync(path), `${family}.bin not generated`);
        const fresh = parseVectorFile(readFileSync(path), false);
        assert.equal(fresh.forms.length, committed.forms.length, family);
        fresh.forms.forEach((form, i) => {
          const old = committed.forms[i];
          assert.equal(form.name, old.name);
          const same = (a: Uint8Array | Uint32Array, b: Uint8Array | Uint32Array) => a.length === b.length && a.every((x, i) => x === b[i]);
          form.cases.forEach((c, k) => {
            const o = old.cases[k];
            let ok = same(c.code, o.code) && same(c.regsIn, o.regsIn) && c.flagsIn === o.flagsIn
              && c.flagsCompared === o.flagsCompared && c.regsCompared === o.regsCompared
              && ((c.flagsOut ^ o.flagsOut) & c.flagsCompared) === 0 && c.windows.length === o.windows.length;
            for (let r = 0; ok && r < 8; r++) if (c.regsCompared & (1 << r) && c.regsOut[r] !== o.regsOut[r]) ok = false;
            c.windows.forEach((w, i) => {
              const ow = o.windows[i];
              if (!ow || w.addr !== ow.addr || !same(w.before, ow.before) || !same(w.after, ow.after)) ok = false;
            });
            if (!ok) mismatches.push(`${family} / ${form.name} / case ${k}: host ${describeCase(c)}\n    committed ${describeCase(o)}`);
          });
        });
      }
      assert.ok(mismatches.length === 0, `${mismatches.length} cases differ:\n${mismatches.slice(0, 5).join('\n')}`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
