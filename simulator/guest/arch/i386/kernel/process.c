/*
 * arch/i386/kernel/process.c — the architecture side of processes: the idle loop, kernel threads,
 * and __switch_to, the C half of a process switch.
 *
 * Kernel engineer 2 (issue 5) appends copy_thread, sys_fork, sys_vfork, sys_clone and sys_execve
 * below the marked line.
 */
#include <linux/sched.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/interrupt.h>
#include <asm/processor.h>
#include <asm/desc.h>
#include <asm/i387.h>
#include <asm/system.h>

/*
 * cpu_idle: what process 0 of each CPU does once the kernel is up (seed 003:1325–1365): while
 * nobody needs the CPU, halt it with interrupts enabled ("sti; hlt" leaves no window in which an
 * interrupt could set need_resched unnoticed between the test and the hlt), and call schedule()
 * when an interrupt handler has made a task runnable.
 */
void default_idle(void)
{
	local_irq_disable();
	if (!need_resched())
		safe_halt();
	else
		local_irq_enable();
}

void cpu_idle(void)
{
	for (;;) {
		while (!need_resched())
			default_idle();
		schedule();
	}
}

/*
 * kernel_thread (seed 003:1301–1321): create a process that runs fn(arg) in kernel mode. It builds
 * a pt_regs as if the new process had been interrupted in kernel mode at kernel_thread_helper with
 * ebx = fn and edx = arg, and lets do_fork copy it with CLONE_VM (kernel threads share the kernel
 * address space: they have no mm of their own) and CLONE_UNTRACED.
 */
extern void kernel_thread_helper(void);
extern long do_fork(unsigned long clone_flags, unsigned long stack_start, struct pt_regs *regs,
		    unsigned long stack_size, int __user *parent_tidptr, int __user *child_tidptr);

int kernel_thread(int (*fn)(void *), void *arg, unsigned long flags)
{
	struct pt_regs regs;
	memset(&regs, 0, sizeof(regs));
	regs.ebx = (unsigned long)fn;
	regs.edx = (unsigned long)arg;
	regs.xds = __USER_DS;
	regs.xes = __USER_DS;
	regs.orig_eax = -1;
	regs.eip = (unsigned long)kernel_thread_helper;
	regs.xcs = __KERNEL_CS;
	regs.eflags = 0x200 | 0x80 | 0x4 | 0x2; /* IF, SF, PF, the reserved bit 1 */
	return do_fork(flags | CLONE_VM | CLONE_UNTRACED, 0, &regs, 0, NULL, NULL);
}

/* The instruction pointer a sleeping task will resume at: thread.eip (label 1 of switch_to). */
unsigned long thread_saved_pc(struct task_struct *tsk)
{
	return tsk->thread.eip;
}

