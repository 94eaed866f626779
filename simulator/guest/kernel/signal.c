/*
 * kernel/signal.c — sending signals, choosing the one to deliver, default actions, kill(2) and
 * sigaction(2) (ULK3 chapter 11 — extrapolated from 2.6.11; the seeds give only the task_struct fields
 * and the delivery point do_notify_resume, seed 003:3540–3568).
 *
 * Sending (kill, an exception, a child's exit) only records the signal: a bit in a pending set and
 * TIF_SIGPENDING in the target's thread_info, then wakes the target if it sleeps interruptibly. A
 * process-wide signal (kill) goes to signal->shared_pending, which every thread of the group may take;
 * a thread-specific one (an exception: SIGSEGV) to the thread's own pending set.
 *
 * Delivering happens in the target itself, when it returns to user mode: entry.S sees TIF_SIGPENDING in
 * work_pending and calls do_notify_resume -> do_signal (arch/i386/kernel/signal.c) ->
 * get_signal_to_deliver here, which picks the lowest unblocked pending signal and either returns it (it
 * has a handler) or applies the default action:
 *   terminate        SIGKILL, SIGTERM, SIGINT, SIGSEGV, ... (do_group_exit: wait status = signal number)
 *   stop             SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU (TASK_STOPPED until SIGCONT; parent told via SIGCHLD)
 *   continue         SIGCONT (already done when it was sent: handle_stop_signal)
 *   ignore           SIGCHLD, SIGCONT, SIGWINCH, SIGURG
 * SIGKILL and SIGSTOP can be neither caught, blocked nor ignored. init (pid 1) is immune to default
 * actions — it only gets signals it installed handlers for.
 */
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/uaccess.h>
#include <asm/errno.h>

#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514

#define sig_kernel_only(sig) ((sig) < SIGRTMIN && (sigmask(sig) & SIG_KERNEL_ONLY_MASK))
#define sig_kernel_stop(sig) ((sig) < SIGRTMIN && (sigmask(sig) & SIG_KERNEL_STOP_MASK))
#define sig_kernel_ignore(sig) ((sig) < SIGRTMIN && (sigmask(sig) & SIG_KERNEL_IGNORE_MASK))
#define sig_user_defined(t, sig) \
	((t)->sighand->action[(sig) - 1].sa.sa_handler != SIG_DFL && \
	 (t)->sighand->action[(sig) - 1].sa.sa_handler != SIG_IGN)
#define sig_fatal(t, sig) \
	(!sig_kernel_ignore(sig) && !sig_kernel_stop(sig) && (t)->sighand->action[(sig) - 1].sa.sa_handler == SIG_DFL)

static inline int has_pending(const sigset_t *pending, const sigset_t *blocked)
{
	return (pending->sig[0] & ~blocked->sig[0]) || (pending->sig[1] & ~blocked->sig[1]);
}

/* recalc_sigpending: TIF_SIGPENDING = "some pending signal is not blocked" (or a group stop/exit). */
void recalc_sigpending_tsk(struct task_struct *t)
{
	if ((t->signal && t->signal->group_stop_count > 0) ||
	    has_pending(&t->pending.signal, &t->blocked) ||
	    (t->signal && has_pending(&t->signal->shared_pending.signal, &t->blocked)))
		set_ti_thread_flag(t->thread_info, TIF_SIGPENDING);
	else
		clear_ti_thread_flag(t->thread_info, TIF_SIGPENDING);
}

void recalc_sigpending(void)
{
	recalc_sigpending_tsk(current);
}

void flush_signals(struct task_struct *t)
{
	sigemptyset(&t->pending.signal);
	clear_ti_thread_flag(t->thread_info, TIF_SIGPENDING);
}

/* execve: handlers do not survive (the code they point to is gone); ignored signals stay ignored. */
void flush_signal_handlers(struct task_struct *t, int force_default)
{
	struct k_sigaction *ka = t->sighand->action;
	for (int i = 0; i < _NSIG; i++, ka++) {
		if (force_default || ka->sa.sa_handler != SIG_IGN)
			ka->sa.sa_handler = SIG_DFL;
		ka->sa.sa_flags = 0;
		sigemptyset(&ka->sa.sa_mask);
	}
}

