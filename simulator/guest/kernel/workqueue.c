/*
 * kernel/workqueue.c — work queues (ULK3 §4.8, seed 003:3232–3371).
 *
 * A workqueue_struct has one cpu_workqueue_struct per CPU (or just one for a single-threaded
 * queue), each served by a worker kernel thread "name/cpu". queue_work appends a work_struct to the
 * current CPU's worklist and wakes the worker, which runs func(data) in process context — so, unlike
 * a softirq or tasklet, a work function may sleep. "events" (keventd_wq) is the predefined queue
 * behind schedule_work.
 *
 * flush_workqueue uses two sequence numbers per CPU: insert_sequence counts works queued,
 * remove_sequence works finished. A flusher notes insert_sequence and sleeps on work_done until
 * remove_sequence has caught up — it waits for what was queued before it, not for later work.
 */
#include <linux/sched.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/kthread.h>
#include <linux/interrupt.h>

struct cpu_workqueue_struct {
	spinlock_t lock;
	long remove_sequence; /* least-recently added (next to run) */
	long insert_sequence; /* next to add */
	struct list_head worklist;
	wait_queue_head_t more_work;
	wait_queue_head_t work_done;
	struct workqueue_struct *wq;
	struct task_struct *thread;
	int run_depth; /* detect run_workqueue() recursion depth */
} __attribute__((aligned(64)));

struct workqueue_struct {
	struct cpu_workqueue_struct cpu_wq[NR_CPUS];
	const char *name;
	int singlethread;
	struct list_head list; /* all workqueues */
};

static DEFINE_SPINLOCK(workqueue_lock);
static LIST_HEAD(workqueues);
struct workqueue_struct *keventd_wq;
unsigned long works_run[NR_CPUS]; /* ksim: work functions run, per CPU */

static inline int is_single_threaded(struct workqueue_struct *wq) { return wq->singlethread; }

static void __queue_work(struct cpu_workqueue_struct *cwq, struct work_struct *work)
{
	unsigned long flags;
	spin_lock_irqsave(&cwq->lock, flags);
	work->wq_data = cwq;
	list_add_tail(&work->entry, &cwq->worklist);
	cwq->insert_sequence++;
	wake_up(&cwq->more_work);
	spin_unlock_irqrestore(&cwq->lock, flags);
}

/*
 * queue_work (seed 003:3326–3332): if the work is already pending, do nothing (return 0); otherwise
 * mark it pending and add it to this CPU's list. Returns 1 if it was queued.
 */
int queue_work(struct workqueue_struct *wq, struct work_struct *work)
{
	int ret = 0, cpu = get_cpu();
	if (!test_and_set_bit(0, &work->pending)) {
		if (unlikely(is_single_threaded(wq)))
			cpu = 0;
		BUG_ON(!list_empty(&work->entry));
		__queue_work(wq->cpu_wq + cpu, work);
		ret = 1;
	}
	put_cpu();
	return ret;
}

static void delayed_work_timer_fn(unsigned long __data)
{
	struct work_struct *work = (struct work_struct *)__data;
	struct workqueue_struct *wq = work->wq_data;
	int cpu = smp_processor_id();
	if (unlikely(is_single_threaded(wq)))
		cpu = 0;
	__queue_work(wq->cpu_wq + cpu, work);
}

/* queue_delayed_work: like queue_work, but the insertion happens from work->timer after delay ticks. */
int queue_delayed_work(struct workqueue_struct *wq, struct work_struct *work, unsigned long delay)
{
	int ret = 0;
	struct timer_list *timer = &work->timer;
	if (!delay)
		return queue_work(wq, work);
	if (!test_and_set_bit(0, &work->pending)) {
		BUG_ON(timer_pending(timer));
		BUG_ON(!list_empty(&work->entry));
		work->wq_data = wq;
		timer->expires = jiffies + delay;
		timer->data = (unsigned long)work;
		timer->function = delayed_work_timer_fn;
		add_timer(timer);
		ret = 1;
	}
	return ret;
}

/* cancel_delayed_work: stop the timer of a delayed work that has not been queued yet. */
int cancel_delayed_work(struct work_struct *work)
{
	int ret = del_timer_sync(&work->timer);
	if (ret)
		clear_bit(0, &work->pending);
	return ret;
}

/* run_workqueue: take works off the list one by one and run them with the lock released. */
static void run_workqueue(struct cpu_workqueue_struct *cwq)
{
	unsigned long flags;
	spin_lock_irqsave(&cwq->lock, flags);
	cwq->run_depth++;
	if (cwq->run_depth > 3)
		printk("%s: recursion depth exceeded: %d\n", __func__, cwq->run_depth);
	while (!list_empty(&cwq->worklist)) {
		struct work_struct *work = list_entry(cwq->worklist.next, struct work_struct, entry);
		void (*f)(void *) = work->func;
		void *data = work->data;
		list_del_init(cwq->worklist.next);
		spin_unlock_irqrestore(&cwq->lock, flags);
		BUG_ON(work->wq_data != cwq);
		clear_bit(0, &work->pending);
		f(data);
		works_run[smp_processor_id()]++;
		spin_lock_irqsave(&cwq->lock, flags);
		cwq->remove_sequence++;
		wake_up(&cwq->work_done);
	}
	cwq->run_depth--;
	spin_unlock_irqrestore(&cwq->lock, flags);
}

