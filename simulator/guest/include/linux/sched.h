#ifndef _LINUX_SCHED_H
#define _LINUX_SCHED_H
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/timer.h>
#include <linux/jiffies.h>
#include <linux/smp.h>
#include <linux/percpu.h>
#include <linux/signal.h>
#include <linux/pid.h>
#include <asm/processor.h>
#include <asm/semaphore.h>
#include <asm/current.h>
#include <asm/thread_info.h>

/*
 * Process states (ULK3 §3.2.1, seed 003:41–90; the numeric values are 2.6.11's). state holds one of
 * the TASK_* values; exit_state one of the EXIT_* values once the process has terminated.
 */
#define TASK_RUNNING 0
#define TASK_INTERRUPTIBLE 1
#define TASK_UNINTERRUPTIBLE 2
#define TASK_STOPPED 4
#define TASK_TRACED 8
#define EXIT_ZOMBIE 16
#define EXIT_DEAD 32

#define __set_task_state(tsk, v) do { (tsk)->state = (v); } while (0)
#define set_task_state(tsk, v) do { xchg((volatile unsigned long *)&(tsk)->state, (v)); } while (0)
#define __set_current_state(v) do { current->state = (v); } while (0)
#define set_current_state(v) set_task_state(current, (v))

/* task_struct.flags (seed 003: PF_* in §3.2, 1436–1466). */
#define PF_ALIGNWARN 0x00000001
#define PF_STARTING 0x00000002
#define PF_EXITING 0x00000004
#define PF_DEAD 0x00000008
#define PF_FORKNOEXEC 0x00000040
#define PF_SUPERPRIV 0x00000100
#define PF_DUMPCORE 0x00000200
#define PF_SIGNALED 0x00000400
#define PF_MEMALLOC 0x00000800
#define PF_USED_MATH 0x00002000
#define PF_KTHREAD 0x00200000 /* ksim: a kernel thread (2.6.11 tests mm == NULL instead) */

/* Scheduling policies. */
#define SCHED_NORMAL 0
#define SCHED_FIFO 1
#define SCHED_RR 2

/* The argument of sched_setscheduler/sched_setparam/sched_getparam: the user-visible real-time
 * priority, 1..99 for SCHED_FIFO and SCHED_RR (higher = more urgent), 0 for SCHED_NORMAL. */
struct sched_param {
	int sched_priority;
};

/*
 * Priorities (ULK3 §7 — extrapolated from 2.6.11 kernel/sched.c; the seeds only sketch the O(1)
 * scheduler at 000:1214–1277). 0..99 are real-time priorities, 100..139 the nice values -20..19.
 * Lower value = higher priority.
 */
#define MAX_USER_RT_PRIO 100
#define MAX_RT_PRIO MAX_USER_RT_PRIO
#define MAX_PRIO (MAX_RT_PRIO + 40)
#define rt_task(p) (unlikely((p)->prio < MAX_RT_PRIO))
#define NICE_TO_PRIO(nice) (MAX_RT_PRIO + (nice) + 20)
#define PRIO_TO_NICE(prio) ((prio) - MAX_RT_PRIO - 20)
#define TASK_NICE(p) PRIO_TO_NICE((p)->static_prio)

/* prio_array_t: one per-priority FIFO list of runnable tasks and a bitmap of the non-empty lists
 * (seed 003:237–265). 140 priorities need 5 32-bit words of bitmap; bit 140 is a sentinel. */
#define BITMAP_SIZE ((((MAX_PRIO + 1 + 7) / 8) + sizeof(long) - 1) / sizeof(long))
typedef struct prio_array prio_array_t;
struct prio_array {
	unsigned int nr_active;
	unsigned long bitmap[BITMAP_SIZE];
	struct list_head queue[MAX_PRIO];
};

struct fs_struct;
struct files_struct;
struct namespace;
struct signal_struct;
struct sighand_struct;
struct linux_binfmt;
struct completion;
struct user_struct;

/*
 * The memory descriptor (ULK3 §9.2 — extrapolated; the seeds name only mm and active_mm, 000:497).
 * Kernel engineer 2 (issue 5) owns its life cycle (mm/mmap.c, kernel/fork.c) and may add fields.
 * The scheduler needs pgd (loaded into cr3 by switch_mm) and mm_count (the borrowing of active_mm
 * by kernel threads).
 */
