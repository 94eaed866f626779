#ifndef _LINUX_WORKQUEUE_H
#define _LINUX_WORKQUEUE_H
#include <linux/timer.h>
#include <linux/list.h>
/*
 * Work queues (ULK3 §4.8, seed 003:3232–3371): deferred functions that run in process context, in
 * a worker kernel thread, so unlike softirqs and tasklets they may sleep.
 * work_struct: one deferred function (func(data)); pending is 1 while it sits in a worklist; timer
 * delays the insertion for queue_delayed_work; wq_data points to the cpu_workqueue_struct.
 */
struct work_struct {
	unsigned long pending;
	struct list_head entry;
	void (*func)(void *);
	void *data;
	void *wq_data;
	struct timer_list timer;
};
#define __WORK_INITIALIZER(n, f, d) { .entry = { &(n).entry, &(n).entry }, .func = (f), .data = (d), .timer = TIMER_INITIALIZER(NULL, 0, 0) }
#define DECLARE_WORK(n, f, d) struct work_struct n = __WORK_INITIALIZER(n, f, d)
#define PREPARE_WORK(_work, _func, _data) do { (_work)->func = _func; (_work)->data = _data; } while (0)
#define INIT_WORK(_work, _func, _data) do { INIT_LIST_HEAD(&(_work)->entry); (_work)->pending = 0; \
	PREPARE_WORK((_work), (_func), (_data)); init_timer(&(_work)->timer); } while (0)

struct workqueue_struct;
struct workqueue_struct *__create_workqueue(const char *name, int singlethread);
#define create_workqueue(name) __create_workqueue((name), 0)
#define create_singlethread_workqueue(name) __create_workqueue((name), 1)
void destroy_workqueue(struct workqueue_struct *wq);
int queue_work(struct workqueue_struct *wq, struct work_struct *work);
int queue_delayed_work(struct workqueue_struct *wq, struct work_struct *work, unsigned long delay);
void flush_workqueue(struct workqueue_struct *wq);
int cancel_delayed_work(struct work_struct *work);
int schedule_work(struct work_struct *work);
int schedule_delayed_work(struct work_struct *work, unsigned long delay);
int schedule_delayed_work_on(int cpu, struct work_struct *work, unsigned long delay);
void flush_scheduled_work(void);
void init_workqueues(void);
extern struct workqueue_struct *keventd_wq;
#endif
