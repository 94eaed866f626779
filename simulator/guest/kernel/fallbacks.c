/*
 * kernel/fallbacks.c — weak, minimal versions of routines that belong to the process half of the
 * kernel (issue 5: kernel/fork.c, kernel/exit.c, kernel/signal.c, arch/i386/kernel/process.c's
 * copy_thread, syscall_table.S). They let kernel threads be created and end before that code is
 * linked; the real, strong definitions replace them automatically. Nothing here handles user
 * processes: no PIDs bitmap, no parents' wait4, no signals.
 */
#include <linux/sched.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <asm/errno.h>
#include <asm/ptrace.h>

extern void ret_from_fork(void);
static int fallback_last_pid;

__attribute__((weak)) int copy_thread(int nr, unsigned long clone_flags, unsigned long esp, unsigned long unused,
				      struct task_struct *p, struct pt_regs *regs)
{
	/* The child's pt_regs at the top of its kernel stack: a copy of the parent's, eax = 0 (the
	 * child's return value), and thread.eip = ret_from_fork, where its first switch_to lands. */
	struct pt_regs *childregs = ((struct pt_regs *)(THREAD_SIZE + (unsigned long)p->thread_info)) - 1;
	*childregs = *regs;
	childregs->eax = 0;
	childregs->esp = esp;
	p->thread.esp = (unsigned long)childregs;
	p->thread.esp0 = (unsigned long)(childregs + 1);
	p->thread.eip = (unsigned long)ret_from_fork;
	{ unsigned int __seg; __asm__ __volatile__("movl %%fs,%0" : "=r"(__seg)); p->thread.fs = __seg; }
	{ unsigned int __seg; __asm__ __volatile__("movl %%gs,%0" : "=r"(__seg)); p->thread.gs = __seg; }
	p->thread.io_bitmap_ptr = NULL;
	return 0;
}

__attribute__((weak)) long do_fork(unsigned long clone_flags, unsigned long stack_start, struct pt_regs *regs,
				   unsigned long stack_size, int __user *parent_tidptr, int __user *child_tidptr)
{
	struct task_struct *p = kmalloc(sizeof(*p), GFP_KERNEL);
	struct thread_info *ti = (struct thread_info *)__get_free_pages(GFP_KERNEL, 1);
	if (!p || !ti) {
		kfree(p);
		free_pages((unsigned long)ti, 1);
		return -ENOMEM;
	}
	{
		/* The parent's live FPU registers go to its thread.i387 first, so the child copies them. */
		extern void save_init_fpu(struct task_struct *);
		preempt_disable();
		if (current->thread_info->status & TS_USEDFPU)
			save_init_fpu(current);
		preempt_enable();
	}
	*p = *current;
	*ti = *current_thread_info();
	ti->task = p;
	ti->status = 0;
	ti->flags = 0;
	p->thread_info = ti;
	atomic_set(&p->usage, 2);
	p->flags &= ~PF_KTHREAD;
	p->lock_depth = -1;
	p->kthread_should_stop = 0;
	p->exit_state = 0;
	p->nvcsw = p->nivcsw = p->utime = p->stime = 0;
	INIT_LIST_HEAD(&p->children);
	INIT_LIST_HEAD(&p->sibling);
	INIT_LIST_HEAD(&p->ptrace_children);
	INIT_LIST_HEAD(&p->ptrace_list);
	INIT_LIST_HEAD(&p->pending.list);
	spin_lock_init(&p->alloc_lock);
	spin_lock_init(&p->proc_lock);
	p->real_parent = p->parent = current;
	p->group_leader = p;
	p->exit_signal = clone_flags & CSIGNAL;
	if (!(clone_flags & CLONE_VM) && current->mm)
		panic("fallback do_fork: address-space copies need kernel/fork.c (issue 5)");
	p->active_mm = NULL;
	copy_thread(0, clone_flags, stack_start, stack_size, p, regs);
	sched_fork(p);
	write_lock_irq(&tasklist_lock);
	p->pid = p->tgid = ++fallback_last_pid;
	list_add_tail(&p->tasks, &init_task.tasks);
	list_add_tail(&p->sibling, &current->children);
	nr_threads++;
	write_unlock_irq(&tasklist_lock);
	int pid = p->pid;
	wake_up_new_task(p, clone_flags);
	return pid;
}

__attribute__((weak, noreturn)) fastcall void do_exit(long code)
{
	struct task_struct *tsk = current;
	tsk->flags |= PF_EXITING;
	tsk->exit_code = code;
	write_lock_irq(&tasklist_lock);
	list_del(&tsk->tasks);
	list_del(&tsk->sibling);
	nr_threads--;
	write_unlock_irq(&tasklist_lock);
	tsk->exit_state = EXIT_DEAD;
	atomic_dec(&tsk->usage); /* the reference release_task would drop */
	preempt_disable();
	tsk->flags |= PF_DEAD;
	schedule();
	panic("fallback do_exit: a dead task was scheduled again");
}

__attribute__((weak)) void __put_task_struct(struct task_struct *tsk)
{
	free_pages((unsigned long)tsk->thread_info, 1);
	kfree(tsk);
}

__attribute__((weak)) void __mmdrop(struct mm_struct *mm)
{
	printk("fallback __mmdrop(%p): address spaces are freed by kernel/fork.c (issue 5)\n", mm);
}

__attribute__((weak)) fastcall void do_notify_resume(struct pt_regs *regs, void *oldset, unsigned long thread_info_flags)
{
	clear_thread_flag(TIF_SIGPENDING);
	clear_thread_flag(TIF_NOTIFY_RESUME);
}

__attribute__((weak)) fastcall void do_syscall_trace(struct pt_regs *regs, int entryexit)
{
}

__attribute__((weak)) asmlinkage long sys_ni_syscall(void)
{
	return -ENOSYS;
}

__attribute__((weak)) int do_execve(const char __user *filename, char __user *const __user *argv,
				    char __user *const __user *envp, struct pt_regs *regs)
{
	return -ENOSYS;
}
