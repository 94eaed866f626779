/*
 * arch/i386/mm/fault.c — do_page_fault, the handler of exception 14 (ULK3 §9.4 "Page Fault Exception
 * Handler" — extrapolated from 2.6.11; the seeds list only "14 page_fault(F):SEGV", seed 003:1666ff).
 *
 * The CPU puts the faulting linear address in cr2 and pushes an error code:
 *      bit 0  P    0 = the page was not present,  1 = a protection violation (present page)
 *      bit 1  W/R  0 = read,                      1 = write
 *      bit 2  U/S  0 = in kernel mode,            1 = in user mode
 * The decision tree (the book's figure 9-5):
 *   - the address is in a memory region (vm_area_struct) that allows the access -> handle_mm_fault:
 *     demand paging (not present) or copy-on-write (write to a write-protected page). The process
 *     never notices.
 *   - it is just below the stack region, near esp -> the stack grows (expand_stack), then as above.
 *   - otherwise it is a bad access: from user mode, SIGSEGV; from kernel mode, the faulting
 *     instruction may be a user-memory copy listed in the exception table (copy_from_user...) ->
 *     resume at its fix-up, the system call returns -EFAULT; anything else is a kernel bug: oops.
 * The gate is an interrupt gate, so cr2 cannot be overwritten by a nested fault before we read it;
 * interrupts are re-enabled here if the interrupted code had them on.
 */
#include <linux/sched.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/interrupt.h>
#include <asm/uaccess.h>
#include <asm/ptrace.h>
#include <asm/processor.h>

#define PF_PROT 1
#define PF_WRITE 2
#define PF_USER 4

void die(const char *str, struct pt_regs *regs, long err);

/* Counters for the debugger and the scenarios. */
unsigned long nr_page_faults, nr_fixups, nr_segv;

/*
 * vmalloc_fault (2.6.11 name): a kernel address missing from this process's page directory but present
 * in swapper_pg_dir (a kernel page table created after the process's pgd was copied): copy the entry.
 */
static int sync_kernel_pgd(unsigned long address)
{
	unsigned int i = pgd_index(address);
	pgd_t *pgd = (pgd_t *)__va(read_cr3());
	if (!pgd_present(swapper_pg_dir[i]) || pgd_present(pgd[i]))
		return 0;
	pgd[i] = swapper_pg_dir[i];
	return 1;
}

fastcall void do_page_fault(struct pt_regs *regs, long error_code)
{
	unsigned long address = read_cr2();
	struct task_struct *tsk = current;
	struct mm_struct *mm = tsk->mm;
	struct vm_area_struct *vma;
	int write = error_code & PF_WRITE;

	if (regs->eflags & 0x200)
		local_irq_enable();
	nr_page_faults++;

	if (address >= TASK_SIZE) {
		if (!(error_code & (PF_USER | PF_PROT)) && sync_kernel_pgd(address))
			return;
		goto bad_area_nosemaphore;
	}
	/* No user context (a kernel thread, or we are in an interrupt): never a legal user access. */
	if (in_interrupt() || !mm)
		goto bad_area_nosemaphore;

	down(&mm->mmap_sem);
	vma = find_vma(mm, address);
	if (!vma)
		goto bad_area;
	if (vma->vm_start <= address)
		goto good_area;
	if (!(vma->vm_flags & VM_GROWSDOWN))
		goto bad_area;
	/* Below the stack: legal only close to esp ("enter $65535,$31" may touch esp - 65536 - 32*4). */
	if ((error_code & PF_USER) && address + 65536 + 32 * sizeof(unsigned long) < (unsigned long)regs->esp)
		goto bad_area;
	if (expand_stack(vma, address))
		goto bad_area;
good_area:
	if (write) {
		if (!(vma->vm_flags & VM_WRITE))
			goto bad_area;
	} else {
		if (error_code & PF_PROT)
			goto bad_area;	/* a read of a present page cannot fault unless it is not a user page */
		if (!(vma->vm_flags & (VM_READ | VM_EXEC)))
			goto bad_area;
	}
	switch (handle_mm_fault(mm, vma, address, write)) {
	case VM_FAULT_MINOR:
		tsk->min_flt++;
		break;
	case VM_FAULT_OOM:
		up(&mm->mmap_sem);
		printk("VM: killing process %s: out of memory\n", tsk->comm);
		if (error_code & PF_USER)
			do_exit(SIGKILL);
		goto no_context;
	default:
		up(&mm->mmap_sem);
		goto do_sigbus;
	}
	up(&mm->mmap_sem);
	return;

bad_area:
	up(&mm->mmap_sem);
bad_area_nosemaphore:
	if (error_code & PF_USER) {
		/* A bad access by the program itself: SIGSEGV (default action: terminate). */
		tsk->thread.cr2 = address;
		tsk->thread.error_code = error_code | (address >= TASK_SIZE);
		tsk->thread.trap_no = 14;
		nr_segv++;
		printk("%s: segfault at %08lx eip %08lx esp %08lx error %lx\n", tsk->comm, address,
		       (unsigned long)regs->eip, (unsigned long)regs->esp, (unsigned long)error_code);
		force_sig(SIGSEGV, tsk);
		return;
	}
no_context:;
	/* Kernel mode: is this a user-memory access with a fix-up? */
	unsigned long fixup = search_exception_tables(regs->eip);
	if (fixup) {
		nr_fixups++;
		regs->eip = fixup;
		return;
	}
	printk("Unable to handle kernel %s at virtual address %08lx\n",
	       address < PAGE_SIZE ? "NULL pointer dereference" : "paging request", address);
	die("page fault", regs, error_code);
	return;

do_sigbus:
	tsk->thread.cr2 = address;
	tsk->thread.error_code = error_code;
	tsk->thread.trap_no = 14;
	if (!(error_code & PF_USER))
		goto no_context;
	force_sig(SIGBUS, tsk);
}