/*
 * signal_wake_up: tell t a signal is pending. A task sleeping TASK_INTERRUPTIBLE (or, for SIGKILL and
 * SIGCONT, TASK_STOPPED) is woken; one running on another CPU notices at its next return to user
 * mode (the next timer interrupt at the latest).
 */
static void signal_wake_up(struct task_struct *t, int resume)
{
	set_ti_thread_flag(t->thread_info, TIF_SIGPENDING);
	wake_up_state(t, TASK_INTERRUPTIBLE | (resume ? TASK_STOPPED : 0));
}

/* Is the signal ignored by t, so that sending it does nothing at all? */
static int sig_ignored(struct task_struct *t, int sig)
{
	if (sig_kernel_only(sig))
		return 0;
	if (sigismember(&t->blocked, sig))
		return 0;	/* blocked: it stays pending, the handler may change meanwhile */
	__sighandler_t handler = t->sighand->action[sig - 1].sa.sa_handler;
	return handler == SIG_IGN || (handler == SIG_DFL && sig_kernel_ignore(sig));
}

static void rm_from_queue(unsigned long mask, struct sigpending *s)
{
	s->signal.sig[0] &= ~mask;
}

/*
 * handle_stop_signal: side effects of sending a stop or continue signal, at send time (so SIGCONT
 * resumes a stopped process even if SIGCONT itself is ignored). Called with p's siglock held.
 */
static void handle_stop_signal(int sig, struct task_struct *p)
{
	struct task_struct *t;
	if (p->signal->flags & SIGNAL_GROUP_EXIT)
		return;	/* the group is dying: nothing else matters */
	if (sig_kernel_stop(sig)) {
		/* A stop signal cancels a pending SIGCONT. */
		rm_from_queue(sigmask(SIGCONT), &p->signal->shared_pending);
		t = p;
		do {
			rm_from_queue(sigmask(SIGCONT), &t->pending);
			t = next_thread(t);
		} while (t != p);
	} else if (sig == SIGCONT) {
		/* SIGCONT cancels pending stop signals and wakes every stopped thread. */
		rm_from_queue(SIG_KERNEL_STOP_MASK, &p->signal->shared_pending);
		t = p;
		do {
			rm_from_queue(SIG_KERNEL_STOP_MASK, &t->pending);
			if (t->state == TASK_STOPPED)
				wake_up_state(t, TASK_STOPPED);
			t = next_thread(t);
		} while (t != p);
		p->signal->group_stop_count = 0;
		p->signal->flags = (p->signal->flags & SIGNAL_STOP_STOPPED) ? SIGNAL_STOP_CONTINUED : 0;
	}
}

/* A signal aimed at one thread (exceptions, tkill). Called with t's siglock held. */
static int specific_send_sig_info(int sig, struct task_struct *t)
{
	if (sig_ignored(t, sig))
		return 0;
	if (sigismember(&t->pending.signal, sig))
		return 0;	/* classic signals do not queue: a second one is lost */
	sigaddset(&t->pending.signal, sig);
	if (!sigismember(&t->blocked, sig))
		signal_wake_up(t, sig == SIGKILL);
	return 0;
}

/*
 * __group_send_sig_info: a signal to a whole thread group (kill). It is queued once in the shared
 * set; one thread that does not block it is woken to take it. A fatal signal (default action
 * "terminate") kills every thread right away: each gets SIGKILL.
 */
