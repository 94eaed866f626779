/*
 * arch/i386/lib/usercopy.c — copy_to_user, copy_from_user and friends (see asm/uaccess.h for the
 * concept; ULK3 §10.4.4, extrapolated from 2.6.11).
 *
 * All copies go through one instruction, `rep movsb` at __copy_user_insn. If it faults on a user
 * address that no memory region covers, do_page_fault finds __copy_user_insn in the exception table
 * below and resumes at __copy_user_fixup instead: ecx still holds the number of bytes left, which
 * becomes the return value ("bytes not copied"). Linux generates its table with a special ELF section
 * (__ex_table) filled by every inline copy; ksim has a single copy routine, so the table is a plain
 * array.
 *
 * Copy-on-write and the kernel: a write by the kernel to a write-protected user page must fault too,
 * otherwise copy_to_user would write straight into a page still shared with another process. The
 * CPU does that only when CR0.WP is set (i486 and later); head.S sets it on every CPU, so the write
 * faults and do_page_fault un-shares the page exactly as for a user write (error code: present, write,
 * supervisor). 2.6.11 also keeps a slow path for CPUs whose WP bit does not work (__copy_to_user_ll:
 * fault in each page by hand); every CPU ksim and QEMU emulate honours WP, so there is none here.
 */
#include <linux/sched.h>
#include <linux/mm_types.h>
#include <linux/string.h>
#include <asm/uaccess.h>
#include <asm/errno.h>

extern const char __copy_user_insn[], __copy_user_fixup[];

static const struct exception_table_entry __ex_table[] = {
	{ (unsigned long)__copy_user_insn, (unsigned long)__copy_user_fixup },
};

unsigned long search_exception_tables(unsigned long eip)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(__ex_table); i++)
		if (__ex_table[i].insn == eip)
			return __ex_table[i].fixup;
	return 0;
}

/* The copy; noinline so that the two labels exist exactly once. Returns the bytes left. */
static __attribute__((noinline)) unsigned long __copy_user(void *to, const void *from, unsigned long n)
{
	__asm__ __volatile__(".globl __copy_user_insn\n"
			     "__copy_user_insn:\n\t"
			     "rep movsb\n"
			     ".globl __copy_user_fixup\n"
			     "__copy_user_fixup:"
			     : "+c"(n), "+S"(from), "+D"(to)
			     :
			     : "memory");
	return n;
}

unsigned long copy_to_user(void __user *to, const void *from, unsigned long n)
{
	if (!access_ok(to, n))
		return n;
	return __copy_user((void *)to, from, n);
}

unsigned long copy_from_user(void *to, const void __user *from, unsigned long n)
{
	if (!access_ok(from, n)) {
		memset(to, 0, n);
		return n;
	}
	unsigned long left = __copy_user(to, (const void *)from, n);
	if (left)
		memset((char *)to + (n - left), 0, left);	/* never leak stale kernel data */
	return left;
}

long strncpy_from_user(char *dst, const char __user *src, long count)
{
	long i;
	for (i = 0; i < count; i++) {
		if (copy_from_user(&dst[i], src + i, 1))
			return -EFAULT;
		if (!dst[i])
			return i;
	}
	return i;
}

int get_user_u32(u32 *val, const void __user *ptr)
{
	return copy_from_user(val, ptr, 4) ? -EFAULT : 0;
}

int put_user_u32(u32 val, void __user *ptr)
{
	return copy_to_user(ptr, &val, 4) ? -EFAULT : 0;
}
