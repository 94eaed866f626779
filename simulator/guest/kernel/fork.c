/*
 * kernel/fork.c — creating processes and threads: do_fork, copy_process and the copy_* helpers
 * (ULK3 §3.4.1 "The clone(), fork(), and vfork() System Calls", seed 003:1012–1291).
 *
 * All three system calls end up in do_fork with different clone flags (seed 003:1125–1159):
 *   fork()  = clone(SIGCHLD)                         — a new process with a copy of everything
 *   vfork() = clone(CLONE_VM | CLONE_VFORK | SIGCHLD) — shares the address space; parent sleeps
 *   clone(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD ...) — a thread
 * Each CLONE_* flag says "share this resource" instead of "copy it": copy_mm, copy_files, copy_fs,
 * copy_sighand and copy_signal either take one more reference on the parent's structure or build a
 * copy for the child. "Copy" of an address space means copy-on-write (mm/memory.c).
 */
#include <linux/sched.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/fs.h>
#include <linux/completion.h>
#include <asm/uaccess.h>
#include <asm/errno.h>
#include <asm/i387.h>

/* The process list and the PID hash tables are protected by tasklist_lock (seed 003:1272); it and
 * nr_threads are defined in kernel/sched.c. */
int max_threads = 1024;		/* Linux derives it from the RAM size (extrapolation) */
unsigned long total_forks;	/* processes and threads ever created */

#define IS_ERR_VALUE(x) ((unsigned long)(x) >= (unsigned long)-4095)
#define ERR_PTR(e) ((void *)(long)(e))
#define PTR_ERR(p) ((long)(p))

/* ---- task_struct and thread_info allocation ---- */

struct task_struct *alloc_task_struct(void)
{
	return kmalloc(sizeof(struct task_struct), GFP_KERNEL);
}

void free_task_struct(struct task_struct *tsk)
{
	kfree(tsk);
}

/* The 8 KB thread_union: two contiguous page frames, 8 KB aligned by the buddy allocator. */
static struct thread_info *alloc_thread_info(void)
{
	return (struct thread_info *)__get_free_pages(GFP_KERNEL, 1);
}

static void free_thread_info(struct thread_info *ti)
{
	free_pages((unsigned long)ti, 1);
}

/* The last reference to a task_struct is gone (the parent reaped it, or it was EXIT_DEAD). */
void __put_task_struct(struct task_struct *tsk)
{
	free_thread_info(tsk->thread_info);
	free_task_struct(tsk);
}

/*
 * dup_task_struct (seed 003:1195–1200): the child's process descriptor and kernel stack start as copies
 * of the parent's. The FPU state is saved first (prepare_to_copy: __unlazy_fpu) so the copy holds the
 * parent's current FPU registers. usage = 2: one reference for the task itself, one for its parent's
 * later release_task... (in 2.6.11 the second is dropped by the scheduler after the final switch away).
 */
static struct task_struct *dup_task_struct(struct task_struct *orig)
{
	if (orig == current)
		__unlazy_fpu(orig);
	struct task_struct *tsk = alloc_task_struct();
	if (!tsk)
		return NULL;
	struct thread_info *ti = alloc_thread_info();
	if (!ti) {
		free_task_struct(tsk);
		return NULL;
	}
	*tsk = *orig;
	*ti = *orig->thread_info;
	tsk->thread_info = ti;
	ti->task = tsk;
	atomic_set(&tsk->usage, 2);
	return tsk;
}

/* ---- files, fs, signal handlers, signal state ---- */

/* copy_files: CLONE_FILES shares the descriptor table; otherwise the child gets a copy in which every
 * open file has one more user (parent and child then share each file's offset). */
static int copy_files(unsigned long clone_flags, struct task_struct *tsk)
{
	struct files_struct *oldf = current->files;
	int error = 0;
	if (!oldf)
		return 0;
	if (clone_flags & CLONE_FILES) {
		atomic_inc(&oldf->count);
		return 0;
	}
	tsk->files = dup_fd(oldf, &error);
	return tsk->files ? 0 : error;
}

static int copy_fs(unsigned long clone_flags, struct task_struct *tsk)
{
	struct fs_struct *old = current->fs;
	if (old && (clone_flags & CLONE_FS)) {
		atomic_inc(&old->count);
		return 0;
	}
	struct fs_struct *fs = kmalloc(sizeof(*fs), GFP_KERNEL);
	if (!fs)
		return -ENOMEM;
	atomic_set(&fs->count, 1);
	spin_lock_init(&fs->lock);
	fs->umask = old ? old->umask : 0022;
	tsk->fs = fs;
	return 0;
}

