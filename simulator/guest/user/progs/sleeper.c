/*
 * sleeper [-q] [COUNT] [MS]: sleeps COUNT times for MS milliseconds (nanosleep: the task waits
 * TASK_INTERRUPTIBLE until a kernel timer wakes it). COUNT 0 means forever. The exit code is 0.
 */
#include "ulib.h"

int main(int argc, char **argv)
{
	int quiet = 0, ai = 1;
	if (argc > ai && !strcmp(argv[ai], "-q"))
		quiet = 1, ai++;
	int count = argc > ai ? atoi(argv[ai]) : 0;
	int ms = argc > ai + 1 ? atoi(argv[ai + 1]) : 100;
	int n = 0;
	for (; count == 0 || n < count; n++) {
		int r = msleep(ms);
		if (r < 0 && r != -EINTR) {
			printf("sleeper: nanosleep failed: %d\n", r);
			return 1;
		}
	}
	if (!quiet)
		printf("sleeper: woke up %d times\n", n);
	return 0;
}
