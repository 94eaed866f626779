/*
 * kernel/timer.c — the tick and dynamic timers (extrapolated from 2.6.11; the seeds give the 2.4
 * call chain do_timer → update_process_times at 000:380–434, the timer softirq at 003:2966).
 *
 * do_timer runs once per tick on the CPU that handles IRQ 0 and advances jiffies.
 * update_process_times runs on every CPU from its local APIC timer: it charges the tick to the
 * running task (scheduler_tick) and raises TIMER_SOFTIRQ, whose handler run_timer_softirq runs the
 * timers that have expired on this CPU.
 *
 * The timer wheel: each CPU's tvec_base_t has five levels. tv1 has 256 lists, one per upcoming
 * tick; tv2..tv5 have 64 lists each covering 2^8, 2^14, 2^20, 2^26 ticks. A timer goes into the
 * list its expiry falls in; every 256 ticks one list of tv2 is "cascaded", i.e. its timers are
 * re-inserted, which spreads them over tv1 (and likewise upwards). Adding and removing is O(1).
 */
#include <linux/sched.h>
#include <linux/kernel.h>
#include <linux/interrupt.h>
#include <linux/timer.h>
#include <linux/jiffies.h>
#include <linux/hardirq.h>

#define TVN_BITS 6
#define TVR_BITS 8
#define TVN_SIZE (1 << TVN_BITS)
#define TVR_SIZE (1 << TVR_BITS)
#define TVN_MASK (TVN_SIZE - 1)
#define TVR_MASK (TVR_SIZE - 1)

typedef struct tvec_s {
	struct list_head vec[TVN_SIZE];
} tvec_t;
typedef struct tvec_root_s {
	struct list_head vec[TVR_SIZE];
} tvec_root_t;
struct tvec_t_base_s {
	spinlock_t lock;
	unsigned long timer_jiffies; /* the next tick to process */
	struct timer_list *running_timer;
	tvec_root_t tv1;
	tvec_t tv2, tv3, tv4, tv5;
};
typedef struct tvec_t_base_s tvec_base_t;
DEFINE_PER_CPU(tvec_base_t, tvec_bases);

volatile u64 jiffies_64 __attribute__((aligned(8)));
/* jiffies is the low 32 bits of jiffies_64 (the linker script of 2.6 aliases them; here a union would
 * hide it from the debugger, so do_timer writes both). */
volatile unsigned long jiffies;
unsigned int HZ = 1000;

static void internal_add_timer(tvec_base_t *base, struct timer_list *timer)
{
	unsigned long expires = timer->expires;
	unsigned long idx = expires - base->timer_jiffies;
	struct list_head *vec;
	if (idx < TVR_SIZE) {
		vec = base->tv1.vec + (expires & TVR_MASK);
	} else if (idx < 1 << (TVR_BITS + TVN_BITS)) {
		vec = base->tv2.vec + ((expires >> TVR_BITS) & TVN_MASK);
	} else if (idx < 1 << (TVR_BITS + 2 * TVN_BITS)) {
		vec = base->tv3.vec + ((expires >> (TVR_BITS + TVN_BITS)) & TVN_MASK);
	} else if (idx < 1 << (TVR_BITS + 3 * TVN_BITS)) {
		vec = base->tv4.vec + ((expires >> (TVR_BITS + 2 * TVN_BITS)) & TVN_MASK);
	} else if ((signed long)idx < 0) {
		/* Already expired: run at the next tick. */
		vec = base->tv1.vec + (base->timer_jiffies & TVR_MASK);
	} else {
		if (idx > 0xffffffffUL) {
			idx = 0xffffffffUL;
			expires = idx + base->timer_jiffies;
		}
		vec = base->tv5.vec + ((expires >> (TVR_BITS + 3 * TVN_BITS)) & TVN_MASK);
	}
	list_add_tail(&timer->entry, vec);
}

void init_timer(struct timer_list *timer)
{
	timer->entry.next = NULL;
	timer->entry.prev = NULL;
	timer->base = NULL;
	timer->magic = TIMER_MAGIC;
	spin_lock_init(&timer->lock);
}

/* mod_timer: (re)arm the timer on this CPU; returns 1 if it was pending. */
int mod_timer(struct timer_list *timer, unsigned long expires)
{
	tvec_base_t *old_base, *new_base;
	unsigned long flags;
	int ret = 0;
	if (timer->magic != TIMER_MAGIC)
		panic("mod_timer on an uninitialised timer %p", timer);
	local_irq_save(flags);
	new_base = &__get_cpu_var(tvec_bases);
repeat:
	old_base = timer->base;
	if (old_base && old_base != new_base) {
		if (old_base < new_base) {
			_raw_spin_lock(&new_base->lock);
			_raw_spin_lock(&old_base->lock);
		} else {
			_raw_spin_lock(&old_base->lock);
			_raw_spin_lock(&new_base->lock);
		}
		if (timer->base != old_base) {
			_raw_spin_unlock(&new_base->lock);
			_raw_spin_unlock(&old_base->lock);
			goto repeat;
		}
	} else {
		_raw_spin_lock(&new_base->lock);
		if (timer->base != old_base) {
			_raw_spin_unlock(&new_base->lock);
			goto repeat;
		}
	}
	if (old_base) {
		list_del(&timer->entry);
		ret = 1;
	}
	timer->expires = expires;
	internal_add_timer(new_base, timer);
	timer->base = new_base;
	if (old_base && new_base != old_base)
		_raw_spin_unlock(&old_base->lock);
	_raw_spin_unlock(&new_base->lock);
	local_irq_restore(flags);
	return ret;
}

