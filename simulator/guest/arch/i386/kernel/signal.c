/*
 * arch/i386/kernel/signal.c — delivering a signal to user mode: the signal frame and sigreturn
 * (ULK3 §11.3 "Delivering a Signal" — extrapolated from 2.6.11; the seeds show only the call point,
 * work_notifysig -> do_notify_resume, seed 003:3540–3568).
 *
 * Running a handler means making the process, on its next return to user mode, jump to the handler
 * instead of the interrupted instruction — and come back afterwards to where it was, with all its
 * registers. setup_frame therefore saves the user registers (the pt_regs on the kernel stack) into a
 * "signal frame" pushed on the *user* stack:
 *
 *      higher addresses   ... the interrupted code's stack ...
 *                         retcode[8]     popl %eax; movl $119,%eax; int $0x80  (fallback trampoline)
 *                         extramask
 *                         fpstate        the FPU registers (the handler gets a clean FPU)
 *                         sigcontext     the saved registers and blocked mask
 *                         sig            the handler's argument
 *      new user esp  ->   pretcode       the handler's return address: the restorer
 *
 * and points the saved eip at the handler. When the handler returns, it "returns" into the restorer
 * (our libc's __sigreturn_trampoline, SA_RESTORER), which calls sigreturn(2): sys_sigreturn reads the
 * sigcontext back into pt_regs, and the iret at the end of that system call resumes the interrupted code.
 */
#include <linux/sched.h>
#include <linux/string.h>
#include <asm/uaccess.h>
#include <asm/errno.h>
#include <asm/ptrace.h>
#include <asm/segment.h>
#include <asm/i387.h>

#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516
#define __NR_sigreturn 119
#define __NR_restart_syscall 0

struct sigcontext {
	unsigned short gs, __gsh;
	unsigned short fs, __fsh;
	unsigned short es, __esh;
	unsigned short ds, __dsh;
	unsigned long edi, esi, ebp, esp, ebx, edx, ecx, eax;
	unsigned long trapno, err, eip;
	unsigned short cs, __csh;
	unsigned long eflags, esp_at_signal;
	unsigned short ss, __ssh;
	unsigned long fpstate;		/* where the FPU registers were saved in the frame (0: none) */
	unsigned long oldmask;		/* the blocked mask to restore */
	unsigned long cr2;
};

struct sigframe {
	unsigned long pretcode;		/* return address of the handler */
	int sig;			/* its argument */
	struct sigcontext sc;
	struct i387_fsave_struct fpstate; /* the interrupted code's FPU registers (fnsave format) */
	unsigned long extramask[_NSIG_WORDS - 1];
	char retcode[8];
};

/* The eflags bits user code may change through sigreturn: CF PF AF ZF SF TF DF OF AC (not IF, IOPL). */
#define FIX_EFLAGS 0x40DD5
#define noinline __attribute__((noinline))

static int setup_sigcontext(struct sigcontext *sc, struct pt_regs *regs, unsigned long mask)
{
	memset(sc, 0, sizeof(*sc));
	sc->gs = __USER_DS;
	sc->fs = __USER_DS;
	sc->es = regs->xes;
	sc->ds = regs->xds;
	sc->edi = regs->edi;
	sc->esi = regs->esi;
	sc->ebp = regs->ebp;
	sc->esp = regs->esp;
	sc->ebx = regs->ebx;
	sc->edx = regs->edx;
	sc->ecx = regs->ecx;
	sc->eax = regs->eax;
	sc->trapno = current->thread.trap_no;
	sc->err = current->thread.error_code;
	sc->eip = regs->eip;
	sc->cs = regs->xcs;
	sc->eflags = regs->eflags;
	sc->esp_at_signal = regs->esp;
	sc->ss = regs->xss;
	sc->oldmask = mask;
	sc->cr2 = current->thread.cr2;
	sc->fpstate = 0;
	return 0;
}

/*
 * save_i387: the handler may use the FPU too, so the interrupted code's FPU registers go into the frame
 * (2.6.11 save_i387). If they are live in the FPU (TS_USEDFPU), __unlazy_fpu stores them into
 * thread.i387 first; then the handler starts with a fresh FPU: PF_USED_MATH is cleared, so its first
 * FPU instruction traps (#NM) and math_state_restore gives it an initialised one.
 * Returns 1 if a state was saved.
 */
