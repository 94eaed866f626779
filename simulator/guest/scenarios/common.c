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

static int hog_fn(void *data)
{
	struct hog *h = data;
	while (!kthread_should_stop()) {
		h->loops++;
		h->cpus_seen |= 1UL << smp_processor_id();
		if (hog_last_runner != h->id) {
			hog_last_runner = h->id;
			h->switches_in++;
		}
		cpu_relax();
	}
	return 0;
}

/* start_hog: a hog kernel thread, bound to cpu (or free if cpu < 0), at the given nice value. */
struct task_struct *start_hog(struct hog *h, int id, int cpu, int nice)
{
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
	wake_up_process(h->task);
	return h->task;
}

void stop_hog(struct hog *h)
{
	kthread_stop(h->task);
}

/* "boot": the kernel came up on every CPU and its kernel threads exist. */
static int boot_scenario(void)
{
	msleep_ticks(2);
	scenario_summary("kernel up, %s", num_online_cpus() >= 1 ? "init running" : "?");
	return 0;
}
KSIM_SCENARIO(boot, "boot", boot_scenario, "boot all CPUs, start the kernel threads, exit");
