// The multiboot v1 loader and the `ksim run` command line, checked against binutils' view of the ELF
// and against what QEMU hands the same kernel.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseMultibootKernel, KernelImageError, MULTIBOOT_INFO_ADDR } from '../../simulator/machine/multiboot';
import { Machine } from '../../simulator/machine/machine';
import { SMPTEST_ELF, runCli } from './helpers';

const image = new Uint8Array(readFileSync(SMPTEST_ELF));
const tmp = mkdtempSync(path.join(tmpdir(), 'ksim-loader-'));

function expectImageError(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(() => parseMultibootKernel(bytes), (e: unknown) => {
    assert.ok(e instanceof KernelImageError, `expected KernelImageError, got ${e}`);
    assert.match((e as Error).message, pattern);
    assert.ok(!(e as Error).message.includes('\n'), 'message must be one line');
    return true;
  });
}

describe('machine: multiboot loader', () => {
  it('loads exactly the PT_LOAD segments readelf lists, at their physical addresses', () => {
    const k = parseMultibootKernel(image);
    const out = execFileSync('readelf', ['-lhW', SMPTEST_ELF], { encoding: 'utf8' });
    const entry = parseInt(/Entry point address:\s+0x([0-9a-f]+)/.exec(out)![1], 16);
    assert.equal(k.entry, entry);
    const loads = [...out.matchAll(/^\s*LOAD\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)/gm)]
      .map(m => ({ offset: parseInt(m[1], 16), paddr: parseInt(m[3], 16), filesz: parseInt(m[4], 16), memsz: parseInt(m[5], 16) }))
      .filter(l => l.memsz > 0);
    assert.ok(loads.length >= 1);
    assert.deepEqual(k.segments.map(s => ({ paddr: s.paddr, filesz: s.data.length, memsz: s.memSize })),
      loads.map(l => ({ paddr: l.paddr, filesz: l.filesz, memsz: l.memsz })));
    for (let i = 0; i < loads.length; i++) {
      assert.deepEqual(k.segments[i].data, image.subarray(loads[i].offset, loads[i].offset + loads[i].filesz));
    }
  });

  it('rejects files it cannot boot with one-line reasons', () => {
    expectImageError(new TextEncoder().encode('#!/bin/sh\necho not a kernel\n'), /not an ELF/);
    expectImageError(new Uint8Array(readFileSync(process.execPath)), /not an i386 kernel: ELF class 64-bit/);
    const arm = image.slice(); arm[18] = 40; arm[19] = 0;   // e_machine = EM_ARM
    expectImageError(arm, /not an i386 kernel: ELF machine 40/);
    const noHeader = image.slice();
    const k = parseMultibootKernel(image);
    noHeader.fill(0, k.headerOffset, k.headerOffset + 12);
    expectImageError(noHeader, /no multiboot header/);
    expectImageError(image.slice(0, 30), /truncated/);
    expectImageError(image.slice(0, 2000), /truncated/);
    const lastEnd = Math.max(...k.segments.map(s => s.data.byteOffset - image.byteOffset + s.data.length));
    expectImageError(image.slice(0, lastEnd - 1), /truncated/);   // one byte short of the segment data
  });

  it('hands over as a multiboot loader must (EAX, EBX, flat protected mode) with the info QEMU gives', () => {
    const m = new Machine({ cpus: 2, memoryMB: 128, cmdline: 'kernel.elf scenario=x' });
    m.loadKernel(image);
    const cpu = m.cpus[0];
    assert.equal(cpu.getReg32(0), 0x2badb002);
    assert.equal(cpu.getReg32(3), MULTIBOOT_INFO_ADDR);
    assert.equal(cpu.eip, parseMultibootKernel(image).entry);
    assert.equal(cpu.getControlRegister(0) & 0x80000001, 1, 'protected mode, paging off');
    assert.equal(cpu.getEflags() & 0x200, 0, 'interrupts off');
    assert.equal(cpu.getSegment(1).base, 0);
    assert.equal(m.cpus[1].runState, 'wait-for-sipi', 'APs wait for INIT-SIPI-SIPI');
    const info = new DataView(m.readPhysical(MULTIBOOT_INFO_ADDR, 72).buffer);
    const flags = info.getUint32(0, true);
    assert.ok(flags & 1 && flags & 4 && flags & 0x40, 'mem, cmdline, mmap present');
    // QEMU 7.2 + SeaBIOS with -m 128 report these (the test kernel prints them on both, see qemu-compat).
    assert.equal(info.getUint32(4, true), 639);
    assert.equal(info.getUint32(8, true), 129920);
    const cmd = m.readPhysical(info.getUint32(16, true), 32);
    assert.equal(new TextDecoder().decode(cmd.subarray(0, cmd.indexOf(0))), 'kernel.elf scenario=x');
    const mmapLen = info.getUint32(44, true), mmapAddr = info.getUint32(48, true);
    const mm = new DataView(m.readPhysical(mmapAddr, mmapLen).buffer);
    const entries: [number, number, number][] = [];
    for (let p = 0; p < mmapLen; p += mm.getUint32(p, true) + 4) entries.push([mm.getUint32(p + 4, true), mm.getUint32(p + 12, true), mm.getUint32(p + 20, true)]);
    assert.deepEqual(entries.find(e => e[0] === 0x100000), [0x100000, 129920 * 1024, 1]);
    assert.deepEqual(entries.find(e => e[0] === 0), [0, 0x9fc00, 1]);
  });
});

