/*
 * kernel/semaphore.c — kernel semaphores (ULK3 §5.2.10 — extrapolated; 2.6.11 keeps this in
 * arch/i386/kernel/semaphore.c with an assembly fast path; here the whole thing is C under the wait
 * queue lock, which shows the same states: count > 0 free, 0 taken, < 0 taken with sleepers).
 */
#include <linux/sched.h>
#include <asm/semaphore.h>

static int __down_common(struct semaphore *sem, int state)
{
	DECLARE_WAITQUEUE(wait, current);
	unsigned long flags;
	int ret = 0;
	spin_lock_irqsave(&sem->wait.lock, flags);
	if (atomic_read(&sem->count) > 0) {
		atomic_dec(&sem->count);
		spin_unlock_irqrestore(&sem->wait.lock, flags);
		return 0;
	}
	/* Taken: sleep as an exclusive waiter until up() hands the semaphore to us. */
	wait.flags |= WQ_FLAG_EXCLUSIVE;
	__add_wait_queue_tail(&sem->wait, &wait);
	sem->sleepers++;
	atomic_dec(&sem->count); /* negative: someone is waiting */
	for (;;) {
		if (state == TASK_INTERRUPTIBLE && signal_pending(current)) {
			atomic_inc(&sem->count);
			ret = -4; /* -EINTR */
			break;
		}
		__set_current_state(state);
		spin_unlock_irqrestore(&sem->wait.lock, flags);
		schedule();
		spin_lock_irqsave(&sem->wait.lock, flags);
		if (wait.task == NULL) /* up() passed the semaphore to us */
			break;
	}
	sem->sleepers--;
	__remove_wait_queue(&sem->wait, &wait);
	__set_current_state(TASK_RUNNING);
	spin_unlock_irqrestore(&sem->wait.lock, flags);
	return ret;
}

void down(struct semaphore *sem)
{
	__down_common(sem, TASK_UNINTERRUPTIBLE);
}

int down_interruptible(struct semaphore *sem)
{
	return __down_common(sem, TASK_INTERRUPTIBLE);
}

/* down_trylock: 0 if acquired, 1 if not (never sleeps). */
int down_trylock(struct semaphore *sem)
{
	unsigned long flags;
	int ret = 1;
	spin_lock_irqsave(&sem->wait.lock, flags);
	if (atomic_read(&sem->count) > 0) {
		atomic_dec(&sem->count);
		ret = 0;
	}
	spin_unlock_irqrestore(&sem->wait.lock, flags);
	return ret;
}

/* up: if someone sleeps, hand the semaphore directly to the first waiter (it stays counted as
 * taken); otherwise increment the count. */
void up(struct semaphore *sem)
{
	unsigned long flags;
	spin_lock_irqsave(&sem->wait.lock, flags);
	atomic_inc(&sem->count);
	if (!list_empty(&sem->wait.task_list)) {
		wait_queue_t *w = list_entry(sem->wait.task_list.next, wait_queue_t, task_list);
		struct task_struct *t = w->task;
		list_del_init(&w->task_list);
		w->task = NULL;
		INIT_LIST_HEAD(&w->task_list);
		wake_up_process(t);
	}
	spin_unlock_irqrestore(&sem->wait.lock, flags);
}
