/*
 * init: process 1. The kernel's init thread execve()s it with the scenario name as argv[1]
 * (start_kernel -> init -> run_init_process, ULK3 §3.4.2 "process 1").
 *
 * init starts the scenario's workload, then reaps every child, including orphans that exit_notify
 * reparented to it, until none is left (wait4 -> -ECHILD). It then prints a summary and powers the
 * machine off, which the ksim kernel implements by writing the exit code to the isa-debug-exit port.
 * Scenario `default` never ends: it runs the shell on the console and a mixed workload;
 * `process-all` runs every scenario's workload one after the other.
 */
#include "ulib.h"

struct scenario {
	const char *name;
	const char *prog;
	const char *arg;
};

static const struct scenario scenarios[] = {
	{ "fork-exit-wait", "forker", NULL },
	{ "vfork", "vforker", NULL },
	{ "threads", "threads", NULL },
	{ "cow", "cow_demo", NULL },
	{ "pipeline", "pipeline", NULL },
	{ "zombie-reparent", "forker", "orphan" },
	{ "signals", "sigdemo", NULL },
	{ "lazy-fpu", "fpu_user", NULL },
	{ "segv", "segv", NULL },
	{ "rt-sched", "rt_demo", NULL },
	{ "clone-flags", "clone_flags", NULL },
};

static void describe(const char *prog, int st)
{
	if (WIFEXITED(st))
		printf("init: %s exited with status %d\n", prog, WEXITSTATUS(st));
	else
		printf("init: %s killed by signal %d\n", prog, WTERMSIG(st));
}

static int run_scenario(const struct scenario *s)
{
	printf("init: scenario %s: running %s\n", s->name, s->prog);
	char *argv[] = { (char *)s->prog, (char *)s->arg, NULL };
	pid_t main_pid = spawn(s->prog, argv);
	if (main_pid < 0) {
		printf("init: fork failed: %d\n", main_pid);
		return 1;
	}
	int main_status = -1, orphans = 0, orphan_codes = 0;
	for (;;) {
		int st = 0;
		pid_t r = waitpid(-1, &st, 0);
		if (r == -ECHILD)
			break;
		if (r < 0)
			continue;	/* interrupted: wait again */
		if (r == main_pid) {
			main_status = st;
		} else {
			orphans++;
			orphan_codes += WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
		}
	}
	describe(s->prog, main_status);
	printf("init: orphans reaped: %d (exit codes sum %d)\n", orphans, orphan_codes);
	printf("init: scenario %s done\n", s->name);
	return 0;
}

/* scenario default: the shell on the console plus background work for the debugger to look at. */
static void run_default(void)
{
	int ready[2];
	char fdarg[12];
	if (pipe(ready) < 0)
		ready[0] = ready[1] = -1;
	snprintf(fdarg, sizeof(fdarg), "%d", ready[1]);
	char *hog[] = { "cpu_hog", "-q", "-r", fdarg, NULL };
	char *sleeper[] = { "sleeper", "-q", "0", "50", NULL };
	char *shell[] = { "shell", NULL };
	/* init waits until cpu_hog runs (it writes a byte into the pipe), so a `ps` typed into the shell
	 * started below always sees "cpu_hog", never the child still called "init": at nice 10 the child
	 * can wait long for the CPU between fork and exec. */
	pid_t hog_pid = fork();
	if (hog_pid == 0) {
		close(ready[0]);
		nice(10);
		exec_prog("cpu_hog", hog);
		_exit(127);
	}
	close(ready[1]);
	char byte;
	if (hog_pid > 0 && ready[0] >= 0)
		read(ready[0], &byte, 1);	/* returns 0 (EOF) too if the exec failed */
	close(ready[0]);
	spawn("sleeper", sleeper);
	pid_t sh = spawn("shell", shell);
	for (;;) {
		int st;
		pid_t r = waitpid(-1, &st, 0);
		if (r == sh) {
			printf("init: shell exited, starting a new one\n");
			sh = spawn("shell", shell);
		}
		if (r == -ECHILD)
			msleep(1000);
	}
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "default";
	if (!strncmp(name, "scenario=", 9))
		name += 9;
	if (getpid() != 1)
		printf("init: not process 1 (pid %d): orphans will not come to us\n", getpid());
	if (!strcmp(name, "default"))
		run_default();
	if (!strcmp(name, "process-all")) {
		/* Every workload in turn in one boot (cheaper for slow simulated multi-CPU runs). */
		int failed = 0;
		for (unsigned int i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
			failed |= run_scenario(&scenarios[i]);
		reboot_power_off(failed);
		return failed;
	}
	for (unsigned int i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		if (!strcmp(name, scenarios[i].name)) {
			int r = run_scenario(&scenarios[i]);
			reboot_power_off(r);
			return r;
		}
	}
	printf("init: unknown scenario '%s'\n", name);
	reboot_power_off(2);
	return 2;
}
