/*
 * scenarios/sched.c — the scheduler scenarios: timer-preempt, kernel-preempt, ipi-resched,
 * load-balance, sched-compare. Every summary line is a fact that holds whatever the timing (which
 * CPU count, QEMU or ksim), e.g. "both hogs ran", not "hog 1 ran 1234 loops".
 */
#include <linux/sched.h>
#include <linux/kthread.h>
#include <linux/interrupt.h>
#include <linux/completion.h>
#include <linux/ksim_scenario.h>
#include <linux/ksim_scenario_helpers.h>

static const char *yes(int c) { return c ? "yes" : "no"; }

/*
 * timer-preempt (seed 000:380–424, 003:3506–3548): two CPU-bound kernel threads on one CPU never
 * yield; the local timer's scheduler_tick uses up their time slices, sets TIF_NEED_RESCHED, and the
 * return from the timer interrupt (resume_kernel → need_resched → preempt_schedule_irq) switches to
 * the other one. Break on scheduler_tick / preempt_schedule_irq to watch it.
 */
static int timer_preempt(void)
{
	static struct hog h[2];
	unsigned long pre0 = sched_nr_preempt_irq(0);
	for (int i = 0; i < 2; i++)
		create_hog(&h[i], i, 0, 19); /* nice 19: the shortest time slice (5 ms) */
	wake_hogs(h, 2);
	/* Let them alternate a few times. */
	for (int t = 0; t < 200 && (h[0].switches_in < 2 || h[1].switches_in < 2); t++)
		msleep_ticks(5);
	int both_ran = h[0].loops > 0 && h[1].loops > 0;
	int alternated = h[0].switches_in >= 2 && h[1].switches_in >= 2;
	int preempted = sched_nr_preempt_irq(0) > pre0;
	stop_hogs(h, 2);
	scenario_summary("two CPU-bound threads on CPU 0, neither yields");
	scenario_summary("both ran: %s", yes(both_ran));
	scenario_summary("they alternated at least twice each: %s", yes(alternated));
	scenario_summary("switches came from the timer via preempt_schedule_irq: %s", yes(preempted));
	return !(both_ran && alternated && preempted);
}
KSIM_SCENARIO(timer_preempt, "timer-preempt", timer_preempt,
	      "the timer tick ends a time slice and the interrupt return preempts the task");

/*
 * kernel-preempt (seed 003:3011–3038, 3486–3521): a nice-19 thread loops in kernel mode. A
 * high-priority thread sleeping on a timer is woken by the timer softirq; on the way out of the
 * interrupt, resume_kernel sees preempt_count == 0 and TIF_NEED_RESCHED and calls
 * preempt_schedule_irq: kernel code is preempted. Inside preempt_disable()/preempt_enable() the same
 * wake-up must wait: the switch happens in preempt_enable → preempt_schedule instead.
 */
static volatile int kp_phase; /* 1: looping preemptibly, 2: looping with preemption disabled */
static volatile unsigned long kp_woke_in_phase[3];
static volatile int kp_hog_inside_disabled;
static volatile unsigned long kp_preempt_count_seen;

static int kp_waker(void *data)
{
	for (int round = 1; round <= 2; round++) {
		while (kp_phase != round && !kthread_should_stop())
			msleep_ticks(1);
		/* Sleep on a timer: the timer softirq's wake-up preempts whoever runs on this CPU. */
		msleep_ticks(2);
		kp_woke_in_phase[round] = 1;
		if (round == 2 && kp_hog_inside_disabled)
			kp_preempt_count_seen = 1; /* we ran while the hog was inside its critical section */
	}
	while (!kthread_should_stop())
		msleep_ticks(5);
	return 0;
}