static int __group_send_sig_info(int sig, struct task_struct *p)
{
	handle_stop_signal(sig, p);
	if (sig_ignored(p, sig))
		return 0;
	if (sigismember(&p->signal->shared_pending.signal, sig))
		return 0;
	sigaddset(&p->signal->shared_pending.signal, sig);

	/* Choose the thread to wake: p itself if it can take it, else the first one that can. */
	struct task_struct *t = p;
	do {
		if (!sigismember(&t->blocked, sig) && !t->exit_state && !(t->flags & PF_EXITING))
			break;
		t = next_thread(t);
	} while (t != p);
	if (sigismember(&t->blocked, sig) || t->exit_state)
		return 0;	/* everybody blocks it: it waits in the shared set */

	if (sig_fatal(p, sig) && !(p->signal->flags & SIGNAL_GROUP_EXIT) && p->pid != 1) {
		/* The whole group dies: SIGKILL to every thread (no core dumps in ksim). */
		p->signal->flags = SIGNAL_GROUP_EXIT;
		p->signal->group_exit_code = sig;
		p->signal->group_stop_count = 0;
		t = p;
		do {
			sigaddset(&t->pending.signal, SIGKILL);
			signal_wake_up(t, 1);
			t = next_thread(t);
		} while (t != p);
		return 0;
	}
	signal_wake_up(t, sig == SIGKILL);
	return 0;
}

int group_send_sig_info(int sig, struct task_struct *p)
{
	unsigned long flags;
	if (!p->sighand || !p->signal || p->exit_state)
		return 0;	/* a zombie takes no more signals, but kill() still succeeds */
	spin_lock_irqsave(&p->sighand->siglock, flags);
	int ret = __group_send_sig_info(sig, p);
	spin_unlock_irqrestore(&p->sighand->siglock, flags);
	return ret;
}

int send_sig(int sig, struct task_struct *p, int priv)
{
	unsigned long flags;
	(void)priv;
	if (!p->sighand)
		return -ESRCH;
	spin_lock_irqsave(&p->sighand->siglock, flags);
	int ret = specific_send_sig_info(sig, p);
	spin_unlock_irqrestore(&p->sighand->siglock, flags);
	return ret;
}

/*
 * force_sig: a signal the task cannot refuse, sent by the kernel for an exception (SIGSEGV from
 * do_page_fault, SIGFPE from divide_error...). If it is ignored or blocked, the default action is
 * restored and the block lifted — otherwise the faulting instruction would just run again.
 */
void force_sig(int sig, struct task_struct *t)
{
	unsigned long flags;
	spin_lock_irqsave(&t->sighand->siglock, flags);
	struct k_sigaction *ka = &t->sighand->action[sig - 1];
	if (ka->sa.sa_handler == SIG_IGN || sigismember(&t->blocked, sig)) {
		ka->sa.sa_handler = SIG_DFL;
		sigdelset(&t->blocked, sig);
		recalc_sigpending_tsk(t);
	}
	specific_send_sig_info(sig, t);
	spin_unlock_irqrestore(&t->sighand->siglock, flags);
}

/* zap_other_threads (seed 003:1416): do_group_exit's SIGKILL to the rest of the group. */
void zap_other_threads(struct task_struct *p)
{
	p->signal->group_stop_count = 0;
	for (struct task_struct *t = next_thread(p); t != p; t = next_thread(t)) {
		if (t->exit_state)
			continue;
		if (t != p->group_leader)
			t->exit_signal = -1;	/* nobody waits for a thread */
		sigaddset(&t->pending.signal, SIGKILL);
		signal_wake_up(t, 1);
	}
}

/*
 * do_notify_parent: tsk has exited (sig = its exit_signal, usually SIGCHLD). If the parent ignores
 * SIGCHLD (SIG_IGN) or asked for SA_NOCLDWAIT, it will never wait: the child becomes EXIT_DEAD at once
 * (exit_signal = -1). Then wake the parent's wait4 (signal->wait_chldexit). tasklist_lock is held.
 */
