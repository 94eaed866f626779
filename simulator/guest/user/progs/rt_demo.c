/*
 * rt_demo: the three scheduling policies of Linux side by side (SCHED_OTHER, SCHED_FIFO, SCHED_RR; seed
 * 000:1057–1063), on one CPU so that "who runs when" depends only on the policies.
 *
 * The parent pins itself to CPU 0 (sched_setaffinity; the children inherit cpus_allowed), lowers its nice
 * to 19 (so the RR time slice is the shortest one, 5 ms: the children inherit the static priority), makes
 * itself SCHED_FIFO 50 (more urgent than all of its children, so none of them runs while it sets them
 * up), and creates five CPU-bound children sharing its memory (clone CLONE_VM):
 *
 *     rr1, rr2      SCHED_RR   priority 10
 *     fifo1, fifo2  SCHED_FIFO priority 5
 *     other         SCHED_OTHER
 *
 * Then it sleeps in 1 ms naps until all five have exited. What has to happen, by the rules alone:
 *   1. rr1 and rr2 run first (the highest priority) and take turns: each time the RR slice runs out,
 *      scheduler_tick puts the task at the end of its list in the active array. They stop after 6 switches
 *      between them. Each iteration notes which task ran it, so a switch is seen as a change of runner.
 *   2. Then fifo1 runs to completion before fifo2 starts, although each does 3 times as much work as rr1 or
 *      rr2 did in one whole time slice: a FIFO task has no time slice (scheduler_tick leaves it alone).
 *   3. other runs only when no real-time task is runnable: after all four.
 *   4. The parent, woken by its timer every millisecond, preempts whichever child is running (a woken
 *      task more urgent than current sets TIF_NEED_RESCHED): it sees children mid-work.
 * Nothing printed depends on how fast the CPU is or how many CPUs the machine has; every line is a yes/no
 * or a number fixed by the kernel's rules. Exit status 0 if every check holds.
 */
#include "ulib.h"

#define STACK_SIZE 16384
#define RR_PRIO 10
#define FIFO_PRIO 5
#define PARENT_PRIO 50
#define RR_SWITCHES_WANTED 6
#define RR_MAX_ITERATIONS 4000000	/* only reached if RR never rotates (a broken kernel) */
#define FIFO_SLICES_OF_WORK 3
#define OTHER_ITERATIONS 1000
#define MAX_STINTS 32

enum { T_RR1, T_RR2, T_FIFO1, T_FIFO2, T_OTHER, NTASKS };
static const char *const task_names[NTASKS] = { "rr1", "rr2", "fifo1", "fifo2", "other" };

/* Shared by all (CLONE_VM). Only CPU 0 runs demo tasks, so plain volatile accesses are enough. */
static volatile int last_runner = -1;	/* the task that ran the latest loop iteration */
static volatile int started[NTASKS], done[NTASKS];
static volatile int rr_switches;	/* changes of runner between rr1 and rr2 */
static volatile int rt_ran_before_rr_done;	/* a FIFO task ran before both RR tasks were done */
static volatile int fifo_switches;	/* changes of runner between fifo1 and fifo2 */
static volatile int other_ran_early;	/* other ran before every real-time task was done */
static volatile unsigned int stint_iterations;	/* iterations of the current runner since it took over */
static volatile int stints_seen[NTASKS];
static volatile unsigned int full_slice_stints[MAX_STINTS];
static volatile int nr_full_slice_stints;
static volatile unsigned int fifo_work;	/* iterations each FIFO task does, set when the RR pair is done */
static volatile unsigned int sink;

/* One unit of CPU work: a few steps of a linear congruential generator. */
static unsigned int spin(unsigned int x)
{
	for (int k = 0; k < 50; k++)
		x = x * 1103515245u + 12345u;
	return x;
}

static int is_rr(int t) { return t == T_RR1 || t == T_RR2; }
static int is_fifo(int t) { return t == T_FIFO1 || t == T_FIFO2; }

/* Called by task "me" at every loop iteration: notices when the CPU went from one demo task to another. */
static void note_iteration(int me)
{
	int prev = last_runner;
	if (prev == me) {
		stint_iterations++;
		return;
	}
	/* prev's stint ended. An RR stint that was not the task's first (which used the slice inherited at fork)
	 * and that ended by a switch to the other RR task is exactly one full RR time slice. */
	if (is_rr(prev) && is_rr(me) && stints_seen[prev] > 1 && nr_full_slice_stints < MAX_STINTS)
		full_slice_stints[nr_full_slice_stints++] = stint_iterations;
	if (is_rr(prev) && is_rr(me))
		rr_switches++;
	if (is_fifo(prev) && is_fifo(me))
		fifo_switches++;
	if (is_fifo(me) && !(done[T_RR1] && done[T_RR2]))
		rt_ran_before_rr_done++;
	if (me == T_OTHER && !(done[T_RR1] && done[T_RR2] && done[T_FIFO1] && done[T_FIFO2]))
		other_ran_early++;
	stints_seen[me]++;
	stint_iterations = 1;
	last_runner = me;
}

