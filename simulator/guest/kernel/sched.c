/*
 * kernel/sched.c — the O(1) scheduler of Linux 2.6 (and, with "sched=goodness" on the command line,
 * the 2.4 goodness() scheduler for comparison).
 *
 * The seeds give the ideas (ULK3 §3.2.2.5 and §3.3, seed 003:229–275, 691–995; slides 000:1214–1277)
 * and defer the internals of schedule(), scheduler_tick() and try_to_wake_up() to chapter 7, which
 * is not among them: the bodies here follow 2.6.11 kernel/sched.c and are marked as extrapolation.
 *
 * Every CPU has a runqueue with two priority arrays. "active" holds the runnable tasks that still
 * have time slice left, "expired" those that used it up. schedule() takes the first task of the
 * highest-priority non-empty list of active — one find-first-bit on a 140-bit bitmap, hence O(1).
 * When active is empty, the two arrays swap. A task's dynamic priority is its static (nice)
 * priority adjusted by up to ±5 from sleep_avg: tasks that sleep a lot (interactive ones) get a
 * bonus, and interactive tasks whose slice ends go back into active instead of expired.
 */
#include <linux/sched.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/interrupt.h>
#include <linux/hardirq.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/time.h>
#include <linux/pid.h>
#include <asm/system.h>
#include <asm/apic.h>
#include <asm/hw_irq.h>
#include <asm/desc.h>
#include <asm/uaccess.h>
#include <asm/errno.h>

/* ---- priorities and time slices (extrapolated from 2.6.11) ---- */
#define USER_PRIO(p) ((p) - MAX_RT_PRIO)
#define TASK_USER_PRIO(p) USER_PRIO((p)->static_prio)
#define MAX_USER_PRIO (USER_PRIO(MAX_PRIO))
#define NS_PER_JIFFY (1000000000UL / HZ)
#define NS_TO_JIFFIES(t) ((unsigned long)((t) / NS_PER_JIFFY))
#define JIFFIES_TO_NS(t) ((unsigned long long)(t) * NS_PER_JIFFY)
#define MIN_TIMESLICE max(5 * HZ / 1000, 1U)
#define DEF_TIMESLICE max(100 * HZ / 1000, 1U)
#define ON_RUNQUEUE_WEIGHT 30
#define CHILD_PENALTY 95
#define PARENT_PENALTY 100
#define PRIO_BONUS_RATIO 25
#define MAX_BONUS (MAX_USER_PRIO * PRIO_BONUS_RATIO / 100)
#define INTERACTIVE_DELTA 2
#define MAX_SLEEP_AVG (DEF_TIMESLICE * MAX_BONUS)
#define STARVATION_LIMIT (MAX_SLEEP_AVG)
#define NS_MAX_SLEEP_AVG (JIFFIES_TO_NS(MAX_SLEEP_AVG))
#define CURRENT_BONUS(p) current_bonus(p)
#define GRANULARITY max(10 * HZ / 1000, 1U)
#define TIMESLICE_GRANULARITY(p) (GRANULARITY * (1 << (((MAX_BONUS - CURRENT_BONUS(p)) ?: 1) - 1)))
#define SCALE(v1, v1_max, v2_max) ((v1) * (v2_max) / (v1_max))
#define DELTA(p) (SCALE(TASK_NICE(p), 40, MAX_BONUS) + INTERACTIVE_DELTA)
#define TASK_INTERACTIVE(p) ((p)->prio <= (p)->static_prio - DELTA(p))
#define INTERACTIVE_SLEEP(p) (JIFFIES_TO_NS(MAX_SLEEP_AVG * (MAX_BONUS / 2 + DELTA((p)) + 1) / MAX_BONUS - 1))
#define TASK_PREEMPTS_CURR(p, rq) ((p)->prio < (rq)->curr->prio)

/* CURRENT_BONUS: sleep_avg scaled to 0..MAX_BONUS. */
static inline int current_bonus(struct task_struct *p)
{
	return (int)(NS_TO_JIFFIES((unsigned long long)p->sleep_avg) * MAX_BONUS / MAX_SLEEP_AVG);
}

/* Time slice from the static priority: nice 0 gets 100 ms, nice -20 800 ms, nice +19 5 ms. */
#define SCALE_PRIO(x, prio) max((x) * (MAX_PRIO - (prio)) / (MAX_USER_PRIO / 2), MIN_TIMESLICE)
static unsigned int task_timeslice(struct task_struct *p)
{
	if (p->static_prio < NICE_TO_PRIO(0))
		return SCALE_PRIO(DEF_TIMESLICE * 4, p->static_prio);
	return SCALE_PRIO(DEF_TIMESLICE, p->static_prio);
}

/*
 * The per-CPU runqueue (2.6.11 "struct runqueue"; the seeds show only the idea, 000:1217). lock
 * protects everything in it; curr is the running task, idle the CPU's swapper.
 */
typedef struct runqueue {
	spinlock_t lock;
	unsigned long nr_running;
	unsigned long long nr_switches;
	unsigned long expired_timestamp, nr_uninterruptible;
	unsigned long long timestamp_last_tick;
	struct task_struct *curr, *idle;
	struct mm_struct *prev_mm;
	prio_array_t *active, *expired, arrays[2];
	int best_expired_prio;
	int cpu;
	/* load balancing and migration */
	unsigned long balance_ticks;
	unsigned long nr_pulled, nr_balance_calls;
	struct task_struct *migration_thread;
	struct list_head migration_queue;
	/* ksim counters for the scenarios and the debugger */
	unsigned long nr_preempt_irq;     /* preempt_schedule_irq calls (kernel preemption) */
	unsigned long nr_preempt_enable;  /* preempt_schedule calls from preempt_enable */
	unsigned long nr_resched_ipi;     /* RESCHEDULE IPIs received */
	unsigned long nr_goodness_examined, nr_goodness_picks, max_goodness_examined;
	unsigned long nr_o1_picks;
} runqueue_t;

DEFINE_PER_CPU(runqueue_t, runqueues);
#define cpu_rq(cpu) (&per_cpu(runqueues, (cpu)))
#define this_rq() (&__get_cpu_var(runqueues))
#define task_rq(p) cpu_rq(task_cpu(p))
#define cpu_curr(cpu) (cpu_rq(cpu)->curr)
#define task_running(rq, p) ((rq)->curr == (p))

int sched_use_goodness;
struct task_struct *idle_tasks[NR_CPUS];
DEFINE_RWLOCK(tasklist_lock);
int nr_threads;

/*
 * sched_clock: nanoseconds since boot for the interactivity estimate. 2.6.11 reads the TSC when
 * the CPU has one and falls back to jiffies; ksim always uses jiffies so that the scheduler's
 * decisions depend on virtual ticks only.
 */
unsigned long long sched_clock(void)
{
	return JIFFIES_TO_NS(jiffies_64);
}

/* task_rq_lock: lock the runqueue p is on (p may move between the read and the lock: retry). */
static runqueue_t *task_rq_lock(struct task_struct *p, unsigned long *flags)
{
	runqueue_t *rq;
repeat:
	local_irq_save(*flags);
	rq = task_rq(p);
	_raw_spin_lock(&rq->lock);
	if (unlikely(rq != task_rq(p))) {
		_raw_spin_unlock(&rq->lock);
		local_irq_restore(*flags);
		goto repeat;
	}
	return rq;
}
static inline void task_rq_unlock(runqueue_t *rq, unsigned long *flags)
{
	_raw_spin_unlock(&rq->lock);
	local_irq_restore(*flags);
}

/* Two runqueues are always locked in address order, so two CPUs balancing against each other
 * cannot deadlock. */
