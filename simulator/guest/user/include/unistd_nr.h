/*
 * System call numbers of Linux on i386 (arch/i386/kernel/entry.S's sys_call_table order in 2.6.11).
 * These are the numbers the program puts in %eax before `int $0x80`; they are an ABI, so the same
 * static binary runs on the host's Linux kernel and on the ksim teaching kernel.
 */
#ifndef _USER_UNISTD_NR_H
#define _USER_UNISTD_NR_H

#define __NR_exit                 1
#define __NR_fork                 2
#define __NR_read                 3
#define __NR_write                4
#define __NR_open                 5
#define __NR_close                6
#define __NR_waitpid              7
#define __NR_execve              11
#define __NR_getpid              20
#define __NR_kill                37
#define __NR_pipe                42
#define __NR_brk                 45
#define __NR_nice                34
#define __NR_dup                 41
#define __NR_sigaction           67
#define __NR_dup2                63
#define __NR_getppid             64
#define __NR_reboot              88
#define __NR_wait4              114
#define __NR_sigreturn          119
#define __NR_clone              120
#define __NR_sched_setparam     154
#define __NR_sched_getparam     155
#define __NR_sched_setscheduler 156
#define __NR_sched_getscheduler 157
#define __NR_sched_yield        158
#define __NR_sched_get_priority_max 159
#define __NR_sched_get_priority_min 160
#define __NR_sched_rr_get_interval 161
#define __NR_nanosleep          162
#define __NR_vfork              190
#define __NR_gettid             224
#define __NR_sched_setaffinity  241
#define __NR_sched_getaffinity  242
#define __NR_exit_group         252

#endif
