#ifndef _LINUX_KSIM_SCENARIO_HELPERS_H
#define _LINUX_KSIM_SCENARIO_HELPERS_H
#include <linux/sched.h>
#include <linux/kthread.h>
/* Shared pieces of the issue-4 scenarios (scenarios/common.c, scenarios/uart_irq.c). */

/* A CPU-bound kernel thread: counts loops and records every CPU it ran on, never sleeps or yields,
 * so only preemption takes the CPU away from it. */
struct hog {
	struct task_struct *task;
	volatile unsigned long loops;
	volatile unsigned long cpus_seen;  /* bit n: ran on CPU n */
	volatile unsigned long switches_in; /* times it noticed another hog had run since its last loop */
	int id;
};
struct task_struct *start_hog(struct hog *h, int id, int cpu, int nice);
struct task_struct *create_hog(struct hog *h, int id, int cpu, int nice);
void wake_hogs(struct hog *h, int n);
void stop_hog(struct hog *h);
void stop_hogs(struct hog *h, int n);
extern volatile int hog_last_runner;

/* Read-only views of the scheduler's per-CPU counters (kernel/sched.c). */
unsigned long sched_nr_running(int cpu);
unsigned long long sched_nr_switches(int cpu);
unsigned long sched_nr_preempt_irq(int cpu);
unsigned long sched_nr_preempt_enable(int cpu);
unsigned long sched_nr_resched_ipi(int cpu);
unsigned long sched_nr_pulled(int cpu);
unsigned long sched_max_goodness_examined(int cpu);
unsigned long sched_goodness_picks(int cpu);
unsigned long sched_o1_picks(int cpu);

/* The 16550's "transmitter holding register empty" interrupt as a device interrupt we can cause at
 * will: enabling it (IER bit 1) while THR is empty raises IRQ 4; reading IIR acknowledges it. Nothing
 * may be printed while it is enabled (every byte sent would raise it again). */
#define UART_IRQ 4
void uart_thre_irq_on(void);
void uart_thre_irq_off(void);
int uart_thre_ack(void); /* 1 if the UART reported a THR-empty interrupt */
void uart_irq_save(void);
void uart_irq_restore(void);
#endif
