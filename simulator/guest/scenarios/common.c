/* scenarios/common.c — helpers shared by the teaching scenarios. */
#include <linux/sched.h>
#include <linux/ksim_scenario.h>

/* Sleep (TASK_UNINTERRUPTIBLE) for the given number of timer ticks. */
void msleep_ticks(unsigned long ticks)
{
	set_current_state(TASK_UNINTERRUPTIBLE);
	schedule_timeout(ticks);
}

/* "boot": the kernel came up on every CPU and its kernel threads exist. */
static int boot_scenario(void)
{
	msleep_ticks(2);
	scenario_summary("cpus online = %d", num_online_cpus());
	return 0;
}
KSIM_SCENARIO(boot, "boot", boot_scenario, "boot all CPUs, start the kernel threads, exit");
