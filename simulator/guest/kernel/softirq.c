/*
 * kernel/softirq.c — softirqs and tasklets (ULK3 §4.7, seed 003:2916–3229).
 *
 * A softirq is a deferred function run with interrupts enabled "soon after" the interrupt that
 * raised it: at the checkpoints irq_exit, local_bh_enable, and in the per-CPU ksoftirqd thread
 * (seed 003:3058–3070). Each CPU has its own 32-bit pending mask (irq_stat[cpu].__softirq_pending);
 * a softirq raised on a CPU runs on that CPU (seed 003:2950). Tasklets are built on two of them,
 * HI_SOFTIRQ and TASKLET_SOFTIRQ.
 */
#include <linux/sched.h>
#include <linux/kernel.h>
#include <linux/interrupt.h>
#include <linux/hardirq.h>
#include <linux/kthread.h>
#include <linux/percpu.h>

irq_cpustat_t irq_stat[NR_CPUS];
/* softirq_vec (seed 003:2966–3007): the action of each softirq, indexed by priority. */
struct softirq_action softirq_vec[32] __attribute__((aligned(32)));
static DEFINE_PER_CPU(struct task_struct *, ksoftirqd);
unsigned long softirq_restart_exhausted[NR_CPUS];
unsigned long ksoftirqd_runs[NR_CPUS];

/*
 * __do_softirq (seed 003:3088–3112). The restart counter is 10 (MAX_SOFTIRQ_RESTART in 2.6.11):
 * softirqs raised again while the actions run are handled in further passes, but after 10 passes
 * the rest is left to ksoftirqd, so that a storm of softirqs cannot starve user programs.
 *   - take the pending mask; count ourselves as softirq context (local_bh_disable)
 *   - restart: clear the mask, enable interrupts, run each pending action lowest bit first
 *   - disable interrupts, read the mask again; if not empty and passes remain, restart
 *   - if still not empty, wake ksoftirqd
 */
#define MAX_SOFTIRQ_RESTART 10

asmlinkage void __do_softirq(void)
{
	struct softirq_action *h;
	u32 pending;
	int max_restart = MAX_SOFTIRQ_RESTART;
	int cpu;

	pending = local_softirq_pending();
	add_preempt_count(SOFTIRQ_OFFSET);
	cpu = smp_processor_id();
restart:
	/* Reset the pending bitmask before enabling irqs */
	local_softirq_pending() = 0;
	local_irq_enable();
	h = softirq_vec;
	do {
		if (pending & 1)
			h->action(h);
		h++;
		pending >>= 1;
	} while (pending);
	local_irq_disable();

	pending = local_softirq_pending();
	if (pending && --max_restart)
		goto restart;
	if (pending) {
		softirq_restart_exhausted[cpu]++;
		wakeup_softirqd();
	}
	sub_preempt_count(SOFTIRQ_OFFSET);
}

/*
 * do_softirq (seed 003:3072–3086): nothing if we are already inside an interrupt or a softirq
 * (in_interrupt(): the softirq will be handled when that outer context finishes — this is why a
 * softirq never nests within itself on one CPU). Otherwise run __do_softirq with interrupts off
 * around it. With 8 KB stacks (ksim's configuration) it runs on the current kernel stack; with
 * 4 KB stacks 2.6.11 would switch to the per-CPU softirq_ctx stack here.
 */
asmlinkage void do_softirq(void)
{
	u32 pending;
	unsigned long flags;
	if (in_interrupt())
		return;
	local_irq_save(flags);
	pending = local_softirq_pending();
	if (pending)
		__do_softirq();
	local_irq_restore(flags);
}

/* local_bh_disable/enable: forbid/allow softirqs on this CPU (softirq count in preempt_count).
 * local_bh_enable is a checkpoint: it runs pending softirqs (seed 003:3060). */
void local_bh_disable(void)
{
	add_preempt_count(SOFTIRQ_OFFSET);
	barrier();
}

void local_bh_enable(void)
{
	sub_preempt_count(SOFTIRQ_OFFSET - 1);
	if (unlikely(!in_interrupt() && local_softirq_pending()))
		do_softirq();
	dec_preempt_count();
	preempt_check_resched();
}

/*
 * irq_exit: leave hardirq context; if we were the outermost handler and softirqs are pending, run
 * them now — the most common checkpoint. The preemption count stays raised by one meanwhile
 * (HARDIRQ_OFFSET - 1), so the task cannot be preempted in the middle.
 */
void irq_exit(void)
{
	sub_preempt_count(HARDIRQ_OFFSET - 1);
	if (!in_interrupt() && local_softirq_pending())
		do_softirq();
	preempt_enable_no_resched();
}

/*
 * raise_softirq_irqoff (seed 003:3046–3056): mark softirq nr pending on this CPU. Outside interrupt
 * context nobody would notice soon (no irq_exit follows), so wake ksoftirqd.
 */
fastcall void raise_softirq_irqoff(unsigned int nr)
{
	local_softirq_pending() |= 1UL << nr;
	if (!in_interrupt())
		wakeup_softirqd();
}

void raise_softirq(unsigned int nr)
{
	unsigned long flags;
	local_irq_save(flags);
	raise_softirq_irqoff(nr);
	local_irq_restore(flags);
}