static int save_i387(struct i387_fsave_struct *fp)
{
	struct task_struct *tsk = current;
	if (!(tsk->flags & PF_USED_MATH))
		return 0;
	preempt_disable();
	__unlazy_fpu(tsk);
	preempt_enable();
	*fp = tsk->thread.i387.fsave;
	tsk->flags &= ~PF_USED_MATH;
	return 1;
}

/* restore_i387: sigreturn puts the saved FPU registers back (or none, if the interrupted code had no
 * FPU state). Whatever the handler left in the FPU is dropped; the next FPU instruction traps (#NM) and
 * reloads thread.i387. */
static void restore_i387(const struct i387_fsave_struct *fp)
{
	struct task_struct *tsk = current;
	preempt_disable();
	if (tsk->thread_info->status & TS_USEDFPU) {
		__asm__ __volatile__("fnclex; fwait");
		tsk->thread_info->status &= ~TS_USEDFPU;
		stts();
	}
	preempt_enable();
	if (fp) {
		tsk->thread.i387.fsave = *fp;
		tsk->flags |= PF_USED_MATH;
	} else {
		tsk->flags &= ~PF_USED_MATH;
	}
}

/* Build the frame on the user stack and redirect the return to user mode to the handler. */
static int setup_frame(int sig, struct k_sigaction *ka, sigset_t *set, struct pt_regs *regs)
{
	struct sigframe frame;
	unsigned long esp = (regs->esp - sizeof(struct sigframe)) & -8UL;
	struct sigframe __user *uframe = (struct sigframe __user *)esp;

	setup_sigcontext(&frame.sc, regs, set->sig[0]);
	memset(&frame.fpstate, 0, sizeof(frame.fpstate));
	if (save_i387(&frame.fpstate))
		frame.sc.fpstate = (unsigned long)&uframe->fpstate;
	frame.sig = sig;
	frame.extramask[0] = set->sig[1];
	/* The fallback trampoline: popl %eax; movl $__NR_sigreturn,%eax; int $0x80. */
	frame.retcode[0] = 0x58;
	frame.retcode[1] = 0xb8;
	unsigned long nr = __NR_sigreturn;
	memcpy(&frame.retcode[2], &nr, 4);
	frame.retcode[6] = 0xcd;
	frame.retcode[7] = 0x80;
	frame.pretcode = (ka->sa.sa_flags & SA_RESTORER) ? (unsigned long)ka->sa.sa_restorer
							 : (unsigned long)&uframe->retcode;
	if (copy_to_user(uframe, &frame, sizeof(frame)))
		return -EFAULT;

	regs->esp = esp;
	regs->eip = (unsigned long)ka->sa.sa_handler;
	regs->eax = sig;	/* also in eax, for handlers compiled with regparm */
	regs->edx = 0;
	regs->ecx = 0;
	regs->xds = __USER_DS;
	regs->xes = __USER_DS;
	regs->xss = __USER_DS;
	regs->xcs = __USER_CS;
	regs->eflags &= ~0x100;	/* no single-stepping into the handler */
	return 0;
}

/*
 * restore_sigcontext: the body of sigreturn. It works through a pointer to the pt_regs frame on the
 * kernel stack; sys_sigreturn passes it the address of its by-value parameter (the compiler could
 * otherwise treat stores into a by-value parameter as dead, since nothing in C reads them later).
 */