struct vm_area_struct;
struct mm_struct {
	struct vm_area_struct *mmap; /* list of memory regions */
	unsigned long *pgd;          /* page directory (virtual address) */
	atomic_t mm_users;           /* processes using this address space */
	atomic_t mm_count;           /* references to the struct (mm_users counts as one) */
	int map_count;
	spinlock_t page_table_lock;
	struct list_head mmlist;
	unsigned long start_code, end_code, start_data, end_data;
	unsigned long start_brk, brk, start_stack;
	unsigned long arg_start, arg_end, env_start, env_end;
	unsigned long total_vm, rss;
	cpumask_t cpu_vm_mask;       /* CPUs that have this mm loaded in cr3 */
	/* issue 5 (kernel engineer 2): serialises changes of the region list (a mutex here, an rwsem in
	 * Linux), and counters the cow scenario and the debugger show */
	struct semaphore mmap_sem;
	unsigned long nr_cow_copies;  /* do_wp_page copied a shared page */
	unsigned long nr_cow_reuses;  /* do_wp_page found the page no longer shared and kept it */
	unsigned long nr_demand_zero; /* do_anonymous_page gave a zero page */
	unsigned long nr_file_pages;  /* do_file_page copied a page of the program image */
};
extern struct mm_struct init_mm;
void mmdrop(struct mm_struct *mm);

/*
 * The process descriptor (ULK3 §3.2, seed 003:43–340, 1165–1462). Fields for both halves of the
 * teaching kernel: scheduling (issue 4) and process life cycle (issue 5). The thread_info/kernel
 * stack pair is allocated separately (thread_info points back here through ->task).
 */
struct task_struct {
	volatile long state;             /* -1 unrunnable, 0 runnable, >0 stopped/sleeping */
	struct thread_info *thread_info; /* the thread_union holding this task's kernel stack */
	atomic_t usage;                  /* reference count: 2 at fork (seed 003:1195) */
	unsigned long flags;             /* PF_* */
	unsigned long ptrace;
	int lock_depth;                  /* big kernel lock depth, -1 when not held */

	/* O(1) scheduler */
	int prio, static_prio;           /* dynamic and static (nice) priority */
	struct list_head run_list;       /* link in array->queue[prio] */
	prio_array_t *array;             /* the prio_array the task is queued in, NULL if not */
	unsigned long sleep_avg;         /* average sleep time in ns: the interactivity estimate */
	unsigned long long timestamp;    /* when the task was last inserted or switched (ns) */
	unsigned long long last_ran;
	int activated;                   /* how the task was woken (see recalc_task_prio) */
	unsigned long policy;            /* SCHED_NORMAL, SCHED_FIFO or SCHED_RR */
	cpumask_t cpus_allowed;
	unsigned int time_slice, first_time_slice;
	int counter;                     /* 2.4 goodness scheduler (sched=goodness): ticks left */
	int nice;                        /* 2.4 goodness scheduler: the nice value */
	unsigned long rt_priority;

	struct list_head tasks;          /* the process list (for_each_process) */
	struct list_head ptrace_children;
	struct list_head ptrace_list;

	struct mm_struct *mm, *active_mm; /* address space; kernel threads borrow active_mm */

	struct linux_binfmt *binfmt;
	long exit_state;
	int exit_code, exit_signal;
	int pdeath_signal;
	unsigned long personality;
	unsigned did_exec : 1;
	pid_t pid;
	pid_t tgid;
	/* Relationships (seed 003:277–340). */
	struct task_struct *real_parent; /* the process that created us (or init after reparenting) */
	struct task_struct *parent;      /* who receives SIGCHLD / wait4 (the tracer when traced) */
	struct list_head children;       /* our children */
	struct list_head sibling;        /* link in the parent's children list */
	struct task_struct *group_leader;
	struct pid pids[PIDTYPE_MAX];    /* links in the four PID hash tables */

	struct completion *vfork_done;   /* the vfork parent waits on this */
	int __user *set_child_tid;
	int __user *clear_child_tid;

	unsigned long nvcsw, nivcsw;     /* voluntary and involuntary context switches */
	unsigned long utime, stime;
	unsigned long long start_time;
	unsigned long min_flt, maj_flt;
	unsigned int uid, euid, suid, fsuid, gid, egid, sgid, fsgid;
	struct user_struct *user;
	char comm[16];                   /* the executable name, "swapper", "ksoftirqd/0"... */
	int link_count, total_link_count;

	struct thread_struct thread;     /* CPU-specific state: esp, eip, esp0, fs, gs, FPU (seed 003:737) */
	struct fs_struct *fs;
	struct files_struct *files;
	struct namespace *namespace;
	struct signal_struct *signal;
	struct sighand_struct *sighand;
	sigset_t blocked, real_blocked;
	struct sigpending pending;
	unsigned long sas_ss_sp;
	size_t sas_ss_size;

	spinlock_t alloc_lock;
	spinlock_t proc_lock;
	void *journal_info;
	unsigned long ptrace_message;

	/* ksim: the kthread helpers (kthread_should_stop) */
	int kthread_should_stop;
	/* ksim: which CPU the task last ran on, for the debugger's task view (thread_info->cpu is canonical) */
	int last_cpu;
};

