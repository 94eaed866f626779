/*
 * scenarios/wait.c — wait-herd (ULK3 §3.2.4, seed 003:490–612): the thundering herd of non-exclusive
 * waiters versus exclusive wake-up. Each waiter's wait_queue_t uses a wake function that counts the
 * tasks one wake_up() call woke.
 */
#include <linux/sched.h>
#include <linux/kernel.h>
#include <linux/wait.h>
#include <linux/kthread.h>
#include <linux/ksim_scenario.h>
#include <linux/ksim_scenario_helpers.h>

static const char *yes(int c) { return c ? "yes" : "no"; }
#define NWAITERS 4
static DECLARE_WAIT_QUEUE_HEAD(herd_q);
static DECLARE_WAIT_QUEUE_HEAD(excl_q);
static volatile int woken_by_call, resource, got_resource, herd_returns;

static int counting_wake(wait_queue_t *wait, unsigned mode, int sync, void *key)
{
	int r = autoremove_wake_function(wait, mode, sync, key);
	if (r)
		woken_by_call++;
	return r;
}

/* A waiter: sleep until the "resource" is available, take it, and go back to waiting. */
static int waiter(void *data)
{
	wait_queue_head_t *q = data;
	int exclusive = q == &excl_q;
	while (!kthread_should_stop()) {
		wait_queue_t wait = { .task = current, .func = counting_wake, .task_list = LIST_HEAD_INIT(wait.task_list) };
		if (exclusive)
			prepare_to_wait_exclusive(q, &wait, TASK_INTERRUPTIBLE);
		else
			prepare_to_wait(q, &wait, TASK_INTERRUPTIBLE);
		if (!resource && !kthread_should_stop())
			schedule();
		finish_wait(q, &wait);
		herd_returns++;
		unsigned long flags;
		spin_lock_irqsave(&q->lock, flags);
		if (resource) {
			resource = 0;
			got_resource++;
		}
		spin_unlock_irqrestore(&q->lock, flags);
	}
	return 0;
}

static int queue_len(wait_queue_head_t *q)
{
	unsigned long flags;
	int n = 0;
	struct list_head *p;
	spin_lock_irqsave(&q->lock, flags);
	list_for_each(p, &q->task_list) n++;
	spin_unlock_irqrestore(&q->lock, flags);
	return n;
}

static int wake_round(wait_queue_head_t *q, int *woken, int *took)
{
	while (queue_len(q) < NWAITERS)
		msleep_ticks(1);
	unsigned long flags;
	spin_lock_irqsave(&q->lock, flags);
	woken_by_call = 0;
	got_resource = 0;
	resource = 1;
	__wake_up_common(q, TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE, 1, 0, NULL); /* wake_up() */
	*woken = woken_by_call;
	spin_unlock_irqrestore(&q->lock, flags);
	/* Wait until the resource was taken and every woken waiter is back on the queue. */
	while (resource || queue_len(q) < NWAITERS)
		msleep_ticks(1);
	*took = got_resource;
	return 0;
}

static int wait_herd(void)
{
	struct task_struct *t[2 * NWAITERS];
	for (int i = 0; i < NWAITERS; i++) {
		t[i] = kthread_run(waiter, (void *)&herd_q, "herd/%d", i);
		t[NWAITERS + i] = kthread_run(waiter, (void *)&excl_q, "excl/%d", i);
	}
	int herd_woken, herd_took, excl_woken, excl_took;
	wake_round(&herd_q, &herd_woken, &herd_took);
	wake_round(&excl_q, &excl_woken, &excl_took);
	for (int i = 0; i < 2 * NWAITERS; i++) {
		wake_up_all(i < NWAITERS ? &herd_q : &excl_q);
		kthread_stop(t[i]);
	}
	scenario_summary("%d non-exclusive waiters (add_wait_queue) and %d exclusive ones (add_wait_queue_exclusive)",
			 NWAITERS, NWAITERS);
	scenario_summary("wake_up on the non-exclusive queue woke %d of %d (the herd), %d got the resource",
			 herd_woken, NWAITERS, herd_took);
	scenario_summary("wake_up on the exclusive queue woke %d of %d, %d got the resource", excl_woken, NWAITERS,
			 excl_took);
	return !(herd_woken == NWAITERS && herd_took == 1 && excl_woken == 1 && excl_took == 1);
}
KSIM_SCENARIO(wait_herd, "wait-herd", wait_herd, "thundering herd vs exclusive wake-up");
