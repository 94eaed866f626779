#ifndef _LINUX_INTERRUPT_H
#define _LINUX_INTERRUPT_H
#include <linux/kernel.h>
#include <linux/linkage.h>
#include <linux/smp.h>
#include <linux/preempt.h>
#include <asm/ptrace.h>
#include <asm/atomic.h>
#include <asm/bitops.h>
#include <asm/system.h>
/*
 * Interrupt service routines (ULK3 §4.6.1.9–10, seed 003:2513–2568, 2784–2866).
 * An irqaction describes one ISR on a line; lines may be shared (SA_SHIRQ) by several devices, whose
 * ISRs are chained through next and all called on every interrupt. An ISR returns IRQ_HANDLED if its
 * device raised the interrupt, IRQ_NONE otherwise.
 */
typedef int irqreturn_t;
#define IRQ_NONE (0)
#define IRQ_HANDLED (1)
#define IRQ_RETVAL(x) ((x) != 0)
#define SA_INTERRUPT 0x20000000     /* run the ISR with local interrupts disabled */
#define SA_SAMPLE_RANDOM 0x10000000 /* the device is a source of randomness */
#define SA_SHIRQ 0x04000000         /* the line may be shared */
typedef irqreturn_t (*irq_handler_t)(int irq, void *dev_id, struct pt_regs *regs);
struct irqaction {
	irq_handler_t handler;
	unsigned long flags;
	cpumask_t mask;
	const char *name;
	void *dev_id;
	struct irqaction *next;
	int irq;
	void *dir;
};
int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags, const char *devname, void *dev_id);
void free_irq(unsigned int irq, void *dev_id);

/*
 * Softirqs (ULK3 §4.7.1, seed 003:2952–3142). Six kinds in 2.6.11; the index is the priority: lower
 * runs first in __do_softirq.
 */
enum {
	HI_SOFTIRQ = 0,
	TIMER_SOFTIRQ,
	NET_TX_SOFTIRQ,
	NET_RX_SOFTIRQ,
	SCSI_SOFTIRQ,
	TASKLET_SOFTIRQ
};
struct softirq_action {
	void (*action)(struct softirq_action *);
	void *data;
};
extern struct softirq_action softirq_vec[32];
asmlinkage void do_softirq(void);
asmlinkage void __do_softirq(void);
void open_softirq(int nr, void (*action)(struct softirq_action *), void *data);
void softirq_init(void);
void spawn_ksoftirqd(void);
void raise_softirq(unsigned int nr);
fastcall void raise_softirq_irqoff(unsigned int nr);
void wakeup_softirqd(void);
/* ksim: how many times __do_softirq gave up after MAX_SOFTIRQ_RESTART passes and woke ksoftirqd,
 * and how many softirq passes ksoftirqd ran — per CPU, for the softirq-restart scenario. */
extern unsigned long softirq_restart_exhausted[NR_CPUS];
extern unsigned long ksoftirqd_runs[NR_CPUS];

/*
 * Tasklets (ULK3 §4.7.2, seed 003:3144–3229): deferrable functions built on HI_SOFTIRQ and
 * TASKLET_SOFTIRQ. A tasklet never runs on two CPUs at once; scheduling it while it is already
 * scheduled does nothing; count > 0 disables it.
 */
struct tasklet_struct {
	struct tasklet_struct *next;
	unsigned long state;
	atomic_t count;
	void (*func)(unsigned long);
	unsigned long data;
};
enum {
	TASKLET_STATE_SCHED, /* the tasklet is on a tasklet_vec/tasklet_hi_vec list */
	TASKLET_STATE_RUN    /* the tasklet is running (on some CPU) */
};
#define DECLARE_TASKLET(name, func, data) struct tasklet_struct name = { NULL, 0, ATOMIC_INIT(0), func, data }
#define DECLARE_TASKLET_DISABLED(name, func, data) struct tasklet_struct name = { NULL, 0, ATOMIC_INIT(1), func, data }
static inline int tasklet_trylock(struct tasklet_struct *t) { return !test_and_set_bit(TASKLET_STATE_RUN, &(t)->state); }
static inline void tasklet_unlock(struct tasklet_struct *t) { smp_mb__before_clear_bit(); clear_bit(TASKLET_STATE_RUN, &(t)->state); }
static inline void tasklet_unlock_wait(struct tasklet_struct *t) { while (test_bit(TASKLET_STATE_RUN, &(t)->state)) barrier(); }
void FASTCALL(__tasklet_schedule(struct tasklet_struct *t));
void FASTCALL(__tasklet_hi_schedule(struct tasklet_struct *t));
/* tasklet_schedule: do nothing if TASKLET_STATE_SCHED is already set (seed 003:3195). */
static inline void tasklet_schedule(struct tasklet_struct *t)
{
	if (!test_and_set_bit(TASKLET_STATE_SCHED, &t->state))
		__tasklet_schedule(t);
}
static inline void tasklet_hi_schedule(struct tasklet_struct *t)
{
	if (!test_and_set_bit(TASKLET_STATE_SCHED, &t->state))
		__tasklet_hi_schedule(t);
}
static inline void tasklet_disable_nosync(struct tasklet_struct *t) { atomic_inc(&t->count); smp_mb__after_clear_bit(); }
static inline void tasklet_disable(struct tasklet_struct *t) { tasklet_disable_nosync(t); tasklet_unlock_wait(t); smp_mb(); }
static inline void tasklet_enable(struct tasklet_struct *t) { smp_mb__before_clear_bit(); atomic_dec(&t->count); }
static inline void tasklet_hi_enable(struct tasklet_struct *t) { smp_mb__before_clear_bit(); atomic_dec(&t->count); }
void tasklet_kill(struct tasklet_struct *t);
void tasklet_init(struct tasklet_struct *t, void (*func)(unsigned long), unsigned long data);
#endif