static int kp_spinner(void *data)
{
	/* phase 1: a plain kernel loop — preemptible */
	kp_phase = 1;
	while (!kp_woke_in_phase[1])
		cpu_relax();
	/* phase 2: the same loop inside preempt_disable(): the waker cannot run before preempt_enable */
	preempt_disable();
	kp_hog_inside_disabled = 1;
	kp_phase = 2;
	unsigned long j = jiffies;
	while (time_before(jiffies, j + 6))
		cpu_relax();
	kp_hog_inside_disabled = 0;
	preempt_enable(); /* TIF_NEED_RESCHED is set by now: preempt_schedule runs the waker */
	while (!kthread_should_stop())
		msleep_ticks(1);
	return 0;
}

static int kernel_preempt(void)
{
	unsigned long pirq0 = sched_nr_preempt_irq(0), pen0 = sched_nr_preempt_enable(0);
	struct task_struct *w = kthread_create(kp_waker, NULL, "kp-waker");
	kthread_bind(w, 0);
	set_user_nice(w, -10);
	wake_up_process(w);
	struct task_struct *s = kthread_create(kp_spinner, NULL, "kp-spinner");
	kthread_bind(s, 0);
	set_user_nice(s, 19);
	wake_up_process(s);
	while (!kp_woke_in_phase[2])
		msleep_ticks(2);
	msleep_ticks(2);
	kthread_stop(s);
	kthread_stop(w);
	int irq_preempt = sched_nr_preempt_irq(0) > pirq0;
	int enable_preempt = sched_nr_preempt_enable(0) > pen0;
	scenario_summary("a nice-19 thread loops in kernel mode on CPU 0, a nice -10 thread sleeps on a timer");
	scenario_summary("woken thread preempted the kernel loop (preempt_schedule_irq): %s", yes(irq_preempt));
	scenario_summary("no switch inside preempt_disable(): %s", yes(!kp_preempt_count_seen));
	scenario_summary("switch happened at preempt_enable() (preempt_schedule): %s", yes(enable_preempt));
	return !(irq_preempt && !kp_preempt_count_seen && enable_preempt);
}
KSIM_SCENARIO(kernel_preempt, "kernel-preempt", kernel_preempt,
	      "kernel-mode preemption at resume_kernel, and none while preempt_count > 0");

/*
 * ipi-resched (seed 003:2882): a thread bound to CPU 1 sleeps; CPU 1 halts in cpu_idle. CPU 0 wakes
 * the thread: try_to_wake_up queues it on CPU 1's runqueue and resched_task sends the RESCHEDULE
 * IPI; CPU 1's handler only acknowledges it — the switch happens in ret_from_intr.
 */
static DECLARE_WAIT_QUEUE_HEAD(ipi_wq);
static volatile int ipi_go, ipi_ran_on = -1;
static DECLARE_COMPLETION(ipi_done);

static int ipi_sleeper(void *data)
{
	wait_event(ipi_wq, ipi_go);
	ipi_ran_on = smp_processor_id();
	complete(&ipi_done);
	while (!kthread_should_stop())
		msleep_ticks(5);
	return 0;
}

static int ipi_resched(void)
{
	if (num_online_cpus() < 2) {
		scenario_summary("needs 2 CPUs: skipped");
		return 0;
	}
	struct task_struct *t = kthread_create(ipi_sleeper, NULL, "ipi-sleeper");
	kthread_bind(t, 1);
	wake_up_process(t);
	/* Wait until it sleeps on the queue and CPU 1 is idle again. */
	while (!waitqueue_active(&ipi_wq) || t->state == TASK_RUNNING || !idle_cpu(1))
		msleep_ticks(1);
	unsigned long ipis = sched_nr_resched_ipi(1);
	ipi_go = 1;
	wake_up(&ipi_wq);
	wait_for_completion(&ipi_done);
	int got_ipi = sched_nr_resched_ipi(1) > ipis;
	kthread_stop(t);
	scenario_summary("thread bound to CPU 1 woken from CPU 0");
	scenario_summary("it ran on CPU 1: %s", yes(ipi_ran_on == 1));
	scenario_summary("CPU 1 received a RESCHEDULE IPI: %s", yes(got_ipi));
	return !(ipi_ran_on == 1 && got_ipi);
}
KSIM_SCENARIO(ipi_resched, "ipi-resched", ipi_resched, "cross-CPU wake-up through the RESCHEDULE IPI");

