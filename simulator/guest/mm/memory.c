/*
 * mm/memory.c — page tables of user address spaces, demand paging and copy-on-write
 * (ULK3 chapter 9, §9.4 "Page Fault Exception Handler": demand paging and copy on write — extrapolated
 * from 2.6.11; the seeds only state that fork's copy_mm shares the pages copy-on-write, seed 003:1230).
 *
 * Demand paging: exec and brk only create memory regions (vm_area_struct). A page of a region receives a
 * page frame the first time it is touched: the access faults (the pte is not present) and
 * handle_mm_fault fills the pte —
 *   - do_anonymous_page: bss, heap and stack pages get a zero-filled frame ("demand-zero");
 *   - do_file_page: text and data pages get a frame holding the bytes of the program image.
 *
 * Copy-on-write: fork does not copy the parent's pages. copy_page_range makes the child's page table
 * point to the same frames and clears the R/W bit in *both* page tables (each frame's _count goes up).
 * Whichever process then writes first takes a protection fault (error code: present + write) and
 * do_wp_page gives it a private copy — or, if the frame is no longer shared (_count == 1, the other
 * process already copied or exited), simply makes it writable again.
 */
#include <linux/sched.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/string.h>
#include <asm/pgtable.h>
#include <asm/processor.h>
#include <asm/errno.h>
#include <asm/system.h>

/* Drop one reference to a user page frame; the buddy allocator gets it back with the last one. */
static void put_user_frame(unsigned long pfn)
{
	__free_page(pfn_to_page(pfn));
}

/* A new page directory: empty user half, the kernel half shared with swapper_pg_dir. */
pgd_t *pgd_alloc(struct mm_struct *mm)
{
	pgd_t *pgd = (pgd_t *)get_zeroed_page(GFP_KERNEL);
	if (!pgd)
		return NULL;
	memcpy(pgd + USER_PTRS_PER_PGD, swapper_pg_dir + USER_PTRS_PER_PGD,
	       (PTRS_PER_PGD - USER_PTRS_PER_PGD) * sizeof(pgd_t));
	return pgd;
}

void pgd_free(pgd_t *pgd)
{
	free_page((unsigned long)pgd);
}

/* The pte of address in mm, or NULL when there is no page table for it. */
pte_t *lookup_pte(struct mm_struct *mm, unsigned long address)
{
	pgd_t pgd = mm->pgd[pgd_index(address)];
	if (!pgd_present(pgd))
		return NULL;
	return pgd_page_vaddr(pgd) + pte_index(address);
}

/* The pte of address, allocating the page table if needed (pte_alloc_map). */
static pte_t *pte_alloc(struct mm_struct *mm, unsigned long address)
{
	pgd_t *pgd = &mm->pgd[pgd_index(address)];
	if (!pgd_present(*pgd)) {
		unsigned long table = get_zeroed_page(GFP_KERNEL);
		if (!table)
			return NULL;
		*pgd = __pa(table) | _PAGE_TABLE;
	}
	return pgd_page_vaddr(*pgd) + pte_index(address);
}

/*
 * TLB maintenance. A CPU caches translations; after making a pte stricter (write-protecting it for
 * COW), pointing it to another frame or clearing it, the stale entry must go. invlpg drops one page,
 * reloading cr3 drops all non-global entries. Only CPUs that have this mm loaded can hold its entries
 * (mm->cpu_vm_mask, kept by switch_mm): if another CPU is among them (a thread of the same process, or
 * a kernel thread borrowing the mm lazily), it is sent the INVALIDATE_TLB_VECTOR IPI (flush_tlb_all,
 * arch/i386/kernel/smpboot.c; 2.6.11 targets just those CPUs with flush_tlb_others). That needs
 * interrupts on — the IPI handshake would deadlock otherwise — which is always the case here.
 */
extern void flush_tlb_all(void);

static int other_cpus_use(struct mm_struct *mm)
{
	return (mm->cpu_vm_mask & ~(1UL << smp_processor_id())) != 0;
}

void flush_tlb_mm(struct mm_struct *mm)
{
	if (other_cpus_use(mm) && !irqs_disabled())
		flush_tlb_all();
	else if (current->active_mm == mm)
		__flush_tlb();
}

void flush_tlb_page(struct vm_area_struct *vma, unsigned long addr)
{
	struct mm_struct *mm = vma->vm_mm;
	if (other_cpus_use(mm) && !irqs_disabled())
		flush_tlb_all();
	else if (current->active_mm == mm)
		__flush_tlb_one(addr);
}

/* Demand-zero: the first touch of a bss, heap or stack page. */
static int do_anonymous_page(struct mm_struct *mm, struct vm_area_struct *vma, pte_t *pte, unsigned long address)
{
	unsigned long page = get_zeroed_page(GFP_KERNEL);
	if (!page)
		return VM_FAULT_OOM;
	*pte = mk_pte_phys(__pa(page), vma->vm_page_prot);
	mm->rss++;
	mm->nr_demand_zero++;
	return VM_FAULT_MINOR;
}