void do_notify_parent(struct task_struct *tsk, int sig)
{
	struct task_struct *parent = tsk->parent;
	unsigned long flags;
	if (sig == -1 || !parent->sighand)
		return;
	struct sighand_struct *psig = parent->sighand;
	spin_lock_irqsave(&psig->siglock, flags);
	if (sig == SIGCHLD && (psig->action[SIGCHLD - 1].sa.sa_handler == SIG_IGN ||
			       (psig->action[SIGCHLD - 1].sa.sa_flags & SA_NOCLDWAIT))) {
		tsk->exit_signal = -1;
		if (psig->action[SIGCHLD - 1].sa.sa_handler == SIG_IGN)
			sig = 0;
	}
	if (sig > 0 && sig <= _NSIG && parent->signal)
		__group_send_sig_info(sig, parent);
	spin_unlock_irqrestore(&psig->siglock, flags);
	if (parent->signal)
		wake_up_interruptible_sync(&parent->signal->wait_chldexit);
}

/* The parent learns that tsk stopped: SIGCHLD unless SA_NOCLDSTOP, and its wait4 is woken. */
static void do_notify_parent_cldstop(struct task_struct *tsk)
{
	read_lock(&tasklist_lock);
	struct task_struct *parent = tsk->group_leader->parent;
	if (parent->sighand && parent->signal) {
		unsigned long flags;
		spin_lock_irqsave(&parent->sighand->siglock, flags);
		if (!(parent->sighand->action[SIGCHLD - 1].sa.sa_flags & SA_NOCLDSTOP))
			__group_send_sig_info(SIGCHLD, parent);
		spin_unlock_irqrestore(&parent->sighand->siglock, flags);
		wake_up_interruptible_sync(&parent->signal->wait_chldexit);
	}
	read_unlock(&tasklist_lock);
}

/* The lowest pending signal of set not in mask, removed from set; 0 if none. */
static int next_signal(struct sigpending *pending, sigset_t *mask)
{
	for (int w = 0; w < _NSIG_WORDS; w++) {
		unsigned long x = pending->signal.sig[w] & ~mask->sig[w];
		if (x) {
			int sig = w * 32 + __builtin_ctzl(x) + 1;
			sigdelset(&pending->signal, sig);
			return sig;
		}
	}
	return 0;
}

/* dequeue_signal: the thread's own signals first, then the group's. Called with siglock held. */
int dequeue_signal(struct task_struct *tsk, sigset_t *mask)
{
	int sig = next_signal(&tsk->pending, mask);
	if (!sig)
		sig = next_signal(&tsk->signal->shared_pending, mask);
	recalc_sigpending_tsk(tsk);
	return sig;
}

/*
 * do_signal_stop: the default action of a stop signal. The whole group stops: the other threads are
 * told through group_stop_count (each stops when it next passes here). The stopping task keeps the
 * signal in exit_code for wait4(WUNTRACED). Called with siglock held; returns with it released.
 */
static void do_signal_stop(int signr)
{
	struct signal_struct *sig = current->signal;
	if (sig->group_stop_count > 0) {
		/* Another thread started the stop; we join it. */
		sig->group_stop_count--;
	} else {
		int others = 0;
		for (struct task_struct *t = next_thread(current); t != current; t = next_thread(t)) {
			if (t->exit_state || (t->flags & PF_EXITING))
				continue;
			others++;
			signal_wake_up(t, 0);
		}
		sig->group_stop_count = others;
		sig->group_exit_code = signr;
	}
	current->exit_code = sig->group_exit_code ? sig->group_exit_code : signr;
	sig->flags = SIGNAL_STOP_STOPPED;
	set_current_state(TASK_STOPPED);
	spin_unlock_irq(&current->sighand->siglock);
	if (current == current->group_leader)
		do_notify_parent_cldstop(current);
	schedule();	/* until SIGCONT (handle_stop_signal) or SIGKILL wakes us */
}

/*
 * get_signal_to_deliver: the next signal current must handle in user mode (its handler is copied to
 * *return_ka), or 0. Signals with default actions are dealt with here: ignored, stopped for, or fatal —
 * a fatal one never returns (do_group_exit with the signal number as the wait status).
 */
