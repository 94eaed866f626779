/*
 * mm/mmap.c — memory regions (vm_area_struct) of a process address space, and brk
 * (ULK3 chapter 9, §9.3 "Memory Regions", §9.5 "Managing the Heap" — extrapolated from 2.6.11).
 *
 * mm->mmap is a list of non-overlapping regions sorted by address (2.6.11 also keeps a red-black tree
 * for speed; a process of ours has five or six regions, so the list suffices). A typical list after
 * execve:   text (r-x, from the image) -> data (rw-, from the image) -> bss (rw-, zero) -> heap (rw-,
 * zero, grown by brk) -> ... -> stack (rw-, zero, grows down) just below TASK_SIZE.
 */
#include <linux/sched.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/errno.h>

void free_pgtables(struct mm_struct *mm);


/* find_vma: the first region that ends above addr (it contains addr, or lies above it), or NULL. */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	for (struct vm_area_struct *vma = mm->mmap; vma; vma = vma->vm_next)
		if (vma->vm_end > addr)
			return vma;
	return NULL;
}

/* insert_vm_struct: link vma into the sorted list; -EINVAL if it overlaps an existing region. */
int insert_vm_struct(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vm_area_struct **pp = &mm->mmap;
	while (*pp && (*pp)->vm_end <= vma->vm_start)
		pp = &(*pp)->vm_next;
	if (*pp && (*pp)->vm_start < vma->vm_end)
		return -EINVAL;
	vma->vm_next = *pp;
	*pp = vma;
	vma->vm_mm = mm;
	mm->map_count++;
	mm->total_vm += (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
	return 0;
}

/* The pte flags for a region's pages. A writable private region still starts read-only after fork;
 * see copy_page_range. */
static unsigned long vm_get_page_prot(unsigned long vm_flags)
{
	return (vm_flags & VM_WRITE) ? PAGE_SHARED_PROT : PAGE_READONLY_PROT;
}

/* Create an anonymous (demand-zero) region [start, end). */
struct vm_area_struct *do_mmap_region(struct mm_struct *mm, unsigned long start, unsigned long end,
				      unsigned long vm_flags, const char *name)
{
	struct vm_area_struct *vma = kzalloc(sizeof(*vma), GFP_KERNEL);
	if (!vma)
		return NULL;
	vma->vm_start = start & PAGE_MASK;
	vma->vm_end = PAGE_ALIGN(end);
	vma->vm_flags = vm_flags;
	vma->vm_page_prot = vm_get_page_prot(vm_flags);
	vma->vm_name = name;
	if (insert_vm_struct(mm, vma)) {
		kfree(vma);
		return NULL;
	}
	return vma;
}

/*
 * expand_stack: the stack region grows down to cover address (do_page_fault calls it for a fault just
 * below the stack), up to RLIMIT_STACK (8 MB by default).
 */
int expand_stack(struct vm_area_struct *vma, unsigned long address)
{
	address &= PAGE_MASK;
	unsigned long limit = current->signal ? current->signal->rlim[RLIMIT_STACK].rlim_cur : 8UL << 20;
	if (vma->vm_end - address > limit)
		return -ENOMEM;
	/* The region below must not be hit. */
	for (struct vm_area_struct *v = vma->vm_mm->mmap; v && v != vma; v = v->vm_next)
		if (v->vm_end > address)
			return -ENOMEM;
	vma->vm_mm->total_vm += (vma->vm_start - address) >> PAGE_SHIFT;
	vma->vm_start = address;
	return 0;
}

/* exit_mmap: tear down a whole address space (last mmput, or exec replacing it). */
void exit_mmap(struct mm_struct *mm)
{
	struct vm_area_struct *vma = mm->mmap;
	spin_lock(&mm->page_table_lock);
	while (vma) {
		struct vm_area_struct *next = vma->vm_next;
		zap_page_range(mm, vma->vm_start, vma->vm_end);
		kfree(vma);
		vma = next;
	}
	mm->mmap = NULL;
	mm->map_count = 0;
	mm->total_vm = 0;
	free_pgtables(mm);
	spin_unlock(&mm->page_table_lock);
}

/*
 * dup_mmap: fork's copy of the parent's address space (called by copy_mm): every region is
 * duplicated and its page table entries shared copy-on-write.
 */
int dup_mmap(struct mm_struct *mm, struct mm_struct *oldmm)
{
	int err = 0;
	down(&oldmm->mmap_sem);
	spin_lock(&oldmm->page_table_lock);
	for (struct vm_area_struct *v = oldmm->mmap; v; v = v->vm_next) {
		struct vm_area_struct *n = kmalloc(sizeof(*n), GFP_KERNEL);
		if (!n) {
			err = -ENOMEM;
			break;
		}
		*n = *v;
		n->vm_next = NULL;
		insert_vm_struct(mm, n);
		err = copy_page_range(mm, oldmm, v);
		if (err)
			break;
	}
	/* The parent's writable pages just became read-only: drop our stale TLB entries. */
	flush_tlb_mm(oldmm);
	spin_unlock(&oldmm->page_table_lock);
	mm->start_code = oldmm->start_code;
	mm->end_code = oldmm->end_code;
	mm->start_data = oldmm->start_data;
	mm->end_data = oldmm->end_data;
	mm->start_brk = oldmm->start_brk;
	mm->brk = oldmm->brk;
	mm->start_stack = oldmm->start_stack;
	mm->arg_start = oldmm->arg_start;
	mm->arg_end = oldmm->arg_end;
	mm->env_start = oldmm->env_start;
	mm->env_end = oldmm->env_end;
	up(&oldmm->mmap_sem);
	return err;
}

/*
 * sys_brk (45): move the end of the heap (ULK3 §9.5). brk(0) or an impossible value return the current
 * break. Growing only extends the "heap" region — the pages come later, by demand-zero faults;
 * shrinking unmaps the pages above the new end.
 */
asmlinkage long sys_brk(unsigned long brk)
{
	struct mm_struct *mm = current->mm;
	down(&mm->mmap_sem);
	unsigned long newbrk = PAGE_ALIGN(brk), oldbrk = PAGE_ALIGN(mm->brk);
	if (brk < mm->start_brk || newbrk == oldbrk) {
		if (brk >= mm->start_brk)
			mm->brk = brk;
		goto out;
	}
	struct vm_area_struct *heap = find_vma(mm, mm->start_brk);
	if (heap && (heap->vm_start > mm->start_brk || strcmp(heap->vm_name, "heap")))
		heap = NULL;
	if (newbrk < oldbrk) {
		spin_lock(&mm->page_table_lock);
		zap_page_range(mm, newbrk, oldbrk);
		spin_unlock(&mm->page_table_lock);
		if (heap) {
			mm->total_vm -= (heap->vm_end - newbrk) >> PAGE_SHIFT;
			heap->vm_end = newbrk;
		}
		mm->brk = brk;
		goto out;
	}
	/* Growing: the new heap end must not run into the next region (e.g. the stack). */
	struct vm_area_struct *next = find_vma(mm, oldbrk);
	if (next && next != heap && next->vm_start < newbrk + PAGE_SIZE)
		goto out;
	if (heap) {
		mm->total_vm += (newbrk - heap->vm_end) >> PAGE_SHIFT;
		heap->vm_end = newbrk;
	} else if (!do_mmap_region(mm, PAGE_ALIGN(mm->start_brk), newbrk, VM_READ | VM_WRITE, "heap")) {
		goto out;
	}
	mm->brk = brk;
out:;
	unsigned long ret = mm->brk;
	up(&mm->mmap_sem);
	return ret;
}
