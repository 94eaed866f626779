#ifndef _LINUX_KERNEL_STAT_H
#define _LINUX_KERNEL_STAT_H
#include <linux/percpu.h>
#include <linux/smp.h>
#include <asm/hw_irq.h>
/*
 * Per-CPU kernel statistics (2.6.11 include/linux/kernel_stat.h — extrapolated; ULK3 only shows
 * __do_IRQ using it). Each CPU counts the interrupts it took on each IRQ line in its own copy of
 * kstat, so the hot path never shares a cache line with another CPU; /proc/interrupts prints one
 * column per CPU, and kstat_irqs(irq) sums the columns. (2.6.11 also keeps struct cpu_usage_stat
 * cpustat here — user/system/idle ticks; ksim leaves it out.)
 */
struct kernel_stat {
	unsigned int irqs[NR_IRQS];
};

DECLARE_PER_CPU(struct kernel_stat, kstat);

#define kstat_cpu(cpu) per_cpu(kstat, cpu)
/* Callers have interrupts off (or preemption disabled), so this CPU's copy stays this CPU's. */
#define kstat_this_cpu __get_cpu_var(kstat)

/* kstat_irqs: how many times IRQ line `irq` was raised, all CPUs together. */
static inline unsigned int kstat_irqs(unsigned int irq)
{
	unsigned int sum = 0;
	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		sum += kstat_cpu(cpu).irqs[irq];
	return sum;
}
#endif
