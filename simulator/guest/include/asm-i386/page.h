#ifndef _ASM_PAGE_H
#define _ASM_PAGE_H
/*
 * The kernel lives in the top gigabyte: virtual address PAGE_OFFSET + x maps physical address x
 * (ULK3 §2.5.5 — extrapolated, the seeds' chapters 3–4 only use it). The ELF's load addresses are
 * physical (the multiboot loader runs with paging off), its link addresses virtual.
 */
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#ifdef __ASSEMBLY__
#define __PAGE_OFFSET 0xC0000000
#else
#define __PAGE_OFFSET 0xC0000000UL
#endif
#define PAGE_OFFSET __PAGE_OFFSET
#define __pa(x) ((unsigned long)(x) - PAGE_OFFSET)
#define __va(x) ((void *)((unsigned long)(x) + PAGE_OFFSET))
#define PAGE_ALIGN(addr) (((addr) + PAGE_SIZE - 1) & PAGE_MASK)
/* How much physical memory the boot page tables map at PAGE_OFFSET (and, until the APs are up,
 * identically at 0): 256 MB with 64 page tables (pg0). Memory above it is not used. */
#define KERNEL_DIRECT_MAP_MB 256
#endif