int get_signal_to_deliver(struct k_sigaction *return_ka, struct pt_regs *regs)
{
	(void)regs;
	for (;;) {
		spin_lock_irq(&current->sighand->siglock);
		if (current->signal->group_stop_count > 0 && !(current->signal->flags & SIGNAL_GROUP_EXIT)) {
			do_signal_stop(0);
			continue;
		}
		int signr = dequeue_signal(current, &current->blocked);
		if (!signr) {
			spin_unlock_irq(&current->sighand->siglock);
			return 0;
		}
		struct k_sigaction *ka = &current->sighand->action[signr - 1];
		if (ka->sa.sa_handler == SIG_IGN) {
			spin_unlock_irq(&current->sighand->siglock);
			continue;
		}
		if (ka->sa.sa_handler != SIG_DFL) {
			*return_ka = *ka;
			if (ka->sa.sa_flags & SA_RESETHAND)
				ka->sa.sa_handler = SIG_DFL;
			spin_unlock_irq(&current->sighand->siglock);
			return signr;
		}
		/* The default action. */
		if (sig_kernel_ignore(signr) || current->pid == 1) {
			spin_unlock_irq(&current->sighand->siglock);
			continue;
		}
		if (sig_kernel_stop(signr)) {
			do_signal_stop(signr);	/* releases the lock */
			continue;
		}
		spin_unlock_irq(&current->sighand->siglock);
		current->flags |= PF_SIGNALED;
		do_group_exit(signr);
	}
}

/* ---- system calls ---- */

static int kill_one(int sig, struct task_struct *p)
{
	if (sig == 0)
		return 0;	/* kill(pid, 0) only checks that the process exists */
	/* Kernel threads (no mm) never return to user mode to take a signal; 2.6.11's daemonize() has
	 * them block every signal, so kill() has no effect on them. */
	if (!p->mm && !p->exit_state)
		return 0;
	return group_send_sig_info(sig, p);
}

int kill_proc(pid_t pid, int sig, int priv)
{
	(void)priv;
	read_lock(&tasklist_lock);
	struct task_struct *p = find_task_by_pid(pid);
	int ret = p ? kill_one(sig, p->group_leader) : -ESRCH;
	read_unlock(&tasklist_lock);
	return ret;
}

/*
 * kill(pid, sig): pid > 0 one process; 0 our process group; -1 every process but init and ourselves;
 * < -1 process group -pid. No permission checks: every ksim process runs as root.
 */
asmlinkage long sys_kill(int pid, int sig)
{
	if (sig < 0 || sig > _NSIG)
		return -EINVAL;
	if (pid > 0)
		return kill_proc(pid, sig, 0);
	int found = 0, ret = 0;
	struct task_struct *p;
	read_lock(&tasklist_lock);
	if (pid == -1) {
		for_each_process(p) {
			if (p->pid > 1 && p->tgid != current->tgid && p == p->group_leader) {
				found++;
				ret = kill_one(sig, p);
			}
		}
	} else {
		int pgrp = pid ? -pid : current->signal->pgrp;
		do_each_task_pid(pgrp, PIDTYPE_PGID, p) {
			found++;
			ret = kill_one(sig, p);
		} while_each_task_pid(pgrp, PIDTYPE_PGID, p);
	}
	read_unlock(&tasklist_lock);
	return found ? ret : -ESRCH;
}

/* do_sigaction: install a handler. Setting SIG_IGN (or SIG_DFL for a default-ignored signal)
 * discards instances already pending, in every thread. */
static int do_sigaction(int sig, const struct k_sigaction *act, struct k_sigaction *oact)
{
	if (sig < 1 || sig > _NSIG || (act && sig_kernel_only(sig)))
		return -EINVAL;
	struct k_sigaction *k = &current->sighand->action[sig - 1];
	spin_lock_irq(&current->sighand->siglock);
	if (oact)
		*oact = *k;
	if (act) {
		*k = *act;
		sigdelsetmask(&k->sa.sa_mask, SIG_KERNEL_ONLY_MASK);
		if (k->sa.sa_handler == SIG_IGN || (k->sa.sa_handler == SIG_DFL && sig_kernel_ignore(sig))) {
			struct task_struct *t = current;
			sigdelset(&t->signal->shared_pending.signal, sig);
			do {
				sigdelset(&t->pending.signal, sig);
				recalc_sigpending_tsk(t);
				t = next_thread(t);
			} while (t != current);
		}
	}
	spin_unlock_irq(&current->sighand->siglock);
	return 0;
}

