// The committed teaching kernel image (simulator/guest/build/ksim-kernel.elf): a fresh build from the
// sources is byte-identical to it, and tools we did not write (readelf, nm, gdb) confirm the layout
// the assembly code and the debugger rely on.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GUEST_DIR, DEFAULT_KERNEL } from './run-kernel';

function run(cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('guest: kernel image', function () {
  this.timeout(300_000);

  it('is committed', () => {
    assert.ok(existsSync(DEFAULT_KERNEL), `${DEFAULT_KERNEL} missing: run make -C simulator/guest`);
  });

  it('a fresh build from the sources is byte-identical to the committed image', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ksim-guest-build-'));
    try {
      const out = path.join(dir, 'ksim-kernel.elf');
      run('make', ['-s', '-j2', '-C', GUEST_DIR, `OBJ=${path.join(dir, 'obj')}`, `OUT=${out}`]);
      const fresh = readFileSync(out);
      const committed = readFileSync(DEFAULT_KERNEL);
      assert.equal(fresh.length, committed.length, 'size differs: rebuild and commit simulator/guest/build/ksim-kernel.elf');
      assert.ok(fresh.equals(committed), 'contents differ: rebuild and commit simulator/guest/build/ksim-kernel.elf');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is a multiboot ELF linked at 0xC0100000 and loaded at 1 MB (readelf)', () => {
    const hdr = run('readelf', ['-hlW', DEFAULT_KERNEL]);
    assert.match(hdr, /Class:\s+ELF32/);
    assert.match(hdr, /Machine:\s+Intel 80386/);
    const entry = parseInt(/Entry point address:\s+0x([0-9a-f]+)/.exec(hdr)![1], 16);
    assert.ok(entry >= 0x100000 && entry < 0x200000, `entry ${entry.toString(16)} must be physical`);
    const loads = [...hdr.matchAll(/LOAD\s+0x[0-9a-f]+ 0x([0-9a-f]+) 0x([0-9a-f]+)/g)];
    assert.ok(loads.length > 0);
    for (const [, vaddr, paddr] of loads) assert.equal(parseInt(vaddr, 16) - parseInt(paddr, 16), 0xc0000000);
    // The multiboot header (magic 0x1BADB002) lies in the first 8 KB of the file.
    const bytes = readFileSync(DEFAULT_KERNEL).subarray(0, 8192);
    assert.ok(bytes.indexOf(Buffer.from([0x02, 0xb0, 0xad, 0x1b])) >= 0, 'multiboot magic not found');
  });

  it('names the documents\' routines and entry points as global symbols (nm)', () => {
    const syms = new Set(run('nm', [DEFAULT_KERNEL]).split('\n').map(l => l.trim().split(/\s+/)[2]).filter(Boolean));
    for (const s of ['startup_32', 'startup_32_smp', 'start_kernel', 'common_interrupt', 'ret_from_intr', 'ret_from_exception',
      'resume_userspace', 'resume_kernel', 'need_resched', 'restore_all', 'work_pending', 'work_resched',
      'system_call', 'ret_from_fork', 'kernel_thread_helper', 'interrupt', 'irq_entries_start', 'apic_timer_interrupt',
      'reschedule_interrupt', 'call_function_interrupt', 'invalidate_interrupt', 'divide_error', 'page_fault',
      'general_protection', 'device_not_available', 'do_IRQ', '__do_IRQ', 'handle_IRQ_event', 'irq_desc',
      'do_softirq', '__do_softirq', 'softirq_vec', 'irq_stat', 'raise_softirq', 'tasklet_action', 'tasklet_hi_action',
      'schedule', 'switch_to_resume', '__switch_to', 'scheduler_tick', 'try_to_wake_up', 'preempt_schedule_irq',
      'per_cpu__runqueues', '__per_cpu_offset', 'init_task', 'init_thread_union', 'swapper_pg_dir', 'idt_table',
      'cpu_gdt_table', 'init_tss', 'jiffies', 'jiffies_64', 'log_buf', 'log_end', 'kernel_thread', 'cpu_idle',
      'worker_thread', 'run_workqueue', 'queue_work', 'flush_workqueue', 'do_timer', 'update_process_times',
      'smp_apic_timer_interrupt', 'smp_reschedule_interrupt', 'math_state_restore', 'keventd_wq']) {
      assert.ok(syms.has(s), `symbol ${s} missing`);
    }
  });

  it('lays out thread_info, pt_regs and task_struct as entry.S and the documents say (gdb)', () => {
    // One gdb run (loading the DWARF takes a while): print each expression, then the ptypes.
    const exprs: [string, number][] = [
      // ULK3 seed 003:125–154, 3488, 3511: task at 0, flags at 0x8, preempt_count at 0x14, 52 bytes.
      ['(int)&((struct thread_info *)0)->task', 0],
      ['(int)&((struct thread_info *)0)->flags', 8],
      ['(int)&((struct thread_info *)0)->preempt_count', 0x14],
      ['sizeof(struct thread_info)', 52],
      ['sizeof(union thread_union)', 8192],
      // pt_regs (seed 003:2819): orig_eax at 0x24, cs at 0x2c, eflags at 0x30.
      ['(int)&((struct pt_regs *)0)->orig_eax', 0x24],
      ['(int)&((struct pt_regs *)0)->xcs', 0x2c],
      ['(int)&((struct pt_regs *)0)->eflags', 0x30],
      // thread_struct: fs and gs at 40 and 44 (seed 003:855).
      ['(int)&((struct thread_struct *)0)->fs', 40],
      ['(int)&((struct thread_struct *)0)->gs', 44],
      // prio_array: 5 bitmap words, 140 queues (seed 003:237–265).
      ['sizeof(((struct prio_array *)0)->bitmap) / 4', 5],
      ['sizeof(((struct prio_array *)0)->queue) / sizeof(struct list_head)', 140],
      // softirq_vec has 32 entries (seed 003:2966).
      ['sizeof(softirq_vec) / sizeof(softirq_vec[0])', 32],
    ];
    const args = ['-batch', '-nx'];
    for (const [e] of exprs) args.push('-ex', `print ${e}`);
    args.push('-ex', 'ptype struct task_struct', '-ex', 'ptype irq_desc_t', DEFAULT_KERNEL);
    const out = run('gdb', args);
    const values = [...out.matchAll(/^\$(\d+) = (\d+)$/gm)].map(m => Number(m[2]));
    assert.equal(values.length, exprs.length, out.slice(0, 2000));
    exprs.forEach(([e, want], i) => assert.equal(values[i], want, e));
    const task = out.slice(out.indexOf('type = struct task_struct'));
    for (const f of ['state', 'thread_info', 'usage', 'flags', 'lock_depth', 'prio', 'static_prio', 'run_list', 'array',
      'sleep_avg', 'timestamp', 'time_slice', 'policy', 'tasks', 'mm', 'active_mm', 'exit_state', 'pid', 'tgid',
      'real_parent', 'parent', 'children', 'sibling', 'group_leader', 'pids', 'thread', 'fs', 'files', 'signal',
      'sighand', 'comm', 'exit_code', 'exit_signal']) {
      assert.match(task, new RegExp(`\\b${f}(\\[\\d+\\])?;`), `task_struct.${f}`);
    }
    const irqdesc = out.slice(out.lastIndexOf('type = struct irq_desc'));
    for (const f of ['handler', 'action', 'status', 'depth', 'irq_count', 'irqs_unhandled', 'lock']) {
      assert.match(irqdesc, new RegExp(`\\b${f};`), `irq_desc_t.${f}`);
    }
  });

  it('uses DWARF 5 with source paths relative to simulator/guest (llvm-dwarfdump)', () => {
    const info = run('llvm-dwarfdump-14', ['--debug-info', '--show-form', DEFAULT_KERNEL]);
    assert.match(info, /version = 0x0005/);
    assert.match(info, /DW_AT_name \[DW_FORM_line_strp\]\s+\("kernel\/sched\.c"\)/);
    assert.match(info, /DW_AT_comp_dir \[DW_FORM_line_strp\]\s+\("\."\)/);
    // (the first line of the dump names the file being dumped: skip it)
    const attrs = info.slice(info.indexOf('\n'));
    assert.doesNotMatch(attrs, /\/work\/|\/tmp\/|\/root\//, 'no build-machine paths in DWARF');
  });
});