static int rr_task(int me)
{
	int peer = me == T_RR1 ? T_RR2 : T_RR1;
	unsigned int x = (unsigned int)me;
	for (int i = 0; i < RR_MAX_ITERATIONS && rr_switches < RR_SWITCHES_WANTED && !done[peer]; i++) {
		note_iteration(me);
		x = spin(x);
	}
	sink = x;
	if (done[peer] || rr_switches >= RR_SWITCHES_WANTED) {
		/* The second RR task to finish sizes the FIFO tasks' work: a few full RR slices' worth. */
		unsigned int longest = 0;
		for (int i = 0; i < nr_full_slice_stints; i++)
			if (full_slice_stints[i] > longest)
				longest = full_slice_stints[i];
		fifo_work = FIFO_SLICES_OF_WORK * (longest ? longest : 100000);
	}
	return 0;
}

static int fifo_task(int me)
{
	unsigned int x = (unsigned int)me;
	unsigned int n = fifo_work ? fifo_work : 100000;
	for (unsigned int i = 0; i < n; i++) {
		note_iteration(me);
		x = spin(x);
	}
	sink = x;
	return 0;
}

static int other_task(int me)
{
	unsigned int x = (unsigned int)me;
	for (int i = 0; i < OTHER_ITERATIONS; i++) {
		note_iteration(me);
		x = spin(x);
	}
	sink = x;
	return 0;
}

static int child_main(void *arg)
{
	int me = (int)(long)arg;
	started[me] = 1;
	if (is_rr(me))
		rr_task(me);
	else if (is_fifo(me))
		fifo_task(me);
	else
		other_task(me);
	done[me] = 1;
	return 0;
}

static int failures;

static void check(const char *what, int ok)
{
	printf("rt_demo: %s: %s\n", what, ok ? "yes" : "no");
	if (!ok)
		failures++;
}

static const char *policy_name(int p)
{
	return p == SCHED_FIFO ? "SCHED_FIFO" : p == SCHED_RR ? "SCHED_RR" : p == SCHED_OTHER ? "SCHED_OTHER" : "?";
}

