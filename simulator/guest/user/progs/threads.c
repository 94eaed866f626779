/*
 * threads: clone(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD). The threads share
 * one mm (one page directory), so they update the same counter; they share the thread group id
 * (getpid() == tgid of the leader) but each has its own pid (gettid()). A CLONE_THREAD child has
 * exit_signal -1: nobody wait()s for it, it is released at exit (EXIT_DEAD), so the main thread waits
 * on a shared "finished" counter instead.
 */
#include "ulib.h"

#define NTHREADS 4
#define INCREMENTS 10000
#define STACK_SIZE 16384

static volatile int counter;
static volatile int finished;
static volatile int tids[NTHREADS];
static volatile int tgids[NTHREADS];

static int worker(void *arg)
{
	int idx = (int)arg;
	tids[idx] = gettid();
	tgids[idx] = getpid();
	for (int i = 0; i < INCREMENTS; i++) {
		atomic_add_return(&counter, 1);
		if ((i & 1023) == 0)
			sched_yield();
	}
	atomic_add_return(&finished, 1);
	return 0;	/* clone's trampoline calls _exit (exit, not exit_group): only this thread ends */
}

int main(void)
{
	int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;
	for (int i = 0; i < NTHREADS; i++) {
		char *stack = malloc(STACK_SIZE);
		int r = clone(worker, stack + STACK_SIZE, flags, (void *)i);
		if (r < 0) {
			printf("threads: clone failed: %d\n", r);
			return 1;
		}
	}
	while (finished < NTHREADS)
		sched_yield();
	int same_tgid = 1, distinct = 1;
	for (int i = 0; i < NTHREADS; i++) {
		if (tgids[i] != getpid())
			same_tgid = 0;
		if (tids[i] == getpid())
			distinct = 0;
		for (int j = 0; j < i; j++)
			if (tids[i] == tids[j])
				distinct = 0;
	}
	printf("threads: %d threads shared one address space: counter=%d (expected %d)\n", NTHREADS, counter,
	       NTHREADS * INCREMENTS);
	printf("threads: getpid() equal to the leader's in every thread: %s\n", same_tgid ? "yes" : "no");
	printf("threads: gettid() distinct in every thread: %s\n", distinct ? "yes" : "no");
	return counter == NTHREADS * INCREMENTS && same_tgid && distinct ? 0 : 1;
}