static int copy_sighand(unsigned long clone_flags, struct task_struct *tsk)
{
	struct sighand_struct *old = current->sighand;
	if (old && (clone_flags & (CLONE_SIGHAND | CLONE_THREAD))) {
		atomic_inc(&old->count);
		return 0;
	}
	struct sighand_struct *sig = kzalloc(sizeof(*sig), GFP_KERNEL);
	if (!sig)
		return -ENOMEM;
	spin_lock_init(&sig->siglock);
	atomic_set(&sig->count, 1);
	if (old)
		memcpy(sig->action, old->action, sizeof(sig->action));
	tsk->sighand = sig;
	return 0;
}

/* copy_signal: the per-thread-group state. A thread (CLONE_THREAD) joins its creator's group. */
static int copy_signal(unsigned long clone_flags, struct task_struct *tsk)
{
	struct signal_struct *old = current->signal;
	if (old && (clone_flags & CLONE_THREAD)) {
		atomic_inc(&old->count);
		atomic_inc(&old->live);
		return 0;
	}
	struct signal_struct *sig = kzalloc(sizeof(*sig), GFP_KERNEL);
	if (!sig)
		return -ENOMEM;
	atomic_set(&sig->count, 1);
	atomic_set(&sig->live, 1);
	init_waitqueue_head(&sig->wait_chldexit);
	init_sigpending(&sig->shared_pending);
	if (old) {
		sig->pgrp = old->pgrp;
		sig->session = old->session;
		memcpy(sig->rlim, old->rlim, sizeof(sig->rlim));
	} else {
		/* The first process made by a kernel thread (init): it leads its own group and session. */
		sig->pgrp = sig->session = tsk->pid;
		sig->leader = 1;
		for (int i = 0; i < RLIM_NLIMITS; i++)
			sig->rlim[i].rlim_cur = sig->rlim[i].rlim_max = RLIM_INFINITY;
		sig->rlim[RLIMIT_STACK].rlim_cur = 8UL << 20;
		sig->rlim[RLIMIT_NOFILE].rlim_cur = sig->rlim[RLIMIT_NOFILE].rlim_max = NR_OPEN_DEFAULT;
	}
	tsk->signal = sig;
	return 0;
}

/* ---- address spaces ---- */

struct mm_struct *mm_alloc(void)
{
	struct mm_struct *mm = kzalloc(sizeof(*mm), GFP_KERNEL);
	if (!mm)
		return NULL;
	atomic_set(&mm->mm_users, 1);
	atomic_set(&mm->mm_count, 1);
	init_MUTEX(&mm->mmap_sem);
	spin_lock_init(&mm->page_table_lock);
	INIT_LIST_HEAD(&mm->mmlist);
	mm->pgd = pgd_alloc(mm);
	if (!mm->pgd) {
		kfree(mm);
		return NULL;
	}
	return mm;
}

/* The structure itself goes when its last reference (mm_count) goes — after the last lazy-TLB user. */
void __mmdrop(struct mm_struct *mm)
{
	BUG_ON(mm == &init_mm);
	pgd_free(mm->pgd);
	kfree(mm);
}

/* mmput: one task less uses the address space; the last one tears the mappings down. */
void mmput(struct mm_struct *mm)
{
	if (atomic_dec_and_test(&mm->mm_users)) {
		exit_mmap(mm);
		mmdrop(mm);
	}
}

/*
 * copy_mm (seed 003:1230): a kernel thread has no mm; CLONE_VM shares the parent's (mm_users++);
 * otherwise the child gets a new mm whose regions and page tables copy the parent's copy-on-write.
 */
static int copy_mm(unsigned long clone_flags, struct task_struct *tsk)
{
	struct mm_struct *oldmm = current->mm;
	tsk->mm = NULL;
	tsk->active_mm = NULL;
	if (!oldmm)
		return 0;
	if (clone_flags & CLONE_VM) {
		atomic_inc(&oldmm->mm_users);
		tsk->mm = tsk->active_mm = oldmm;
		return 0;
	}
	struct mm_struct *mm = mm_alloc();
	if (!mm)
		return -ENOMEM;
	int err = dup_mmap(mm, oldmm);
	if (err) {
		mmput(mm);
		return err;
	}
	tsk->mm = tsk->active_mm = mm;
	return 0;
}