/* The first touch of a text or data page: copy its bytes from the program image. The part of the page
 * past vm_file_end (the start of bss in the data segment's last page) stays zero, like Linux's padzero. */
static int do_file_page(struct mm_struct *mm, struct vm_area_struct *vma, pte_t *pte, unsigned long address)
{
	unsigned long page = get_zeroed_page(GFP_KERNEL);
	if (!page)
		return VM_FAULT_OOM;
	unsigned long start = address & PAGE_MASK, end = start + PAGE_SIZE;
	unsigned long from = max(start, vma->vm_file_start), to = min(end, vma->vm_file_end);
	if (from < to)
		memcpy((char *)page + (from - start), vma->vm_file_data + (from - vma->vm_file_start), to - from);
	*pte = mk_pte_phys(__pa(page), vma->vm_page_prot);
	mm->rss++;
	mm->nr_file_pages++;
	return VM_FAULT_MINOR;
}

/*
 * do_wp_page: a write to a present, write-protected page of a writable region, i.e. a page shared
 * copy-on-write. If we are its only user, keep it and make it writable; otherwise copy it.
 */
static int do_wp_page(struct mm_struct *mm, struct vm_area_struct *vma, pte_t *pte, unsigned long address)
{
	struct page *old = pfn_to_page(pte_pfn(*pte));
	if (page_count(old) == 1) {
		*pte = pte_mkwrite(*pte) | _PAGE_DIRTY | _PAGE_ACCESSED;
		flush_tlb_page(vma, address & PAGE_MASK);
		mm->nr_cow_reuses++;
		return VM_FAULT_MINOR;
	}
	unsigned long copy = __get_free_page(GFP_KERNEL);
	if (!copy)
		return VM_FAULT_OOM;
	memcpy((void *)copy, page_address(old), PAGE_SIZE);
	*pte = mk_pte_phys(__pa(copy), vma->vm_page_prot | _PAGE_RW | _PAGE_DIRTY);
	flush_tlb_page(vma, address & PAGE_MASK);
	put_user_frame(page_to_pfn(old));
	mm->nr_cow_copies++;
	return VM_FAULT_MINOR;
}

/*
 * handle_mm_fault: make address accessible (for writing if write_access) inside region vma, which the
 * caller (do_page_fault) has checked allows the access. Returns VM_FAULT_MINOR, or VM_FAULT_OOM.
 */
int handle_mm_fault(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address, int write_access)
{
	int ret = VM_FAULT_MINOR;
	spin_lock(&mm->page_table_lock);
	pte_t *pte = pte_alloc(mm, address);
	if (!pte) {
		ret = VM_FAULT_OOM;
	} else if (!pte_present(*pte)) {
		ret = vma->vm_file_data ? do_file_page(mm, vma, pte, address)
					: do_anonymous_page(mm, vma, pte, address);
	} else if (write_access && !pte_write(*pte)) {
		ret = do_wp_page(mm, vma, pte, address);
	} else {
		/* Spurious: another thread of this mm fixed the pte first, or our TLB entry was stale. */
		__flush_tlb_one(address & PAGE_MASK);
	}
	spin_unlock(&mm->page_table_lock);
	return ret;
}

/*
 * copy_page_range: fork's copy of one region's page table entries (ULK3 §9.4.4 "Copy On Write"). For
 * a writable private region, both parent and child entries lose R/W; the frame's _count counts both.
 */
int copy_page_range(struct mm_struct *dst, struct mm_struct *src, struct vm_area_struct *vma)
{
	int cow = (vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE;
	for (unsigned long addr = vma->vm_start; addr < vma->vm_end; addr += PAGE_SIZE) {
		pte_t *spte = lookup_pte(src, addr);
		if (!spte || !pte_present(*spte))
			continue;
		pte_t *dpte = pte_alloc(dst, addr);
		if (!dpte)
			return -ENOMEM;
		if (cow)
			*spte = pte_wrprotect(*spte);
		*dpte = *spte & ~_PAGE_DIRTY;
		get_page(pfn_to_page(pte_pfn(*spte)));
		dst->rss++;
	}
	return 0;
}

/* zap_page_range: unmap [start, end) and drop the frames' references (munmap, brk shrink, exit). */
void zap_page_range(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	for (unsigned long addr = start & PAGE_MASK; addr < end; addr += PAGE_SIZE) {
		pte_t *pte = lookup_pte(mm, addr);
		if (!pte || !pte_present(*pte))
			continue;
		put_user_frame(pte_pfn(*pte));
		*pte = 0;
		mm->rss--;
	}
	flush_tlb_mm(mm);
}

/* free_pgtables: give back the page tables of the user half (exit_mmap, exec). */
void free_pgtables(struct mm_struct *mm)
{
	for (unsigned int i = 0; i < USER_PTRS_PER_PGD; i++) {
		if (pgd_present(mm->pgd[i])) {
			free_page((unsigned long)pgd_page_vaddr(mm->pgd[i]));
			mm->pgd[i] = 0;
		}
	}
}