static void double_rq_lock(runqueue_t *rq1, runqueue_t *rq2)
{
	if (rq1 == rq2)
		_raw_spin_lock(&rq1->lock);
	else if (rq1 < rq2) {
		_raw_spin_lock(&rq1->lock);
		_raw_spin_lock(&rq2->lock);
	} else {
		_raw_spin_lock(&rq2->lock);
		_raw_spin_lock(&rq1->lock);
	}
}
static void double_rq_unlock(runqueue_t *rq1, runqueue_t *rq2)
{
	_raw_spin_unlock(&rq1->lock);
	if (rq1 != rq2)
		_raw_spin_unlock(&rq2->lock);
}

/* enqueue_task / dequeue_task (seed 003:268–275): the list of the task's priority plus its bitmap bit. */
static void dequeue_task(struct task_struct *p, prio_array_t *array)
{
	array->nr_active--;
	list_del(&p->run_list);
	if (list_empty(array->queue + p->prio))
		__clear_bit(p->prio, array->bitmap);
}
static void enqueue_task(struct task_struct *p, prio_array_t *array)
{
	list_add_tail(&p->run_list, array->queue + p->prio);
	__set_bit(p->prio, array->bitmap);
	array->nr_active++;
	p->array = array;
}
/* requeue_task: to the end of its list (round robin among equal priorities). */
static void requeue_task(struct task_struct *p, prio_array_t *array)
{
	list_move_tail(&p->run_list, array->queue + p->prio);
}
static inline void enqueue_task_head(struct task_struct *p, prio_array_t *array)
{
	list_add(&p->run_list, array->queue + p->prio);
	__set_bit(p->prio, array->bitmap);
	array->nr_active++;
	p->array = array;
}

/* effective_prio: static_prio minus the sleep bonus (-5..+5), clamped to the non-RT range. */
static int effective_prio(struct task_struct *p)
{
	int bonus, prio;
	if (rt_task(p))
		return p->prio;
	bonus = CURRENT_BONUS(p) - MAX_BONUS / 2;
	prio = p->static_prio - bonus;
	if (prio < MAX_RT_PRIO)
		prio = MAX_RT_PRIO;
	if (prio > MAX_PRIO - 1)
		prio = MAX_PRIO - 1;
	return prio;
}

static void __activate_task(struct task_struct *p, runqueue_t *rq)
{
	enqueue_task(p, rq->active);
	rq->nr_running++;
}

/*
 * recalc_task_prio: credit the time p slept to sleep_avg (weighted so that tasks with little bonus
 * gain it faster), cap it, and recompute the dynamic priority. A long sleeper becomes interactive
 * at once; tasks woken from TASK_UNINTERRUPTIBLE (activated == -1: disk waits) are capped lower.
 */
static void recalc_task_prio(struct task_struct *p, unsigned long long now)
{
	unsigned long long __sleep_time = now - p->timestamp;
	unsigned long sleep_time;
	if (__sleep_time > NS_MAX_SLEEP_AVG)
		sleep_time = NS_MAX_SLEEP_AVG;
	else
		sleep_time = (unsigned long)__sleep_time;
	if (likely(sleep_time > 0)) {
		if (p->mm && p->activated != -1 && sleep_time > INTERACTIVE_SLEEP(p)) {
			p->sleep_avg = JIFFIES_TO_NS(MAX_SLEEP_AVG - DEF_TIMESLICE);
		} else {
			sleep_time *= (MAX_BONUS - CURRENT_BONUS(p)) ?: 1;
			if (p->activated == -1 && p->mm) {
				if (p->sleep_avg >= INTERACTIVE_SLEEP(p))
					sleep_time = 0;
				else if (p->sleep_avg + sleep_time >= INTERACTIVE_SLEEP(p)) {
					p->sleep_avg = INTERACTIVE_SLEEP(p);
					sleep_time = 0;
				}
			}
			p->sleep_avg += sleep_time;
			if (p->sleep_avg > NS_MAX_SLEEP_AVG)
				p->sleep_avg = NS_MAX_SLEEP_AVG;
		}
	}
	p->prio = effective_prio(p);
}

/* activate_task: put a woken task on the runqueue. activated = 2 if woken from an interrupt handler
 * (the wakeup's sleep counts fully), 1 from process context (counts ON_RUNQUEUE_WEIGHT %). */
static void activate_task(struct task_struct *p, runqueue_t *rq, int local)
{
	unsigned long long now = sched_clock();
	recalc_task_prio(p, now);
	if (!p->activated)
		p->activated = in_interrupt() ? 2 : 1;
	p->timestamp = now;
	__activate_task(p, rq);
}

static void deactivate_task(struct task_struct *p, runqueue_t *rq)
{
	rq->nr_running--;
	dequeue_task(p, p->array);
	p->array = NULL;
}

/*
 * resched_task: ask the CPU running p to call schedule() soon. Locally: set TIF_NEED_RESCHED, which
 * the return from interrupt (ret_from_intr) checks. On another CPU: set the flag and send a
 * RESCHEDULE_VECTOR IPI so that CPU goes through ret_from_intr now (seed 003:2882).
 */
static void resched_task(struct task_struct *p)
{
	int need_resched, nrpolling;
	need_resched = test_and_set_bit(TIF_NEED_RESCHED, &p->thread_info->flags);
	nrpolling = test_ti_thread_flag(p->thread_info, TIF_POLLING_NRFLAG);
	if (!need_resched && !nrpolling && (task_cpu(p) != smp_processor_id()))
		smp_send_reschedule(task_cpu(p));
}

int idle_cpu(int cpu)
{
	return cpu_curr(cpu) == cpu_rq(cpu)->idle;
}

/*
 * try_to_wake_up (extrapolated from 2.6.11; the seeds only use it, 003:490–612): make a sleeping
 * task runnable if its state is one of "state". Chooses the CPU: the one it last ran on (its cache
 * is warm there), unless that CPU is busy while the waking CPU is idle and allowed, in which case
 * the task is pulled over. If the woken task has a higher priority than the one running on its
 * CPU, that CPU is asked to reschedule (an IPI if it is another CPU).
 */
int try_to_wake_up(struct task_struct *p, unsigned int state, int sync)
{
	int cpu, this_cpu, success = 0;
	unsigned long flags;
	long old_state;
	runqueue_t *rq;

	rq = task_rq_lock(p, &flags);
	old_state = p->state;
	if (!(old_state & state))
		goto out;
	if (p->array)
		goto out_running;

	cpu = task_cpu(p);
	this_cpu = smp_processor_id();
	if (unlikely(task_running(rq, p)))
		goto out_activate;

	/* Pull the wakee to this CPU if it is idle and its own CPU is busy. */
	if (cpu != this_cpu && cpu_isset(this_cpu, p->cpus_allowed) && idle_cpu(this_cpu) && !idle_cpu(cpu) &&
	    cpu_online(this_cpu)) {
		set_task_cpu(p, this_cpu);
		task_rq_unlock(rq, &flags);
		rq = task_rq_lock(p, &flags);
		old_state = p->state;
		if (!(old_state & state))
			goto out;
		if (p->array)
			goto out_running;
		this_cpu = smp_processor_id();
		cpu = task_cpu(p);
	}

out_activate:
	if (old_state == TASK_UNINTERRUPTIBLE) {
		rq->nr_uninterruptible--;
		p->activated = -1; /* tasks waking from uninterruptible sleep are not credited fully */
	}
	activate_task(p, rq, cpu == this_cpu);
	if (!sync || cpu != this_cpu) {
		if (TASK_PREEMPTS_CURR(p, rq) || (sched_use_goodness && rq->curr == rq->idle))
			resched_task(rq->curr);
	}
	success = 1;

out_running:
	p->state = TASK_RUNNING;
out:
	task_rq_unlock(rq, &flags);
	return success;
}

int wake_up_process(struct task_struct *p)
{
	return try_to_wake_up(p, TASK_STOPPED | TASK_TRACED | TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE, 0);
}