/* worker_thread (seed 003:3336): sleep on more_work until the list is not empty, then run it. */
static int worker_thread(void *__cwq)
{
	struct cpu_workqueue_struct *cwq = __cwq;
	DECLARE_WAITQUEUE(wait, current);
	set_user_nice(current, -10);
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		add_wait_queue(&cwq->more_work, &wait);
		if (list_empty(&cwq->worklist))
			schedule();
		else
			__set_current_state(TASK_RUNNING);
		remove_wait_queue(&cwq->more_work, &wait);
		if (!list_empty(&cwq->worklist))
			run_workqueue(cwq);
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static void flush_cpu_workqueue(struct cpu_workqueue_struct *cwq)
{
	if (cwq->thread == current) {
		/* Probably keventd trying to flush its own queue: run it in place. */
		run_workqueue(cwq);
	} else {
		DEFINE_WAIT(wait);
		long sequence_needed;
		spin_lock_irq(&cwq->lock);
		sequence_needed = cwq->insert_sequence;
		while (sequence_needed - cwq->remove_sequence > 0) {
			prepare_to_wait(&cwq->work_done, &wait, TASK_UNINTERRUPTIBLE);
			spin_unlock_irq(&cwq->lock);
			schedule();
			spin_lock_irq(&cwq->lock);
		}
		finish_wait(&cwq->work_done, &wait);
		spin_unlock_irq(&cwq->lock);
	}
}

/* flush_workqueue: wait until every work queued before this call, on every CPU, has run. */
void flush_workqueue(struct workqueue_struct *wq)
{
	if (is_single_threaded(wq))
		flush_cpu_workqueue(wq->cpu_wq + 0);
	else {
		int cpu;
		for_each_online_cpu(cpu)
			flush_cpu_workqueue(wq->cpu_wq + cpu);
	}
}

static struct task_struct *create_workqueue_thread(struct workqueue_struct *wq, int cpu)
{
	struct cpu_workqueue_struct *cwq = wq->cpu_wq + cpu;
	struct task_struct *p;
	spin_lock_init(&cwq->lock);
	cwq->wq = wq;
	cwq->thread = NULL;
	cwq->insert_sequence = 0;
	cwq->remove_sequence = 0;
	INIT_LIST_HEAD(&cwq->worklist);
	init_waitqueue_head(&cwq->more_work);
	init_waitqueue_head(&cwq->work_done);
	if (is_single_threaded(wq))
		p = kthread_create(worker_thread, cwq, "%s", wq->name);
	else
		p = kthread_create(worker_thread, cwq, "%s/%d", wq->name, cpu);
	if (!p)
		return NULL;
	cwq->thread = p;
	return p;
}

struct workqueue_struct *__create_workqueue(const char *name, int singlethread)
{
	int cpu;
	struct workqueue_struct *wq = kzalloc(sizeof(*wq), GFP_KERNEL);
	struct task_struct *p;
	if (!wq)
		return NULL;
	wq->name = name;
	wq->singlethread = singlethread;
	if (singlethread) {
		INIT_LIST_HEAD(&wq->list);
		p = create_workqueue_thread(wq, 0);
		if (!p)
			goto fail;
		wake_up_process(p);
	} else {
		spin_lock(&workqueue_lock);
		list_add(&wq->list, &workqueues);
		spin_unlock(&workqueue_lock);
		for_each_online_cpu(cpu) {
			p = create_workqueue_thread(wq, cpu);
			if (!p)
				goto fail;
			kthread_bind(p, cpu);
			wake_up_process(p);
		}
	}
	return wq;
fail:
	destroy_workqueue(wq);
	return NULL;
}

/* destroy_workqueue: flush, then stop the worker threads and free the queue. */
void destroy_workqueue(struct workqueue_struct *wq)
{
	int cpu;
	flush_workqueue(wq);
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		if (wq->cpu_wq[cpu].thread) {
			kthread_stop(wq->cpu_wq[cpu].thread);
			wq->cpu_wq[cpu].thread = NULL;
		}
	if (!wq->singlethread) {
		spin_lock(&workqueue_lock);
		list_del(&wq->list);
		spin_unlock(&workqueue_lock);
	}
	kfree(wq);
}

/* The "events" queue (seed 003:3342–3371): keventd's work, used by schedule_work. */
int schedule_work(struct work_struct *work)
{
	return queue_work(keventd_wq, work);
}

int schedule_delayed_work(struct work_struct *work, unsigned long delay)
{
	return queue_delayed_work(keventd_wq, work, delay);
}

int schedule_delayed_work_on(int cpu, struct work_struct *work, unsigned long delay)
{
	int ret = 0;
	struct timer_list *timer = &work->timer;
	if (!test_and_set_bit(0, &work->pending)) {
		BUG_ON(timer_pending(timer));
		BUG_ON(!list_empty(&work->entry));
		work->wq_data = keventd_wq;
		timer->expires = jiffies + delay;
		timer->data = (unsigned long)work;
		timer->function = delayed_work_timer_fn;
		add_timer_on(timer, cpu);
		ret = 1;
	}
	return ret;
}

void flush_scheduled_work(void)
{
	flush_workqueue(keventd_wq);
}

void init_workqueues(void)
{
	keventd_wq = create_workqueue("events");
	BUG_ON(!keventd_wq);
}