void add_timer(struct timer_list *timer)
{
	if (timer_pending(timer))
		panic("add_timer: timer %p already pending", timer);
	mod_timer(timer, timer->expires);
}

/* add_timer_on: start the timer on another CPU (its TIMER_SOFTIRQ will run it). */
void add_timer_on(struct timer_list *timer, int cpu)
{
	tvec_base_t *base = &per_cpu(tvec_bases, cpu);
	unsigned long flags;
	if (timer->magic != TIMER_MAGIC)
		panic("add_timer_on on an uninitialised timer %p", timer);
	spin_lock_irqsave(&base->lock, flags);
	internal_add_timer(base, timer);
	timer->base = base;
	spin_unlock_irqrestore(&base->lock, flags);
}

/* del_timer: deactivate; returns 1 if the timer was pending. The function may still be running on
 * another CPU — del_timer_sync waits for that. */
int del_timer(struct timer_list *timer)
{
	unsigned long flags;
	tvec_base_t *base;
repeat:
	base = timer->base;
	if (!base)
		return 0;
	spin_lock_irqsave(&base->lock, flags);
	if (base != timer->base) {
		spin_unlock_irqrestore(&base->lock, flags);
		goto repeat;
	}
	list_del(&timer->entry);
	timer->entry.next = timer->entry.prev = NULL;
	timer->base = NULL;
	spin_unlock_irqrestore(&base->lock, flags);
	return 1;
}

int del_timer_sync(struct timer_list *timer)
{
	int ret, cpu;
	for (;;) {
		ret = del_timer(timer);
		int running = 0;
		for_each_online_cpu(cpu)
			if (per_cpu(tvec_bases, cpu).running_timer == timer)
				running = 1;
		if (!running && !timer_pending(timer))
			return ret;
		cpu_relax();
	}
}

/* cascade: re-insert the timers of one list of a higher level (they now fall into lower levels). */
static int cascade(tvec_base_t *base, tvec_t *tv, int index)
{
	struct list_head *head = tv->vec + index, *curr = head->next;
	while (curr != head) {
		struct timer_list *tmp = list_entry(curr, struct timer_list, entry);
		curr = curr->next;
		internal_add_timer(base, tmp);
	}
	INIT_LIST_HEAD(head);
	return index;
}
#define INDEX(N) ((base->timer_jiffies >> (TVR_BITS + (N) * TVN_BITS)) & TVN_MASK)

/* __run_timers: process every tick from timer_jiffies up to jiffies, running expired timers with
 * the base unlocked and interrupts on. */
static void __run_timers(tvec_base_t *base)
{
	struct timer_list *timer;
	spin_lock_irq(&base->lock);
	while (time_after_eq(jiffies, base->timer_jiffies)) {
		struct list_head work_list = LIST_HEAD_INIT(work_list);
		struct list_head *head = &work_list;
		int index = base->timer_jiffies & TVR_MASK;
		if (!index && (!cascade(base, &base->tv2, INDEX(0))) && (!cascade(base, &base->tv3, INDEX(1))) &&
		    !cascade(base, &base->tv4, INDEX(2)))
			cascade(base, &base->tv5, INDEX(3));
		++base->timer_jiffies;
		/* Move the whole list to work_list: timers re-armed from their own function go elsewhere. */
		if (!list_empty(base->tv1.vec + index)) {
			work_list.next = base->tv1.vec[index].next;
			work_list.prev = base->tv1.vec[index].prev;
			work_list.next->prev = &work_list;
			work_list.prev->next = &work_list;
			INIT_LIST_HEAD(base->tv1.vec + index);
		}
		while (!list_empty(head)) {
			void (*fn)(unsigned long);
			unsigned long data;
			timer = list_entry(head->next, struct timer_list, entry);
			fn = timer->function;
			data = timer->data;
			list_del(&timer->entry);
			timer->entry.next = timer->entry.prev = NULL;
			base->running_timer = timer;
			timer->base = NULL;
			spin_unlock_irq(&base->lock);
			fn(data);
			spin_lock_irq(&base->lock);
		}
	}
	base->running_timer = NULL;
	spin_unlock_irq(&base->lock);
}

