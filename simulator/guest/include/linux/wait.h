#ifndef _LINUX_WAIT_H
#define _LINUX_WAIT_H
#include <linux/list.h>
#include <linux/spinlock.h>
/*
 * Wait queues (ULK3 §3.2.4.1–3.2.4.2, seed 003:490–612).
 * A wait_queue_head_t is a list of wait_queue_t entries protected by a spin lock. Each entry names
 * a sleeping task and the function that wakes it (func). flags = WQ_FLAG_EXCLUSIVE marks an exclusive
 * waiter: wake-up functions wake every non-exclusive waiter but stop after nr_exclusive exclusive ones,
 * which avoids the "thundering herd" when only one sleeper can take the resource.
 */
struct task_struct;
typedef struct __wait_queue wait_queue_t;
typedef int (*wait_queue_func_t)(wait_queue_t *wait, unsigned mode, int sync, void *key);
int default_wake_function(wait_queue_t *wait, unsigned mode, int sync, void *key);
int autoremove_wake_function(wait_queue_t *wait, unsigned mode, int sync, void *key);

#define WQ_FLAG_EXCLUSIVE 0x01
struct __wait_queue {
	unsigned int flags;
	struct task_struct *task;
	wait_queue_func_t func;
	struct list_head task_list;
};
struct __wait_queue_head {
	spinlock_t lock;
	struct list_head task_list;
};
typedef struct __wait_queue_head wait_queue_head_t;

#define __WAIT_QUEUE_HEAD_INITIALIZER(name) { .lock = SPIN_LOCK_UNLOCKED, .task_list = { &(name).task_list, &(name).task_list } }
#define DECLARE_WAIT_QUEUE_HEAD(name) wait_queue_head_t name = __WAIT_QUEUE_HEAD_INITIALIZER(name)
#define __WAITQUEUE_INITIALIZER(name, tsk) { .task = tsk, .func = default_wake_function, .task_list = { NULL, NULL } }
#define DECLARE_WAITQUEUE(name, tsk) wait_queue_t name = __WAITQUEUE_INITIALIZER(name, tsk)
static inline void init_waitqueue_head(wait_queue_head_t *q) { spin_lock_init(&q->lock); INIT_LIST_HEAD(&q->task_list); }
static inline void init_waitqueue_entry(wait_queue_t *q, struct task_struct *p) { q->flags = 0; q->task = p; q->func = default_wake_function; }
static inline int waitqueue_active(wait_queue_head_t *q) { return !list_empty(&q->task_list); }
static inline void __add_wait_queue(wait_queue_head_t *head, wait_queue_t *n) { list_add(&n->task_list, &head->task_list); }
static inline void __add_wait_queue_tail(wait_queue_head_t *head, wait_queue_t *n) { list_add_tail(&n->task_list, &head->task_list); }
static inline void __remove_wait_queue(wait_queue_head_t *head, wait_queue_t *old) { list_del(&old->task_list); }

void add_wait_queue(wait_queue_head_t *q, wait_queue_t *wait);
void add_wait_queue_exclusive(wait_queue_head_t *q, wait_queue_t *wait);
void remove_wait_queue(wait_queue_head_t *q, wait_queue_t *wait);
void prepare_to_wait(wait_queue_head_t *q, wait_queue_t *wait, int state);
void prepare_to_wait_exclusive(wait_queue_head_t *q, wait_queue_t *wait, int state);
void finish_wait(wait_queue_head_t *q, wait_queue_t *wait);

void __wake_up(wait_queue_head_t *q, unsigned int mode, int nr, void *key);
void __wake_up_locked(wait_queue_head_t *q, unsigned int mode);
void __wake_up_sync(wait_queue_head_t *q, unsigned int mode, int nr);
void __wake_up_common(wait_queue_head_t *q, unsigned int mode, int nr_exclusive, int sync, void *key);

/* The wake-up family (seed 003:583–612): mode selects which sleeping states are woken, nr the number
 * of exclusive waiters (0 = all). */
