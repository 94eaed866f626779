#ifndef _LINUX_HARDIRQ_H
#define _LINUX_HARDIRQ_H
#include <linux/preempt.h>
#include <linux/smp.h>
#include <linux/threads.h>
/*
 * irq_cpustat_t (ULK3 §4.6.1.2, seed 003:2571–2593): per-CPU interrupt statistics, and the
 * __softirq_pending mask of softirqs raised on this CPU (seed 003:3011).
 */
typedef struct {
	unsigned int __softirq_pending;
	unsigned long idle_timestamp;
	unsigned int __nmi_count;
	unsigned int apic_timer_irqs;
} __attribute__((aligned(64))) irq_cpustat_t;
extern irq_cpustat_t irq_stat[NR_CPUS];
#define local_softirq_pending() (irq_stat[smp_processor_id()].__softirq_pending)
#define __IRQ_STAT(cpu, member) (irq_stat[cpu].member)

/* irq_enter/irq_exit: entering and leaving a hardirq handler add/remove HARDIRQ_OFFSET in
 * preempt_count; irq_exit runs pending softirqs if we are not nested in another handler. */
#define irq_enter() (add_preempt_count(HARDIRQ_OFFSET))
void irq_exit(void);
#endif
