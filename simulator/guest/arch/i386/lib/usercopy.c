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
 * CPU does that only when CR0.WP is set (i486 and later). When it is clear, __copy_to_user first
 * makes every destination page present and private through handle_mm_fault, as 2.6.11 does for CPUs
 * whose WP bit does not work (__copy_to_user_ll).
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

/* Without CR0.WP: fault in (and un-share) each destination page before writing it. */
static int prefault_for_write(unsigned long start, unsigned long n)
{
	struct mm_struct *mm = current->mm;
	if (!mm)
		return -EFAULT;
	for (unsigned long addr = start & PAGE_MASK; addr < start + n; addr += PAGE_SIZE) {
		down(&mm->mmap_sem);
		struct vm_area_struct *vma = find_vma(mm, addr);
		int ok = vma && vma->vm_start <= addr && (vma->vm_flags & VM_WRITE);
		if (!ok && vma && (vma->vm_flags & VM_GROWSDOWN) && addr < vma->vm_start)
			ok = expand_stack(vma, addr) == 0;
		if (ok)
			ok = handle_mm_fault(mm, vma, addr, FAULT_WRITE) == VM_FAULT_MINOR;
		up(&mm->mmap_sem);
		if (!ok)
			return -EFAULT;
	}
	return 0;
}

unsigned long copy_to_user(void __user *to, const void *from, unsigned long n)
{
	if (!access_ok(to, n))
		return n;
	if (!(read_cr0() & X86_CR0_WP) && (unsigned long)to < TASK_SIZE && prefault_for_write((unsigned long)to, n) < 0)
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
