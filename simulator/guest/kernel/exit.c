/*
 * kernel/exit.c — process termination and wait (ULK3 §3.5 "Destroying Processes", seed 003:1408–1502).
 *
 *   exit(2) -> sys_exit -> do_exit            ends one thread
 *   exit_group(2) -> do_group_exit           ends every thread of the group (SIGKILL to the others)
 *
 * do_exit releases what the task holds (address space, files, fs, signal handlers come later), then
 * exit_notify makes its children orphans adopted by another thread of the group or by init, signals
 * the parent (SIGCHLD normally) and leaves the task as a zombie (EXIT_ZOMBIE): a task_struct with an
 * exit code and nothing else. The parent's wait4 collects the code and calls release_task, which
 * finally unhashes the task and drops the reference (EXIT_DEAD). A task nobody will wait for (a thread:
 * exit_signal == -1) releases itself at once.
 */
#include <linux/sched.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/slab.h>
#include <linux/fs.h>
#include <linux/interrupt.h>
#include <asm/uaccess.h>
#include <asm/errno.h>

/* The process that adopts orphans: init, pid 1 (set when init is started). */
struct task_struct *child_reaper = &init_task;

#define WNOHANG 0x00000001
#define WUNTRACED 0x00000002
#define __WNOTHREAD 0x20000000
#define __WALL 0x40000000
#define __WCLONE 0x80000000


/* thread_group_empty: no other task shares p's tgid (the TGID pid_list is empty). */
static inline int thread_group_empty(struct task_struct *p)
{
	return list_empty(&p->pids[PIDTYPE_TGID].pid_list);
}
#define delay_group_leader(p) (thread_group_leader(p) && !thread_group_empty(p))
/* next_thread: the threads of a group form a circle through their pids[PIDTYPE_TGID].pid_list links
 * (the leader's entry is the one hashed in the TGID table, seed 003:432). */
struct task_struct *next_thread(struct task_struct *p)
{
	return list_entry(p->pids[PIDTYPE_TGID].pid_list.next, struct task_struct, pids[PIDTYPE_TGID].pid_list);
}

/* ---- release_task: the very end (seed 003:1480–1502) ---- */

static void __exit_signal(struct task_struct *p)
{
	struct signal_struct *sig = p->signal;
	if (!sig)
		return;
	p->signal = NULL;
	if (atomic_dec_and_test(&sig->count))
		kfree(sig);
	sigemptyset(&p->pending.signal);
}

static void __exit_sighand(struct task_struct *p)
{
	struct sighand_struct *sh = p->sighand;
	if (!sh)
		return;
	p->sighand = NULL;
	if (atomic_dec_and_test(&sh->count))
		kfree(sh);
}

/* __unhash_process: out of the PID hash tables, the process list and the parent's children list. */
static void __unhash_process(struct task_struct *p)
{
	nr_threads--;
	detach_pid(p, PIDTYPE_PID);
	detach_pid(p, PIDTYPE_TGID);
	if (thread_group_leader(p)) {
		detach_pid(p, PIDTYPE_PGID);
		detach_pid(p, PIDTYPE_SID);
	}
	/* REMOVE_LINKS */
	list_del_init(&p->tasks);
	list_del_init(&p->sibling);
}

void release_task(struct task_struct *p)
{
	struct task_struct *leader;
	int zap_leader;
repeat:
	write_lock_irq(&tasklist_lock);
	__exit_signal(p);
	__exit_sighand(p);
	__unhash_process(p);
	/*
	 * If we were the last thread of a group whose leader is already a zombie, the leader's parent
	 * can now be told: the whole group is gone (and a leader nobody waits for goes too).
	 */
	zap_leader = 0;
	leader = p->group_leader;
	if (leader != p && thread_group_empty(leader) && leader->exit_state == EXIT_ZOMBIE) {
		do_notify_parent(leader, leader->exit_signal);
		if (leader->exit_signal == -1) {
			leader->exit_state = EXIT_DEAD;
			zap_leader = 1;
		}
	}
	sched_exit(p);
	write_unlock_irq(&tasklist_lock);
	put_task_struct(p);
	if (zap_leader) {
		p = leader;
		goto repeat;
	}
}

/* ---- do_exit and its helpers ---- */

/* exit_mm: give up the address space. We keep running on its page tables (active_mm, with a
 * reference on mm_count) until the scheduler switches away; mmput tears the mappings down now if we
 * were the last user. A vfork parent is released here (mm_release). */
static void exit_mm(struct task_struct *tsk)
{
	struct mm_struct *mm = tsk->mm;
	mm_release(tsk, mm);
	if (!mm)
		return;
	atomic_inc(&mm->mm_count);
	tsk->mm = NULL;		/* from now on a "lazy TLB" user of mm, like a kernel thread */
	mmput(mm);
}