int wake_up_state(struct task_struct *p, unsigned int state)
{
	return try_to_wake_up(p, state, 0);
}

/*
 * sched_fork (seed 003:1281): a new task is TASK_RUNNING but not yet on a runqueue, has
 * preempt_count 1 (schedule_tail drops it), and takes half of the parent's remaining time slice so
 * that forking does not create CPU time.
 */
void sched_fork(struct task_struct *p)
{
	p->state = TASK_RUNNING;
	INIT_LIST_HEAD(&p->run_list);
	p->array = NULL;
	p->thread_info->preempt_count = 1;
	local_irq_disable();
	set_task_cpu(p, smp_processor_id());
	p->time_slice = (current->time_slice + 1) >> 1;
	p->first_time_slice = 1;
	current->time_slice >>= 1;
	p->timestamp = sched_clock();
	if (unlikely(!current->time_slice)) {
		current->time_slice = 1;
		preempt_disable();
		scheduler_tick(0, 0);
		local_irq_enable();
		preempt_enable();
	} else
		local_irq_enable();
	p->counter = (current->counter + 1) >> 1;
	current->counter >>= 1;
}

/*
 * wake_up_new_task (seed 003:1179–1183): a child without CLONE_VM that runs on the parent's CPU is
 * put just ahead of the parent (so it runs first and an exec avoids needless copy-on-write);
 * otherwise it goes at the tail of its runqueue.
 */
void wake_up_new_task(struct task_struct *p, unsigned long clone_flags)
{
	unsigned long flags;
	int this_cpu, cpu;
	runqueue_t *rq = task_rq_lock(p, &flags);
	cpu = task_cpu(p);
	this_cpu = smp_processor_id();
	p->sleep_avg = JIFFIES_TO_NS(CURRENT_BONUS(p) * CHILD_PENALTY / 100 * MAX_SLEEP_AVG / MAX_BONUS);
	p->prio = effective_prio(p);
	if (likely(cpu == this_cpu)) {
		if (!(clone_flags & CLONE_VM) && current->array && !rt_task(current) && !sched_use_goodness) {
			/* Insert just ahead of the parent: the child runs first. */
			p->prio = current->prio;
			list_add_tail(&p->run_list, &current->run_list);
			p->array = current->array;
			p->array->nr_active++;
			rq->nr_running++;
			set_tsk_need_resched(current);
		} else {
			__activate_task(p, rq);
			if (TASK_PREEMPTS_CURR(p, rq))
				set_tsk_need_resched(current);
		}
	} else {
		__activate_task(p, rq);
		if (TASK_PREEMPTS_CURR(p, rq) || rq->curr == rq->idle)
			resched_task(rq->curr);
	}
	current->sleep_avg = JIFFIES_TO_NS(CURRENT_BONUS(current) * PARENT_PENALTY / 100 * MAX_SLEEP_AVG / MAX_BONUS);
	task_rq_unlock(rq, &flags);
}

/* sched_exit: give the unused time slice of a child back to its parent. */
void sched_exit(struct task_struct *p)
{
	unsigned long flags;
	runqueue_t *rq = task_rq_lock(p->parent, &flags);
	if (p->first_time_slice) {
		p->parent->time_slice += p->time_slice;
		if (unlikely(p->parent->time_slice > task_timeslice(p)))
			p->parent->time_slice = task_timeslice(p);
	}
	task_rq_unlock(rq, &flags);
}

/* ---- switching ---- */

void mmdrop(struct mm_struct *mm)
{
	extern void __mmdrop(struct mm_struct *mm);
	if (atomic_dec_and_test(&mm->mm_count))
		__mmdrop(mm);
}

/* switch_mm: load the next address space's page directory into cr3 (which flushes the TLB). A
 * kernel thread keeps the previous one ("lazy TLB"): kernel addresses are the same in every mm. */
static inline void switch_mm(struct mm_struct *prev, struct mm_struct *next, struct task_struct *tsk)
{
	int cpu = smp_processor_id();
	if (likely(prev != next)) {
		clear_bit(cpu, &prev->cpu_vm_mask);
		set_bit(cpu, &next->cpu_vm_mask);
		load_cr3(__pa(next->pgd));
	}
}

/*
 * finish_task_switch: the tail of a switch, run by the *new* task (on its first run from
 * schedule_tail). Releases the runqueue lock taken by schedule() in the old task, drops the mm a
 * kernel thread borrowed, and frees a dead prev's task_struct reference.
 */
static void finish_task_switch(struct task_struct *prev)
{
	runqueue_t *rq = this_rq();
	struct mm_struct *mm = rq->prev_mm;
	unsigned long prev_task_flags;
	rq->prev_mm = NULL;
	prev_task_flags = prev->flags;
	prev->last_cpu = rq->cpu;
	_raw_spin_unlock(&rq->lock);
	local_irq_enable();
	if (mm)
		mmdrop(mm);
	if (unlikely(prev_task_flags & PF_DEAD))
		put_task_struct(prev);
}

/* schedule_tail: the first thing a new task does (from ret_from_fork, seed 003:1289). */
asmlinkage void schedule_tail(struct task_struct *prev)
{
	finish_task_switch(prev);
	preempt_enable();
}

/*
 * context_switch (named at 000:1344; body extrapolated from 2.6.11): switch the address space, then
 * the kernel stack and registers with switch_to. A kernel thread has no mm and borrows prev's
 * active_mm. Returns the task that ran before current — after switch_to, "prev" is whoever switched
 * to us, not the task that called context_switch (seed 003:761–767, the three-process example).
 */
static inline struct task_struct *context_switch(runqueue_t *rq, struct task_struct *prev, struct task_struct *next)
{
	struct mm_struct *mm = next->mm;
	struct mm_struct *oldmm = prev->active_mm;
	if (unlikely(!mm)) {
		next->active_mm = oldmm;
		atomic_inc(&oldmm->mm_count);
	} else
		switch_mm(oldmm, mm, next);
	if (unlikely(!prev->mm)) {
		prev->active_mm = NULL;
		rq->prev_mm = oldmm;
	}
	switch_to(prev, next, prev);
	return prev;
}

/*
 * goodness (2.4, seed 000:1214ff; used with sched=goodness): the 2.4 scheduler examined every
 * runnable task and picked the best "goodness": a real-time task 1000 + rt_priority; a task with
 * no ticks left 0; otherwise its remaining ticks (counter) + 20 - nice, +1 if it shares the
 * current address space. Cost: O(number of runnable tasks) per schedule().
 */
static int goodness(struct task_struct *p, struct mm_struct *this_mm)
{
	if (p->policy != SCHED_NORMAL)
		return 1000 + p->rt_priority;
	if (!p->counter)
		return 0;
	return p->counter + 20 - TASK_NICE(p) + (p->mm == this_mm || !p->mm);
}
#define NICE_TO_TICKS(nice) ((unsigned)(((20 - (nice)) >> 2) * HZ / 50 + 1))

static struct task_struct *pick_next_goodness(runqueue_t *rq, struct task_struct *prev)
{
	struct task_struct *next = NULL, *p;
	int best, examined;
	struct list_head *pos;
	for (;;) {
		best = -1;
		examined = 0;
		for (int a = 0; a < 2; a++)
			for (int i = 0; i < MAX_PRIO; i++)
				list_for_each(pos, &rq->arrays[a].queue[i]) {
					p = list_entry(pos, struct task_struct, run_list);
					int w = goodness(p, prev->active_mm);
					examined++;
					if (w > best) {
						best = w;
						next = p;
					}
				}
		rq->nr_goodness_examined += examined;
		if (examined > rq->max_goodness_examined)
			rq->max_goodness_examined = examined;
		if (best != 0)
			break;
		/* Every runnable task used up its counter: the 2.4 "recalculate" loop over all tasks. */
		for (int a = 0; a < 2; a++)
			for (int i = 0; i < MAX_PRIO; i++)
				list_for_each(pos, &rq->arrays[a].queue[i]) {
					p = list_entry(pos, struct task_struct, run_list);
					p->counter = (p->counter >> 1) + NICE_TO_TICKS(TASK_NICE(p));
				}
	}
	rq->nr_goodness_picks++;
	return next;
}

