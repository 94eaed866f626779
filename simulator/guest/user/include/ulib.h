/*
 * ulib: the small C library of the ksim user programs.
 *
 * Every program is an ordinary static i386 ELF linked at 0x08048000 that talks to the kernel only through
 * `int $0x80` with Linux's system call numbers. The same binary therefore runs on the host's Linux
 * (used to test the programs before the teaching kernel could run them) and on the ksim kernel.
 *
 * Convention (unlike glibc, like the kernel itself): a system call wrapper returns the raw kernel
 * result, so a failure is a negative errno value (-14 is -EFAULT) and there is no global errno.
 */
#ifndef _USER_ULIB_H
#define _USER_ULIB_H

#include "unistd_nr.h"

typedef unsigned int size_t;
typedef int ssize_t;
typedef int pid_t;
typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_arg(ap, type) __builtin_va_arg(ap, type)
#define va_end(ap) __builtin_va_end(ap)
#define NULL ((void *)0)

/* errno values the programs look at (include/asm-generic/errno-base.h numbering). */
#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EFAULT 14
#define EINVAL 22
#define EPIPE 32

/* open() flags */
#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2

/* clone() flags, Linux i386 values (include/linux/sched.h of 2.6.11). The low byte is the exit signal. */
#define CSIGNAL 0x000000ff
#define CLONE_VM 0x00000100
#define CLONE_FS 0x00000200
#define CLONE_FILES 0x00000400
#define CLONE_SIGHAND 0x00000800
#define CLONE_PTRACE 0x00002000
#define CLONE_VFORK 0x00004000
#define CLONE_PARENT 0x00008000
#define CLONE_THREAD 0x00010000
#define CLONE_STOPPED 0x02000000

/* Signals (asm-i386/signal.h). */
#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIG_DFL ((void (*)(int))0)
#define SIG_IGN ((void (*)(int))1)
#define SA_RESTORER 0x04000000
#define SA_RESTART 0x10000000
#define SA_NOCLDSTOP 0x00000001

/* wait status decoding (the bit layout do_wait builds: exit code << 8, or the killing signal). */
#define WNOHANG 1
#define WUNTRACED 2
#define WIFEXITED(s) (((s) & 0x7f) == 0)
#define WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define WIFSIGNALED(s) (((s) & 0x7f) != 0 && ((s) & 0x7f) != 0x7f)
#define WTERMSIG(s) ((s) & 0x7f)
#define WIFSTOPPED(s) (((s) & 0xff) == 0x7f)
#define WSTOPSIG(s) (((s) >> 8) & 0xff)

/* Scheduling policies (include/linux/sched.h). */
#define SCHED_OTHER 0
#define SCHED_FIFO 1
#define SCHED_RR 2
struct sched_param { int sched_priority; };

struct timespec { long tv_sec; long tv_nsec; };

/* reboot(2) magic numbers; init uses POWER_OFF to end a scenario (the kernel exits through port 0xf4). */
#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_MAGIC2 672274793
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedc

/* --- system calls (lib/syscalls.c, lib/clone.S, lib/vfork.S) --- */
void _exit(int code) __attribute__((noreturn));       /* exit(1): ends only the calling thread */
void exit(int code) __attribute__((noreturn));        /* exit_group(252): ends the whole thread group */
pid_t fork(void);
pid_t vfork(void);
ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);
int open(const char *path, int flags);
int close(int fd);
int dup(int fd);
int dup2(int oldfd, int newfd);
pid_t waitpid(pid_t pid, int *status, int options);
pid_t wait(int *status);
int execve(const char *path, char *const argv[], char *const envp[]);
pid_t getpid(void);
pid_t getppid(void);
pid_t gettid(void);
int kill(pid_t pid, int sig);
int pipe(int fds[2]);
long sys_brk(unsigned long addr);
int nice(int inc);
int sched_yield(void);
int sched_setscheduler(pid_t pid, int policy, const struct sched_param *param);
int sched_getscheduler(pid_t pid);
int sched_setparam(pid_t pid, const struct sched_param *param);
int sched_getparam(pid_t pid, struct sched_param *param);
int sched_get_priority_max(int policy);
int sched_get_priority_min(int policy);
int sched_rr_get_interval(pid_t pid, struct timespec *interval);
/* CPU affinity: one bit per CPU in an unsigned long. getaffinity returns the bytes written (4). */
int sched_setaffinity(pid_t pid, unsigned int len, const unsigned long *mask);
int sched_getaffinity(pid_t pid, unsigned int len, unsigned long *mask);
int nanosleep(const struct timespec *req, struct timespec *rem);
int msleep(unsigned int ms);
int reboot_power_off(int code);
/* clone(fn, child_stack_top, flags, arg): the child runs fn(arg) on the new stack and then _exit()s. */
int clone(int (*fn)(void *), void *child_stack, int flags, void *arg);
typedef void (*sighandler_t)(int);
sighandler_t signal(int sig, sighandler_t handler);   /* via sigaction(67) with our sigreturn trampoline */
long syscall3(long nr, long a, long b, long c);

extern char **environ;

/* --- strings (lib/string.c) --- */
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *d, const char *s);
char *strncpy(char *d, const char *s, size_t n);
char *strchr(const char *s, int c);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
int atoi(const char *s);
char *getenv(const char *name);

/* --- programs (lib/spawn.c) --- */
/* execve a program of the kernel's built-in table by its short name ("forker"): the path is
 * $BINDIR/name when BINDIR is set in the environment (used on the host), else /bin/name. */
int exec_prog(const char *name, char *const argv[]);
/* fork + exec_prog; returns the child's pid (or -errno). The child _exit(127)s if the exec fails. */
pid_t spawn(const char *name, char *const argv[]);

/* --- formatted output (lib/printf.c): each call is formatted whole, then written with one write() so
 * that lines of concurrently running processes do not interleave inside a line. --- */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int dprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int puts(const char *s);

/* --- heap over brk (lib/malloc.c) --- */
void *malloc(size_t n);
void free(void *p);
void *sbrk(int inc);

/* --- atomics (x86 lock-prefixed instructions) --- */
static inline int atomic_add_return(volatile int *p, int v)
{
	int old = v;
	__asm__ __volatile__("lock xaddl %0, %1" : "+r"(old), "+m"(*p) : : "memory");
	return old + v;
}

#endif