/* sigaction (67): the old i386 interface with struct old_sigaction (what the ksim libc uses). */
asmlinkage long sys_sigaction(int sig, const struct old_sigaction __user *act, struct old_sigaction __user *oact)
{
	struct k_sigaction new_ka, old_ka;
	struct old_sigaction o;
	if (act) {
		if (copy_from_user(&o, act, sizeof(o)))
			return -EFAULT;
		memset(&new_ka, 0, sizeof(new_ka));
		new_ka.sa.sa_handler = o.sa_handler;
		new_ka.sa.sa_flags = o.sa_flags;
		new_ka.sa.sa_restorer = o.sa_restorer;
		new_ka.sa.sa_mask.sig[0] = o.sa_mask;
	}
	int ret = do_sigaction(sig, act ? &new_ka : NULL, oact ? &old_ka : NULL);
	if (!ret && oact) {
		o.sa_handler = old_ka.sa.sa_handler;
		o.sa_flags = old_ka.sa.sa_flags;
		o.sa_restorer = old_ka.sa.sa_restorer;
		o.sa_mask = old_ka.sa.sa_mask.sig[0];
		if (copy_to_user(oact, &o, sizeof(o)))
			return -EFAULT;
	}
	return ret;
}

/* rt_sigaction (174): struct sigaction with a 64-bit mask. */
asmlinkage long sys_rt_sigaction(int sig, const struct sigaction __user *act, struct sigaction __user *oact,
				 size_t sigsetsize)
{
	struct k_sigaction new_ka, old_ka;
	if (sigsetsize != sizeof(sigset_t))
		return -EINVAL;
	if (act && copy_from_user(&new_ka.sa, act, sizeof(new_ka.sa)))
		return -EFAULT;
	int ret = do_sigaction(sig, act ? &new_ka : NULL, oact ? &old_ka : NULL);
	if (!ret && oact && copy_to_user(oact, &old_ka.sa, sizeof(old_ka.sa)))
		return -EFAULT;
	return ret;
}

/* signal (48): the System V interface: one-shot handler, not blocked while it runs. */
asmlinkage unsigned long sys_signal(int sig, __sighandler_t handler)
{
	struct k_sigaction new_sa, old_sa;
	memset(&new_sa, 0, sizeof(new_sa));
	new_sa.sa.sa_handler = handler;
	new_sa.sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	int ret = do_sigaction(sig, &new_sa, &old_sa);
	return ret ? (unsigned long)ret : (unsigned long)old_sa.sa.sa_handler;
}

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
/* sigprocmask (126): the blocked mask (the first 32 signals). */
asmlinkage long sys_sigprocmask(int how, const old_sigset_t __user *set, old_sigset_t __user *oset)
{
	old_sigset_t old = current->blocked.sig[0], new;
	if (set) {
		if (copy_from_user(&new, set, sizeof(new)))
			return -EFAULT;
		new &= ~SIG_KERNEL_ONLY_MASK;
		spin_lock_irq(&current->sighand->siglock);
		switch (how) {
		case SIG_BLOCK:
			current->blocked.sig[0] |= new;
			break;
		case SIG_UNBLOCK:
			current->blocked.sig[0] &= ~new;
			break;
		case SIG_SETMASK:
			current->blocked.sig[0] = new;
			break;
		default:
			spin_unlock_irq(&current->sighand->siglock);
			return -EINVAL;
		}
		recalc_sigpending();
		spin_unlock_irq(&current->sighand->siglock);
	}
	if (oset && copy_to_user(oset, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/* pause (29): sleep until a signal is delivered. */
asmlinkage long sys_pause(void)
{
	set_current_state(TASK_INTERRUPTIBLE);
	schedule();
	return -ERESTARTNOHAND;
}