static noinline int restore_sigcontext(struct pt_regs *regs)
{
	struct sigframe __user *uframe = (struct sigframe __user *)(regs->esp - 8);
	struct sigframe frame;
	if (copy_from_user(&frame, uframe, sizeof(frame)))
		goto badframe;
	sigset_t set;
	set.sig[0] = frame.sc.oldmask;
	set.sig[1] = frame.extramask[0];
	sigdelsetmask(&set, SIG_KERNEL_ONLY_MASK);
	spin_lock_irq(&current->sighand->siglock);
	current->blocked = set;
	recalc_sigpending();
	spin_unlock_irq(&current->sighand->siglock);

	struct sigcontext *sc = &frame.sc;
	regs->ebx = sc->ebx;
	regs->ecx = sc->ecx;
	regs->edx = sc->edx;
	regs->esi = sc->esi;
	regs->edi = sc->edi;
	regs->ebp = sc->ebp;
	regs->esp = sc->esp;
	regs->eip = sc->eip;
	/* Segment registers are not taken from user memory: a bad selector would fault in iret. */
	regs->xcs = __USER_CS;
	regs->xss = __USER_DS;
	regs->xds = __USER_DS;
	regs->xes = __USER_DS;
	regs->eflags = (regs->eflags & ~FIX_EFLAGS) | (sc->eflags & FIX_EFLAGS);
	regs->orig_eax = -1;	/* we are not in a system call any more: no restart */
	/* The FPU registers come from the kernel's copy of the frame, not from sc->fpstate (a user pointer). */
	restore_i387(sc->fpstate ? &frame.fpstate : NULL);
	return sc->eax;

badframe:
	force_sig(SIGSEGV, current);
	return 0;
}

/* sigreturn (119): undo setup_frame. The value returned becomes eax again (system_call stores it). */
asmlinkage int sys_sigreturn(struct pt_regs regs)
{
	return restore_sigcontext(&regs);
}

/*
 * handle_signal: run the handler for sig. If we were interrupted inside a system call that has to be
 * restarted (-ERESTARTSYS with SA_RESTART), back eip up over `int $0x80` (2 bytes) and reload eax with
 * the system call number, so that the call is issued again after the handler returns.
 */
static void handle_signal(int sig, struct k_sigaction *ka, sigset_t *oldset, struct pt_regs *regs)
{
	if (regs->orig_eax >= 0) {
		switch (regs->eax) {
		case -ERESTART_RESTARTBLOCK:
		case -ERESTARTNOHAND:
			regs->eax = -EINTR;
			break;
		case -ERESTARTSYS:
			if (!(ka->sa.sa_flags & SA_RESTART)) {
				regs->eax = -EINTR;
				break;
			}
			/* fall through */
		case -ERESTARTNOINTR:
			regs->eax = regs->orig_eax;
			regs->eip -= 2;
		}
	}
	if (setup_frame(sig, ka, oldset, regs)) {
		force_sig(SIGSEGV, current);
		return;
	}
	if (!(ka->sa.sa_flags & SA_NODEFER)) {
		/* Block sig (and sa_mask) while the handler runs. */
		spin_lock_irq(&current->sighand->siglock);
		current->blocked.sig[0] |= ka->sa.sa_mask.sig[0];
		current->blocked.sig[1] |= ka->sa.sa_mask.sig[1];
		sigaddset(&current->blocked, sig);
		recalc_sigpending();
		spin_unlock_irq(&current->sighand->siglock);
	}
}

static int do_signal(struct pt_regs *regs, sigset_t *oldset)
{
	struct k_sigaction ka;
	/* Signals are delivered only on the way back to user mode. */
	if (!user_mode(regs))
		return 1;
	if (!oldset)
		oldset = &current->blocked;
	sigset_t saved = *oldset;
	int signr = get_signal_to_deliver(&ka, regs);
	if (signr > 0) {
		handle_signal(signr, &ka, &saved, regs);
		return 1;
	}
	/* No handler ran: a system call interrupted by an ignored signal or a stop/continue restarts. */
	if (regs->orig_eax >= 0) {
		if (regs->eax == -ERESTARTNOHAND || regs->eax == -ERESTARTSYS || regs->eax == -ERESTARTNOINTR) {
			regs->eax = regs->orig_eax;
			regs->eip -= 2;
		}
		if (regs->eax == -ERESTART_RESTARTBLOCK) {
			regs->eax = __NR_restart_syscall;
			regs->eip -= 2;
		}
	}
	return 0;
}

/*
 * do_notify_resume: called by entry.S (work_notifysig) with interrupts on its way back to user mode
 * when thread_info.flags has work other than rescheduling (seed 003:3560–3568). fastcall: regs in eax,
 * oldset in edx, the flags in ecx.
 */
fastcall void do_notify_resume(struct pt_regs *regs, sigset_t *oldset, unsigned long thread_info_flags)
{
	if (thread_info_flags & _TIF_SIGPENDING)
		do_signal(regs, oldset);
	clear_thread_flag(TIF_NOTIFY_RESUME);
}
