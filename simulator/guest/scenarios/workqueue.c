/*
 * scenarios/workqueue.c — work queues (ULK3 §4.8, seed 003:3232–3371): work functions that sleep,
 * flush_workqueue, queue_delayed_work/cancel_delayed_work, the events queue.
 */
#include <linux/sched.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <linux/ksim_scenario.h>
#include <linux/ksim_scenario_helpers.h>

static const char *yes(int c) { return c ? "yes" : "no"; }
#define NWORK 4
static struct work_struct works[NWORK], delayed, never, event_work;
static volatile int work_done_count, work_in_worker, work_slept, delayed_ran, never_ran, event_ran;
static volatile unsigned long delayed_queued_at, delayed_ran_at;

static void sleepy_work(void *data)
{
	if (!strncmp(current->comm, "ksimwq/", 7) && !in_interrupt())
		work_in_worker++;
	unsigned long j = jiffies;
	msleep_ticks(2); /* process context: a work function may sleep */
	if (time_after_eq(jiffies, j + 2))
		work_slept++;
	work_done_count++;
}
static void delayed_fn(void *data)
{
	delayed_ran_at = jiffies;
	delayed_ran = 1;
}
static void never_fn(void *data) { never_ran = 1; }
static void event_fn(void *data) { event_ran = !strncmp(current->comm, "events/", 7); }

static int workqueue_scn(void)
{
	struct workqueue_struct *wq = create_workqueue("ksimwq");
	if (!wq)
		panic("create_workqueue failed");
	for (int i = 0; i < NWORK; i++)
		INIT_WORK(&works[i], sleepy_work, NULL);
	INIT_WORK(&delayed, delayed_fn, NULL);
	INIT_WORK(&never, never_fn, NULL);
	INIT_WORK(&event_work, event_fn, NULL);
	int queued = 0;
	/* No preemption while queueing: the (higher-priority) worker cannot run a work before the second
	 * queue_work of the same work_struct, which must find it pending. */
	preempt_disable();
	for (int i = 0; i < NWORK; i++)
		queued += queue_work(wq, &works[i]);
	int requeue = queue_work(wq, &works[0]); /* still pending: refused */
	preempt_enable();
	flush_workqueue(wq);
	int all_done_at_flush = work_done_count == NWORK;
	delayed_queued_at = jiffies;
	queue_delayed_work(wq, &delayed, 5);
	queue_delayed_work(wq, &never, 100000);
	int cancelled = cancel_delayed_work(&never);
	while (!delayed_ran)
		msleep_ticks(1);
	flush_workqueue(wq);
	schedule_work(&event_work);
	flush_scheduled_work();
	destroy_workqueue(wq);
	scenario_summary("create_workqueue(\"ksimwq\"): one worker thread ksimwq/N per CPU");
	scenario_summary("queue_work accepted %d works; a pending one was refused: %s", queued, yes(requeue == 0));
	scenario_summary("works ran in the worker threads and slept: %s",
			 yes(work_in_worker == NWORK && work_slept == NWORK));
	scenario_summary("flush_workqueue returned after all %d had finished: %s", NWORK, yes(all_done_at_flush));
	scenario_summary("queue_delayed_work(5 ticks) ran no earlier: %s", yes(delayed_ran_at - delayed_queued_at >= 5));
	scenario_summary("cancel_delayed_work stopped a pending delayed work: %s", yes(cancelled && !never_ran));
	scenario_summary("schedule_work ran in events/N (keventd): %s", yes(event_ran));
	return !(queued == NWORK && requeue == 0 && work_in_worker == NWORK && work_slept == NWORK && all_done_at_flush &&
		 delayed_ran_at - delayed_queued_at >= 5 && cancelled && !never_ran && event_ran);
}
KSIM_SCENARIO(workqueue, "workqueue", workqueue_scn, "work that sleeps in worker threads; flush_workqueue");
