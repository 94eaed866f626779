#ifndef _ASM_UACCESS_H
#define _ASM_UACCESS_H
/*
 * Reading and writing user memory from the kernel (ULK3 §10.4 "Verifying the parameters" and
 * §10.4.4 "Dynamic address checking: the fix-up code" — extrapolated, not in the seeds).
 *
 * A system call receives pointers from user mode and must not trust them:
 *  1. access_ok: the whole range must lie below TASK_SIZE (3 GB, USER_DS) — a user process may not make the
 *     kernel read or write kernel memory for it. This is a cheap range check only.
 *  2. the copy itself may still fault: the page may be absent (demand paging, copy-on-write: then
 *     do_page_fault simply fixes it up and the copy goes on) or the address may be in no memory
 *     region at all. In that last case do_page_fault looks the faulting kernel instruction up in the
 *     exception table; the copy instruction has an entry there, whose fix-up makes the copy stop and
 *     report the bytes it could not copy. The system call then returns -EFAULT instead of crashing
 *     the kernel (arch/i386/lib/usercopy.c).
 */
#include <linux/types.h>
#include <asm/pgtable.h>
#include <asm/thread_info.h>

/*
 * The limit is per task (thread_info.addr_limit): USER_DS for user processes, KERNEL_DS for kernel
 * threads, which may thus pass kernel buffers to system calls — init does so when it execve()s
 * /sbin/init (2.6.11's get_fs/set_fs).
 */
#define USER_DS TASK_SIZE
#define KERNEL_DS 0xffffffffUL
#define get_fs() (current_thread_info()->addr_limit.seg)
#define set_fs(x) (current_thread_info()->addr_limit.seg = (x))
#define access_ok(addr, size) \
	((unsigned long)(size) <= get_fs() && (unsigned long)(addr) <= get_fs() - (unsigned long)(size))

/* Both return the number of bytes NOT copied: 0 on success. */
unsigned long copy_to_user(void __user *to, const void *from, unsigned long n);
unsigned long copy_from_user(void *to, const void __user *from, unsigned long n);
/* Copy a NUL-terminated string of at most count bytes: its length, or -EFAULT. */
long strncpy_from_user(char *dst, const char __user *src, long count);
/* One 32-bit word: 0 or -EFAULT. */
int get_user_u32(u32 *val, const void __user *ptr);
int put_user_u32(u32 val, void __user *ptr);
#define get_user(x, ptr) ({ u32 __v = 0; int __e = get_user_u32(&__v, (ptr)); (x) = (__typeof__(x))__v; __e; })
#define put_user(x, ptr) put_user_u32((u32)(x), (ptr))

/* The exception table: (address of an instruction that may fault on a user address, where to go
 * instead). do_page_fault calls search_exception_tables(regs->eip). */
struct exception_table_entry {
	unsigned long insn, fixup;
};
unsigned long search_exception_tables(unsigned long eip);
#endif
