/*
 * arch/i386/kernel/init_task.c — process 0 (ULK3 §3.4.2.2, seed 003:1323–1365).
 *
 * The only process not created by fork: its descriptor init_task and its kernel stack
 * init_thread_union are static data, and its page tables are swapper_pg_dir. It runs start_kernel
 * and then becomes the boot CPU's idle task (cpu_idle); every other CPU gets its own process 0
 * ("swapper", pid 0) made by smpboot.c.
 */
#include <linux/sched.h>
#include <linux/string.h>

extern unsigned long swapper_pg_dir[1024];

struct mm_struct init_mm = {
	.mmap = NULL,
	.pgd = swapper_pg_dir,
	.mm_users = ATOMIC_INIT(2),
	.mm_count = ATOMIC_INIT(1),
	.page_table_lock = SPIN_LOCK_UNLOCKED,
	.mmlist = LIST_HEAD_INIT(init_mm.mmlist),
	.cpu_vm_mask = 1,
};

/* The 8 KB-aligned kernel stack of process 0, with its thread_info at the bottom. */
union thread_union init_thread_union __attribute__((__section__(".data.init_task"), aligned(THREAD_SIZE))) = {
	.thread_info = {
		.task = &init_task,
		.flags = 0,
		.cpu = 0,
		.preempt_count = 0,
		.addr_limit = { 0xffffffff },
		.previous_esp = 0,
	}
};

struct task_struct init_task = {
	.state = TASK_RUNNING,
	.thread_info = &init_thread_union.thread_info,
	.usage = ATOMIC_INIT(2),
	.flags = PF_KTHREAD,
	.lock_depth = -1,
	.prio = MAX_PRIO - 20,
	.static_prio = MAX_PRIO - 20,
	.policy = SCHED_NORMAL,
	.cpus_allowed = CPU_MASK_ALL,
	.mm = NULL,
	.active_mm = &init_mm,
	.run_list = LIST_HEAD_INIT(init_task.run_list),
	.time_slice = 10,
	.tasks = LIST_HEAD_INIT(init_task.tasks),
	.ptrace_children = LIST_HEAD_INIT(init_task.ptrace_children),
	.ptrace_list = LIST_HEAD_INIT(init_task.ptrace_list),
	.real_parent = &init_task,
	.parent = &init_task,
	.children = LIST_HEAD_INIT(init_task.children),
	.sibling = LIST_HEAD_INIT(init_task.sibling),
	.group_leader = &init_task,
	.comm = "swapper",
	.thread = {
		.esp0 = (unsigned long)&init_thread_union + THREAD_SIZE,
		.io_bitmap_ptr = NULL,
	},
	.pending = { .list = LIST_HEAD_INIT(init_task.pending.list) },
	.alloc_lock = SPIN_LOCK_UNLOCKED,
	.proc_lock = SPIN_LOCK_UNLOCKED,
	.exit_signal = -1,
};
