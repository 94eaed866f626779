/*
 * segv: bad user accesses.
 *  1. write() from an unmapped buffer: copy_from_user faults inside the kernel, the fault handler
 *     finds the faulting kernel instruction in the exception table and write() returns -EFAULT.
 *  2. stack growth: recursing through 1 MiB of stack runs below the initial 128 KiB stack region;
 *     each fault just below it makes do_page_fault grow the region (expand_stack) — a legal access.
 *  3. a store to address 0 from user mode: do_page_fault finds no vm_area_struct and sends SIGSEGV,
 *     whose default action kills the process; the parent's waitpid() sees "killed by signal 11".
 */
#include "ulib.h"

/* Each level uses a 4 KiB frame; the sum makes sure the frames are really written. */
static int deep(int n)
{
	volatile char frame[4096];
	frame[0] = (char)n;
	frame[4095] = (char)(n >> 8);
	if (n == 0)
		return 0;
	return deep(n - 1) + frame[0] - (char)n + 1;
}

int main(void)
{
	int r = write(1, (const void *)0x00001000, 16);
	printf("segv: write() from an unmapped user buffer returned %d\n", r);
	r = write(1, (const void *)0xc0100000, 16);
	printf("segv: write() from a kernel address returned %d\n", r);
	printf("segv: recursed through 256 frames of 4 KiB: %d levels returned\n", deep(256));
	printf("segv: storing to address 0\n");
	*(volatile int *)0 = 1;
	printf("segv: still alive after the bad store\n");
	return 1;
}
