#ifndef _ASM_PGTABLE_H
#define _ASM_PGTABLE_H
/*
 * i386 two-level paging as Linux 2.6.11 uses it without PAE (ULK3 §2.4.2 "Regular paging" and
 * §2.5 — extrapolated: the seeds' chapters 3–4 use page tables but do not describe them).
 *
 *   linear address = | directory (10 bits) | table (10 bits) | offset (12 bits) |
 *
 * cr3 holds the physical address of the page directory (the pgd); each of its 1024 entries points to
 * a page table of 1024 entries, each mapping one 4 KB page frame. The flag bits below are the same in
 * both levels. Every process has its own pgd: entries 0..767 map its user space (0..TASK_SIZE), and
 * entries 768..1023 are copies of swapper_pg_dir's, so the kernel appears at the same place in every
 * address space.
 *
 * Teaching simplification: pgd_t and pte_t are plain unsigned longs (Linux wraps them in structs).
 */
#include <asm/page.h>

#define PGDIR_SHIFT 22
#define PGDIR_SIZE (1UL << PGDIR_SHIFT)
#define PTRS_PER_PGD 1024
#define PTRS_PER_PTE 1024
#define TASK_SIZE PAGE_OFFSET			/* user space is 0 .. 3 GB */
#define USER_PTRS_PER_PGD (TASK_SIZE / PGDIR_SIZE)	/* 768 */

#define _PAGE_PRESENT 0x001	/* P: the entry is valid; else any access faults (error code bit 0 = 0) */
#define _PAGE_RW 0x002		/* R/W: writable; a write to a read-only page faults (bit 0 = 1, bit 1 = 1) */
#define _PAGE_USER 0x004	/* U/S: user mode may access it */
#define _PAGE_PWT 0x008
#define _PAGE_PCD 0x010
#define _PAGE_ACCESSED 0x020	/* set by the CPU on any access */
#define _PAGE_DIRTY 0x040	/* set by the CPU on a write */
#define _PAGE_PSE 0x080		/* 4 MB page (in a pgd entry) */
#define _PAGE_GLOBAL 0x100

#define _PAGE_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
#define PAGE_SHARED_PROT (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_READONLY_PROT (_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)

typedef unsigned long pgd_t;
typedef unsigned long pte_t;

#define pgd_index(addr) (((addr) >> PGDIR_SHIFT) & (PTRS_PER_PGD - 1))
#define pte_index(addr) (((addr) >> PAGE_SHIFT) & (PTRS_PER_PTE - 1))
#define pte_present(pte) ((pte) & _PAGE_PRESENT)
#define pte_write(pte) ((pte) & _PAGE_RW)
#define pte_pfn(pte) ((pte) >> PAGE_SHIFT)
#define pte_wrprotect(pte) ((pte) & ~_PAGE_RW)
#define pte_mkwrite(pte) ((pte) | _PAGE_RW)
#define mk_pte_phys(phys, prot) (((phys) & PAGE_MASK) | (prot))
#define pgd_present(pgd) ((pgd) & _PAGE_PRESENT)
/* The page table a pgd entry points to, as a kernel virtual address. */
#define pgd_page_vaddr(pgd) ((pte_t *)__va((pgd) & PAGE_MASK))

extern pgd_t swapper_pg_dir[PTRS_PER_PGD];
#endif
