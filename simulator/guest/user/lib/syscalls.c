/*
 * System call stubs: load the Linux i386 number into eax and the arguments into ebx, ecx, edx, esi, edi,
 * then `int $0x80` (the system gate with DPL 3, the only gate user mode may call). The kernel's
 * system_call saves the registers as a struct pt_regs, calls sys_call_table[eax], and the return value
 * comes back in eax: >= 0 on success, -errno on failure.
 */
#include "ulib.h"

#define SYSCALL_CLOBBERS "memory"

static inline long __sys0(long nr)
{
	long r;
	__asm__ __volatile__("int $0x80" : "=a"(r) : "0"(nr) : SYSCALL_CLOBBERS);
	return r;
}
static inline long __sys1(long nr, long a)
{
	long r;
	__asm__ __volatile__("int $0x80" : "=a"(r) : "0"(nr), "b"(a) : SYSCALL_CLOBBERS);
	return r;
}
static inline long __sys2(long nr, long a, long b)
{
	long r;
	__asm__ __volatile__("int $0x80" : "=a"(r) : "0"(nr), "b"(a), "c"(b) : SYSCALL_CLOBBERS);
	return r;
}
static inline long __sys3(long nr, long a, long b, long c)
{
	long r;
	__asm__ __volatile__("int $0x80" : "=a"(r) : "0"(nr), "b"(a), "c"(b), "d"(c) : SYSCALL_CLOBBERS);
	return r;
}
static inline long __sys4(long nr, long a, long b, long c, long d)
{
	long r;
	__asm__ __volatile__("int $0x80" : "=a"(r) : "0"(nr), "b"(a), "c"(b), "d"(c), "S"(d) : SYSCALL_CLOBBERS);
	return r;
}

long syscall3(long nr, long a, long b, long c) { return __sys3(nr, a, b, c); }

void _exit(int code)
{
	for (;;)
		__sys1(__NR_exit, code);
}

void exit(int code)
{
	for (;;)
		__sys1(__NR_exit_group, code);
}

pid_t fork(void) { return __sys0(__NR_fork); }
ssize_t read(int fd, void *buf, size_t n) { return __sys3(__NR_read, fd, (long)buf, n); }
ssize_t write(int fd, const void *buf, size_t n) { return __sys3(__NR_write, fd, (long)buf, n); }
int open(const char *path, int flags) { return __sys3(__NR_open, (long)path, flags, 0); }
int close(int fd) { return __sys1(__NR_close, fd); }
int dup(int fd) { return __sys1(__NR_dup, fd); }
int dup2(int oldfd, int newfd) { return __sys2(__NR_dup2, oldfd, newfd); }
pid_t waitpid(pid_t pid, int *status, int options) { return __sys3(__NR_waitpid, pid, (long)status, options); }
pid_t wait(int *status) { return waitpid(-1, status, 0); }
int execve(const char *path, char *const argv[], char *const envp[])
{
	return __sys3(__NR_execve, (long)path, (long)argv, (long)envp);
}
pid_t getpid(void) { return __sys0(__NR_getpid); }
pid_t getppid(void) { return __sys0(__NR_getppid); }
pid_t gettid(void) { return __sys0(__NR_gettid); }
int kill(pid_t pid, int sig) { return __sys2(__NR_kill, pid, sig); }
int pipe(int fds[2]) { return __sys1(__NR_pipe, (long)fds); }
long sys_brk(unsigned long addr) { return __sys1(__NR_brk, addr); }
int nice(int inc) { return __sys1(__NR_nice, inc); }
int sched_yield(void) { return __sys0(__NR_sched_yield); }
int sched_setscheduler(pid_t pid, int policy, const struct sched_param *param)
{
	return __sys3(__NR_sched_setscheduler, pid, policy, (long)param);
}
int sched_getscheduler(pid_t pid) { return __sys1(__NR_sched_getscheduler, pid); }
int sched_setparam(pid_t pid, const struct sched_param *param)
{
	return __sys2(__NR_sched_setparam, pid, (long)param);
}
int sched_getparam(pid_t pid, struct sched_param *param) { return __sys2(__NR_sched_getparam, pid, (long)param); }
int sched_get_priority_max(int policy) { return __sys1(__NR_sched_get_priority_max, policy); }
int sched_get_priority_min(int policy) { return __sys1(__NR_sched_get_priority_min, policy); }
int sched_rr_get_interval(pid_t pid, struct timespec *interval)
{
	return __sys2(__NR_sched_rr_get_interval, pid, (long)interval);
}
int sched_setaffinity(pid_t pid, unsigned int len, const unsigned long *mask)
{
	return __sys3(__NR_sched_setaffinity, pid, len, (long)mask);
}
int sched_getaffinity(pid_t pid, unsigned int len, unsigned long *mask)
{
	return __sys3(__NR_sched_getaffinity, pid, len, (long)mask);
}
int nanosleep(const struct timespec *req, struct timespec *rem)
{
	return __sys2(__NR_nanosleep, (long)req, (long)rem);
}

int msleep(unsigned int ms)
{
	struct timespec ts = { (long)(ms / 1000), (long)(ms % 1000) * 1000000L };
	return nanosleep(&ts, NULL);
}

/*
 * Ends a scenario: only process 1 (init) may power the machine off. The guard makes running init on
 * the host harmless (there it is never pid 1). The 4th argument is passed to the ksim kernel as the exit
 * code for the isa-debug-exit port (Linux ignores it for POWER_OFF).
 */
int reboot_power_off(int code)
{
	if (getpid() != 1)
		return -EPERM;
	return __sys4(__NR_reboot, (long)LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		      (long)LINUX_REBOOT_CMD_POWER_OFF, code);
}

/* The old (non-rt) i386 sigaction structure that sys_sigaction (67) takes. */
struct old_sigaction {
	sighandler_t sa_handler;
	unsigned long sa_mask;
	unsigned long sa_flags;
	void (*sa_restorer)(void);
};
extern void __sigreturn_trampoline(void);

sighandler_t signal(int sig, sighandler_t handler)
{
	struct old_sigaction act, old;
	act.sa_handler = handler;
	act.sa_mask = 0;
	act.sa_flags = SA_RESTORER | SA_RESTART;
	act.sa_restorer = __sigreturn_trampoline;
	memset(&old, 0, sizeof(old));
	long r = __sys3(__NR_sigaction, sig, (long)&act, (long)&old);
	if (r < 0)
		return (sighandler_t)r;
	return old.sa_handler;
}
