// The user programs of the teaching kernel are ordinary static Linux i386 binaries (int $0x80, Linux
// system call numbers). Before (and besides) running them on our kernel, we run them on the host's own
// Linux kernel: it is the reference for what fork/vfork/clone/pipe/signals/copy-on-write must produce.
// The scenario tests later compare the same programs' lines printed under the ksim kernel with these.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildUserPrograms, runOnHost } from './process-helpers';

describe('user programs on the host Linux kernel (reference behaviour)', function () {
  this.timeout(120000);
  let bin = '';
  before(() => {
    bin = mkdtempSync(path.join(tmpdir(), 'ksim-user-'));
    buildUserPrograms(bin);
  });
  after(() => rmSync(bin, { recursive: true, force: true }));

  it('are static i386 executables linked at 0x08048000', () => {
    for (const p of ['init', 'shell', 'forker', 'threads', 'fpu_user']) {
      const elf = readFileSync(path.join(bin, p));
      assert.equal(elf.readUInt32BE(0), 0x7f454c46, `${p}: ELF magic`);
      assert.equal(elf[4], 1, `${p}: ELFCLASS32`);
      assert.equal(elf.readUInt16LE(18), 3, `${p}: EM_386`);
      assert.equal(elf.readUInt16LE(16), 2, `${p}: ET_EXEC`);
      const phoff = elf.readUInt32LE(28);
      const phnum = elf.readUInt16LE(44);
      const loads = [];
      for (let i = 0; i < phnum; i++) {
        const ph = phoff + i * 32;
        if (elf.readUInt32LE(ph) === 1) loads.push(elf.readUInt32LE(ph + 8));
        assert.notEqual(elf.readUInt32LE(ph), 3, `${p}: no PT_INTERP (static)`);
      }
      assert.equal(loads[0], 0x08048000, `${p}: first PT_LOAD at 0x08048000`);
    }
  });

  it('forker: a fork tree whose exit codes come back through waitpid', () => {
    const r = runOnHost(bin, 'forker');
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /forker: child 0 exited with 3 \(/);
    assert.match(r.out, /forker: child 1 exited with 23 \(/);
    assert.match(r.out, /forker: child 2 exited with 43 \(/);
    assert.match(r.out, /another wait returns -10 \(-ECHILD\)/);
    assert.match(r.out, /forker: OK/);
  });

  it('forker orphan: the middle child is reaped and its child is reparented', () => {
    const r = runOnHost(bin, 'forker', ['orphan']);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /middle child reaped \(ok\), exit code 3/);
    // On the host the adopter may be a sub-reaper instead of pid 1; on our kernel it must be init.
    assert.match(r.out, /orphaned grandchild reparented to (init \(pid 1\)|another reaper)/);
  });

  it('vforker: the parent sleeps until the child exits or execs, and sees its writes', () => {
    const r = runOnHost(bin, 'vforker');
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /after the child's exit, shared=1/);
    assert.match(r.out, /first child exit code 7/);
    assert.match(r.out, /after the child's execve, shared=2/);
    assert.match(r.out, /exec'd child exit code 0/);
  });

  it('threads: CLONE_VM|CLONE_THREAD threads share memory and the thread group id', () => {
    const r = runOnHost(bin, 'threads');
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /counter=40000 \(expected 40000\)/);
    assert.match(r.out, /getpid\(\) equal to the leader's in every thread: yes/);
    assert.match(r.out, /gettid\(\) distinct in every thread: yes/);
  });

  it('pipeline: 64 KiB through a pipe, in order, then EOF', () => {
    const r = runOnHost(bin, 'pipeline');
    assert.equal(r.status, 0, r.out);
    // The checksum is recomputed here from the pattern the producer writes.
    let sum = 0;
    for (let i = 0; i < 65536; i++) sum = (Math.imul(sum, 31) + ((i * 7 + 3) & 0xff)) >>> 0;
    assert.match(r.out, new RegExp(`consumer read 65536 bytes in order \\(0 mismatches\\), checksum ${sum.toString(16)}, then EOF`));
    assert.match(r.out, /producer exit 0, consumer exit 0/);
  });

  it('cow_demo: the child\'s writes do not reach the parent', () => {
    const r = runOnHost(bin, 'cow_demo');
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /child wrote value=99 stack=8 heap=child/);
    assert.match(r.out, /parent still sees value=42 stack=7 heap=parent/);
    assert.match(r.out, /16 pages of big\[\] intact: yes/);
  });

  it('fpu_user: two processes keep their own x87 state across switches', () => {
    const r = runOnHost(bin, 'fpu_user');
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /child \(round toward zero\) kept st\(0\) and its control word f7f across 300 yields: 300\/300, 1\/10 ends in 9/);
    assert.match(r.out, /parent \(round to nearest\) kept st\(0\) and its control word 37f across 300 yields: 300\/300, 1\/10 ends in a/);
    assert.match(r.out, /child .*; across a signal handler using the FPU: yes/);
    assert.match(r.out, /parent .*; across a signal handler using the FPU: yes/);
    assert.match(r.out, /both processes kept their FPU state: yes/);
  });

  it('sigdemo: handler, stop/continue/kill, default action, SIGCHLD', () => {
    const r = runOnHost(bin, 'sigdemo');
    assert.equal(r.status, 0, r.out);
    assert.deepEqual(r.out.trim().split('\n'), [
      'sigdemo: child 1 (SIGTERM handler installed): exited with 3',
      'sigdemo: child 2 after SIGSTOP: stopped by signal 19',
      'sigdemo: child 2 after SIGCONT and SIGKILL: killed by signal 9',
      'sigdemo: child 3 (SIGTERM, default action): killed by signal 15',
      'sigdemo: kill of a reaped pid returns -3 (-ESRCH)',
      'sigdemo: SIGCHLD handler ran in the parent: yes',
    ]);
  });

  it('segv: bad pointers give -EFAULT, a bad store kills with SIGSEGV', () => {
    const r = runOnHost(bin, 'segv');
    assert.equal(r.signal, 'SIGSEGV');
    assert.match(r.out, /write\(\) from an unmapped user buffer returned -14/);
    assert.match(r.out, /write\(\) from a kernel address returned -14/);
    assert.match(r.out, /recursed through 256 frames of 4 KiB: 256 levels returned/);
    assert.doesNotMatch(r.out, /still alive/);
  });

  it('init (not pid 1 on the host) runs a scenario and reaps everything', () => {
    const r = runOnHost(bin, 'init', ['scenario=fork-exit-wait']);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /init: scenario fork-exit-wait: running forker/);
    assert.match(r.out, /forker: OK/);
    assert.match(r.out, /init: forker exited with status 0/);
    assert.match(r.out, /init: scenario fork-exit-wait done/);
  });

  it('shell: runs commands read from its standard input', () => {
    const r = spawnSync(path.join(bin, 'shell'), [], {
      env: { BINDIR: bin },
      input: 'run cow_demo\nkill -9 999999\nrun nosuchprog\nexit\n',
      encoding: 'utf8',
      timeout: 30000,
    });
    assert.equal(r.status, 0, r.stdout);
    assert.match(r.stdout, /parent still sees value=42/);
    assert.match(r.stdout, /kill: -3/);
    assert.match(r.stdout, /run: nosuchprog: execve failed: -2/);
  });

  it('the build is reproducible (byte-identical programs and program table)', () => {
    const again = mkdtempSync(path.join(tmpdir(), 'ksim-user2-'));
    try {
      buildUserPrograms(again);
      for (const p of ['init', 'forker', 'initramfs_data.o']) {
        assert.ok(readFileSync(path.join(bin, p)).equals(readFileSync(path.join(again, p))), p);
      }
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });
});
