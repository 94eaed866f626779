#ifndef _ASM_SEMAPHORE_H
#define _ASM_SEMAPHORE_H
#include <asm/atomic.h>
#include <linux/wait.h>
/*
 * Kernel semaphores (ULK3 §5.2.10 — extrapolated from 2.6.11 arch/i386/kernel/semaphore.c).
 * count > 0: free (that many more down() succeed); 0: taken, nobody waiting; < 0: taken with
 * sleepers. sleepers counts the sleeping tasks; the sleepers on wait are exclusive waiters, so up()
 * wakes exactly one.
 */
struct semaphore {
	atomic_t count;
	int sleepers;
	wait_queue_head_t wait;
};
#define __SEMAPHORE_INITIALIZER(name, n) { .count = ATOMIC_INIT(n), .sleepers = 0, .wait = __WAIT_QUEUE_HEAD_INITIALIZER((name).wait) }
#define DECLARE_MUTEX(name) struct semaphore name = __SEMAPHORE_INITIALIZER(name, 1)
static inline void sema_init(struct semaphore *sem, int val) { atomic_set(&sem->count, val); sem->sleepers = 0; init_waitqueue_head(&sem->wait); }
static inline void init_MUTEX(struct semaphore *sem) { sema_init(sem, 1); }
static inline void init_MUTEX_LOCKED(struct semaphore *sem) { sema_init(sem, 0); }
void down(struct semaphore *sem);
int down_interruptible(struct semaphore *sem);
int down_trylock(struct semaphore *sem);
void up(struct semaphore *sem);
#endif