/*
 * mm_release: the task gives up its address space (exit, or execve replacing it). A vfork parent
 * sleeping in do_fork is woken here: from now on the parent's memory is no longer borrowed.
 */
void mm_release(struct task_struct *tsk, struct mm_struct *mm)
{
	struct completion *vfork_done = tsk->vfork_done;
	(void)mm;
	if (vfork_done) {
		tsk->vfork_done = NULL;
		complete(vfork_done);
	}
	if (tsk->clear_child_tid && atomic_read(&mm->mm_users) > 1) {
		/* CLONE_CHILD_CLEARTID: zero the user word (a futex wake-up would follow in Linux). */
		put_user(0, tsk->clear_child_tid);
		tsk->clear_child_tid = NULL;
	}
}

/* ---- copy_process and do_fork ---- */

int copy_thread(int nr, unsigned long clone_flags, unsigned long esp, unsigned long unused,
		struct task_struct *p, struct pt_regs *regs);

static void cleanup_partial(struct task_struct *p, int stage)
{
	/* Undo the copies made so far, in reverse order (the bad_fork_cleanup_* labels of 2.6.11). */
	if (stage > 4 && p->mm)
		mmput(p->mm);
	if (stage > 3 && p->signal && atomic_dec_and_test(&p->signal->count))
		kfree(p->signal);
	if (stage > 2 && p->sighand && atomic_dec_and_test(&p->sighand->count))
		kfree(p->sighand);
	if (stage > 1 && p->fs && atomic_dec_and_test(&p->fs->count))
		kfree(p->fs);
	if (stage > 0 && p->files)
		put_files_struct(p->files);
	free_thread_info(p->thread_info);
	free_task_struct(p);
}

/*
 * copy_process (seed 003:1191–1287): build the child's task_struct. It is not yet runnable; do_fork
 * decides when it starts.
 */
static struct task_struct *copy_process(unsigned long clone_flags, unsigned long stack_start,
					struct pt_regs *regs, unsigned long stack_size,
					int __user *parent_tidptr, int __user *child_tidptr, int pid)
{
	(void)parent_tidptr;
	/* Flag combinations that make no sense (seed 003:1193). */
	if ((clone_flags & CLONE_THREAD) && !(clone_flags & CLONE_SIGHAND))
		return ERR_PTR(-EINVAL);
	if ((clone_flags & CLONE_SIGHAND) && !(clone_flags & CLONE_VM))
		return ERR_PTR(-EINVAL);
	if (nr_threads >= max_threads)
		return ERR_PTR(-EAGAIN);

	struct task_struct *p = dup_task_struct(current);
	if (!p)
		return ERR_PTR(-ENOMEM);

	p->did_exec = 0;
	p->flags &= ~(PF_SUPERPRIV | PF_USED_MATH | PF_EXITING | PF_DEAD);
	p->flags |= PF_FORKNOEXEC;
	p->pid = pid;
	p->tgid = (clone_flags & CLONE_THREAD) ? current->tgid : pid;
	INIT_LIST_HEAD(&p->children);
	INIT_LIST_HEAD(&p->sibling);
	INIT_LIST_HEAD(&p->ptrace_children);
	INIT_LIST_HEAD(&p->ptrace_list);
	p->ptrace = 0;
	p->vfork_done = NULL;
	spin_lock_init(&p->alloc_lock);
	spin_lock_init(&p->proc_lock);
	clear_ti_thread_flag(p->thread_info, TIF_SIGPENDING);
	init_sigpending(&p->pending);
	p->utime = p->stime = 0;
	p->nvcsw = p->nivcsw = 0;
	p->min_flt = p->maj_flt = 0;
	p->lock_depth = -1;	/* no big kernel lock held (seed 003:1209) */
	p->start_time = jiffies;
	p->files = NULL;
	p->fs = NULL;
	p->sighand = NULL;
	p->signal = NULL;
	p->thread_info->status &= ~TS_USEDFPU;

	int err, stage = 0;
	if ((err = copy_files(clone_flags, p)))
		goto fail;
	stage = 1;
	if ((err = copy_fs(clone_flags, p)))
		goto fail;
	stage = 2;
	if ((err = copy_sighand(clone_flags, p)))
		goto fail;
	stage = 3;
	if ((err = copy_signal(clone_flags, p)))
		goto fail;
	stage = 4;
	if ((err = copy_mm(clone_flags, p)))
		goto fail;
	stage = 5;
	/* The hardware context: child eax = 0, thread.eip = ret_from_fork (seed 003:1244). */
	if ((err = copy_thread(0, clone_flags, stack_start, stack_size, p, regs)))
		goto fail;

	p->set_child_tid = (clone_flags & CLONE_CHILD_SETTID) ? child_tidptr : NULL;
	p->clear_child_tid = (clone_flags & CLONE_CHILD_CLEARTID) ? child_tidptr : NULL;
	/* exit_signal: what the parent gets when we die; -1 for a thread: nobody waits for it. */
	p->exit_signal = (clone_flags & CLONE_THREAD) ? -1 : (int)(clone_flags & CSIGNAL);
	p->pdeath_signal = 0;
	p->exit_state = 0;
	p->exit_code = 0;

	/* The scheduler's part: TASK_RUNNING, preempt_count 1, half of the parent's timeslice. */
	sched_fork(p);

	write_lock_irq(&tasklist_lock);
	/* A new thread of a group that is being killed must not start. */
	if ((clone_flags & CLONE_THREAD) && current->signal && (current->signal->flags & SIGNAL_GROUP_EXIT)) {
		write_unlock_irq(&tasklist_lock);
		err = -EAGAIN;
		goto fail;
	}
	/* CLONE_PARENT and CLONE_THREAD: the child is a sibling of the caller, not its child. */
	if (clone_flags & (CLONE_PARENT | CLONE_THREAD))
		p->real_parent = current->real_parent;
	else
		p->real_parent = current;
	p->parent = p->real_parent;
	p->group_leader = (clone_flags & CLONE_THREAD) ? current->group_leader : p;

	/* SET_LINKS: into the process list and the parent's children list (seed 003:1272). */
	list_add_tail(&p->tasks, &init_task.tasks);
	list_add_tail(&p->sibling, &p->parent->children);

	/* Into the PID hash tables: always PID and TGID; PGID and SID only for a group leader. */
	attach_pid(p, PIDTYPE_PID, p->pid);
	attach_pid(p, PIDTYPE_TGID, p->tgid);
	if (p->group_leader == p) {
		attach_pid(p, PIDTYPE_PGID, p->signal->pgrp);
		attach_pid(p, PIDTYPE_SID, p->signal->session);
	}
	nr_threads++;
	total_forks++;
	write_unlock_irq(&tasklist_lock);
	return p;

fail:
	cleanup_partial(p, stage);
	return ERR_PTR(err);
}

