/*
 * vforker: vfork (CLONE_VM | CLONE_VFORK). The child runs in the parent's address space, on the
 * parent's stack, and the parent sleeps on the vfork completion until the child calls execve or exits
 * (do_fork waits; mm_release at exec/exit completes it). Writes of the child are seen by the parent.
 */
#include "ulib.h"

static volatile int shared;

int main(void)
{
	pid_t pid = vfork();
	if (pid == 0) {
		shared = 1;	/* the parent's variable: there is only one address space */
		_exit(7);
	}
	/* We run again only after the child's _exit: the write is already there. */
	printf("vforker: parent resumed after the child's exit, shared=%d (child wrote 1)\n", shared);
	int st = 0;
	waitpid(pid, &st, 0);
	printf("vforker: first child exit code %d\n", WEXITSTATUS(st));

	pid = vfork();
	if (pid == 0) {
		shared = 2;
		char *argv[] = { "sleeper", "-q", "1", "1", NULL };
		exec_prog("sleeper", argv);
		_exit(127);
	}
	printf("vforker: parent resumed after the child's execve, shared=%d (child wrote 2)\n", shared);
	waitpid(pid, &st, 0);
	printf("vforker: exec'd child exit code %d\n", WEXITSTATUS(st));
	return 0;
}
