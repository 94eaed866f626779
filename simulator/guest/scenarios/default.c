/*
 * scenarios/default.c — "scenario=default" (also when no scenario is named): the demo workload the
 * debugger stops in. It never ends by itself. On every CPU, all the time:
 *   - interrupts: the PIT's IRQ 0 (do_IRQ → __do_IRQ → timer_interrupt) and the local APIC timer;
 *   - softirqs: TIMER_SOFTIRQ every tick, TASKLET_SOFTIRQ from a kernel timer every 10 ticks;
 *   - a tasklet that wakes the "ksimd" thread through a wait queue, and work for keventd;
 *   - context switches: "ping"/"pong" threads handing a token back and forth across CPUs (with
 *     RESCHEDULE IPIs), and one "worker/N" per CPU that computes for a while, then sleeps a tick.
 * Issue 5's user-space init (the shell) is started too when it is linked in.
 */
#include <linux/sched.h>
#include <linux/kernel.h>
#include <linux/interrupt.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <linux/wait.h>
#include <linux/kthread.h>
#include <linux/ksim_scenario.h>
#include <linux/ksim_scenario_helpers.h>

extern int start_user_init(void);

static struct timer_list demo_timer;
static DECLARE_WAIT_QUEUE_HEAD(ksimd_wq);
static volatile unsigned long demo_ticks, tasklet_runs, ksimd_runs, work_runs, pingpong_rounds;
static volatile int ksimd_pending;
static struct work_struct demo_work;

static void demo_tasklet_fn(unsigned long data)
{
	tasklet_runs++;
	ksimd_pending = 1;
	wake_up(&ksimd_wq);
}
static DECLARE_TASKLET(demo_tasklet, demo_tasklet_fn, 0);

static void demo_work_fn(void *data)
{
	work_runs++;
}

/* The kernel timer: runs from TIMER_SOFTIRQ, re-arms itself. */
static void demo_timer_fn(unsigned long data)
{
	demo_ticks++;
	tasklet_schedule(&demo_tasklet);
	if (demo_ticks % 5 == 0)
		schedule_work(&demo_work);
	mod_timer(&demo_timer, jiffies + 10);
}

static int ksimd(void *data)
{
	while (!kthread_should_stop()) {
		wait_event(ksimd_wq, ksimd_pending);
		ksimd_pending = 0;
		ksimd_runs++;
	}
	return 0;
}

/* ping and pong: a token passed through two wait queues; each waits for its turn. */
static DECLARE_WAIT_QUEUE_HEAD(ping_wq);
static DECLARE_WAIT_QUEUE_HEAD(pong_wq);
static volatile int token; /* 0: ping's turn, 1: pong's turn */

static int pingpong(void *data)
{
	int me = (long)data;
	wait_queue_head_t *mine = me ? &pong_wq : &ping_wq, *other = me ? &ping_wq : &pong_wq;
	while (!kthread_should_stop()) {
		wait_event(*mine, token == me);
		if (me)
			pingpong_rounds++;
		msleep_ticks(1);
		token = !me;
		wake_up(other);
	}
	return 0;
}

static int worker(void *data)
{
	volatile unsigned long x = 0;
	while (!kthread_should_stop()) {
		for (int i = 0; i < 20000; i++)
			x += i;
		msleep_ticks(1);
	}
	return 0;
}

static int default_scenario(void)
{
	int cpu;
	INIT_WORK(&demo_work, demo_work_fn, NULL);
	kthread_run(ksimd, NULL, "ksimd");
	struct task_struct *ping = kthread_create(pingpong, (void *)0L, "ping");
	struct task_struct *pong = kthread_create(pingpong, (void *)1L, "pong");
	kthread_bind(ping, 0);
	kthread_bind(pong, num_online_cpus() - 1);
	wake_up_process(ping);
	wake_up_process(pong);
	for_each_online_cpu(cpu) {
		struct task_struct *w = kthread_create(worker, NULL, "worker/%d", cpu);
		kthread_bind(w, cpu);
		set_user_nice(w, 10);
		wake_up_process(w);
	}
	init_timer(&demo_timer);
	demo_timer.function = demo_timer_fn;
	demo_timer.expires = jiffies + 10;
	add_timer(&demo_timer);
	printk("default: workload running (timer, tasklet, work, ping/pong, workers) until the budget ends\n");
	/* Issue 5: pid 1 becomes the user-space init (exec) and does not come back here. */
	start_user_init();
	for (;;)
		msleep_ticks(10 * HZ);
	return 0;
}
KSIM_SCENARIO(default, "default", default_scenario,
	      "all CPUs busy with interrupts, softirqs, tasklets, timers and context switches, forever");
