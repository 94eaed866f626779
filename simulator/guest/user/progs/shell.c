/*
 * shell: a tiny command interpreter on the console. Its read() of fd 0 sleeps TASK_INTERRUPTIBLE on
 * the tty wait queue until the UART interrupt's tasklet has completed a line.
 *   help | ps | run PROG [ARGS] [&] | kill [-SIG] PID | nice N PROG [ARGS] | sched PID other|fifo|rr [PRIO] | exit
 * `ps` prints the kernel's task list, read from the pseudo-file /proc/ps.
 */
#include "ulib.h"

#define MAXARGS 16

static int split(char *line, char **argv)
{
	int n = 0;
	while (*line && n < MAXARGS - 1) {
		while (*line == ' ' || *line == '\t')
			*line++ = 0;
		if (!*line)
			break;
		argv[n++] = line;
		while (*line && *line != ' ' && *line != '\t')
			line++;
	}
	argv[n] = NULL;
	return n;
}

static void cmd_ps(void)
{
	int fd = open("/proc/ps", O_RDONLY);
	if (fd < 0) {
		printf("ps: cannot open /proc/ps: %d\n", fd);
		return;
	}
	char buf[256];
	int n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		write(1, buf, n);
	close(fd);
}

static void cmd_run(char **argv, int argc, int nice_inc)
{
	int background = argc > 0 && !strcmp(argv[argc - 1], "&");
	if (background)
		argv[--argc] = NULL;
	if (argc == 0) {
		printf("run: which program?\n");
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		if (nice_inc)
			nice(nice_inc);
		int r = exec_prog(argv[0], argv);
		printf("run: %s: execve failed: %d\n", argv[0], r);
		_exit(127);
	}
	if (pid < 0) {
		printf("run: fork failed: %d\n", pid);
		return;
	}
	if (background) {
		printf("[%d] %s\n", pid, argv[0]);
		return;
	}
	int st = 0;
	waitpid(pid, &st, 0);
	if (WIFSIGNALED(st))
		printf("%s: killed by signal %d\n", argv[0], WTERMSIG(st));
	else if (WEXITSTATUS(st))
		printf("%s: exit status %d\n", argv[0], WEXITSTATUS(st));
}

static void cmd_sched(char **argv, int argc)
{
	if (argc < 3) {
		printf("usage: sched PID other|fifo|rr [PRIO]\n");
		return;
	}
	struct sched_param sp = { argc > 3 ? atoi(argv[3]) : 0 };
	int policy = !strcmp(argv[2], "fifo") ? SCHED_FIFO : !strcmp(argv[2], "rr") ? SCHED_RR : SCHED_OTHER;
	int r = sched_setscheduler(atoi(argv[1]), policy, &sp);
	if (r < 0)
		printf("sched: %d\n", r);
}

static void execute(char *line)
{
	char *argv[MAXARGS];
	int argc = split(line, argv);
	if (argc == 0)
		return;
	if (!strcmp(argv[0], "help")) {
		printf("commands: ps | run PROG [ARGS] [&] | kill [-SIG] PID | nice N PROG [ARGS] |\n"
		       "          sched PID other|fifo|rr [PRIO] | exit\n"
		       "programs: cpu_hog sleeper forker threads pipeline vforker cow_demo fpu_user segv sigdemo rt_demo\n");
	} else if (!strcmp(argv[0], "ps")) {
		cmd_ps();
	} else if (!strcmp(argv[0], "run")) {
		cmd_run(argv + 1, argc - 1, 0);
	} else if (!strcmp(argv[0], "nice") && argc > 2) {
		cmd_run(argv + 2, argc - 2, atoi(argv[1]));
	} else if (!strcmp(argv[0], "kill") && argc > 1) {
		int sig = SIGTERM, ai = 1;
		if (argv[1][0] == '-' && argc > 2)
			sig = atoi(argv[1] + 1), ai = 2;
		int r = kill(atoi(argv[ai]), sig);
		if (r < 0)
			printf("kill: %d\n", r);
	} else if (!strcmp(argv[0], "sched")) {
		cmd_sched(argv, argc);
	} else if (!strcmp(argv[0], "exit")) {
		exit(0);
	} else {
		/* A bare program name runs it, like `run`. */
		cmd_run(argv, argc, 0);
	}
}

int main(void)
{
	char line[128];
	int len = 0;
	printf("ksim shell: type `help`\n");
	for (;;) {
		if (len == 0)
			printf("ksim$ ");
		char c;
		int n = read(0, &c, 1);
		if (n <= 0) {
			if (n == -EINTR)
				continue;
			return 0;	/* end of input */
		}
		if (c == '\r')
			c = '\n';
		if (c == '\n') {
			line[len] = 0;
			execute(line);
			len = 0;
			continue;
		}
		if (len < (int)sizeof(line) - 1)
			line[len++] = c;
	}
}
