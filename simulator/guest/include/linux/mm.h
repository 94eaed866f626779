#ifndef _LINUX_MM_H
#define _LINUX_MM_H
#include <linux/types.h>
#include <linux/list.h>
#include <asm/page.h>
#include <asm/atomic.h>
/*
 * Page frames (ULK3 §8.1 — extrapolated). mem_map has one struct page per physical page frame of
 * the direct-mapped memory; the buddy allocator (mm/page_alloc.c) hands out 2^order contiguous frames.
 */
struct page {
	unsigned long flags;
	atomic_t _count;        /* users of the frame; 0 = free */
	unsigned long private;  /* order of a free block (buddy) */
	struct list_head lru;   /* link in a free_area list */
};
#define PG_reserved 0
#define PG_private 1 /* head of a free buddy block */
#define PG_slab 2
extern struct page *mem_map;
extern unsigned long max_low_pfn, min_low_pfn, totalram_pages, nr_free_pages_count;
#define pfn_to_page(pfn) (mem_map + (pfn))
#define page_to_pfn(page) ((unsigned long)((page) - mem_map))
#define virt_to_page(kaddr) pfn_to_page(__pa(kaddr) >> PAGE_SHIFT)
#define page_address(page) __va(page_to_pfn(page) << PAGE_SHIFT)
#define page_count(p) atomic_read(&(p)->_count)
#define get_page(p) atomic_inc(&(p)->_count)

#define GFP_KERNEL 0x0d0
#define GFP_ATOMIC 0x020
#define GFP_USER 0x0d0
#define __GFP_ZERO 0x8000
#define MAX_ORDER 11
struct page *alloc_pages(gfp_t gfp_mask, unsigned int order);
#define alloc_page(gfp) alloc_pages(gfp, 0)
unsigned long __get_free_pages(gfp_t gfp_mask, unsigned int order);
#define __get_free_page(gfp) __get_free_pages((gfp), 0)
unsigned long get_zeroed_page(gfp_t gfp_mask);
void __free_pages(struct page *page, unsigned int order);
void free_pages(unsigned long addr, unsigned int order);
#define __free_page(p) __free_pages((p), 0)
#define free_page(a) free_pages((a), 0)
unsigned long nr_free_pages(void);
void mem_init(void);
#endif
