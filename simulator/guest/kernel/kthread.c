/*
 * kernel/kthread.c — helpers to create and stop kernel threads (2.6.11 kernel/kthread.c, simplified
 * — extrapolated: the seeds describe kernel_thread only, 003:1293–1321).
 *
 * kthread_create starts a kernel thread that first runs kthread(): it records itself, goes to sleep
 * (TASK_INTERRUPTIBLE) and tells the creator it exists. The creator names it, may bind it to a CPU
 * (kthread_bind), and lets it run with wake_up_process; only then does threadfn(data) start.
 * kthread_stop sets the thread's stop flag, wakes it and waits until threadfn has returned.
 */
#include <linux/sched.h>
#include <linux/kthread.h>
#include <linux/completion.h>
#include <linux/string.h>
#include <asm/semaphore.h>

struct kthread_create_info {
	int (*threadfn)(void *data);
	void *data;
	struct completion started;
	struct task_struct *result;
};

static DECLARE_MUTEX(kthread_stop_lock);
static struct {
	struct task_struct *k;
	struct completion done;
	int err;
} kthread_stop_info;

int kthread_should_stop(void)
{
	return current->kthread_should_stop;
}

static int kthread(void *_create)
{
	struct kthread_create_info *create = _create;
	int (*threadfn)(void *data) = create->threadfn;
	void *data = create->data;
	int ret = -4; /* -EINTR if stopped before it ever ran */

	current->flags |= PF_KTHREAD;
	__set_current_state(TASK_INTERRUPTIBLE);
	create->result = current;
	/* Tell the creator we exist and go to sleep at once: with preemption off, the creator (woken by
	 * complete, maybe of higher priority) cannot run before we are off the runqueue, so its
	 * kthread_bind does not have to wait for us. */
	preempt_disable();
	complete(&create->started);
	preempt_enable_no_resched();
	schedule();
	if (!kthread_should_stop())
		ret = threadfn(data);
	if (kthread_should_stop()) {
		kthread_stop_info.err = ret;
		complete(&kthread_stop_info.done);
	}
	return ret;
}

struct task_struct *kthread_create(int (*threadfn)(void *data), void *data, const char *namefmt, ...)
{
	struct kthread_create_info create;
	va_list args;
	create.threadfn = threadfn;
	create.data = data;
	create.result = NULL;
	init_completion(&create.started);
	int pid = kernel_thread(kthread, &create, CLONE_FS | CLONE_FILES | SIGCHLD);
	if (pid < 0)
		return NULL;
	wait_for_completion(&create.started);
	va_start(args, namefmt);
	vsnprintf(create.result->comm, sizeof(create.result->comm), namefmt, args);
	va_end(args);
	return create.result;
}

void kthread_bind(struct task_struct *k, unsigned int cpu)
{
	extern void wait_task_inactive(struct task_struct *p);
	wait_task_inactive(k);
	set_task_cpu(k, cpu);
	k->cpus_allowed = cpumask_of_cpu(cpu);
}

int kthread_stop(struct task_struct *k)
{
	int ret;
	down(&kthread_stop_lock);
	get_task_struct(k);
	init_completion(&kthread_stop_info.done);
	kthread_stop_info.k = k;
	k->kthread_should_stop = 1;
	wake_up_process(k);
	wait_for_completion(&kthread_stop_info.done);
	kthread_stop_info.k = NULL;
	ret = kthread_stop_info.err;
	put_task_struct(k);
	up(&kthread_stop_lock);
	return ret;
}