/* run_timer_softirq: the TIMER_SOFTIRQ action. */
static void run_timer_softirq(struct softirq_action *h)
{
	tvec_base_t *base = &__get_cpu_var(tvec_bases);
	if (time_after_eq(jiffies, base->timer_jiffies))
		__run_timers(base);
}

/* run_local_timers: called from the local timer interrupt: let the softirq do the work. */
void run_local_timers(void)
{
	raise_softirq(TIMER_SOFTIRQ);
}

/*
 * update_process_times (000:380–434 in its 2.4 form): on every CPU, every tick — account the tick
 * to current, run the scheduler's bookkeeping, raise the timer softirq.
 */
void update_process_times(int user_tick)
{
	struct task_struct *p = current;
	if (user_tick)
		p->utime++;
	else
		p->stime++;
	run_local_timers();
	scheduler_tick(user_tick, !user_tick);
}

/* do_timer: the global tick (once per tick in the whole system): jiffies++. */
void do_timer(struct pt_regs *regs)
{
	jiffies_64++;
	jiffies = (unsigned long)jiffies_64;
}

/*
 * schedule_timeout: sleep until timeout jiffies have passed or the task is woken, in the state the
 * caller set. A timer whose function wakes current does the timing. Returns the jiffies left.
 */
static void process_timeout(unsigned long __data)
{
	wake_up_process((struct task_struct *)__data);
}

long schedule_timeout(long timeout)
{
	struct timer_list timer;
	unsigned long expire;
	if (timeout == MAX_SCHEDULE_TIMEOUT) {
		schedule();
		return timeout;
	}
	if (timeout < 0) {
		printk(KERN_ERR "schedule_timeout: wrong timeout value %lx\n", timeout);
		current->state = TASK_RUNNING;
		return 0;
	}
	expire = timeout + jiffies;
	init_timer(&timer);
	timer.expires = expire;
	timer.data = (unsigned long)current;
	timer.function = process_timeout;
	add_timer(&timer);
	schedule();
	del_timer_sync(&timer);
	timeout = expire - jiffies;
	return timeout < 0 ? 0 : timeout;
}

/* msleep-like helper: sleep uninterruptibly for n jiffies. */
void schedule_timeout_uninterruptible_jiffies(long n)
{
	set_current_state(TASK_UNINTERRUPTIBLE);
	schedule_timeout(n);
}

void init_timers(void)
{
	int cpu, j;
	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		tvec_base_t *base = &per_cpu(tvec_bases, cpu);
		spin_lock_init(&base->lock);
		for (j = 0; j < TVN_SIZE; j++) {
			INIT_LIST_HEAD(base->tv5.vec + j);
			INIT_LIST_HEAD(base->tv4.vec + j);
			INIT_LIST_HEAD(base->tv3.vec + j);
			INIT_LIST_HEAD(base->tv2.vec + j);
		}
		for (j = 0; j < TVR_SIZE; j++)
			INIT_LIST_HEAD(base->tv1.vec + j);
		base->timer_jiffies = jiffies;
	}
	open_softirq(TIMER_SOFTIRQ, run_timer_softirq, NULL);
}

/* timer_wheel_level: 1..5 for a pending timer sitting in tv1..tv5 of its CPU's wheel, 0 if not
 * pending (for the scenarios and the debugger's timer view). */
int timer_wheel_level(struct timer_list *timer)
{
	unsigned long flags;
	int level = 0;
	tvec_base_t *base = timer->base;
	if (!base)
		return 0;
	spin_lock_irqsave(&base->lock, flags);
	if (timer->base == base) {
		/* Walk the circular list to its head, one of the wheel's vec entries. */
		struct list_head *pos = timer->entry.next;
		while (1) {
			char *p = (char *)pos;
			if (p >= (char *)base->tv1.vec && p < (char *)(base->tv1.vec + TVR_SIZE)) { level = 1; break; }
			if (p >= (char *)base->tv2.vec && p < (char *)(base->tv2.vec + TVN_SIZE)) { level = 2; break; }
			if (p >= (char *)base->tv3.vec && p < (char *)(base->tv3.vec + TVN_SIZE)) { level = 3; break; }
			if (p >= (char *)base->tv4.vec && p < (char *)(base->tv4.vec + TVN_SIZE)) { level = 4; break; }
			if (p >= (char *)base->tv5.vec && p < (char *)(base->tv5.vec + TVN_SIZE)) { level = 5; break; }
			pos = pos->next;
		}
	}
	spin_unlock_irqrestore(&base->lock, flags);
	return level;
}

/* timer_running_tick: inside a timer function, the tick of the wheel slot being processed (its
 * expiry), which may be behind jiffies when the timer softirq runs late. */
unsigned long timer_running_tick(void)
{
	return __get_cpu_var(tvec_bases).timer_jiffies - 1;
}