/*
 * load_balance (slides 000:1270, body simplified from 2.6.11): find the busiest CPU; if it has at
 * least two tasks more than this one, pull half the difference over — tasks from its expired array
 * first (they will not run there soon anyway), never the one running, only where cpus_allowed permits.
 */
static void pull_task(runqueue_t *src_rq, prio_array_t *src_array, struct task_struct *p, runqueue_t *this_rq,
		      prio_array_t *this_array, int this_cpu)
{
	dequeue_task(p, src_array);
	src_rq->nr_running--;
	set_task_cpu(p, this_cpu);
	this_rq->nr_running++;
	enqueue_task(p, this_array);
	if (TASK_PREEMPTS_CURR(p, this_rq))
		resched_task(this_rq->curr);
}

static int load_balance(int this_cpu, runqueue_t *this_rq, int idle)
{
	runqueue_t *busiest = NULL;
	unsigned long max_load = 0;
	int c, moved = 0;
	this_rq->nr_balance_calls++;
	for_each_online_cpu(c) {
		runqueue_t *rq = cpu_rq(c);
		if (c != this_cpu && rq->nr_running > max_load) {
			max_load = rq->nr_running;
			busiest = rq;
		}
	}
	if (!busiest)
		return 0;
	double_rq_lock(this_rq, busiest);
	long imbalance = ((long)busiest->nr_running - (long)this_rq->nr_running) / 2;
	if (imbalance < 1 || busiest->nr_running < 2)
		goto out;
	for (int pass = 0; pass < 2 && imbalance > 0; pass++) {
		prio_array_t *array = pass == 0 ? busiest->expired : busiest->active;
		prio_array_t *dst = pass == 0 ? this_rq->expired : this_rq->active;
		for (int idx = 0; idx < MAX_PRIO && imbalance > 0; idx++) {
			struct list_head *pos, *n;
			list_for_each_safe(pos, n, &array->queue[idx]) {
				struct task_struct *p = list_entry(pos, struct task_struct, run_list);
				if (task_running(busiest, p) || !cpu_isset(this_cpu, p->cpus_allowed) ||
				    p == busiest->migration_thread)
					continue;
				pull_task(busiest, array, p, this_rq, dst, this_cpu);
				moved++;
				if (--imbalance <= 0)
					break;
			}
		}
	}
	this_rq->nr_pulled += moved;
out:
	double_rq_unlock(this_rq, busiest);
	return moved;
}

/* idle_balance: about to go idle — try to pull work first. */
static void idle_balance(int this_cpu, runqueue_t *this_rq)
{
	load_balance(this_cpu, this_rq, 1);
}

/* rebalance_tick: every tick when idle, every 200 ms when busy (slides 000:1270). */
static void rebalance_tick(int this_cpu, runqueue_t *this_rq, int idle)
{
	unsigned long interval = idle ? 1 : max(HZ / 5, 1U);
	if (++this_rq->balance_ticks >= interval) {
		this_rq->balance_ticks = 0;
		if (!sched_use_goodness)
			load_balance(this_cpu, this_rq, idle);
	}
}

/*
 * scheduler_tick (extrapolated from 2.6.11; called by update_process_times on every local timer
 * tick, with interrupts off): charge the tick to current's time slice. When the slice is used up,
 * compute a new priority and slice and move the task to the expired array — unless it is
 * interactive and nobody is starving, in which case it stays in active. Either way set
 * TIF_NEED_RESCHED so the interrupt return path calls schedule().
 */
#define EXPIRED_STARVING(rq) \
	(((rq)->expired_timestamp && \
	  (jiffies - (rq)->expired_timestamp >= STARVATION_LIMIT * ((rq)->nr_running) + 1)) || \
	 ((rq)->curr->static_prio > (rq)->best_expired_prio))

void scheduler_tick(int user_ticks, int sys_ticks)
{
	int cpu = smp_processor_id();
	runqueue_t *rq = this_rq();
	struct task_struct *p = current;
	rq->timestamp_last_tick = sched_clock();
	if (p == rq->idle) {
		rebalance_tick(cpu, rq, 1);
		return;
	}
	if (sched_use_goodness) {
		/* 2.4: one tick less of counter; at zero, reschedule. */
		if (p->counter > 0)
			p->counter--;
		if (p->counter <= 0) {
			p->counter = 0;
			set_tsk_need_resched(p);
		}
		rebalance_tick(cpu, rq, 0);
		return;
	}
	/* The task might have expired already but not been scheduled off yet. */
	if (p->array != rq->active) {
		set_tsk_need_resched(p);
		goto out;
	}
	_raw_spin_lock(&rq->lock);
	if (rt_task(p)) {
		/* SCHED_RR: round robin among equal RT priorities; SCHED_FIFO: run until it yields. */
		if ((p->policy == SCHED_RR) && !--p->time_slice) {
			p->time_slice = task_timeslice(p);
			p->first_time_slice = 0;
			set_tsk_need_resched(p);
			requeue_task(p, rq->active);
		}
		goto out_unlock;
	}
	if (!--p->time_slice) {
		dequeue_task(p, rq->active);
		set_tsk_need_resched(p);
		p->prio = effective_prio(p);
		p->time_slice = task_timeslice(p);
		p->first_time_slice = 0;
		if (!rq->expired_timestamp)
			rq->expired_timestamp = jiffies;
		if (!TASK_INTERACTIVE(p) || EXPIRED_STARVING(rq)) {
			enqueue_task(p, rq->expired);
			if (p->static_prio < rq->best_expired_prio)
				rq->best_expired_prio = p->static_prio;
		} else
			enqueue_task(p, rq->active);
	} else {
		/* Interactive tasks with a long slice are round-robined in pieces of TIMESLICE_GRANULARITY. */
		if (TASK_INTERACTIVE(p) && !((task_timeslice(p) - p->time_slice) % TIMESLICE_GRANULARITY(p)) &&
		    (p->time_slice >= TIMESLICE_GRANULARITY(p)) && (p->array == rq->active)) {
			requeue_task(p, rq->active);
			set_tsk_need_resched(p);
		}
	}
out_unlock:
	_raw_spin_unlock(&rq->lock);
out:
	rebalance_tick(cpu, rq, 0);
}

/*
 * schedule() — the only place where a process switch happens (ULK3 §3.3.3, seed 003:745–751; body
 * extrapolated from 2.6.11, chapter 7 is not among the seeds).
 *   1. Disable preemption; charge prev's run time against its sleep_avg.
 *   2. Lock the runqueue. If prev is no longer runnable (state != TASK_RUNNING) and this is not a
 *      kernel preemption (PREEMPT_ACTIVE), take it off the runqueue — unless a signal is pending
 *      for an interruptible sleeper.
 *   3. Nothing runnable: try to pull work from another CPU (idle_balance), else run the idle task.
 *   4. Active array empty: swap active and expired.
 *   5. next = first task of the highest-priority list (sched_find_first_bit).
 *   6. context_switch(prev, next); the runqueue lock is released by finish_task_switch in next.
 *   7. Loop if TIF_NEED_RESCHED got set again meanwhile.
 */
