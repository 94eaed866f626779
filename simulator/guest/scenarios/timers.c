/*
 * scenarios/timers.c — dynamic timers and cross-CPU function calls.
 *
 * timers (kernel/timer.c; ULK3 §6.5, extrapolated — the seeds only name TIMER_SOFTIRQ): a timer
 * 300 ticks away does not fit in tv1 (256 ticks), sits in tv2 and is cascaded into tv1 when the
 * wheel turns; it still runs in the tick it expires in. mod_timer re-arms a pending timer, del_timer
 * cancels one, del_timer_sync waits for a timer function running on another CPU.
 *
 * ipi-call (seed 003:2875–2913): smp_call_function runs a function on every other CPU through the
 * CALL_FUNCTION_VECTOR IPI; flush_tlb_all sends INVALIDATE_TLB_VECTOR to every other CPU.
 */
#include <linux/sched.h>
#include <linux/kernel.h>
#include <linux/timer.h>
#include <linux/interrupt.h>
#include <linux/ksim_scenario.h>
#include <linux/ksim_scenario_helpers.h>

static const char *yes(int c) { return c ? "yes" : "no"; }

static struct timer_list far_timer, moved_timer, cancelled_timer, slow_timer;
static volatile unsigned long far_ran_at, moved_ran_at;
static volatile int far_in_tv2, cancelled_ran, slow_running, slow_done;

extern unsigned long timer_running_tick(void);
static volatile int ran_early;
static void record_fn(unsigned long data)
{
	/* The wheel slot's tick; jiffies itself may already be further when the softirq runs. */
	*(volatile unsigned long *)data = timer_running_tick();
	if (time_before(jiffies, timer_running_tick()))
		ran_early = 1;
}
static void cancelled_fn(unsigned long data) { cancelled_ran = 1; }
static void slow_fn(unsigned long data)
{
	slow_running = 1;
	unsigned long j = jiffies;
	while (time_before(jiffies, j + 3)) /* a timer function that takes 3 ticks */
		cpu_relax();
	slow_done = 1;
	slow_running = 0;
}

extern int timer_wheel_level(struct timer_list *timer);

static int timers_scn(void)
{
	set_cpus_allowed(current, cpumask_of_cpu(0));
	init_timer(&far_timer);
	far_timer.function = record_fn;
	far_timer.data = (unsigned long)&far_ran_at;
	far_timer.expires = jiffies + 300;
	add_timer(&far_timer);
	far_in_tv2 = timer_wheel_level(&far_timer) == 2;

	init_timer(&moved_timer);
	moved_timer.function = record_fn;
	moved_timer.data = (unsigned long)&moved_ran_at;
	moved_timer.expires = jiffies + 1000;
	add_timer(&moved_timer);
	unsigned long moved_to = jiffies + 20;
	int mod_ret = mod_timer(&moved_timer, moved_to);

	init_timer(&cancelled_timer);
	cancelled_timer.function = cancelled_fn;
	cancelled_timer.expires = jiffies + 10;
	add_timer(&cancelled_timer);
	int del_ret = del_timer(&cancelled_timer);
	int del_again = del_timer(&cancelled_timer);

	/* Once fewer than 256 ticks remain, the wheel has cascaded it down into tv1. */
	while (time_before(jiffies, far_timer.expires - 30))
		msleep_ticks(10);
	int far_cascaded = timer_wheel_level(&far_timer) == 1;
	while (!far_ran_at || !moved_ran_at)
		msleep_ticks(10);

	/* del_timer_sync against a timer function running on another CPU. */
	int sync_ok = 1, was_running = 0;
	if (num_online_cpus() > 1) {
		init_timer(&slow_timer);
		slow_timer.function = slow_fn;
		slow_timer.expires = jiffies + 1;
		add_timer_on(&slow_timer, 1);
		while (!slow_running && !slow_done)
			cpu_relax();
		was_running = slow_running;
		del_timer_sync(&slow_timer);
		sync_ok = slow_done;
	}
	set_cpus_allowed(current, CPU_MASK_ALL);
	scenario_summary("add_timer 300 ticks ahead: placed in tv2 (tv1 covers 256 ticks): %s", yes(far_in_tv2));
	scenario_summary("cascaded into tv1 as its time came near: %s", yes(far_cascaded));
	scenario_summary("it ran from the wheel slot of its expiry tick, never early: %s",
			 yes(far_ran_at == far_timer.expires && !ran_early));
	scenario_summary("mod_timer on a pending timer returned %d and it ran at the new time: %s", mod_ret,
			 yes(moved_ran_at == moved_to));
	scenario_summary("del_timer returned %d, then %d; the function never ran: %s", del_ret, del_again,
			 yes(!cancelled_ran));
	if (num_online_cpus() > 1)
		scenario_summary("del_timer_sync waited for the function running on CPU 1: %s", yes(was_running && sync_ok));
	else
		scenario_summary("del_timer_sync across CPUs: needs 2 CPUs");
	return !(far_in_tv2 && far_cascaded && far_ran_at == far_timer.expires && !ran_early && mod_ret == 1 && moved_ran_at == moved_to &&
		 del_ret == 1 && del_again == 0 && !cancelled_ran && sync_ok);
}
KSIM_SCENARIO(timers, "timers", timers_scn, "the timer wheel: add_timer, cascade, mod_timer, del_timer(_sync)");

static volatile unsigned long called_on;
static void mark_cpu(void *info)
{
	set_bit(smp_processor_id(), (unsigned long *)&called_on);
	if (in_irq())
		set_bit(16 + smp_processor_id(), (unsigned long *)&called_on);
}

static int ipi_call(void)
{
	extern void flush_tlb_all(void);
	extern unsigned long tlb_ipis_received[NR_CPUS];
	int cpu, me = get_cpu();
	unsigned long others = cpu_online_map & ~(1UL << me);
	unsigned long tlb0[NR_CPUS];
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		tlb0[cpu] = tlb_ipis_received[cpu];
	put_cpu();
	preempt_disable();
	smp_call_function(mark_cpu, NULL, 0, 1);
	flush_tlb_all();
	preempt_enable();
	int tlb_all = 1;
	for_each_online_cpu(cpu)
		if ((others >> cpu) & 1)
			tlb_all &= tlb_ipis_received[cpu] > tlb0[cpu];
	int ran_everywhere = (called_on & 0xffff) == others;
	int in_irq_ctx = (called_on >> 16) == others;
	if (num_online_cpus() < 2) {
		scenario_summary("needs 2 CPUs: skipped");
		return 0;
	}
	scenario_summary("smp_call_function ran the function on every other CPU: %s", yes(ran_everywhere));
	scenario_summary("there it ran in interrupt context (CALL_FUNCTION_VECTOR): %s", yes(in_irq_ctx));
	scenario_summary("flush_tlb_all reached every other CPU (INVALIDATE_TLB_VECTOR): %s", yes(tlb_all));
	return !(ran_everywhere && in_irq_ctx && tlb_all);
}
KSIM_SCENARIO(ipi_call, "ipi-call", ipi_call, "smp_call_function and TLB-flush IPIs");
