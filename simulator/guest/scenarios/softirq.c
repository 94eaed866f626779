/*
 * scenarios/softirq.c — deferrable functions: softirq-restart, tasklet-once, tasklet-disabled.
 */
#include <linux/sched.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/interrupt.h>
#include <linux/hardirq.h>
#include <linux/completion.h>
#include <linux/ksim_scenario.h>
#include <linux/ksim_scenario_helpers.h>

static const char *yes(int c) { return c ? "yes" : "no"; }
extern unsigned long tasklet_requeued[NR_CPUS];

/*
 * softirq-restart (ULK3 §4.7.1.4–5, seed 003:3088–3142): a softirq action that raises itself again
 * every time it runs, 50 times. The first __do_softirq (reached from local_bh_enable) makes 10
 * passes, finds the bit set again, gives up and wakes ksoftirqd, which finishes the storm.
 * (The storm uses the NET_RX_SOFTIRQ slot, which this kernel has no network code for.)
 */
#define STORM_RUNS 50
static volatile int storm_runs, storm_runs_first_call, storm_in_first_call;
static struct task_struct *storm_ksoftirqd;
static volatile int storm_runs_in_ksoftirqd;
static DECLARE_COMPLETION(storm_done);

static void storm_action(struct softirq_action *a)
{
	storm_runs++;
	if (storm_in_first_call)
		storm_runs_first_call++;
	if (!strncmp(current->comm, "ksoftirqd", 9))
		storm_runs_in_ksoftirqd++;
	if (storm_runs < STORM_RUNS)
		raise_softirq(NET_RX_SOFTIRQ); /* in softirq context: only marks it pending */
	else
		complete(&storm_done);
}

static int softirq_restart(void)
{
	set_cpus_allowed(current, cpumask_of_cpu(0));
	unsigned long exhausted0 = softirq_restart_exhausted[0];
	open_softirq(NET_RX_SOFTIRQ, storm_action, NULL);
	local_bh_disable();
	raise_softirq(NET_RX_SOFTIRQ);
	storm_in_first_call = 1;
	local_bh_enable(); /* a checkpoint: do_softirq → __do_softirq runs now, here */
	storm_in_first_call = 0;
	int woke = softirq_restart_exhausted[0] > exhausted0;
	wait_for_completion(&storm_done);
	open_softirq(NET_RX_SOFTIRQ, NULL, NULL);
	set_cpus_allowed(current, CPU_MASK_ALL);
	(void)storm_ksoftirqd;
	scenario_summary("a softirq that re-raises itself %d times", STORM_RUNS);
	scenario_summary("the first __do_softirq ran it %d times (10 passes)", storm_runs_first_call);
	scenario_summary("then it gave up and woke ksoftirqd: %s", yes(woke));
	scenario_summary("all %d runs completed: %s", STORM_RUNS, yes(storm_runs == STORM_RUNS));
	return !(storm_runs_first_call == 10 && woke && storm_runs == STORM_RUNS);
}
KSIM_SCENARIO(softirq_restart, "softirq-restart", softirq_restart,
	      "a softirq storm exhausts the 10 restarts of __do_softirq and wakes ksoftirqd");

/*
 * tasklet-once (ULK3 §4.7.2, seed 003:3193–3229): tasklet_schedule twice before the tasklet had a
 * chance to run — the second call finds TASKLET_STATE_SCHED set and does nothing: it runs once.
 */
static volatile int once_runs, once_hi_runs;
static void once_fn(unsigned long data) { once_runs++; }
static void once_hi_fn(unsigned long data) { once_hi_runs++; }
static DECLARE_TASKLET(once_tasklet, once_fn, 0);
static DECLARE_TASKLET(once_hi_tasklet, once_hi_fn, 0);

static int tasklet_once(void)
{
	local_bh_disable();
	tasklet_schedule(&once_tasklet);
	int sched_set = test_bit(TASKLET_STATE_SCHED, &once_tasklet.state);
	tasklet_schedule(&once_tasklet);
	tasklet_hi_schedule(&once_hi_tasklet);
	tasklet_hi_schedule(&once_hi_tasklet);
	local_bh_enable(); /* the tasklets run here */
	int first = once_runs, first_hi = once_hi_runs;
	int sched_clear = !test_bit(TASKLET_STATE_SCHED, &once_tasklet.state);
	tasklet_schedule(&once_tasklet); /* after it ran: schedules again */
	msleep_ticks(2);
	scenario_summary("tasklet_schedule called twice before the tasklet could run");
	scenario_summary("TASKLET_STATE_SCHED set by the first call: %s", yes(sched_set));
	scenario_summary("tasklet ran %d time(s); hi tasklet ran %d time(s)", first, first_hi);
	scenario_summary("SCHED cleared when it ran, so a later schedule runs it again: %s",
			 yes(sched_clear && once_runs == 2));
	return !(sched_set && first == 1 && first_hi == 1 && sched_clear && once_runs == 2);
}
KSIM_SCENARIO(tasklet_once, "tasklet-once", tasklet_once, "a tasklet scheduled twice runs once");

/*
 * tasklet-disabled (seed 003:3219–3225): a tasklet declared disabled (count = 1) is scheduled;
 * tasklet_action finds count != 0, puts it back on the list and raises the softirq again, pass after
 * pass. tasklet_enable drops count to 0 and the next pass runs it.
 */
static volatile int dis_runs;
static DECLARE_COMPLETION(dis_done);
static void dis_fn(unsigned long data)
{
	dis_runs++;
	complete(&dis_done);
}
static DECLARE_TASKLET_DISABLED(dis_tasklet, dis_fn, 0);

static int tasklet_disabled(void)
{
	set_cpus_allowed(current, cpumask_of_cpu(0));
	unsigned long requeued0 = tasklet_requeued[0];
	local_bh_disable();
	tasklet_schedule(&dis_tasklet);
	local_bh_enable(); /* tasklet_action runs: the tasklet is disabled */
	int runs_disabled = dis_runs;
	int requeued = tasklet_requeued[0] > requeued0;
	int still_sched = test_bit(TASKLET_STATE_SCHED, &dis_tasklet.state);
	tasklet_enable(&dis_tasklet);
	wait_for_completion(&dis_done);
	set_cpus_allowed(current, CPU_MASK_ALL);
	scenario_summary("DECLARE_TASKLET_DISABLED, then tasklet_schedule");
	scenario_summary("runs while disabled: %d", runs_disabled);
	scenario_summary("tasklet_action re-queued it and re-raised the softirq: %s", yes(requeued && still_sched));
	scenario_summary("runs after tasklet_enable: %d", dis_runs);
	return !(runs_disabled == 0 && requeued && still_sched && dis_runs == 1);
}
KSIM_SCENARIO(tasklet_disabled, "tasklet-disabled", tasklet_disabled,
	      "a disabled tasklet is re-queued until tasklet_enable");