asmlinkage void schedule(void)
{
	long *switch_count;
	struct task_struct *prev, *next;
	runqueue_t *rq;
	prio_array_t *array;
	struct list_head *queue;
	unsigned long long now;
	unsigned long run_time;
	int cpu, idx;

	if (unlikely(in_atomic() && !current->exit_state && !(preempt_count() & PREEMPT_ACTIVE))) {
		printk(KERN_ERR "BUG: scheduling while atomic: %s/0x%08x/%d\n", current->comm, preempt_count(),
		       current->pid);
		dump_stack();
	}
need_resched:
	preempt_disable();
	prev = current;
	rq = this_rq();
	if (unlikely(prev == rq->idle) && prev->state != TASK_RUNNING) {
		printk(KERN_ERR "bad: scheduling from the idle thread!\n");
		dump_stack();
	}
	now = sched_clock();
	if (likely(now - prev->timestamp < NS_MAX_SLEEP_AVG))
		run_time = now - prev->timestamp;
	else
		run_time = NS_MAX_SLEEP_AVG;
	run_time /= (CURRENT_BONUS(prev) ?: 1);

	/* The lock is taken "raw": the preempt_disable above is the one count schedule() holds, and
	 * finish_task_switch, running in next, releases the lock without touching preempt_count. */
	local_irq_disable();
	_raw_spin_lock(&rq->lock);
	if (unlikely(prev->flags & PF_DEAD))
		prev->state = EXIT_DEAD;
	switch_count = (long *)&prev->nivcsw;
	if (prev->state && !(preempt_count() & PREEMPT_ACTIVE)) {
		switch_count = (long *)&prev->nvcsw;
		if (unlikely((prev->state & TASK_INTERRUPTIBLE) && unlikely(signal_pending(prev))))
			prev->state = TASK_RUNNING;
		else {
			if (prev->state == TASK_UNINTERRUPTIBLE)
				rq->nr_uninterruptible++;
			deactivate_task(prev, rq);
		}
	}

	cpu = smp_processor_id();
	if (unlikely(!rq->nr_running)) {
		if (!sched_use_goodness) {
			_raw_spin_unlock(&rq->lock);
			idle_balance(cpu, rq);
			_raw_spin_lock(&rq->lock);
		}
		if (!rq->nr_running) {
			next = rq->idle;
			rq->expired_timestamp = 0;
			goto switch_tasks;
		}
	}

	if (sched_use_goodness) {
		next = pick_next_goodness(rq, prev);
		goto switch_tasks;
	}

	array = rq->active;
	if (unlikely(!array->nr_active)) {
		/* Switch the active and expired arrays: every runnable task gets its new slice at once. */
		rq->active = rq->expired;
		rq->expired = array;
		array = rq->active;
		rq->expired_timestamp = 0;
		rq->best_expired_prio = MAX_PRIO;
	}

	idx = sched_find_first_bit(array->bitmap);
	queue = array->queue + idx;
	next = list_entry(queue->next, struct task_struct, run_list);
	rq->nr_o1_picks++;

	if (!rt_task(next) && next->activated > 0) {
		/* Credit the time next waited on the runqueue after its wakeup as sleep. */
		unsigned long long delta = now - next->timestamp;
		if (next->activated == 1)
			delta = delta * (ON_RUNQUEUE_WEIGHT * 128 / 100) / 128;
		array = next->array;
		dequeue_task(next, array);
		recalc_task_prio(next, next->timestamp + delta);
		enqueue_task(next, array);
	}
	next->activated = 0;
switch_tasks:
	clear_tsk_need_resched(prev);
	prev->sleep_avg -= run_time;
	if ((long)prev->sleep_avg <= 0)
		prev->sleep_avg = 0;
	prev->timestamp = prev->last_ran = now;

	if (likely(prev != next)) {
		next->timestamp = now;
		rq->nr_switches++;
		rq->curr = next;
		++*switch_count;
		prev = context_switch(rq, prev, next);
		barrier();
		/* We are "next" now, running on its stack; prev is the task that ran before us here. */
		finish_task_switch(prev);
	} else {
		_raw_spin_unlock(&rq->lock);
		local_irq_enable();
	}

	preempt_enable_no_resched();
	if (unlikely(test_thread_flag(TIF_NEED_RESCHED)))
		goto need_resched;
}

/*
 * preempt_schedule: called by preempt_enable() when preemption becomes possible again and
 * TIF_NEED_RESCHED is set. PREEMPT_ACTIVE tells schedule() not to take a sleeping task off the runqueue:
 * it was preempted, it did not choose to sleep.
 */
asmlinkage void preempt_schedule(void)
{
	struct thread_info *ti = current_thread_info();
	if (unlikely(ti->preempt_count || irqs_disabled()))
		return;
	this_rq()->nr_preempt_enable++;
need_resched:
	ti->preempt_count = PREEMPT_ACTIVE;
	schedule();
	ti->preempt_count = 0;
	barrier();
	if (unlikely(test_thread_flag(TIF_NEED_RESCHED)))
		goto need_resched;
}

/*
 * preempt_schedule_irq (seed 003:3510–3521): kernel preemption on the return from an interrupt
 * (resume_kernel → need_resched). Called with interrupts off; sets PREEMPT_ACTIVE, enables
 * interrupts, calls schedule(), and undoes both.
 */
asmlinkage void preempt_schedule_irq(void)
{
	struct thread_info *ti = current_thread_info();
	int saved_lock_depth;
	BUG_ON(ti->preempt_count || !irqs_disabled());
	this_rq()->nr_preempt_irq++;
need_resched:
	add_preempt_count(PREEMPT_ACTIVE);
	saved_lock_depth = ti->task->lock_depth;
	ti->task->lock_depth = -1;
	local_irq_enable();
	schedule();
	local_irq_disable();
	ti->task->lock_depth = saved_lock_depth;
	sub_preempt_count(PREEMPT_ACTIVE);
	barrier();
	if (unlikely(test_thread_flag(TIF_NEED_RESCHED)))
		goto need_resched;
}

void cond_resched(void)
{
	if (need_resched() && !in_atomic()) {
		add_preempt_count(PREEMPT_ACTIVE);
		schedule();
		sub_preempt_count(PREEMPT_ACTIVE);
	}
}

/* yield / sched_yield: move current to the expired array (2.6 semantics: it runs again only after
 * everyone else in active had their turn). */
asmlinkage long sys_sched_yield(void)
{
	runqueue_t *rq = this_rq();
	local_irq_disable();
	_raw_spin_lock(&rq->lock);
	prio_array_t *array = current->array, *target = rq->expired;
	if (rt_task(current) || sched_use_goodness)
		target = array;
	if (array) {
		if (target != array) {
			dequeue_task(current, array);
			enqueue_task(current, target);
		} else
			requeue_task(current, array);
	}
	if (sched_use_goodness)
		current->counter = 0;
	_raw_spin_unlock(&rq->lock);
	local_irq_enable();
	schedule();
	return 0;
}

void yield(void)
{
	set_current_state(TASK_RUNNING);
	sys_sched_yield();
}

void set_user_nice(struct task_struct *p, long nice)
{
	unsigned long flags;
	runqueue_t *rq = task_rq_lock(p, &flags);
	prio_array_t *array = p->array;
	int old_prio = p->prio;
	if (array)
		dequeue_task(p, array);
	p->static_prio = NICE_TO_PRIO(nice);
	p->nice = nice;
	p->prio = effective_prio(p);
	if (array) {
		enqueue_task(p, array);
		if (p->prio < old_prio || task_running(rq, p))
			resched_task(rq->curr);
	}
	task_rq_unlock(rq, &flags);
}

