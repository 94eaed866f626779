/*
 * mm/page_alloc.c — the buddy system page-frame allocator (ULK3 §8.1.7 — extrapolated; the seeds'
 * chapters 3–4 only use alloc_pages for kernel stacks).
 *
 * Free memory is kept as blocks of 2^order contiguous page frames, order 0..MAX_ORDER-1, one list per
 * order (free_area). Allocating order k takes the first block of the smallest order >= k and splits
 * off the unused halves ("buddies") onto the lower lists. Freeing a block looks at its buddy (the
 * block whose frame number differs only in bit "order"): if that one is free and of the same order,
 * the two merge into a block of order + 1, and so on upwards.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/mm.h>
#include <linux/spinlock.h>

struct free_area {
	struct list_head free_list;
	unsigned long nr_free;
};
static struct free_area free_area[MAX_ORDER];
static DEFINE_SPINLOCK(zone_lock);
struct page *mem_map;
unsigned long max_low_pfn, min_low_pfn, totalram_pages, nr_free_pages_count;

static inline struct page *buddy_of(struct page *page, unsigned int order)
{
	return pfn_to_page(page_to_pfn(page) ^ (1UL << order));
}

static void free_block(struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);
	nr_free_pages_count += 1UL << order;
	while (order < MAX_ORDER - 1) {
		unsigned long bpfn = pfn ^ (1UL << order);
		if (bpfn < min_low_pfn || bpfn + (1UL << order) > max_low_pfn)
			break;
		struct page *buddy = pfn_to_page(bpfn);
		if (!test_bit(PG_private, &buddy->flags) || buddy->private != order)
			break;
		/* The buddy is free with the same order: take it off its list and merge. */
		list_del(&buddy->lru);
		free_area[order].nr_free--;
		__clear_bit(PG_private, &buddy->flags);
		pfn &= ~(1UL << order);
		order++;
	}
	page = pfn_to_page(pfn);
	__set_bit(PG_private, &page->flags);
	page->private = order;
	list_add(&page->lru, &free_area[order].free_list);
	free_area[order].nr_free++;
}

struct page *alloc_pages(gfp_t gfp_mask, unsigned int order)
{
	unsigned long flags;
	struct page *page = NULL;
	if (order >= MAX_ORDER)
		return NULL;
	spin_lock_irqsave(&zone_lock, flags);
	for (unsigned int o = order; o < MAX_ORDER; o++) {
		if (list_empty(&free_area[o].free_list))
			continue;
		page = list_entry(free_area[o].free_list.next, struct page, lru);
		list_del(&page->lru);
		free_area[o].nr_free--;
		__clear_bit(PG_private, &page->flags);
		/* Split: give back the upper halves until the block has the requested order. */
		while (o > order) {
			o--;
			struct page *half = page + (1UL << o);
			__set_bit(PG_private, &half->flags);
			half->private = o;
			list_add(&half->lru, &free_area[o].free_list);
			free_area[o].nr_free++;
		}
		nr_free_pages_count -= 1UL << order;
		break;
	}
	spin_unlock_irqrestore(&zone_lock, flags);
	if (page) {
		atomic_set(&page->_count, 1);
		page->private = 0;
		if (gfp_mask & __GFP_ZERO)
			memset(page_address(page), 0, PAGE_SIZE << order);
	}
	return page;
}

void __free_pages(struct page *page, unsigned int order)
{
	unsigned long flags;
	if (!atomic_dec_and_test(&page->_count))
		return;
	spin_lock_irqsave(&zone_lock, flags);
	free_block(page, order);
	spin_unlock_irqrestore(&zone_lock, flags);
}

unsigned long __get_free_pages(gfp_t gfp_mask, unsigned int order)
{
	struct page *page = alloc_pages(gfp_mask, order);
	return page ? (unsigned long)page_address(page) : 0;
}

unsigned long get_zeroed_page(gfp_t gfp_mask)
{
	return __get_free_pages(gfp_mask | __GFP_ZERO, 0);
}

void free_pages(unsigned long addr, unsigned int order)
{
	if (addr)
		__free_pages(virt_to_page(addr), order);
}

unsigned long nr_free_pages(void)
{
	return nr_free_pages_count;
}

/*
 * mem_init: mem_map goes right after the kernel image; every page frame above it up to the end of
 * usable RAM (capped at the direct map) is freed into the buddy lists. The first megabyte is kept
 * (BIOS data, the AP trampoline at 0x8000, the ACPI RSDP).
 */
extern unsigned long usable_ram_end; /* physical, from the multiboot memory map (setup.c) */
void mem_init(void)
{
	extern char _end[];
	unsigned long end = usable_ram_end;
	if (end > (unsigned long)KERNEL_DIRECT_MAP_MB << 20)
		end = (unsigned long)KERNEL_DIRECT_MAP_MB << 20;
	max_low_pfn = end >> PAGE_SHIFT;
	mem_map = (struct page *)PAGE_ALIGN((unsigned long)_end);
	memset(mem_map, 0, max_low_pfn * sizeof(struct page));
	unsigned long first_free = PAGE_ALIGN(__pa(mem_map + max_low_pfn)) >> PAGE_SHIFT;
	min_low_pfn = first_free;
	for (int o = 0; o < MAX_ORDER; o++)
		INIT_LIST_HEAD(&free_area[o].free_list);
	for (unsigned long pfn = 0; pfn < max_low_pfn; pfn++) {
		struct page *p = pfn_to_page(pfn);
		INIT_LIST_HEAD(&p->lru);
		if (pfn < first_free)
			__set_bit(PG_reserved, &p->flags), atomic_set(&p->_count, 1);
	}
	/* Free the frames in the largest naturally aligned blocks that fit (what merging single frames
	 * one by one would end with, without the work). */
	for (unsigned long pfn = first_free; pfn < max_low_pfn;) {
		unsigned int order = MAX_ORDER - 1;
		while (order && ((pfn & ((1UL << order) - 1)) || pfn + (1UL << order) > max_low_pfn))
			order--;
		free_block(pfn_to_page(pfn), order);
		totalram_pages += 1UL << order;
		pfn += 1UL << order;
	}
	printk("Memory: %luk available (kernel and mem_map %luk)\n", totalram_pages * 4, first_free * 4 - 1024);
}
