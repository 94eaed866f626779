/*
 * cpu_hog [-q] [-r FD] [ITERATIONS]: burns CPU without ever sleeping, so only the timer interrupt
 * (scheduler_tick -> TIF_NEED_RESCHED -> schedule on the way back to user mode) takes the CPU away.
 * ITERATIONS 0 (the default) means forever. Its timeslice shrinks with nice (see `nice` in the shell).
 * -r FD: write one byte to FD (a pipe) and close it once running, so a parent can wait until the exec
 * is complete (init does, so that the shell's `ps` always shows "cpu_hog").
 */
#include "ulib.h"

int main(int argc, char **argv)
{
	int quiet = 0, ai = 1;
	if (argc > ai && !strcmp(argv[ai], "-q"))
		quiet = 1, ai++;
	if (argc > ai + 1 && !strcmp(argv[ai], "-r")) {
		int fd = atoi(argv[ai + 1]);
		write(fd, "r", 1);
		close(fd);
		ai += 2;
	}
	unsigned int iterations = argc > ai ? (unsigned int)atoi(argv[ai]) : 0;
	unsigned int x = 1;
	unsigned int i = 0;
	for (; iterations == 0 || i < iterations; i++) {
		for (int k = 0; k < 1000; k++)
			x = x * 1103515245u + 12345u;
	}
	if (!quiet)
		printf("cpu_hog: %u iterations done, checksum %x\n", i, x);
	return 0;
}
