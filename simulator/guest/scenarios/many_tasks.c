/*
 * scenarios/many_tasks.c — many-tasks and many-tasks-hold: a kernel with 1,000 kernel threads, the
 * load a debugger's task view must survive (issue 8: the views are refreshed on every stop).
 *
 * The threads are made the way 2.6 makes kernel threads (kthread_create → kernel_thread → do_fork,
 * then kthread_bind and wake_up_process) and spread round-robin over the online CPUs. They end up in
 * the states a task list shows (ULK3 §3.2.1, seed 003:120–160):
 *   - TASK_INTERRUPTIBLE on one of three wait queues (wait_event_interruptible),
 *   - TASK_UNINTERRUPTIBLE on a fourth queue (wait_event),
 *   - TASK_UNINTERRUPTIBLE in schedule_timeout, i.e. on the timer wheel with no wait queue,
 *   - TASK_RUNNING: a few nice-19 threads that spin, so the runqueues are not empty.
 *
 * "many-tasks" then tears everything down — kthread_stop on each thread, which exits and is released
 * (release_task) — checks that none is left in the pid hash, and exits through port 0xf4.
 * "many_tasks=N" scales the population down (see choose_population).
 * "many-tasks-hold" keeps the threads alive and calls many_tasks_hold_tick() once per tick forever:
 * a place for a debugger's breakpoint that is reached again and again with all 1,000 tasks present.
 *
 * Memory: each thread costs its 8 KB kernel stack (thread_union, two buddy pages) plus a task_struct,
 * about 9 MB for all of them, well inside the 128 MB the tests give the machine. The default
 * max_threads (1024, kernel/fork.c) leaves room for the boot threads beside ours.
 */
#include <linux/sched.h>
#include <linux/kernel.h>
#include <linux/wait.h>
#include <linux/kthread.h>
#include <linux/jiffies.h>
#include <linux/pid.h>
#include <linux/ksim_scenario.h>

#define NR_IQUEUES 3		/* wait queues with TASK_INTERRUPTIBLE sleepers */
#define MAX_MANY 1000

/*
 * How many threads of each kind. "many_tasks=N" on the command line (20..1000, default 1000) scales
 * the population with the same proportions — a debugger benchmark compares N = 1000 with a smaller
 * baseline. For N = 1000: 3 x 240 interruptible, 200 uninterruptible, 72 in schedule_timeout, 8 running.
 */
static int NR_MANY, PER_IQUEUE, NR_USLEEPERS, NR_TIMEOUTS, NR_SPINNERS;

static void choose_population(void)
{
	NR_MANY = get_option_int("many_tasks", MAX_MANY);
	if (NR_MANY < 20 || NR_MANY > MAX_MANY) {
		printk("many_tasks=%d out of range 20..%d, using %d\n", NR_MANY, MAX_MANY, MAX_MANY);
		NR_MANY = MAX_MANY;
	}
	NR_SPINNERS = NR_MANY * 8 / 1000 ? NR_MANY * 8 / 1000 : 1;
	NR_TIMEOUTS = NR_MANY * 72 / 1000;
	PER_IQUEUE = NR_MANY * 240 / 1000;
	NR_USLEEPERS = NR_MANY - NR_IQUEUES * PER_IQUEUE - NR_TIMEOUTS - NR_SPINNERS;
}

static wait_queue_head_t i_queue[NR_IQUEUES];
static DECLARE_WAIT_QUEUE_HEAD(u_queue);
static struct task_struct *many[MAX_MANY];
static int many_pid[MAX_MANY];
static volatile int nr_in_timeout, nr_spinning;

static int sleep_interruptible(void *data)
{
	wait_queue_head_t *q = data;
	while (!kthread_should_stop())
		wait_event_interruptible(*q, kthread_should_stop());
	return 0;
}

static int sleep_uninterruptible(void *data)
{
	(void)data;
	wait_event(u_queue, kthread_should_stop());
	return 0;
}

static int sleep_timeout(void *data)
{
	(void)data;
	__sync_fetch_and_add(&nr_in_timeout, 1);
	/* 100 s: the timer stays pending in an outer wheel level for the whole run; kthread_stop's
	 * wake_up_process ends the sleep early (schedule_timeout deletes the timer). */
	while (!kthread_should_stop())
		msleep_ticks(100 * HZ);
	return 0;
}

/* A runnable thread: it never sleeps, but yields after every loop, which in the O(1) scheduler puts
 * it in the expired array (sys_sched_yield), so the sleepers' wake-ups and the creator run at once
 * instead of waiting for the spinners' time slices. At the tear-down stop_spinning makes every
 * spinner go to sleep at its next turn. */