/*
 * do_fork (seed 003:1161–1187): get a PID, copy the process, and start the child — right away
 * (wake_up_new_task puts it on a run queue), or stopped with a pending SIGSTOP (CLONE_STOPPED). With
 * CLONE_VFORK the parent then sleeps until the child releases the borrowed address space by calling
 * execve or exiting (mm_release completes vfork_done). Returns the child's PID.
 */
long do_fork(unsigned long clone_flags, unsigned long stack_start, struct pt_regs *regs,
	     unsigned long stack_size, int __user *parent_tidptr, int __user *child_tidptr)
{
	int pid = alloc_pidmap();
	if (pid < 0)
		return -EAGAIN;
	struct task_struct *p = copy_process(clone_flags, stack_start, regs, stack_size, parent_tidptr,
					     child_tidptr, pid);
	if (IS_ERR_VALUE(p)) {
		free_pidmap(pid);
		return PTR_ERR(p);
	}
	struct completion vfork;
	if (clone_flags & CLONE_VFORK) {
		p->vfork_done = &vfork;
		init_completion(&vfork);
	}
	if (clone_flags & CLONE_PARENT_SETTID)
		put_user(pid, parent_tidptr);
	if (clone_flags & CLONE_CHILD_SETTID)
		p->set_child_tid = child_tidptr;	/* written by schedule_tail in Linux; see copy_thread */

	if (clone_flags & CLONE_STOPPED) {
		/* Created stopped: it runs only after a SIGCONT (seed 003:1172). */
		sigaddset(&p->pending.signal, SIGSTOP);
		set_ti_thread_flag(p->thread_info, TIF_SIGPENDING);
		p->state = TASK_STOPPED;
	} else {
		wake_up_new_task(p, clone_flags);
	}
	if (clone_flags & CLONE_VFORK)
		wait_for_completion(&vfork);	/* the parent sleeps here (seed 003:1185) */
	return pid;
}