/* ---- real-time policies: sched_setscheduler and friends ----
 *
 * Linux has three scheduling policies (seed 000:1057–1063: SCHED_OTHER, SCHED_FIFO, SCHED_RR; the
 * kernel calls SCHED_OTHER SCHED_NORMAL). The O(1) scheduler keeps real-time and ordinary tasks in the
 * same 140 lists of a prio_array (seed 000:1217, "Real-time task priorities" above "User task
 * priorities" at 000:1240): prio 0..99 are real-time, 100..139 the nice values. The code below is
 * extrapolated from 2.6.11 kernel/sched.c (the seeds name the policies but not these system calls):
 *
 *   - A real-time task's prio is fixed by its rt_priority (1..99, larger = more urgent):
 *     prio = MAX_RT_PRIO-1 - rt_priority, so rt_priority 99 is prio 0, the first list schedule()
 *     looks at. effective_prio() leaves it alone: no sleep bonus, no penalty.
 *   - SCHED_FIFO: no time slice at all. The task runs until it blocks, yields, or a task of higher
 *     priority becomes runnable (scheduler_tick does not touch it).
 *   - SCHED_RR: a time slice like a nice-value task's (task_timeslice of its static priority); when it
 *     runs out, scheduler_tick refills it and moves the task to the END of its list in the ACTIVE array,
 *     so equal-priority RR tasks take turns. A real-time task never goes to the expired array, which is
 *     why ordinary tasks cannot run while any real-time task is runnable on that CPU.
 *   - try_to_wake_up compares prio (TASK_PREEMPTS_CURR): a woken real-time task preempts a current
 *     task of lower priority at the next return from interrupt or system call (TIF_NEED_RESCHED).
 *
 * Permission: 2.6.11 requires CAP_SYS_NICE to pick a real-time policy or to change another user's
 * task. The ksim kernel has no users (sys_getuid returns 0: everybody is root), so every process may
 * do both; the only checks left are the argument checks below.
 */

/* __setscheduler: set the policy fields and the resulting prio. p must be off the runqueue arrays. */
static void __setscheduler(struct task_struct *p, int policy, int prio)
{
	BUG_ON(p->array);
	p->policy = policy;
	p->rt_priority = prio;
	if (policy != SCHED_NORMAL)
		p->prio = MAX_RT_PRIO - 1 - p->rt_priority;
	else
		p->prio = p->static_prio;
}

/*
 * sched_setscheduler: give p a new policy and real-time priority (policy < 0: keep the policy, change
 * only the priority — sched_setparam). A queued task is taken off its array and put back into the
 * active one at its new prio; if that makes it more urgent than the task running on its CPU, or if
 * the running task itself got less urgent, that CPU is asked to reschedule.
 */
int sched_setscheduler(struct task_struct *p, int policy, struct sched_param *param)
{
	int oldprio, oldpolicy = -1;
	prio_array_t *array;
	unsigned long flags;
	runqueue_t *rq;

recheck:
	if (policy < 0)
		policy = oldpolicy = p->policy;
	else if (policy != SCHED_FIFO && policy != SCHED_RR && policy != SCHED_NORMAL)
		return -EINVAL;
	/* Valid priorities: 1..MAX_USER_RT_PRIO-1 for FIFO/RR, 0 for SCHED_NORMAL. */
	if (param->sched_priority < 0 || param->sched_priority > MAX_USER_RT_PRIO - 1)
		return -EINVAL;
	if ((policy == SCHED_NORMAL) != (param->sched_priority == 0))
		return -EINVAL;

	rq = task_rq_lock(p, &flags);
	/* Someone else changed the policy while we were checking: check again against the new one. */
	if (unlikely(oldpolicy != -1 && oldpolicy != (int)p->policy)) {
		policy = oldpolicy = -1;
		task_rq_unlock(rq, &flags);
		goto recheck;
	}
	array = p->array;
	if (array)
		deactivate_task(p, rq);
	oldprio = p->prio;
	__setscheduler(p, policy, param->sched_priority);
	if (array) {
		__activate_task(p, rq);
		if (task_running(rq, p)) {
			/* The running task lowered its own priority: maybe someone else should run now. */
			if (p->prio > oldprio)
				resched_task(rq->curr);
		} else if (TASK_PREEMPTS_CURR(p, rq))
			resched_task(rq->curr);
	}
	task_rq_unlock(rq, &flags);
	return 0;
}

/* pid 0 means the caller; otherwise the task with that pid (NULL if there is none). Call with
 * tasklist_lock held. */
static struct task_struct *find_process_by_pid(pid_t pid)
{
	return pid ? find_task_by_pid(pid) : current;
}

static long do_sched_setscheduler(pid_t pid, int policy, struct sched_param __user *param)
{
	struct sched_param lparam;
	struct task_struct *p;
	long retval;

	if (!param || pid < 0)
		return -EINVAL;
	if (copy_from_user(&lparam, param, sizeof(lparam)))
		return -EFAULT;
	read_lock_irq(&tasklist_lock);
	p = find_process_by_pid(pid);
	if (!p) {
		read_unlock_irq(&tasklist_lock);
		return -ESRCH;
	}
	retval = sched_setscheduler(p, policy, &lparam);
	read_unlock_irq(&tasklist_lock);
	return retval;
}

/* sched_setscheduler(pid, policy, param) — i386 system call 156. */
asmlinkage long sys_sched_setscheduler(pid_t pid, int policy, struct sched_param __user *param)
{
	/* A negative policy would mean "keep the old one" inside; from user space it is just invalid. */
	if (policy < 0)
		return -EINVAL;
	return do_sched_setscheduler(pid, policy, param);
}

/* sched_setparam(pid, param) — 154: change only the real-time priority. */
asmlinkage long sys_sched_setparam(pid_t pid, struct sched_param __user *param)
{
	return do_sched_setscheduler(pid, -1, param);
}

/* sched_getscheduler(pid) — 157: the policy number. */
asmlinkage long sys_sched_getscheduler(pid_t pid)
{
	struct task_struct *p;
	long retval;
	if (pid < 0)
		return -EINVAL;
	read_lock(&tasklist_lock);
	p = find_process_by_pid(pid);
	retval = p ? (long)p->policy : -ESRCH;
	read_unlock(&tasklist_lock);
	return retval;
}

/* sched_getparam(pid, param) — 155: the real-time priority (0 for SCHED_NORMAL). */
asmlinkage long sys_sched_getparam(pid_t pid, struct sched_param __user *param)
{
	struct sched_param lp;
	struct task_struct *p;
	if (!param || pid < 0)
		return -EINVAL;
	read_lock(&tasklist_lock);
	p = find_process_by_pid(pid);
	if (!p) {
		read_unlock(&tasklist_lock);
		return -ESRCH;
	}
	lp.sched_priority = p->rt_priority;
	read_unlock(&tasklist_lock);
	/* Copied after the lock is dropped: copy_to_user may fault and sleep. */
	return copy_to_user(param, &lp, sizeof(lp)) ? -EFAULT : 0;
}

/* sched_get_priority_max(policy) — 159 and sched_get_priority_min(policy) — 160: the valid
 * sched_priority range of a policy (1..99 for the real-time ones, 0..0 for SCHED_NORMAL). */
asmlinkage long sys_sched_get_priority_max(int policy)
{
	switch (policy) {
	case SCHED_FIFO:
	case SCHED_RR:
		return MAX_USER_RT_PRIO - 1;
	case SCHED_NORMAL:
		return 0;
	}
	return -EINVAL;
}

asmlinkage long sys_sched_get_priority_min(int policy)
{
	switch (policy) {
	case SCHED_FIFO:
	case SCHED_RR:
		return 1;
	case SCHED_NORMAL:
		return 0;
	}
	return -EINVAL;
}

/* sched_rr_get_interval(pid, interval) — 161: the length of the task's round-robin time slice;
 * 0 for SCHED_FIFO, which has none. (2.6.11 reports task_timeslice for SCHED_NORMAL too.) */
asmlinkage long sys_sched_rr_get_interval(pid_t pid, struct timespec __user *interval)
{
	struct task_struct *p;
	unsigned int slice;
	struct timespec t;
	if (pid < 0)
		return -EINVAL;
	read_lock(&tasklist_lock);
	p = find_process_by_pid(pid);
	if (!p) {
		read_unlock(&tasklist_lock);
		return -ESRCH;
	}
	slice = p->policy == SCHED_FIFO ? 0 : task_timeslice(p);
	read_unlock(&tasklist_lock);
	t.tv_sec = slice / HZ;
	t.tv_nsec = (slice % HZ) * NS_PER_JIFFY;
	return copy_to_user(interval, &t, sizeof(t)) ? -EFAULT : 0;
}

