#ifndef _ASM_THREAD_INFO_H
#define _ASM_THREAD_INFO_H
/*
 * thread_info and the kernel stack (ULK3 §3.2.2.1, seed 003:125–154).
 *
 * Each process has an 8 KB, 8 KB-aligned "thread_union": the small thread_info at the bottom and the
 * kernel-mode stack growing down from the top towards it. Because of the alignment, the kernel finds
 * the thread_info of the running process from esp alone, by clearing the low 13 bits
 * (current_thread_info), and the task_struct through its first field (current).
 *
 * Offsets used by entry.S (seed 003:3488, 3511): task 0, flags 0x8, status 0xc, cpu 0x10,
 * preempt_count 0x14, previous_esp 0x30; sizeof = 52.
 */
#define THREAD_SIZE 8192
#define TI_task 0x00
#define TI_exec_domain 0x04
#define TI_flags 0x08
#define TI_status 0x0c
#define TI_cpu 0x10
#define TI_preempt_count 0x14
#define TI_addr_limit 0x18
#define TI_restart_block 0x1c
#define TI_previous_esp 0x30

/* TIF_* bits of thread_info.flags (seed 003:3411–3445; bit numbers of 2.6.11). */
#define TIF_SYSCALL_TRACE 0   /* syscall tracing is active */
#define TIF_NOTIFY_RESUME 1   /* resumption notification requested */
#define TIF_SIGPENDING 2      /* a signal is pending */
#define TIF_NEED_RESCHED 3    /* rescheduling is needed */
#define TIF_SINGLESTEP 4      /* restore single-step on return to user mode */
#define TIF_IRET 5            /* return with iret, not sysexit */
#define TIF_SYSCALL_AUDIT 7   /* syscall auditing is active */
#define TIF_POLLING_NRFLAG 16 /* the idle loop polls TIF_NEED_RESCHED */
#define TIF_MEMDIE 17         /* being killed by the OOM killer */
#define _TIF_SYSCALL_TRACE (1 << TIF_SYSCALL_TRACE)
#define _TIF_NOTIFY_RESUME (1 << TIF_NOTIFY_RESUME)
#define _TIF_SIGPENDING (1 << TIF_SIGPENDING)
#define _TIF_NEED_RESCHED (1 << TIF_NEED_RESCHED)
#define _TIF_SINGLESTEP (1 << TIF_SINGLESTEP)
#define _TIF_IRET (1 << TIF_IRET)
#define _TIF_SYSCALL_AUDIT (1 << TIF_SYSCALL_AUDIT)
#define _TIF_POLLING_NRFLAG (1 << TIF_POLLING_NRFLAG)
/* Work to do on the way back to user mode: every low flag except trace, audit and single-step = 0xff6e
 * (seed 003:3532). */
#define _TIF_WORK_MASK (0x0000FFFF & ~(_TIF_SYSCALL_TRACE | _TIF_SYSCALL_AUDIT | _TIF_SINGLESTEP))
#define _TIF_ALLWORK_MASK (0x0000FFFF & ~_TIF_POLLING_NRFLAG)

/* thread_info.status: TS_USEDFPU — the FPU was used in this time slice and must be saved (seed 003:931). */
#define TS_USEDFPU 0x0001

#ifndef __ASSEMBLY__
struct task_struct;
struct exec_domain;
struct restart_block {
	long (*fn)(struct restart_block *);
	unsigned long arg0, arg1, arg2, arg3;
};
typedef struct { unsigned long seg; } mm_segment_t;

struct thread_info {
	struct task_struct *task;
	struct exec_domain *exec_domain;
	unsigned long flags;
	unsigned long status;
	unsigned int cpu;
	int preempt_count;
	mm_segment_t addr_limit;
	struct restart_block restart_block;
	unsigned long previous_esp;
	unsigned char supervisor_stack[0];
};

union thread_union {
	struct thread_info thread_info;
	unsigned long stack[THREAD_SIZE / sizeof(long)];
};

/* current_thread_info: "movl $0xffffe000,%ecx; andl %esp,%ecx" (seed 003:142). */
static inline struct thread_info *current_thread_info(void)
{
	struct thread_info *ti;
	__asm__("andl %%esp,%0" : "=r"(ti) : "0"(~(THREAD_SIZE - 1)));
	return ti;
}

#define set_thread_flag(f) set_bit(f, &current_thread_info()->flags)
#define clear_thread_flag(f) clear_bit(f, &current_thread_info()->flags)
#define test_thread_flag(f) test_bit(f, &current_thread_info()->flags)
#define set_ti_thread_flag(ti, f) set_bit(f, &(ti)->flags)
#define clear_ti_thread_flag(ti, f) clear_bit(f, &(ti)->flags)
#define test_ti_thread_flag(ti, f) test_bit(f, &(ti)->flags)
#endif
#endif
