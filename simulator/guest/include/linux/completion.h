#ifndef _LINUX_COMPLETION_H
#define _LINUX_COMPLETION_H
#include <linux/wait.h>
/* Completions (ULK3 §5.2.11 — extrapolated): a counter and a wait queue; wait_for_completion sleeps
 * until complete() has been called as many times as it was waited for. */
struct completion {
	unsigned int done;
	wait_queue_head_t wait;
};
#define COMPLETION_INITIALIZER(work) { 0, __WAIT_QUEUE_HEAD_INITIALIZER((work).wait) }
#define DECLARE_COMPLETION(work) struct completion work = COMPLETION_INITIALIZER(work)
static inline void init_completion(struct completion *x) { x->done = 0; init_waitqueue_head(&x->wait); }
void wait_for_completion(struct completion *x);
void complete(struct completion *x);
void complete_all(struct completion *x);
#endif