#define wake_up(x) __wake_up(x, TASK_UNINTERRUPTIBLE | TASK_INTERRUPTIBLE, 1, NULL)
#define wake_up_nr(x, nr) __wake_up(x, TASK_UNINTERRUPTIBLE | TASK_INTERRUPTIBLE, nr, NULL)
#define wake_up_all(x) __wake_up(x, TASK_UNINTERRUPTIBLE | TASK_INTERRUPTIBLE, 0, NULL)
#define wake_up_interruptible(x) __wake_up(x, TASK_INTERRUPTIBLE, 1, NULL)
#define wake_up_interruptible_nr(x, nr) __wake_up(x, TASK_INTERRUPTIBLE, nr, NULL)
#define wake_up_interruptible_all(x) __wake_up(x, TASK_INTERRUPTIBLE, 0, NULL)
#define wake_up_locked(x) __wake_up_locked((x), TASK_UNINTERRUPTIBLE | TASK_INTERRUPTIBLE)
#define wake_up_interruptible_sync(x) __wake_up_sync((x), TASK_INTERRUPTIBLE, 1)

/* The sleep_on family (seed 003:540–548): racy by design — the condition is tested before the
 * task is on the queue; kept because the book explains why wait_event replaced it. */
void sleep_on(wait_queue_head_t *q);
long sleep_on_timeout(wait_queue_head_t *q, long timeout);
void interruptible_sleep_on(wait_queue_head_t *q);
long interruptible_sleep_on_timeout(wait_queue_head_t *q, long timeout);

#define DEFINE_WAIT(name) \
	wait_queue_t name = { .task = current, .func = autoremove_wake_function, .task_list = LIST_HEAD_INIT((name).task_list) }

/* wait_event (seed 003:570–579): put ourselves on the queue first, then test the condition, so a
 * wake-up between the test and schedule() cannot be lost. */
#define wait_event(wq, condition) do {						\
	if (condition) break;							\
	DEFINE_WAIT(__wait);							\
	for (;;) {								\
		prepare_to_wait(&(wq), &__wait, TASK_UNINTERRUPTIBLE);		\
		if (condition) break;						\
		schedule();							\
	}									\
	finish_wait(&(wq), &__wait);						\
} while (0)
#define wait_event_interruptible(wq, condition) ({				\
	int __ret = 0;								\
	if (!(condition)) {							\
		DEFINE_WAIT(__wait);						\
		for (;;) {							\
			prepare_to_wait(&(wq), &__wait, TASK_INTERRUPTIBLE);	\
			if (condition) break;					\
			if (!signal_pending(current)) { schedule(); continue; }	\
			__ret = -ERESTARTSYS; break;				\
		}								\
		finish_wait(&(wq), &__wait);					\
	}									\
	__ret; })
#define wait_event_timeout(wq, condition, timeout) ({				\
	long __ret = (timeout);							\
	if (!(condition)) {							\
		DEFINE_WAIT(__wait);						\
		for (;;) {							\
			prepare_to_wait(&(wq), &__wait, TASK_UNINTERRUPTIBLE);	\
			if (condition) break;					\
			__ret = schedule_timeout(__ret);			\
			if (!__ret) break;					\
		}								\
		finish_wait(&(wq), &__wait);					\
	}									\
	__ret; })
#define wait_event_interruptible_timeout(wq, condition, timeout) ({		\
	long __ret = (timeout);							\
	if (!(condition)) {							\
		DEFINE_WAIT(__wait);						\
		for (;;) {							\
			prepare_to_wait(&(wq), &__wait, TASK_INTERRUPTIBLE);	\
			if (condition) break;					\
			if (!signal_pending(current)) {				\
				__ret = schedule_timeout(__ret);		\
				if (!__ret) break;				\
				continue;					\
			}							\
			__ret = -ERESTARTSYS; break;				\
		}								\
		finish_wait(&(wq), &__wait);					\
	}									\
	__ret; })
#endif