/*
 * sched_setaffinity(pid, len, mask) — 241 and sched_getaffinity(pid, len, mask) — 242: the set of CPUs
 * a task may run on (cpus_allowed, one bit per CPU; ksim's cpumask_t is one unsigned long). Setting it
 * moves the task off a CPU that is no longer allowed (set_cpus_allowed, via the migration thread).
 * rt_demo uses it to put its real-time tasks on one CPU, where the policies can be seen at work.
 */
asmlinkage long sys_sched_setaffinity(pid_t pid, unsigned int len, unsigned long __user *user_mask_ptr)
{
	cpumask_t new_mask;
	struct task_struct *p;
	long retval;
	if (len < sizeof(new_mask))
		return -EINVAL;
	if (copy_from_user(&new_mask, user_mask_ptr, sizeof(new_mask)))
		return -EFAULT;
	read_lock(&tasklist_lock);
	p = find_process_by_pid(pid);
	if (!p) {
		read_unlock(&tasklist_lock);
		return -ESRCH;
	}
	/* set_cpus_allowed may sleep (it waits for the migration thread): pin p, drop the lock. */
	get_task_struct(p);
	read_unlock(&tasklist_lock);
	retval = set_cpus_allowed(p, new_mask);
	put_task_struct(p);
	return retval;
}

asmlinkage long sys_sched_getaffinity(pid_t pid, unsigned int len, unsigned long __user *user_mask_ptr)
{
	cpumask_t mask;
	struct task_struct *p;
	if (len < sizeof(mask))
		return -EINVAL;
	read_lock(&tasklist_lock);
	p = find_process_by_pid(pid);
	if (!p) {
		read_unlock(&tasklist_lock);
		return -ESRCH;
	}
	mask = p->cpus_allowed & cpu_online_map;
	read_unlock(&tasklist_lock);
	if (copy_to_user(user_mask_ptr, &mask, sizeof(mask)))
		return -EFAULT;
	return sizeof(mask);	/* the number of bytes written, as the raw system call returns */
}

/* ---- wake-up functions (seed 003:583–612) ---- */

int default_wake_function(wait_queue_t *curr, unsigned mode, int sync, void *key)
{
	return try_to_wake_up(curr->task, mode, sync);
}

/*
 * __wake_up_common: walk the wait queue calling each entry's func. Every non-exclusive waiter is
 * woken; the walk stops after nr_exclusive exclusive waiters have been woken. Exclusive waiters sit
 * at the tail (add_wait_queue_exclusive), so all the non-exclusive ones before them are woken too.
 */
void __wake_up_common(wait_queue_head_t *q, unsigned int mode, int nr_exclusive, int sync, void *key)
{
	struct list_head *tmp, *next;
	list_for_each_safe(tmp, next, &q->task_list) {
		wait_queue_t *curr = list_entry(tmp, wait_queue_t, task_list);
		unsigned flags = curr->flags;
		if (curr->func(curr, mode, sync, key) && (flags & WQ_FLAG_EXCLUSIVE) && !--nr_exclusive)
			break;
	}
}

void __wake_up(wait_queue_head_t *q, unsigned int mode, int nr_exclusive, void *key)
{
	unsigned long flags;
	spin_lock_irqsave(&q->lock, flags);
	__wake_up_common(q, mode, nr_exclusive, 0, key);
	spin_unlock_irqrestore(&q->lock, flags);
}

void __wake_up_locked(wait_queue_head_t *q, unsigned int mode)
{
	__wake_up_common(q, mode, 1, 0, NULL);
}

/* __wake_up_sync: the waker is about to sleep, so do not preempt it for the wakee. */
void __wake_up_sync(wait_queue_head_t *q, unsigned int mode, int nr_exclusive)
{
	unsigned long flags;
	spin_lock_irqsave(&q->lock, flags);
	__wake_up_common(q, mode, nr_exclusive, 1, NULL);
	spin_unlock_irqrestore(&q->lock, flags);
}

/* ---- completions ---- */
void complete(struct completion *x)
{
	unsigned long flags;
	spin_lock_irqsave(&x->wait.lock, flags);
	x->done++;
	__wake_up_common(&x->wait, TASK_UNINTERRUPTIBLE | TASK_INTERRUPTIBLE, 1, 0, NULL);
	spin_unlock_irqrestore(&x->wait.lock, flags);
}

void complete_all(struct completion *x)
{
	unsigned long flags;
	spin_lock_irqsave(&x->wait.lock, flags);
	x->done += 0x7fffffff / 2;
	__wake_up_common(&x->wait, TASK_UNINTERRUPTIBLE | TASK_INTERRUPTIBLE, 0, 0, NULL);
	spin_unlock_irqrestore(&x->wait.lock, flags);
}

void wait_for_completion(struct completion *x)
{
	spin_lock_irq(&x->wait.lock);
	if (!x->done) {
		DECLARE_WAITQUEUE(wait, current);
		wait.flags |= WQ_FLAG_EXCLUSIVE;
		__add_wait_queue_tail(&x->wait, &wait);
		do {
			__set_current_state(TASK_UNINTERRUPTIBLE);
			spin_unlock_irq(&x->wait.lock);
			schedule();
			spin_lock_irq(&x->wait.lock);
		} while (!x->done);
		__remove_wait_queue(&x->wait, &wait);
	}
	x->done--;
	spin_unlock_irq(&x->wait.lock);
}

/* ---- the sleep_on family (seed 003:540–548) ---- */
#define SLEEP_ON_HEAD				\
	unsigned long flags;			\
	spin_lock_irqsave(&q->lock, flags);	\
	__add_wait_queue(q, &wait);		\
	spin_unlock(&q->lock);
#define SLEEP_ON_TAIL				\
	spin_lock_irq(&q->lock);		\
	__remove_wait_queue(q, &wait);		\
	spin_unlock_irqrestore(&q->lock, flags);

void interruptible_sleep_on(wait_queue_head_t *q)
{
	DECLARE_WAITQUEUE(wait, current);
	current->state = TASK_INTERRUPTIBLE;
	SLEEP_ON_HEAD
	schedule();
	SLEEP_ON_TAIL
}

long interruptible_sleep_on_timeout(wait_queue_head_t *q, long timeout)
{
	DECLARE_WAITQUEUE(wait, current);
	current->state = TASK_INTERRUPTIBLE;
	SLEEP_ON_HEAD
	timeout = schedule_timeout(timeout);
	SLEEP_ON_TAIL
	return timeout;
}

void sleep_on(wait_queue_head_t *q)
{
	DECLARE_WAITQUEUE(wait, current);
	current->state = TASK_UNINTERRUPTIBLE;
	SLEEP_ON_HEAD
	schedule();
	SLEEP_ON_TAIL
}

long sleep_on_timeout(wait_queue_head_t *q, long timeout)
{
	DECLARE_WAITQUEUE(wait, current);
	current->state = TASK_UNINTERRUPTIBLE;
	SLEEP_ON_HEAD
	timeout = schedule_timeout(timeout);
	SLEEP_ON_TAIL
	return timeout;
}

/* ---- CPU affinity and the migration threads ---- */

/*
 * A migration request: move task to dest_cpu. set_cpus_allowed queues it to the task's current
 * CPU's migration thread, which runs at the highest real-time priority and can therefore take the
 * task off that runqueue while it is not running.
 */
typedef struct {
	struct list_head list;
	struct task_struct *task;
	int dest_cpu;
	struct completion done;
} migration_req_t;