int main(void)
{
	static const int policies[NTASKS] = { SCHED_RR, SCHED_RR, SCHED_FIFO, SCHED_FIFO, SCHED_OTHER };
	static const int prios[NTASKS] = { RR_PRIO, RR_PRIO, FIFO_PRIO, FIFO_PRIO, 0 };
	/* Created in this order: the RR tasks last, so that they inherit the smallest first slices. */
	static const int creation_order[NTASKS] = { T_OTHER, T_FIFO1, T_FIFO2, T_RR1, T_RR2 };
	pid_t pids[NTASKS];
	struct sched_param sp;
	struct timespec ts;

	/* The priority ranges of the three policies. */
	printf("rt_demo: priority range SCHED_OTHER %d..%d, SCHED_FIFO %d..%d, SCHED_RR %d..%d\n",
	       sched_get_priority_min(SCHED_OTHER), sched_get_priority_max(SCHED_OTHER),
	       sched_get_priority_min(SCHED_FIFO), sched_get_priority_max(SCHED_FIFO),
	       sched_get_priority_min(SCHED_RR), sched_get_priority_max(SCHED_RR));
	printf("rt_demo: sched_get_priority_max(7) = %d\n", sched_get_priority_max(7));

	/* One CPU for everyone. */
	unsigned long mask = 1, got = 0;
	int r = sched_setaffinity(0, sizeof(mask), &mask);
	int n = sched_getaffinity(0, sizeof(got), &got);
	printf("rt_demo: pinned to CPU 0: setaffinity %d, getaffinity %d mask %lx\n", r, n, got);

	nice(19);
	sp.sched_priority = PARENT_PRIO;
	r = sched_setscheduler(0, SCHED_FIFO, &sp);
	sp.sched_priority = -1;
	sched_getparam(0, &sp);
	printf("rt_demo: parent: setscheduler %d, now %s priority %d\n", r, policy_name(sched_getscheduler(0)),
	       sp.sched_priority);

	for (int i = 0; i < NTASKS; i++) {
		int t = creation_order[i];
		char *stack = malloc(STACK_SIZE);
		/* Not CLONE_THREAD: each child is a process of its own that the parent reaps with waitpid. */
		pids[t] = clone(child_main, stack + STACK_SIZE, CLONE_VM | SIGCHLD, (void *)(long)t);
		if (pids[t] < 0) {
			printf("rt_demo: clone failed: %d\n", pids[t]);
			return 1;
		}
		/* The child inherited SCHED_FIFO 50 and waits behind us; give it its own policy now. */
		sp.sched_priority = prios[t];
		r = sched_setscheduler(pids[t], policies[t], &sp);
		sp.sched_priority = -1;
		sched_getparam(pids[t], &sp);
		printf("rt_demo: %s: setscheduler %d, now %s priority %d\n", task_names[t], r,
		       policy_name(sched_getscheduler(pids[t])), sp.sched_priority);
	}
	check("no child ran while the SCHED_FIFO 50 parent set them up",
	      !started[T_RR1] && !started[T_RR2] && !started[T_FIFO1] && !started[T_FIFO2] && !started[T_OTHER]);

	/* Bad arguments are refused without changing anything. */
	sp.sched_priority = 0;
	printf("rt_demo: SCHED_FIFO priority 0: %d\n", sched_setscheduler(pids[T_OTHER], SCHED_FIFO, &sp));
	sp.sched_priority = 100;
	printf("rt_demo: SCHED_RR priority 100: %d\n", sched_setscheduler(pids[T_OTHER], SCHED_RR, &sp));
	sp.sched_priority = 5;
	printf("rt_demo: SCHED_OTHER priority 5: %d\n", sched_setscheduler(pids[T_OTHER], SCHED_OTHER, &sp));
	printf("rt_demo: policy 7: %d\n", sched_setscheduler(pids[T_OTHER], 7, &sp));
	printf("rt_demo: no such pid: %d\n", sched_setscheduler(32000, SCHED_RR, &sp));
	printf("rt_demo: NULL param: %d\n", sched_setscheduler(pids[T_OTHER], SCHED_RR, NULL));
	printf("rt_demo: bad param pointer: %d\n", sched_setscheduler(pids[T_OTHER], SCHED_RR, (void *)8));
	printf("rt_demo: other is still %s\n", policy_name(sched_getscheduler(pids[T_OTHER])));

	/* sched_setparam keeps the policy and changes the priority. */
	sp.sched_priority = FIFO_PRIO + 1;
	r = sched_setparam(pids[T_FIFO2], &sp);
	sp.sched_priority = FIFO_PRIO;
	int r2 = sched_setparam(pids[T_FIFO2], &sp);
	sp.sched_priority = -1;
	sched_getparam(pids[T_FIFO2], &sp);
	printf("rt_demo: fifo2: setparam %d %d, now %s priority %d\n", r, r2, policy_name(sched_getscheduler(pids[T_FIFO2])),
	       sp.sched_priority);

	/* The RR slice of a nice-19 task is the minimum, 5 ms; a FIFO task has none. */
	ts.tv_sec = ts.tv_nsec = -1;
	sched_rr_get_interval(pids[T_RR1], &ts);
	printf("rt_demo: rr1 time slice %ld.%09ld s\n", ts.tv_sec, ts.tv_nsec);
	ts.tv_sec = ts.tv_nsec = -1;
	sched_rr_get_interval(pids[T_FIFO1], &ts);
	printf("rt_demo: fifo1 time slice %ld.%09ld s\n", ts.tv_sec, ts.tv_nsec);

	/* Let them run: nap in 1 ms steps, reaping whoever exited. */
	int reaped = 0, woke_mid_work = 0, bad_status = 0;
	while (reaped < NTASKS) {
		msleep(1);
		/* We run now, on CPU 0, while a CPU-bound child that started has not finished: our timer's wake-up
		 * preempted it (or another one of them, which was runnable too). */
		for (int t = 0; t < NTASKS; t++)
			if (started[t] && !done[t])
				woke_mid_work = 1;
		int st;
		pid_t p;
		while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
			reaped++;
			if (!WIFEXITED(st) || WEXITSTATUS(st))
				bad_status++;
		}
		if (p < 0 && p != -ECHILD) {
			printf("rt_demo: waitpid: %d\n", p);
			return 1;
		}
		if (p == -ECHILD)
			break;
	}
	printf("rt_demo: reaped %d children, %d with a bad status\n", reaped, bad_status);

	check("rr1 and rr2 took turns, switching 6 times (RR_SWITCHES_WANTED)", rr_switches >= RR_SWITCHES_WANTED);
	check("rr1 and rr2 ran full slices, which were measured", nr_full_slice_stints >= 2);
	check("fifo1 and fifo2 ran only after both RR tasks were done", !rt_ran_before_rr_done);
	check("each FIFO task ran 3 RR slices' worth of work without the other FIFO task running in between",
	      fifo_switches == 1 && fifo_work > 0);
	check("other ran only after every real-time task was done", !other_ran_early);
	check("the sleeping SCHED_FIFO parent, woken by its timer, preempted a running child", woke_mid_work);
	printf("rt_demo: %s\n", failures ? "FAILED" : "OK");
	return failures ? 1 : 0;
}