static volatile int stop_spinning;
static int spin(void *data)
{
	(void)data;
	__sync_fetch_and_add(&nr_spinning, 1);
	while (!kthread_should_stop() && !stop_spinning) {
		cpu_relax();
		yield();
	}
	while (!kthread_should_stop())
		msleep_ticks(100 * HZ);
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

static int all_settled(void)
{
	for (int q = 0; q < NR_IQUEUES; q++)
		if (queue_len(&i_queue[q]) != PER_IQUEUE)
			return 0;
	return queue_len(&u_queue) == NR_USLEEPERS && nr_in_timeout == NR_TIMEOUTS && nr_spinning == NR_SPINNERS;
}

/* Create thread i: which kind it is follows from its index (spinners come last, so the creator is
 * not competing with them while it forks the others). */
static struct task_struct *create_one(int i)
{
	struct task_struct *t;
	int k = i;
	if (k < NR_IQUEUES * PER_IQUEUE)
		t = kthread_create(sleep_interruptible, &i_queue[k % NR_IQUEUES], "isleep%d/%d", k % NR_IQUEUES, k);
	else if ((k -= NR_IQUEUES * PER_IQUEUE) < NR_USLEEPERS)
		t = kthread_create(sleep_uninterruptible, NULL, "usleep/%d", k);
	else if ((k -= NR_USLEEPERS) < NR_TIMEOUTS)
		t = kthread_create(sleep_timeout, NULL, "tsleep/%d", k);
	else {
		k -= NR_TIMEOUTS;
		t = kthread_create(spin, NULL, "spin/%d", k);
		if (t)
			set_user_nice(t, 19);
	}
	if (t)
		kthread_bind(t, i % num_online_cpus());
	return t;
}

/* Build the population; returns how many threads were created (NR_MANY unless fork failed). */
static int many_tasks_setup(void)
{
	int created = 0;
	choose_population();
	stop_spinning = 0;
	for (int q = 0; q < NR_IQUEUES; q++)
		init_waitqueue_head(&i_queue[q]);
	for (int i = 0; i < NR_MANY; i++) {
		many[i] = create_one(i);
		if (!many[i])
			break;
		many_pid[i] = many[i]->pid;
		wake_up_process(many[i]);
		created++;
	}
	if (created == NR_MANY)
		while (!all_settled())
			msleep_ticks(1);
	scenario_summary("%d kernel threads created (kthread_create), spread over the online CPUs", created);
	scenario_summary("%d TASK_INTERRUPTIBLE on %d wait queues, %d TASK_UNINTERRUPTIBLE on one, "
			 "%d in schedule_timeout, %d running (nice 19, yielding)",
			 NR_IQUEUES * PER_IQUEUE, NR_IQUEUES, NR_USLEEPERS, NR_TIMEOUTS, NR_SPINNERS);
	scenario_summary("all of them reached that state: %s", created == NR_MANY ? "yes" : "no");
	return created;
}

static int nr_still_hashed(int created)
{
	int n = 0;
	read_lock(&tasklist_lock);
	for (int i = 0; i < created; i++)
		if (find_task_by_pid(many_pid[i]))
			n++;
	read_unlock(&tasklist_lock);
	return n;
}

/* The tear-down: stop the spinners first (they would otherwise compete with us), then the sleepers.
 * Nobody waits for them: a kernel thread whose parent is a kernel thread (init runs the scenario in
 * kernel mode) is released by exit_notify at once, EXIT_DEAD instead of a zombie — 2.6.11 gets the
 * same by keventd ignoring SIGCHLD. A thread leaves the pid hash a little after kthread_stop returns
 * (it still has to run do_exit), so wait a bounded number of ticks for the last ones. */
static int many_tasks_teardown(int created)
{
	int stopped = 0, left = created;
	stop_spinning = 1;
	for (int i = created - 1; i >= 0; i--) {
		kthread_stop(many[i]);
		stopped++;
	}
	for (int ticks = 0; ticks < 1000 && (left = nr_still_hashed(created)) != 0; ticks++)
		msleep_ticks(1);
	scenario_summary("kthread_stop stopped %d; released without wait4 (exit_notify: EXIT_DEAD): %d", stopped,
			 created - left);
	return stopped == NR_MANY && left == 0 ? 0 : 1;
}

static int many_tasks(void)
{
	int created = many_tasks_setup();
	if (created != NR_MANY)
		return 1;
	return many_tasks_teardown(created);
}
KSIM_SCENARIO(many_tasks, "many-tasks", many_tasks, "1,000 kernel threads in several states, then torn down");

/* Called once per tick while the threads are held: a breakpoint here stops the machine with all of
 * them alive. The counter keeps the call from being optimised away. */
volatile unsigned long many_tasks_ticks;
__attribute__((noinline)) void many_tasks_hold_tick(void)
{
	many_tasks_ticks++;
}

static int many_tasks_hold(void)
{
	if (many_tasks_setup() != NR_MANY)
		return 1;
	printk("many-tasks-hold: holding %d threads; many_tasks_hold_tick() runs once per tick\n", NR_MANY);
	for (;;) {
		many_tasks_hold_tick();
		msleep_ticks(1);
	}
}
KSIM_SCENARIO(many_tasks_hold, "many-tasks-hold", many_tasks_hold,
	      "many-tasks without the tear-down: the 1,000 threads stay for the debugger");
