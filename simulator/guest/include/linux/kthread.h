#ifndef _LINUX_KTHREAD_H
#define _LINUX_KTHREAD_H
#include <linux/sched.h>
/* kthread helpers (kernel/kthread.c of 2.6.11 — extrapolated): create a stopped kernel thread named
 * by a format, bind it to a CPU, start it with wake_up_process, ask it to stop with kthread_stop. */
struct task_struct *kthread_create(int (*threadfn)(void *data), void *data, const char *namefmt, ...)
	__attribute__((format(printf, 3, 4)));
void kthread_bind(struct task_struct *k, unsigned int cpu);
int kthread_stop(struct task_struct *k);
int kthread_should_stop(void);
#define kthread_run(threadfn, data, namefmt, ...) ({ \
	struct task_struct *__k = kthread_create(threadfn, data, namefmt, ##__VA_ARGS__); \
	if (__k) \
		wake_up_process(__k); \
	__k; })
#endif
