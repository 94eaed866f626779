/*
 * sigdemo: signals (scenario signals). Signals are delivered when the target returns to user mode
 * (do_notify_resume -> do_signal): a handler runs on a frame built on the user stack and returns
 * through sigreturn; without a handler the default action applies (terminate, stop, continue, ignore).
 *   1. SIGTERM caught by a handler        -> the child exits normally afterwards
 *   2. SIGSTOP, SIGCONT, then SIGKILL     -> waitpid(WUNTRACED) sees the stop, then the kill
 *   3. SIGTERM with the default action    -> killed by signal 15
 *   4. SIGCHLD to the parent at each child's exit -> our handler counts them
 */
#include "ulib.h"

static volatile int got_term;
static volatile int got_chld;

static void on_term(int sig) { got_term = sig; }
static void on_chld(int sig) { (void)sig; got_chld++; }

/* The parent waits until the child is ready (e.g. its handler is installed) by reading one byte. */
static void wait_ready(int fd)
{
	char c;
	read(fd, &c, 1);
}

static void describe(const char *what, int st)
{
	if (WIFEXITED(st))
		printf("sigdemo: %s: exited with %d\n", what, WEXITSTATUS(st));
	else if (WIFSTOPPED(st))
		printf("sigdemo: %s: stopped by signal %d\n", what, WSTOPSIG(st));
	else
		printf("sigdemo: %s: killed by signal %d\n", what, WTERMSIG(st));
}

int main(void)
{
	int fds[2], st;
	signal(SIGCHLD, on_chld);
	pipe(fds);

	/* 1. a handler for SIGTERM */
	pid_t a = fork();
	if (a == 0) {
		signal(SIGTERM, on_term);
		write(fds[1], "r", 1);
		while (!got_term)
			sched_yield();
		_exit(got_term == SIGTERM ? 3 : 4);
	}
	wait_ready(fds[0]);
	kill(a, SIGTERM);
	waitpid(a, &st, 0);
	describe("child 1 (SIGTERM handler installed)", st);

	/* 2. stop, continue, kill */
	pid_t b = fork();
	if (b == 0) {
		write(fds[1], "r", 1);
		for (;;)
			sched_yield();
	}
	wait_ready(fds[0]);
	kill(b, SIGSTOP);
	waitpid(b, &st, WUNTRACED);
	describe("child 2 after SIGSTOP", st);
	kill(b, SIGCONT);
	kill(b, SIGKILL);
	waitpid(b, &st, 0);
	describe("child 2 after SIGCONT and SIGKILL", st);

	/* 3. default action of SIGTERM */
	pid_t c = fork();
	if (c == 0) {
		write(fds[1], "r", 1);
		for (;;)
			msleep(1000);
	}
	wait_ready(fds[0]);
	kill(c, SIGTERM);
	waitpid(c, &st, 0);
	describe("child 3 (SIGTERM, default action)", st);

	/* 4. kill() of a process that does not exist */
	printf("sigdemo: kill of a reaped pid returns %d (-ESRCH)\n", kill(c, SIGTERM));
	printf("sigdemo: SIGCHLD handler ran in the parent: %s\n", got_chld > 0 ? "yes" : "no");
	return 0;
}
