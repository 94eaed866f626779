#ifndef _LINUX_MM_TYPES_H
#define _LINUX_MM_TYPES_H
/*
 * Process address spaces: mm_struct and vm_area_struct (ULK3 chapter 9 — extrapolated from 2.6.11;
 * the seeds only name mm/active_mm, 000:497, 000:1742). In 2.6.11 mm_struct is in linux/sched.h and
 * vm_area_struct in linux/mm.h; later kernels moved both here, to linux/mm_types.h.
 *
 * An mm_struct (defined in linux/sched.h) is one address space: a page directory (pgd) plus the list of memory regions
 * (vm_area_struct) that say which linear addresses are legal and with which rights. A page of a region
 * gets a page frame only when first touched (demand paging, mm/memory.c); an address outside every
 * region is a bad access (SIGSEGV, or -EFAULT inside a system call).
 *
 * mm_users counts the tasks using the address space (threads created with CLONE_VM share it);
 * mm_count counts references to the structure (the users count as one, plus kernel threads that
 * borrow it as active_mm). The address space is torn down when mm_users drops to 0 (mmput) and the
 * structure freed when mm_count does (mmdrop).
 */
#include <linux/types.h>
#include <linux/linkage.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <asm/atomic.h>
#include <asm/semaphore.h>
#include <asm/pgtable.h>

struct mm_struct;
struct page;

/* vm_flags */
#define VM_READ 0x00000001
#define VM_WRITE 0x00000002
#define VM_EXEC 0x00000004
#define VM_SHARED 0x00000008
#define VM_MAYREAD 0x00000010
#define VM_MAYWRITE 0x00000020
#define VM_MAYEXEC 0x00000040
#define VM_GROWSDOWN 0x00000100	/* the stack: grows down towards a fault just below it */

/*
 * A memory region: [vm_start, vm_end) with the same rights. ksim's regions are either anonymous
 * (bss, heap, stack: demand-zero pages) or backed by a program image of the built-in program table
 * (text, data): their first touch copies the bytes from the image. vm_file_data/vm_file_start/
 * vm_file_end play the part of vm_file and vm_pgoff in Linux.
 */
struct vm_area_struct {
	struct mm_struct *vm_mm;	/* the address space we belong to */
	unsigned long vm_start;		/* first address */
	unsigned long vm_end;		/* first address after the region */
	struct vm_area_struct *vm_next;	/* the next region, sorted by address */
	unsigned long vm_page_prot;	/* pte flags for the pages of this region */
	unsigned long vm_flags;		/* VM_READ, VM_WRITE, VM_EXEC, VM_GROWSDOWN ... */
	const unsigned char *vm_file_data; /* image bytes that belong at vm_file_start, or NULL (anonymous) */
	unsigned long vm_file_start;	/* linear address of vm_file_data[0] */
	unsigned long vm_file_end;	/* the image bytes end here; beyond: zero (the bss part of data) */
	const char *vm_name;		/* "text", "data", "bss", "heap", "stack": for ps and the debugger */
};

/* struct mm_struct itself is in linux/sched.h, as in 2.6.11: pgd, mm_users, mm_count, mmap (this list),
 * map_count, page_table_lock, mmap_sem, start_code .. env_end, brk, rss, cpu_vm_mask. */
#include <linux/sched.h>


/* mm/mmap.c */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
int insert_vm_struct(struct mm_struct *mm, struct vm_area_struct *vma);
struct vm_area_struct *do_mmap_region(struct mm_struct *mm, unsigned long start, unsigned long end,
				      unsigned long vm_flags, const char *name);
int expand_stack(struct vm_area_struct *vma, unsigned long address);
void exit_mmap(struct mm_struct *mm);
int dup_mmap(struct mm_struct *mm, struct mm_struct *oldmm);
asmlinkage long sys_brk(unsigned long brk);

/* mm/memory.c */
#define FAULT_WRITE 1
#define VM_FAULT_OOM (-1)
#define VM_FAULT_SIGBUS 0
#define VM_FAULT_MINOR 1
int handle_mm_fault(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address, int write_access);
int copy_page_range(struct mm_struct *dst, struct mm_struct *src, struct vm_area_struct *vma);
void zap_page_range(struct mm_struct *mm, unsigned long start, unsigned long end);
pte_t *lookup_pte(struct mm_struct *mm, unsigned long address);
pgd_t *pgd_alloc(struct mm_struct *mm);
void pgd_free(pgd_t *pgd);
void flush_tlb_mm(struct mm_struct *mm);
void flush_tlb_page(struct vm_area_struct *vma, unsigned long addr);

/* kernel/fork.c */
struct mm_struct *mm_alloc(void);
void mmput(struct mm_struct *mm);
void __mmdrop(struct mm_struct *mm);
void mm_release(struct task_struct *tsk, struct mm_struct *mm);
#endif
