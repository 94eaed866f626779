/*
 * forker: a fork tree with waits (scenario fork-exit-wait), and the orphan case (zombie-reparent).
 *
 *   forker           parent -> 3 children -> 2 grandchildren each. Every process learns its result from
 *                    fork()'s return value (0 in the child: copy_thread zeroed the child's saved eax) and
 *                    reports back only through its exit code, collected by waitpid() in its parent; the
 *                    parent prints once everything is reaped, so the output does not depend on timing.
 *   forker orphan    a child exits while its own child still runs: the grandchild is reparented to init
 *                    (exit_notify -> forget_original_parent) and init reaps it when it exits.
 */
#include "ulib.h"

#define CHILDREN 3
#define GRANDCHILDREN 2

static int grandchild_code(int child, int g) { return child * 10 + g + 1; }

static void child(int idx, pid_t parent)
{
	int ok_parent = getppid() == parent;
	pid_t gc[GRANDCHILDREN];
	for (int g = 0; g < GRANDCHILDREN; g++) {
		gc[g] = fork();
		if (gc[g] == 0)
			_exit(grandchild_code(idx, g));
		if (gc[g] < 0)
			_exit(200);
	}
	int sum = 0;
	for (int g = 0; g < GRANDCHILDREN; g++) {
		int st = 0;
		if (waitpid(-1, &st, 0) < 0 || !WIFEXITED(st))
			_exit(201);
		sum += WEXITSTATUS(st);
	}
	/* No more children: waiting again must fail with -ECHILD. */
	int st;
	if (waitpid(-1, &st, WNOHANG) != -ECHILD)
		_exit(202);
	_exit(ok_parent ? sum : 203);
}

static int tree(void)
{
	pid_t me = getpid();
	pid_t pids[CHILDREN];
	printf("forker: tree of %d children x %d grandchildren\n", CHILDREN, GRANDCHILDREN);
	for (int i = 0; i < CHILDREN; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			child(i, me);
		if (pids[i] < 0) {
			printf("forker: fork failed: %d\n", pids[i]);
			return 1;
		}
	}
	int bad = 0;
	for (int i = 0; i < CHILDREN; i++) {
		int st = 0;
		pid_t r = waitpid(pids[i], &st, 0);
		int want = grandchild_code(i, 0) + grandchild_code(i, 1);
		if (r != pids[i] || !WIFEXITED(st) || WEXITSTATUS(st) != want)
			bad++;
		printf("forker: child %d exited with %d (sum of its grandchildren's exit codes, expected %d)\n", i,
		       WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st), want);
	}
	int st;
	printf("forker: all reaped, another wait returns %d (-ECHILD)\n", waitpid(-1, &st, 0));
	printf("forker: %s\n", bad ? "FAILED" : "OK");
	return bad ? 1 : 0;
}

/* zombie-reparent: the middle process exits first; its child is adopted by init. */
static int orphan(void)
{
	int fds[2];
	if (pipe(fds) < 0)
		return 1;
	pid_t middle = fork();
	if (middle == 0) {
		pid_t me = getpid();
		pid_t g = fork();
		if (g == 0) {
			/* Wait until our parent has died and we were reparented. */
			while (getppid() == me)
				sched_yield();
			char c = getppid() == 1 ? 'I' : 'O';
			write(fds[1], &c, 1);
			_exit(42);
		}
		_exit(3);	/* exits while its child still runs: the child becomes an orphan */
	}
	close(fds[1]);
	/* The middle process is a zombie (EXIT_ZOMBIE) from its exit until we reap it here. */
	char c = 0;
	int n = read(fds[0], &c, 1);
	int st = 0;
	pid_t r = waitpid(middle, &st, 0);
	printf("forker: middle child reaped (%s), exit code %d\n", r == middle ? "ok" : "wait failed",
	       WEXITSTATUS(st));
	printf("forker: orphaned grandchild reparented %s\n",
	       n == 1 ? (c == 'I' ? "to init (pid 1)" : "to another reaper") : "never (pipe closed)");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "orphan"))
		return orphan();
	return tree();
}