#define get_task_struct(tsk) atomic_inc(&(tsk)->usage)
#define task_thread_info(t) ((t)->thread_info)
#define task_cpu(p) ((p)->thread_info->cpu)
#define set_task_cpu(p, c) ((p)->thread_info->cpu = (c))
#define next_task(p) list_entry((p)->tasks.next, struct task_struct, tasks)
#define for_each_process(p) for (p = &init_task; (p = next_task(p)) != &init_task;)
static inline void set_tsk_need_resched(struct task_struct *t) { set_ti_thread_flag(t->thread_info, TIF_NEED_RESCHED); }
static inline void clear_tsk_need_resched(struct task_struct *t) { clear_ti_thread_flag(t->thread_info, TIF_NEED_RESCHED); }
static inline int need_resched(void) { return unlikely(test_thread_flag(TIF_NEED_RESCHED)); }
static inline int signal_pending(struct task_struct *p) { return unlikely(test_ti_thread_flag(p->thread_info, TIF_SIGPENDING)); }
#define ERESTARTSYS 512

extern struct task_struct init_task;
extern union thread_union init_thread_union;
extern struct task_struct *idle_tasks[NR_CPUS];
extern rwlock_t tasklist_lock;
extern int nr_threads;
extern int sched_use_goodness;

#define MAX_SCHEDULE_TIMEOUT 0x7fffffffL
asmlinkage void schedule(void);
long schedule_timeout(long timeout);
void cond_resched(void);
void sched_init(void);
void sched_init_smp(void);
void scheduler_tick(int user_tick, int system);
void update_process_times(int user);
int wake_up_process(struct task_struct *tsk);
int wake_up_state(struct task_struct *tsk, unsigned int state);
int try_to_wake_up(struct task_struct *p, unsigned int state, int sync);
void wake_up_new_task(struct task_struct *p, unsigned long clone_flags);
void sched_fork(struct task_struct *p);
void sched_exit(struct task_struct *p);
void set_user_nice(struct task_struct *p, long nice);
int idle_cpu(int cpu);
void init_idle(struct task_struct *idle, int cpu);
int set_cpus_allowed(struct task_struct *p, cpumask_t new_mask);
asmlinkage void schedule_tail(struct task_struct *prev);
void yield(void);
asmlinkage long sys_sched_yield(void);
int sched_setscheduler(struct task_struct *p, int policy, struct sched_param *param);
unsigned long long sched_clock(void);
void show_state(void);
void cpu_idle(void);
/* The last reference gone (the scheduler drops one for a dead task, release_task the other):
 * __put_task_struct frees the descriptor and its kernel stack (kernel/fork.c). */
void __put_task_struct(struct task_struct *tsk);
static inline void put_task_struct(struct task_struct *t)
{
	if (atomic_dec_and_test(&t->usage))
		__put_task_struct(t);
}

/* Kernel threads (ULK3 §3.4.2, seed 003:1293–1405). */
#define CLONE_VM 0x00000100
#define CLONE_FS 0x00000200
#define CLONE_FILES 0x00000400
#define CLONE_SIGHAND 0x00000800
#define CLONE_PTRACE 0x00002000
#define CLONE_VFORK 0x00004000
#define CLONE_PARENT 0x00008000
#define CLONE_THREAD 0x00010000
#define CLONE_NEWNS 0x00020000
#define CLONE_SYSVSEM 0x00040000
#define CLONE_SETTLS 0x00080000
#define CLONE_PARENT_SETTID 0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_DETACHED 0x00400000
#define CLONE_UNTRACED 0x00800000
#define CLONE_CHILD_SETTID 0x01000000
#define CLONE_STOPPED 0x02000000
#define CSIGNAL 0x000000ff
int kernel_thread(int (*fn)(void *), void *arg, unsigned long flags);
/* ---- issue 5: process life cycle (kernel engineer 2: kernel/fork.c, kernel/exit.c, fs/exec.c) ---- */
struct pt_regs;
long do_fork(unsigned long clone_flags, unsigned long stack_start, struct pt_regs *regs,
	     unsigned long stack_size, int __user *parent_tidptr, int __user *child_tidptr);
fastcall __attribute__((noreturn)) void do_exit(long code);
fastcall void do_group_exit(int exit_code);
void release_task(struct task_struct *p);
struct task_struct *next_thread(struct task_struct *p);
void __put_task_struct(struct task_struct *tsk);
extern struct task_struct *child_reaper;
extern unsigned long total_forks;
#define thread_group_leader(p) ((p)->group_leader == (p))
/* run_init_process: the init kernel thread becomes process 1 by executing /sbin/init of the built-in
 * program table with argv = { "init", scenario }; returns only on failure (fs/exec.c). */
int run_init_process(const char *scenario);
#endif