/*
 * load-balance (slides 000:1270): 3 hogs per CPU all start on CPU 0; the idle CPUs' rebalance_tick
 * and idle_balance pull tasks from the busiest runqueue until the load evens out.
 */
static int load_balance_scn(void)
{
	static struct hog h[12];
	int n = 3 * num_online_cpus();
	if (n > 12)
		n = 12;
	unsigned long pulled0 = 0;
	int cpu;
	for_each_online_cpu(cpu) pulled0 += sched_nr_pulled(cpu);
	/* Created from the init thread, pinned to CPU 0 while starting, then allowed everywhere. */
	set_cpus_allowed(current, cpumask_of_cpu(0));
	for (int i = 0; i < n; i++) {
		create_hog(&h[i], i, 0, 19);
		h[i].task->cpus_allowed = CPU_MASK_ALL;
	}
	wake_hogs(h, n);
	set_cpus_allowed(current, CPU_MASK_ALL);
	unsigned long seen = 0, pulled = 0;
	for (int t = 0; t < 100; t++) {
		msleep_ticks(5);
		seen = 0;
		for (int i = 0; i < n; i++)
			seen |= h[i].cpus_seen;
		if (seen == cpu_online_map)
			break;
	}
	for_each_online_cpu(cpu) pulled += sched_nr_pulled(cpu);
	stop_hogs(h, n);
	int spread = seen == cpu_online_map;
	scenario_summary("3 hogs per CPU started on CPU 0");
	scenario_summary("hogs ran on every online CPU: %s", yes(spread));
	scenario_summary("load_balance pulled tasks: %s", yes(num_online_cpus() == 1 || pulled > pulled0));
	return !(spread && (num_online_cpus() == 1 || pulled > pulled0));
}
KSIM_SCENARIO(load_balance, "load-balance", load_balance_scn, "idle CPUs pull tasks from the busiest runqueue");

/*
 * sched-compare: the same 8 runnable hogs on CPU 0 under the O(1) scheduler and then under the 2.4
 * goodness() scheduler (switched at run time here; "sched=goodness" on the command line selects it
 * from boot). O(1) finds the next task with one bitmap search whatever the number of runnable tasks;
 * goodness() examines every runnable task on each schedule().
 */
static int sched_compare(void)
{
	static struct hog h[8];
	int boot_goodness = sched_use_goodness;
	int o1_all_ran = 1, g_all_ran = 1;
	for (int phase = 0; phase < 2; phase++) {
		sched_use_goodness = phase;
		for (int i = 0; i < 8; i++) {
			create_hog(&h[i], i, 0, 19);
			/* 2.4 gives a child half its parent's remaining ticks; start every hog empty instead,
			 * so the next recalculation hands each its nice-19 quantum and all of them run soon. */
			h[i].task->counter = 0;
		}
		wake_hogs(h, 8);
		for (int t = 0; t < 200; t++) {
			msleep_ticks(5);
			int all = 1;
			for (int i = 0; i < 8; i++)
				all &= h[i].loops > 0;
			if (all)
				break;
		}
		for (int i = 0; i < 8; i++)
			if (!h[i].loops)
				*(phase ? &g_all_ran : &o1_all_ran) = 0;
		stop_hogs(h, 8);
	}
	sched_use_goodness = boot_goodness;
	unsigned long examined = sched_max_goodness_examined(0);
	scenario_summary("8 CPU-bound threads on CPU 0");
	scenario_summary("O(1): every thread ran: %s", yes(o1_all_ran));
	scenario_summary("O(1): next task found by sched_find_first_bit over a 140-bit bitmap");
	scenario_summary("goodness: every thread ran: %s", yes(g_all_ran));
	scenario_summary("goodness: examined at least 8 runnable tasks in one schedule(): %s", yes(examined >= 8));
	return !(o1_all_ran && g_all_ran && examined >= 8);
}
KSIM_SCENARIO(sched_compare, "sched-compare", sched_compare, "O(1) bitmap search vs the 2.4 goodness() loop");