describe('machine: ksim run', () => {
  it('exits 2 with one line for a file that is not a kernel', () => {
    const bad = path.join(tmp, 'bad.elf');
    writeFileSync(bad, 'hello');
    const r = runCli(['run', '--kernel', bad]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /not an ELF/);
    const missing = runCli(['run', '--kernel', path.join(tmp, 'missing.elf')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no such file/);
  });

  it('exits with the guest isa-debug-exit code (v << 1) | 1 and prints --stats', () => {
    const r = runCli(['run', '--kernel', SMPTEST_ELF, '--cmdline', 'bench work=5', '--stats']);
    assert.equal(r.status, 1, r.stderr);  // the kernel writes 0 to port 0xf4
    assert.match(r.stdout, /bench: cpu0 sum=0x[0-9a-f]{8}/);
    assert.match(r.stderr, /\d+ instructions executed .* MIPS/);
  });

  it('exits 0 when every CPU halts with interrupts off', () => {
    const r = runCli(['run', '--kernel', SMPTEST_ELF, '--cpus', '2', '--cmdline', 'halt']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /halting/);
  });

  it('exits non-zero with a register dump after a triple fault or an exhausted budget', () => {
    const tf = runCli(['run', '--kernel', SMPTEST_ELF, '--cmdline', 'triple']);
    assert.equal(tf.status, 4);
    assert.match(tf.stderr, /triple fault/);
    assert.match(tf.stderr, /EIP|eip/);
    const budget = runCli(['run', '--kernel', SMPTEST_ELF, '--cmdline', 'soak', '--max-instructions', '200000']);
    assert.equal(budget.status, 6);
    assert.match(budget.stderr, /budget of 200000 exhausted/);
    assert.match(budget.stderr, /eip=[0-9a-f]{8}/);
  });

  it('rejects bad options with exit code 2', () => {
    assert.equal(runCli(['run', '--cpus', '9', '--kernel', SMPTEST_ELF]).status, 2);
    assert.equal(runCli(['run', '--frobnicate']).status, 2);
    assert.equal(runCli(['launch']).status, 2);
  });
});

describe('machine: test kernels', () => {
  it('the committed smptest.elf is what its sources build to (reproducible build)', function () {
    this.timeout(120_000);
    const out = mkdtempSync(path.join(tmpdir(), 'ksim-kbuild-'));
    execFileSync('make', ['-s', '-C', path.dirname(path.dirname(SMPTEST_ELF)), `BUILD=${out}`], { stdio: 'pipe' });
    assert.ok(Buffer.from(readFileSync(path.join(out, 'smptest.elf'))).equals(Buffer.from(image)),
      'rebuild test/machine/kernels (make -C test/machine/kernels) and commit build/smptest.elf');
  });
});
