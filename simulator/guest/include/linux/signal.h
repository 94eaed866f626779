#ifndef _LINUX_SIGNAL_H
#define _LINUX_SIGNAL_H
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <asm/atomic.h>
#include <linux/linkage.h>
/* Minimal signal types needed by task_struct (kernel engineer 2 extends these for issue 5). */
#define _NSIG 64
#define _NSIG_WORDS 2
typedef struct {
	unsigned long sig[_NSIG_WORDS];
} sigset_t;
struct sigpending {
	struct list_head list;
	sigset_t signal;
};
#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
/* ---- Signals of issue 5 (kernel engineer 2): kernel/signal.c, arch/i386/kernel/signal.c ----
 * A signal is a small notification sent to a process (ULK3 chapter 11 — extrapolated, the seeds list
 * only the fields: task_struct.signal/sighand/blocked/pending, seed 003:1215–1230). Sending it sets a
 * bit in the target's pending set (a private one per thread, and signal->shared_pending for the whole
 * thread group) and TIF_SIGPENDING; the target notices on its way back to user mode (work_pending ->
 * do_notify_resume -> do_signal), where it runs the handler on a frame built on its user stack or
 * applies the default action: terminate, dump (= terminate here), stop, continue or ignore.
 */
#define SIGIO 29
#define SIGSYS 31
#define SIGRTMIN 32
#define sigmask(sig) (1UL << ((sig) - 1))
#define SIG_KERNEL_ONLY_MASK (sigmask(SIGKILL) | sigmask(SIGSTOP))
#define SIG_KERNEL_STOP_MASK (sigmask(SIGSTOP) | sigmask(SIGTSTP) | sigmask(SIGTTIN) | sigmask(SIGTTOU))
#define SIG_KERNEL_IGNORE_MASK (sigmask(SIGCONT) | sigmask(SIGCHLD) | sigmask(28 /* SIGWINCH */) | sigmask(23 /* SIGURG */))

typedef void (*__sighandler_t)(int);
typedef void (*__sigrestore_t)(void);
#define SIG_DFL ((__sighandler_t)0)
#define SIG_IGN ((__sighandler_t)1)
#define SIG_ERR ((__sighandler_t)-1)

#define SA_NOCLDSTOP 0x00000001
#define SA_NOCLDWAIT 0x00000002
#define SA_SIGINFO 0x00000004
#define SA_RESTORER 0x04000000
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000

typedef unsigned long old_sigset_t;
struct sigaction {
	__sighandler_t sa_handler;
	unsigned long sa_flags;
	__sigrestore_t sa_restorer;
	sigset_t sa_mask;
};
struct k_sigaction {
	struct sigaction sa;
};
/* The user structure of the old sigaction(2), system call 67 (what our libc uses). */
struct old_sigaction {
	__sighandler_t sa_handler;
	old_sigset_t sa_mask;
	unsigned long sa_flags;
	__sigrestore_t sa_restorer;
};

/* The handlers: shared by the threads of a group (CLONE_SIGHAND), copied by fork. */
struct sighand_struct {
	atomic_t count;
	struct k_sigaction action[_NSIG];
	spinlock_t siglock;
};

/* Resource limits (seed 003:614–688): signal->rlim[RLIMIT_*] = { rlim_cur, rlim_max }. */
#define RLIMIT_CPU 0
#define RLIMIT_FSIZE 1
#define RLIMIT_DATA 2
#define RLIMIT_STACK 3
#define RLIMIT_CORE 4
#define RLIMIT_RSS 5
#define RLIMIT_NPROC 6
#define RLIMIT_NOFILE 7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS 9
#define RLIMIT_LOCKS 10
#define RLIMIT_SIGPENDING 11
#define RLIMIT_MSGQUEUE 12
#define RLIM_NLIMITS 13
#define RLIM_INFINITY (~0UL)
struct rlimit {
	unsigned long rlim_cur;
	unsigned long rlim_max;
};

/* signal->flags */
#define SIGNAL_STOP_STOPPED 0x00000001	/* the group is stopped */
#define SIGNAL_STOP_DEQUEUED 0x00000002
#define SIGNAL_STOP_CONTINUED 0x00000004
#define SIGNAL_GROUP_EXIT 0x00000008	/* do_group_exit is killing the group */

struct task_struct;
/* Per thread group: shared pending signals, group exit and stop state, process group, session and
 * limits (CLONE_THREAD shares it; fork makes a new one). */
struct signal_struct {
	atomic_t count;
	atomic_t live;			/* threads of the group not yet exiting */
	wait_queue_head_t wait_chldexit; /* wait4 sleeps here until a child changes state */
	struct task_struct *curr_target;
	struct sigpending shared_pending;
	int group_exit_code;
	struct task_struct *group_exit_task;
	int notify_count;
	int group_stop_count;
	unsigned int flags;		/* SIGNAL_* */
	pid_t pgrp;
	pid_t session;
	int leader;			/* session leader */
	struct rlimit rlim[RLIM_NLIMITS];
};

static inline void sigaddset(sigset_t *set, int sig) { set->sig[(sig - 1) / 32] |= 1UL << ((sig - 1) % 32); }
static inline void sigdelset(sigset_t *set, int sig) { set->sig[(sig - 1) / 32] &= ~(1UL << ((sig - 1) % 32)); }
static inline int sigismember(const sigset_t *set, int sig) { return (set->sig[(sig - 1) / 32] >> ((sig - 1) % 32)) & 1; }
static inline void sigemptyset(sigset_t *set) { set->sig[0] = set->sig[1] = 0; }
static inline void sigdelsetmask(sigset_t *set, unsigned long mask) { set->sig[0] &= ~mask; }
static inline void init_sigpending(struct sigpending *p) { sigemptyset(&p->signal); INIT_LIST_HEAD(&p->list); }

struct pt_regs;
/* kernel/signal.c */
int send_sig(int sig, struct task_struct *p, int priv);
void force_sig(int sig, struct task_struct *p);
int group_send_sig_info(int sig, struct task_struct *p);
int kill_proc(pid_t pid, int sig, int priv);
void do_notify_parent(struct task_struct *tsk, int sig);
int dequeue_signal(struct task_struct *tsk, sigset_t *mask);
void recalc_sigpending_tsk(struct task_struct *t);
void recalc_sigpending(void);
void flush_signals(struct task_struct *t);
void flush_signal_handlers(struct task_struct *t, int force_default);
void zap_other_threads(struct task_struct *p);
int get_signal_to_deliver(struct k_sigaction *return_ka, struct pt_regs *regs);
void exit_signal(struct task_struct *tsk);
void exit_sighand(struct task_struct *tsk);
/* arch/i386/kernel/signal.c: do_notify_resume(regs, oldset, thread_info_flags), called from entry.S */
#endif