void open_softirq(int nr, void (*action)(struct softirq_action *), void *data)
{
	softirq_vec[nr].data = data;
	softirq_vec[nr].action = action;
}

void wakeup_softirqd(void)
{
	struct task_struct *tsk = __get_cpu_var(ksoftirqd);
	if (tsk && tsk->state != TASK_RUNNING)
		wake_up_process(tsk);
}

/* ---- tasklets (seed 003:3144–3229) ---- */

struct tasklet_head {
	struct tasklet_struct *list;
};
/* The per-CPU lists of scheduled tasklets: tasklet_vec for TASKLET_SOFTIRQ, tasklet_hi_vec for HI_SOFTIRQ. */
DEFINE_PER_CPU(struct tasklet_head, tasklet_vec);
DEFINE_PER_CPU(struct tasklet_head, tasklet_hi_vec);
unsigned long tasklet_requeued[NR_CPUS]; /* ksim: re-queued because disabled or running elsewhere */

/* __tasklet_schedule (seed 003:3193–3203): SCHED is already set by tasklet_schedule; put the
 * tasklet at the head of this CPU's list and raise the softirq. */
fastcall void __tasklet_schedule(struct tasklet_struct *t)
{
	unsigned long flags;
	local_irq_save(flags);
	t->next = __get_cpu_var(tasklet_vec).list;
	__get_cpu_var(tasklet_vec).list = t;
	raise_softirq_irqoff(TASKLET_SOFTIRQ);
	local_irq_restore(flags);
}

fastcall void __tasklet_hi_schedule(struct tasklet_struct *t)
{
	unsigned long flags;
	local_irq_save(flags);
	t->next = __get_cpu_var(tasklet_hi_vec).list;
	__get_cpu_var(tasklet_hi_vec).list = t;
	raise_softirq_irqoff(HI_SOFTIRQ);
	local_irq_restore(flags);
}

/*
 * tasklet_action (seed 003:3205–3229): detach this CPU's list with interrupts off, then for each
 * tasklet: if it is running on another CPU (RUN set) or disabled (count > 0), put it back and raise
 * the softirq again; otherwise clear SCHED (so it may be scheduled anew from now on), run
 * func(data), clear RUN.
 */
static void tasklet_action_common(struct tasklet_head *vec, int softirq)
{
	struct tasklet_struct *list;
	local_irq_disable();
	list = vec->list;
	vec->list = NULL;
	local_irq_enable();
	while (list) {
		struct tasklet_struct *t = list;
		list = list->next;
		if (tasklet_trylock(t)) {
			if (!atomic_read(&t->count)) {
				if (!test_and_clear_bit(TASKLET_STATE_SCHED, &t->state))
					BUG();
				t->func(t->data);
				tasklet_unlock(t);
				continue;
			}
			tasklet_unlock(t);
		}
		local_irq_disable();
		tasklet_requeued[smp_processor_id()]++;
		t->next = vec->list;
		vec->list = t;
		local_softirq_pending() |= 1UL << softirq;
		local_irq_enable();
	}
}

static void tasklet_action(struct softirq_action *a)
{
	tasklet_action_common(&__get_cpu_var(tasklet_vec), TASKLET_SOFTIRQ);
}

static void tasklet_hi_action(struct softirq_action *a)
{
	tasklet_action_common(&__get_cpu_var(tasklet_hi_vec), HI_SOFTIRQ);
}

void tasklet_init(struct tasklet_struct *t, void (*func)(unsigned long), unsigned long data)
{
	t->next = NULL;
	t->state = 0;
	atomic_set(&t->count, 0);
	t->func = func;
	t->data = data;
}

/* tasklet_kill: wait until the tasklet is neither scheduled nor running (process context only). */
void tasklet_kill(struct tasklet_struct *t)
{
	if (in_interrupt())
		printk("Attempt to kill tasklet from interrupt\n");
	while (test_and_set_bit(TASKLET_STATE_SCHED, &t->state)) {
		do
			yield();
		while (test_bit(TASKLET_STATE_SCHED, &t->state));
	}
	tasklet_unlock_wait(t);
	clear_bit(TASKLET_STATE_SCHED, &t->state);
}

void softirq_init(void)
{
	open_softirq(TASKLET_SOFTIRQ, tasklet_action, NULL);
	open_softirq(HI_SOFTIRQ, tasklet_hi_action, NULL);
}

/*
 * ksoftirqd/n (seed 003:3114–3142): one low-priority (nice 19) thread per CPU that runs the
 * softirqs __do_softirq gave up on. It sleeps while nothing is pending.
 */
static int ksoftirqd(void *__bind_cpu)
{
	set_user_nice(current, 19);
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		if (!local_softirq_pending())
			schedule();
		__set_current_state(TASK_RUNNING);
		while (local_softirq_pending()) {
			preempt_disable();
			ksoftirqd_runs[smp_processor_id()]++;
			do_softirq();
			preempt_enable();
			cond_resched();
		}
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

void spawn_ksoftirqd(void)
{
	int cpu;
	for_each_online_cpu(cpu) {
		struct task_struct *p = kthread_create(ksoftirqd, (void *)(long)cpu, "ksoftirqd/%d", cpu);
		if (!p)
			panic("cannot create ksoftirqd/%d", cpu);
		kthread_bind(p, cpu);
		per_cpu(ksoftirqd, cpu) = p;
		wake_up_process(p);
	}
}
