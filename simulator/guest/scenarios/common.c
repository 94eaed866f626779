/* scenarios/common.c — helpers shared by the teaching scenarios. */
#include <linux/sched.h>
#include <linux/kthread.h>
#include <linux/ksim_scenario.h>
#include <linux/ksim_scenario_helpers.h>
#include <asm/io.h>

/* Sleep (TASK_UNINTERRUPTIBLE) for the given number of timer ticks. */
void msleep_ticks(unsigned long ticks)
{
	set_current_state(TASK_UNINTERRUPTIBLE);
	schedule_timeout(ticks);
}

volatile int hog_last_runner = -1;
volatile int hogs_stop; /* set by stop_hogs: every hog stops spinning at its next turn */

static int hog_fn(void *data)
{
	struct hog *h = data;
	while (!kthread_should_stop() && !hogs_stop) {
		h->loops++;
		h->cpus_seen |= 1UL << smp_processor_id();
		if (hog_last_runner != h->id) {
			hog_last_runner = h->id;
			h->switches_in++;
		}
		cpu_relax();
	}
	/* Told to stop: sleep until kthread_stop (each hog leaves the CPU at its next turn). */
	while (!kthread_should_stop())
		msleep_ticks(10);
	return 0;
}

/* create_hog: a hog kernel thread, bound to cpu (or free if cpu < 0), at the given nice value, not
 * yet running (wake_hogs starts a batch: creating threads while earlier hogs already spin would make
 * the creator wait behind them whenever fork's time-slice split sends it to the expired array). */
struct task_struct *create_hog(struct hog *h, int id, int cpu, int nice)
{
	hogs_stop = 0;
	h->loops = 0;
	h->cpus_seen = 0;
	h->switches_in = 0;
	h->id = id;
	h->task = kthread_create(hog_fn, h, "hog/%d", id);
	if (!h->task)
		panic("cannot create a hog thread");
	if (cpu >= 0)
		kthread_bind(h->task, cpu);
	set_user_nice(h->task, nice);
	return h->task;
}

void wake_hogs(struct hog *h, int n)
{
	for (int i = 0; i < n; i++)
		wake_up_process(h[i].task);
}

struct task_struct *start_hog(struct hog *h, int id, int cpu, int nice)
{
	create_hog(h, id, cpu, nice);
	wake_up_process(h->task);
	return h->task;
}

void stop_hog(struct hog *h)
{
	kthread_stop(h->task);
}

/* stop_hogs: make all n hogs stop spinning at once, then reap them one by one. */
void stop_hogs(struct hog *h, int n)
{
	hogs_stop = 1;
	for (int i = 0; i < n; i++)
		kthread_stop(h[i].task);
	hogs_stop = 0;
}

/* "boot": the kernel came up on every CPU and its kernel threads exist. */
static int boot_scenario(void)
{
	msleep_ticks(2);
	scenario_summary("kernel up, %s", num_online_cpus() >= 1 ? "init running" : "?");
	return 0;
}
KSIM_SCENARIO(boot, "boot", boot_scenario, "boot all CPUs, start the kernel threads, exit");

/*
 * "oops": a kernel bug on purpose — a division by zero in kernel mode. Vector 0 (divide_error, a trap
 * gate) → error_code → do_divide_error → die(): the oops report with the registers and the call
 * trace, then panic, which stops the other CPUs and leaves the machine with exit status 5.
 */
static __attribute__((noinline)) int oops_divide(volatile int *zero)
{
	return 1000 / *zero;
}

static int oops_scenario(void)
{
	volatile int zero = 0;
	scenario_summary("dividing by zero in kernel mode");
	return oops_divide(&zero);
}
KSIM_SCENARIO(oops, "oops", oops_scenario, "a kernel-mode exception: oops report, backtrace, panic");