static void __migrate_task(struct task_struct *p, int src_cpu, int dest_cpu)
{
	runqueue_t *rq_dest = cpu_rq(dest_cpu), *rq_src = cpu_rq(src_cpu);
	double_rq_lock(rq_src, rq_dest);
	if (task_cpu(p) != src_cpu || !cpu_isset(dest_cpu, p->cpus_allowed))
		goto out;
	if (p->array) {
		deactivate_task(p, rq_src);
		set_task_cpu(p, dest_cpu);
		activate_task(p, rq_dest, 0);
		if (TASK_PREEMPTS_CURR(p, rq_dest) || rq_dest->curr == rq_dest->idle)
			resched_task(rq_dest->curr);
	} else
		set_task_cpu(p, dest_cpu);
out:
	double_rq_unlock(rq_src, rq_dest);
}

static int migration_thread(void *data)
{
	int cpu = (long)data;
	runqueue_t *rq = cpu_rq(cpu);
	while (!kthread_should_stop()) {
		spin_lock_irq(&rq->lock);
		if (list_empty(&rq->migration_queue)) {
			__set_current_state(TASK_INTERRUPTIBLE);
			spin_unlock_irq(&rq->lock);
			schedule();
			continue;
		}
		migration_req_t *req = list_entry(rq->migration_queue.next, migration_req_t, list);
		list_del_init(&req->list);
		spin_unlock_irq(&rq->lock);
		local_irq_disable();
		__migrate_task(req->task, cpu, req->dest_cpu);
		local_irq_enable();
		complete(&req->done);
	}
	return 0;
}

/* set_cpus_allowed: restrict p to new_mask; if p's CPU is not in it, move p (via the migration
 * thread if p is on a runqueue or running). */
int set_cpus_allowed(struct task_struct *p, cpumask_t new_mask)
{
	unsigned long flags;
	migration_req_t req;
	runqueue_t *rq;
	int dest = -1, c;
	new_mask &= cpu_online_map;
	if (!new_mask)
		return -22;
	rq = task_rq_lock(p, &flags);
	p->cpus_allowed = new_mask;
	if (cpu_isset(task_cpu(p), new_mask)) {
		task_rq_unlock(rq, &flags);
		return 0;
	}
	for (c = 0; c < NR_CPUS; c++)
		if (cpu_isset(c, new_mask)) {
			dest = c;
			break;
		}
	if (!p->array && !task_running(rq, p)) {
		set_task_cpu(p, dest);
		task_rq_unlock(rq, &flags);
		return 0;
	}
	if (!rq->migration_thread) {
		/* Before the migration threads exist (early boot): move it directly if it is queued. */
		task_rq_unlock(rq, &flags);
		local_irq_save(flags);
		__migrate_task(p, task_cpu(p), dest);
		local_irq_restore(flags);
		return 0;
	}
	INIT_LIST_HEAD(&req.list);
	req.task = p;
	req.dest_cpu = dest;
	init_completion(&req.done);
	list_add(&req.list, &rq->migration_queue);
	task_rq_unlock(rq, &flags);
	wake_up_process(rq->migration_thread);
	wait_for_completion(&req.done);
	return 0;
}

/* ---- IPIs and idle ---- */

/* smp_reschedule_interrupt (seed 003:2882): nothing to do but acknowledge; the reschedule itself
 * happens on the way out, in ret_from_intr, because TIF_NEED_RESCHED is set. */
fastcall void smp_reschedule_interrupt(struct pt_regs *regs)
{
	ack_APIC_irq();
	this_rq()->nr_resched_ipi++;
}

void init_idle(struct task_struct *idle, int cpu)
{
	runqueue_t *rq = cpu_rq(cpu);
	unsigned long flags;
	idle->sleep_avg = 0;
	idle->array = NULL;
	idle->prio = MAX_PRIO;
	idle->state = TASK_RUNNING;
	idle->cpus_allowed = cpumask_of_cpu(cpu);
	set_task_cpu(idle, cpu);
	spin_lock_irqsave(&rq->lock, flags);
	rq->curr = rq->idle = idle;
	spin_unlock_irqrestore(&rq->lock, flags);
	idle->thread_info->preempt_count = 0;
	idle_tasks[cpu] = idle;
}

void sched_init(void)
{
	int i, j, k;
	for (i = 0; i < NR_CPUS; i++) {
		runqueue_t *rq = cpu_rq(i);
		spin_lock_init(&rq->lock);
		rq->cpu = i;
		rq->active = rq->arrays;
		rq->expired = rq->arrays + 1;
		rq->best_expired_prio = MAX_PRIO;
		INIT_LIST_HEAD(&rq->migration_queue);
		for (j = 0; j < 2; j++) {
			prio_array_t *array = rq->arrays + j;
			for (k = 0; k < MAX_PRIO; k++) {
				INIT_LIST_HEAD(array->queue + k);
				__clear_bit(k, array->bitmap);
			}
			/* delimiter for bitsearch */
			__set_bit(MAX_PRIO, array->bitmap);
		}
	}
	char buf[16];
	if (get_option_str("sched", buf, sizeof(buf)) && !strcmp(buf, "goodness"))
		sched_use_goodness = 1;
	/* The boot CPU's idle task is init_task, process 0 (seed 003:1325). */
	init_idle(current, smp_processor_id());
	atomic_inc(&init_mm.mm_count);
	printk("Scheduler: %s\n", sched_use_goodness ? "2.4 goodness (sched=goodness)" : "O(1)");
}

/* sched_init_smp: start one migration thread per online CPU, bound to it, at RT priority 99. */
void sched_init_smp(void)
{
	struct sched_param param = { .sched_priority = MAX_RT_PRIO - 1 };
	int cpu;
	for_each_online_cpu(cpu) {
		struct task_struct *p = kthread_create(migration_thread, (void *)(long)cpu, "migration/%d", cpu);
		if (!p)
			panic("cannot create migration thread");
		kthread_bind(p, cpu);
		sched_setscheduler(p, SCHED_FIFO, &param);
		cpu_rq(cpu)->migration_thread = p;
		wake_up_process(p);
	}
}

/* For the debugger and the scenarios: a few read-only views of the runqueues. */
unsigned long sched_nr_running(int cpu) { return cpu_rq(cpu)->nr_running; }
unsigned long long sched_nr_switches(int cpu) { return cpu_rq(cpu)->nr_switches; }
unsigned long sched_nr_preempt_irq(int cpu) { return cpu_rq(cpu)->nr_preempt_irq; }
unsigned long sched_nr_preempt_enable(int cpu) { return cpu_rq(cpu)->nr_preempt_enable; }
unsigned long sched_nr_resched_ipi(int cpu) { return cpu_rq(cpu)->nr_resched_ipi; }
unsigned long sched_nr_pulled(int cpu) { return cpu_rq(cpu)->nr_pulled; }
unsigned long sched_max_goodness_examined(int cpu) { return cpu_rq(cpu)->max_goodness_examined; }
unsigned long sched_goodness_picks(int cpu) { return cpu_rq(cpu)->nr_goodness_picks; }
unsigned long sched_o1_picks(int cpu) { return cpu_rq(cpu)->nr_o1_picks; }

/* wait_task_inactive: wait until p is neither running nor queued anywhere (it has gone to sleep
 * and its CPU has switched away from it). Used before changing a stopped task's CPU. */
void wait_task_inactive(struct task_struct *p)
{
	unsigned long flags;
	runqueue_t *rq;
	int running, preempted;
repeat:
	rq = task_rq_lock(p, &flags);
	running = task_running(rq, p) || p->array;
	/* Queued but not running: it was preempted before it could sleep — let it run. */
	preempted = !task_running(rq, p);
	task_rq_unlock(rq, &flags);
	if (running) {
		cpu_relax();
		if (preempted)
			yield();
		goto repeat;
	}
}