static void __exit_files(struct task_struct *tsk)
{
	struct files_struct *files = tsk->files;
	if (files) {
		tsk->files = NULL;
		put_files_struct(files);
	}
}

static void __exit_fs(struct task_struct *tsk)
{
	struct fs_struct *fs = tsk->fs;
	if (fs) {
		tsk->fs = NULL;
		if (atomic_dec_and_test(&fs->count))
			kfree(fs);
	}
}

/* choose_new_parent / reparent_thread: p, a child of the exiting father, is adopted by reaper. */
static void reparent_thread(struct task_struct *p, struct task_struct *reaper)
{
	p->real_parent = reaper;
	p->parent = reaper;
	list_move_tail(&p->sibling, &reaper->children);
	if (p->pdeath_signal)
		send_sig(p->pdeath_signal, p, 0);
	/* An orphaned zombie: tell its new parent, who must reap it. */
	if (p->exit_state == EXIT_ZOMBIE && p->exit_signal != -1 && thread_group_empty(p))
		do_notify_parent(p, p->exit_signal);
}

/*
 * forget_original_parent (seed 003:1452–1460): the children of the exiting task get a new parent —
 * another live thread of the same group if there is one, otherwise child_reaper (init).
 */
static void forget_original_parent(struct task_struct *father)
{
	struct task_struct *reaper = father;
	do {
		reaper = next_thread(reaper);
		if (reaper == father) {
			reaper = child_reaper;
			break;
		}
	} while (reaper->exit_state || (reaper->flags & PF_EXITING));
	if (reaper == father)
		reaper = child_reaper;

	while (!list_empty(&father->children)) {
		struct task_struct *p = list_entry(father->children.next, struct task_struct, sibling);
		reparent_thread(p, reaper);
	}
}

/*
 * exit_notify (seed 003:1450–1468): reparent our children, signal our parent, become a zombie — or,
 * if nobody will wait for us (exit_signal == -1, a thread), EXIT_DEAD and release ourselves.
 */
static void exit_notify(struct task_struct *tsk)
{
	int state;
	write_lock_irq(&tasklist_lock);
	forget_original_parent(tsk);
	/*
	 * Nobody will wait for a kernel thread whose parent is process 0 or another kernel thread: it is
	 * released at once (2.6.11 gets the same effect by having keventd set SIGCHLD to SIG_IGN, which
	 * do_notify_parent turns into exit_signal = -1).
	 */
	if (tsk->parent->pid == 0 || ((tsk->flags & PF_KTHREAD) && (tsk->parent->flags & PF_KTHREAD)))
		tsk->exit_signal = -1;
	/* A group leader with live threads stays a zombie silently; the last thread notifies. */
	if (tsk->exit_signal != -1 && thread_group_empty(tsk))
		do_notify_parent(tsk, tsk->exit_signal);
	state = EXIT_ZOMBIE;
	if (tsk->exit_signal == -1 && !tsk->ptrace)
		state = EXIT_DEAD;
	tsk->exit_state = state;
	write_unlock_irq(&tasklist_lock);
	if (state == EXIT_DEAD)
		release_task(tsk);
}

/*
 * do_exit (seed 003:1426–1448). code is the wait status: (exit value << 8), or the number of the
 * signal that killed us.
 */
fastcall __attribute__((noreturn)) void do_exit(long code)
{
	struct task_struct *tsk = current;
	if (unlikely(in_interrupt()))
		panic("Aiee, killing interrupt handler!");
	if (unlikely(!tsk->pid))
		panic("Attempted to kill the idle task!");
	if (unlikely(tsk == child_reaper && tsk->pid == 1))
		panic("Attempted to kill init! exit code %lx", code);
	if (unlikely(tsk->flags & PF_EXITING)) {
		/* A recursive fault while exiting: just stop. */
		printk("Fixing recursive fault but reboot is needed!\n");
		set_current_state(TASK_UNINTERRUPTIBLE);
		schedule();
	}
	tsk->flags |= PF_EXITING;
	if (tsk->signal)
		atomic_dec(&tsk->signal->live);

	exit_mm(tsk);
	__exit_files(tsk);
	__exit_fs(tsk);
	tsk->exit_code = code;
	exit_notify(tsk);

	/* The last switch away from us; the scheduler drops the task's own reference (PF_DEAD). */
	preempt_disable();
	tsk->flags |= PF_DEAD;
	schedule();
	BUG();
	for (;;)
		;
}