/* The debug registers: loaded only for tasks that use them (seed 003:866–870). */
#define loaddebug(thread, register) \
	__asm__ __volatile__("movl %0,%%db" #register : : "r"((thread)->debugreg[register]))

/*
 * handle_io_bitmap (seed 003:872–887): a task that got I/O ports with ioperm has a bitmap; copy it
 * into this CPU's TSS (2.6.11 defers the copy with INVALID_IO_BITMAP_OFFSET_LAZY and does it in the
 * #GP handler; ksim copies at once). Without one the offset points beyond the TSS limit, so any
 * in/out from user mode faults.
 */
static void handle_io_bitmap(struct thread_struct *next, struct tss_struct *tss)
{
	if (!next->io_bitmap_ptr) {
		tss->io_bitmap_base = INVALID_IO_BITMAP_OFFSET;
		return;
	}
	memcpy(tss->io_bitmap, next->io_bitmap_ptr, max(next->io_bitmap_max, 1UL));
	tss->io_bitmap_base = IO_BITMAP_OFFSET;
}

/*
 * __switch_to (ULK3 §3.3.3.2, seed 003:822–901), reached by "jmp" from switch_to with prev in eax
 * and next in edx (fastcall):
 *   1. __unlazy_fpu(prev): save prev's FPU registers if it used the FPU, set CR0.TS;
 *   2. init_tss[cpu].esp0 = next->thread.esp0 — the kernel stack for the next entry from user mode;
 *   3. copy next's three TLS descriptors into this CPU's GDT;
 *   4. save fs and gs in prev->thread, load next's if any of them is non-zero;
 *   5. load the debug registers if next uses them;
 *   6. update the I/O permission bitmap if prev or next has one;
 *   7. return prev in eax; "ret" pops the eip switch_to pushed: label 1, or ret_from_fork.
 */
fastcall struct task_struct *__switch_to(struct task_struct *prev_p, struct task_struct *next_p)
{
	struct thread_struct *prev = &prev_p->thread, *next = &next_p->thread;
	int cpu = smp_processor_id();
	struct tss_struct *tss = &init_tss[cpu];

	__unlazy_fpu(prev_p);

	tss->esp0 = next->esp0;

	cpu_gdt_table[cpu][GDT_ENTRY_TLS_MIN + 0] = next->tls_array[0];
	cpu_gdt_table[cpu][GDT_ENTRY_TLS_MIN + 1] = next->tls_array[1];
	cpu_gdt_table[cpu][GDT_ENTRY_TLS_MIN + 2] = next->tls_array[2];

	{ unsigned int __seg; __asm__ __volatile__("movl %%fs,%0" : "=r"(__seg)); prev->fs = __seg; }
	{ unsigned int __seg; __asm__ __volatile__("movl %%gs,%0" : "=r"(__seg)); prev->gs = __seg; }
	if (unlikely(prev->fs | prev->gs | next->fs | next->gs)) {
		__asm__ __volatile__("movl %0,%%fs" : : "r"(next->fs));
		__asm__ __volatile__("movl %0,%%gs" : : "r"(next->gs));
	}

	if (unlikely(next->debugreg[7])) {
		loaddebug(next, 0);
		loaddebug(next, 1);
		loaddebug(next, 2);
		loaddebug(next, 3);
		loaddebug(next, 6);
		loaddebug(next, 7);
	}

	if (unlikely(prev->io_bitmap_ptr || next->io_bitmap_ptr))
		handle_io_bitmap(next, tss);

	return prev_p;
}

/* ==== issue 5 (kernel engineer 2): copy_thread, sys_fork, sys_vfork, sys_clone, sys_execve below ==== */

#include <linux/fs.h>
#include <asm/ptrace.h>

extern void ret_from_fork(void);

/*
 * copy_thread (seed 003:1244–1250, body extrapolated from 2.6.11): the child's hardware context.
 * Its kernel stack gets, at the top, a copy of the parent's pt_regs — the user registers saved when
 * the parent entered fork/clone — with eax = 0: this is why fork() returns 0 in the child. esp is the
 * child's user stack (the parent's for fork, a new one for a thread). thread.esp points at that frame
 * and thread.eip at ret_from_fork, so the first switch_to into the child "returns" to ret_from_fork,
 * which leaves the kernel through the normal system call exit path with those registers.
 */
int copy_thread(int nr, unsigned long clone_flags, unsigned long esp, unsigned long unused,
		struct task_struct *p, struct pt_regs *regs)
{
	struct pt_regs *childregs = ((struct pt_regs *)(THREAD_SIZE + (unsigned long)p->thread_info)) - 1;
	(void)nr;
	(void)unused;
	(void)clone_flags;	/* CLONE_SETTLS: ksim programs do not use TLS descriptors */
	*childregs = *regs;
	childregs->eax = 0;
	childregs->esp = esp;
	p->thread.esp = (unsigned long)childregs;
	p->thread.esp0 = (unsigned long)(childregs + 1);
	p->thread.eip = (unsigned long)ret_from_fork;
	{ unsigned int __seg; __asm__ __volatile__("movl %%fs,%0" : "=r"(__seg)); p->thread.fs = __seg; }
	{ unsigned int __seg; __asm__ __volatile__("movl %%gs,%0" : "=r"(__seg)); p->thread.gs = __seg; }
	p->thread.io_bitmap_ptr = NULL;
	p->thread.io_bitmap_max = 0;
	memset(p->thread.debugreg, 0, sizeof(p->thread.debugreg));
	return 0;
}

/*
 * The system calls that create processes (seed 003:1125–1159). They take the saved user registers
 * (struct pt_regs, passed "by value": it is the frame system_call built on the kernel stack).
 */
asmlinkage int sys_fork(struct pt_regs regs)
{
	return do_fork(SIGCHLD, regs.esp, &regs, 0, NULL, NULL);
}

/* clone(flags, newsp, parent_tidptr, tls, child_tidptr): ebx, ecx, edx, esi, edi. */
asmlinkage int sys_clone(struct pt_regs regs)
{
	unsigned long clone_flags = regs.ebx;
	unsigned long newsp = regs.ecx;
	int __user *parent_tidptr = (int __user *)regs.edx;
	int __user *child_tidptr = (int __user *)regs.edi;
	if (!newsp)
		newsp = regs.esp;
	return do_fork(clone_flags, newsp, &regs, 0, parent_tidptr, child_tidptr);
}

/* vfork: share the address space, and the parent waits until the child execs or exits. */
asmlinkage int sys_vfork(struct pt_regs regs)
{
	return do_fork(CLONE_VFORK | CLONE_VM | SIGCHLD, regs.esp, &regs, 0, NULL, NULL);
}

int do_execve(const char __user *filename, char __user *const __user *argv, char __user *const __user *envp,
	      struct pt_regs *regs);

/* execve(filename, argv, envp): on success the saved registers now describe the new program's entry,
 * and the return to user mode starts it (fs/exec.c). */
asmlinkage int sys_execve(struct pt_regs regs)
{
	return do_execve((const char __user *)regs.ebx, (char __user *const __user *)regs.ecx,
			 (char __user *const __user *)regs.edx, &regs);
}
