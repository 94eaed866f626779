/*
 * clone_flags: the clone() flags that change *who* the child is related to and *when* it starts.
 *
 *   CLONE_PARENT   The child's parent is the caller's parent, not the caller (copy_process sets
 *                  real_parent = current->real_parent). The caller therefore cannot wait for it —
 *                  wait4 returns -ECHILD — and the caller's own parent gets its SIGCHLD and reaps it.
 *                  Layout: this process (P) forks a middle process M; M clones C with CLONE_PARENT,
 *                  so C becomes M's sibling, a child of P. P reaps both.
 *   CLONE_STOPPED  The child is created in TASK_STOPPED with a SIGSTOP pending (do_fork) and is not
 *                  put on a run queue: it runs only after someone sends it SIGCONT. The child shares
 *                  our memory (CLONE_VM) and sets a flag as its very first action, so "it has not run"
 *                  is visible as "the flag is still 0". In 2.6.11 such a child has never *stopped*
 *                  (do_signal_stop never ran, exit_code is 0), so wait4(WUNTRACED) has nothing to
 *                  report. Linux removed CLONE_STOPPED in 2.6.38 (the bit now means CLONE_NEWCGROUP):
 *                  with the argument "no-stopped" this part is skipped, which is how the host runs it.
 *   CLONE_VFORK    without CLONE_VM: the child has its own copy of memory, but the caller still sleeps
 *                  until the child exits (do_fork waits on the vfork completion). The child first
 *                  sleeps, then writes 'c' into a pipe and exits; the resumed caller writes 'p'. The
 *                  pipe reads "cp" only if the caller really was blocked.
 *
 * Every line is printed after the corresponding wait, so the output does not depend on timing.
 */
#include "ulib.h"

#define STACK_SIZE 16384
static char child_stack[STACK_SIZE] __attribute__((aligned(16)));

static int failures;

static void check(const char *what, int ok)
{
	printf("clone_flags: %s: %s\n", what, ok ? "yes" : "no");
	if (!ok)
		failures++;
}

/* ---- CLONE_PARENT ---- */

static pid_t middle_ppid;	/* M's getppid(), copied into C's memory by clone */

static int parent_sibling(void *arg)
{
	(void)arg;
	/* C: exit 30 if our parent is M's parent (P), 31 otherwise. */
	_exit(getppid() == middle_ppid ? 30 : 31);
}

static void test_clone_parent(void)
{
	int report[2];
	if (pipe(report) < 0) {
		check("CLONE_PARENT: pipe", 0);
		return;
	}
	pid_t me = getpid();
	pid_t middle = fork();
	if (middle == 0) {
		/* M: create C as our sibling, then tell P its pid and what our own wait4 saw. */
		close(report[0]);
		middle_ppid = getppid();
		pid_t c = clone(parent_sibling, child_stack + STACK_SIZE, CLONE_PARENT | SIGCHLD, NULL);
		int st = 0;
		int w1 = waitpid(c, &st, 0);	/* not our child: -ECHILD at once, no sleeping */
		int w2 = waitpid(-1, &st, 0);	/* and we have no children at all */
		int msg[4] = { c, w1, w2, middle_ppid == me };
		write(report[1], msg, sizeof(msg));
		_exit(20);
	}
	close(report[1]);
	int msg[4] = { 0, 0, 0, 0 };
	int n = read(report[0], msg, sizeof(msg));
	close(report[0]);
	if (middle < 0 || n != (int)sizeof(msg) || msg[0] <= 0) {
		printf("clone_flags: CLONE_PARENT: fork %d, report %d bytes, clone %d\n", middle, n, msg[0]);
		failures++;
		return;
	}
	pid_t c = msg[0];
	check("CLONE_PARENT: the caller's getppid() is its parent's pid", msg[3]);
	check("CLONE_PARENT: the caller's wait4 on the child returns -ECHILD", msg[1] == -ECHILD);
	check("CLONE_PARENT: the caller's wait4(-1) returns -ECHILD (no children of its own)", msg[2] == -ECHILD);
	int st_m = 0, st_c = 0;
	int rc = waitpid(c, &st_c, 0);	/* C is *our* child: we can wait for it by pid */
	int rm = waitpid(middle, &st_m, 0);
	check("CLONE_PARENT: the caller's parent reaps the child", rc == c);
	check("CLONE_PARENT: the child's getppid() equals the caller's getppid()",
	      rc == c && WIFEXITED(st_c) && WEXITSTATUS(st_c) == 30);
	check("CLONE_PARENT: the caller exited normally (20)", rm == middle && WIFEXITED(st_m) && WEXITSTATUS(st_m) == 20);
	int st = 0;
	check("CLONE_PARENT: nothing else left to reap", waitpid(-1, &st, WNOHANG) == -ECHILD);
}