/* do_group_exit (seed 003:1412–1422): kill every other thread of the group, then ourselves. */
fastcall void do_group_exit(int exit_code)
{
	struct signal_struct *sig = current->signal;
	if (sig->flags & SIGNAL_GROUP_EXIT) {
		exit_code = sig->group_exit_code;
	} else if (!thread_group_empty(current)) {
		spin_lock_irq(&current->sighand->siglock);
		if (sig->flags & SIGNAL_GROUP_EXIT) {
			exit_code = sig->group_exit_code;
		} else {
			sig->flags = SIGNAL_GROUP_EXIT;
			sig->group_exit_code = exit_code;
			zap_other_threads(current);
		}
		spin_unlock_irq(&current->sighand->siglock);
	}
	do_exit(exit_code);
}

asmlinkage long sys_exit(int error_code)
{
	do_exit((error_code & 0xff) << 8);
	return 0;	/* not reached */
}

asmlinkage long sys_exit_group(int error_code)
{
	do_group_exit((error_code & 0xff) << 8);
	return 0;
}

/* ---- wait4 ---- */

/* Is p one of the children "pid" selects? 2 = yes, but a group leader whose threads still run. */
static int eligible_child(pid_t pid, int options, struct task_struct *p)
{
	if (pid > 0) {
		if (p->pid != pid)
			return 0;
	} else if (!pid) {
		if (p->signal->pgrp != current->signal->pgrp)
			return 0;
	} else if (pid != -1) {
		if (p->signal->pgrp != -pid)
			return 0;
	}
	/* Children that send something other than SIGCHLD at exit are "clone" children: only __WCLONE or
	 * __WALL waits see them. */
	if (((p->exit_signal != SIGCHLD) ^ ((options & __WCLONE) != 0)) && !(options & __WALL))
		return 0;
	if (delay_group_leader(p))
		return 2;
	return 1;
}

/* A zombie: report its status and release it. Called with tasklist_lock read-held; drops it when it
 * returns non-zero. */
static int wait_task_zombie(struct task_struct *p, int __user *stat_addr)
{
	if (xchg((volatile unsigned long *)&p->exit_state, EXIT_DEAD) != EXIT_ZOMBIE)
		return 0;
	read_unlock(&tasklist_lock);
	int status = (p->signal && (p->signal->flags & SIGNAL_GROUP_EXIT)) ? p->signal->group_exit_code
									  : p->exit_code;
	int pid = p->pid;
	int retval = pid;
	if (stat_addr && put_user(status, stat_addr))
		retval = -EFAULT;
	release_task(p);
	return retval;
}

/* A stopped child not yet reported: status (stop signal << 8) | 0x7f. exit_code holds the signal. */
static int wait_task_stopped(struct task_struct *p, int __user *stat_addr)
{
	int exit_code = xchg((volatile unsigned long *)&p->exit_code, 0);
	if (!exit_code || p->exit_state)
		return 0;
	int pid = p->pid;
	read_unlock(&tasklist_lock);
	if (stat_addr && put_user((exit_code << 8) | 0x7f, stat_addr))
		return -EFAULT;
	return pid;
}

static long do_wait(pid_t pid, int options, int __user *stat_addr)
{
	DECLARE_WAITQUEUE(wait, current);
	long retval;
	if (options & ~(WNOHANG | WUNTRACED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	add_wait_queue(&current->signal->wait_chldexit, &wait);
repeat:;
	int flag = 0;
	set_current_state(TASK_INTERRUPTIBLE);
	read_lock(&tasklist_lock);
	struct task_struct *tsk = current;
	do {
		struct task_struct *p;
		list_for_each_entry(p, &tsk->children, sibling) {
			int ret = eligible_child(pid, options, p);
			if (!ret)
				continue;
			flag = 1;
			if (p->state == TASK_STOPPED) {
				if (!(options & WUNTRACED))
					continue;
				retval = wait_task_stopped(p, stat_addr);
				if (retval)
					goto end;	/* tasklist_lock already dropped */
			} else if (p->exit_state == EXIT_ZOMBIE && ret != 2) {
				retval = wait_task_zombie(p, stat_addr);
				if (retval)
					goto end;
			}
		}
		if (options & __WNOTHREAD)
			break;
		tsk = next_thread(tsk);
	} while (tsk != current);
	read_unlock(&tasklist_lock);
	if (flag) {
		retval = 0;
		if (options & WNOHANG)
			goto end;
		retval = -ERESTARTSYS;
		if (signal_pending(current))
			goto end;
		schedule();
		goto repeat;
	}
	retval = -ECHILD;
end:
	set_current_state(TASK_RUNNING);
	remove_wait_queue(&current->signal->wait_chldexit, &wait);
	return retval;
}

asmlinkage long sys_wait4(pid_t pid, int __user *stat_addr, int options, void __user *ru)
{
	(void)ru;	/* struct rusage is not filled in */
	return do_wait(pid, options, stat_addr);
}

asmlinkage long sys_waitpid(pid_t pid, int __user *stat_addr, int options)
{
	return sys_wait4(pid, stat_addr, options, NULL);
}
