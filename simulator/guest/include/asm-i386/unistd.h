#ifndef _ASM_UNISTD_H
#define _ASM_UNISTD_H
/* The number of entries of sys_call_table (arch/i386/kernel/syscall_table.S, issue 5). system_call
 * refuses numbers >= NR_syscalls with -ENOSYS. Linux 2.6.11 i386 has 289; the table must have
 * exactly this many entries. */
#define NR_syscalls 289
#endif