/* ---- CLONE_STOPPED ---- */

static volatile int stopped_child_ran;

static int stopped_child(void *arg)
{
	(void)arg;
	stopped_child_ran = 1;	/* shared memory (CLONE_VM): the parent sees this store */
	return 5;
}

static void test_clone_stopped(void)
{
	stopped_child_ran = 0;
	pid_t c = clone(stopped_child, child_stack + STACK_SIZE, CLONE_VM | CLONE_STOPPED | SIGCHLD, NULL);
	if (c < 0) {
		printf("clone_flags: CLONE_STOPPED: clone returned %d\n", c);
		failures++;
		return;
	}
	/* Give it every chance to run: sleep (all CPUs may go idle) and yield. */
	msleep(30);
	for (int i = 0; i < 10; i++)
		sched_yield();
	check("CLONE_STOPPED: the child did not run during 30 ms and 10 yields", stopped_child_ran == 0);
	int st = 0;
	check("CLONE_STOPPED: wait4(WUNTRACED|WNOHANG) reports nothing (it never stopped itself)",
	      waitpid(c, &st, WUNTRACED | WNOHANG) == 0);
	int k = kill(c, SIGCONT);
	int r = waitpid(c, &st, 0);
	check("CLONE_STOPPED: after SIGCONT the child ran and exited with 5",
	      k == 0 && r == c && WIFEXITED(st) && WEXITSTATUS(st) == 5 && stopped_child_ran == 1);
}

/* ---- CLONE_VFORK without CLONE_VM ---- */

static int vfork_pipe[2];

static int vfork_child(void *arg)
{
	(void)arg;
	msleep(20);	/* a parent that was not blocked would write first */
	write(vfork_pipe[1], "c", 1);
	return 9;
}

static void test_vfork_copy(void)
{
	if (pipe(vfork_pipe) < 0) {
		check("CLONE_VFORK: pipe", 0);
		return;
	}
	pid_t c = clone(vfork_child, child_stack + STACK_SIZE, CLONE_VFORK | SIGCHLD, NULL);
	write(vfork_pipe[1], "p", 1);	/* we get here only after the child's exit */
	close(vfork_pipe[1]);
	char buf[4] = { 0, 0, 0, 0 };
	int n = 0, r;
	while (n < 3 && (r = read(vfork_pipe[0], buf + n, 3 - n)) > 0)
		n += r;
	close(vfork_pipe[0]);
	int st = 0;
	int w = waitpid(c, &st, 0);
	check("CLONE_VFORK without CLONE_VM: the caller resumed only after the child's exit (pipe reads cp)",
	      c > 0 && n == 2 && buf[0] == 'c' && buf[1] == 'p');
	check("CLONE_VFORK without CLONE_VM: the child exited with 9",
	      w == c && WIFEXITED(st) && WEXITSTATUS(st) == 9);
}

int main(int argc, char **argv)
{
	int with_stopped = !(argc > 1 && !strcmp(argv[1], "no-stopped"));
	test_clone_parent();
	test_vfork_copy();
	if (with_stopped)
		test_clone_stopped();
	printf("clone_flags: %s\n", failures ? "FAILED" : "OK");
	return failures ? 1 : 0;
}
