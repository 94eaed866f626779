/*
 * mm/slab.c — kmalloc and kfree over "general caches" of fixed object sizes, 32 to 4096 bytes
 * (a small relative of the 2.6 slab allocator, ULK3 §8.2 — extrapolated). Each cache carves whole
 * pages into objects and keeps the free ones on a singly linked list threaded through the objects
 * themselves. Requests above 4096 bytes get 2^order whole pages. The struct page of every page
 * records which cache it belongs to, so kfree needs only the pointer.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

struct kmem_cache {
	const char *name;
	size_t objsize;
	void *freelist;
	unsigned long nr_allocated, nr_pages;
	spinlock_t lock;
};
#define NR_GENERAL_CACHES 8
static struct kmem_cache malloc_sizes[NR_GENERAL_CACHES] = {
	{ "size-32", 32 }, { "size-64", 64 }, { "size-128", 128 }, { "size-256", 256 },
	{ "size-512", 512 }, { "size-1024", 1024 }, { "size-2048", 2048 }, { "size-4096", 4096 },
};
#define PAGE_CACHE_BIG 0xff /* page->private for multi-page kmalloc blocks: order in the next byte */

void kmem_cache_init(void)
{
	for (int i = 0; i < NR_GENERAL_CACHES; i++)
		spin_lock_init(&malloc_sizes[i].lock);
}

void *kmalloc(size_t size, gfp_t flags)
{
	unsigned long irqf;
	for (int i = 0; i < NR_GENERAL_CACHES; i++) {
		struct kmem_cache *c = &malloc_sizes[i];
		if (size > c->objsize)
			continue;
		spin_lock_irqsave(&c->lock, irqf);
		if (!c->freelist) {
			struct page *pg = alloc_page(flags);
			if (!pg) {
				spin_unlock_irqrestore(&c->lock, irqf);
				return NULL;
			}
			__set_bit(PG_slab, &pg->flags);
			pg->private = i;
			char *base = page_address(pg);
			for (size_t off = 0; off + c->objsize <= PAGE_SIZE; off += c->objsize) {
				*(void **)(base + off) = c->freelist;
				c->freelist = base + off;
			}
			c->nr_pages++;
		}
		void *obj = c->freelist;
		c->freelist = *(void **)obj;
		c->nr_allocated++;
		spin_unlock_irqrestore(&c->lock, irqf);
		if (flags & __GFP_ZERO)
			memset(obj, 0, c->objsize);
		return obj;
	}
	unsigned int order = 0;
	while ((PAGE_SIZE << order) < size)
		order++;
	struct page *pg = alloc_pages(flags, order);
	if (!pg)
		return NULL;
	__set_bit(PG_slab, &pg->flags);
	pg->private = PAGE_CACHE_BIG | (order << 8);
	return page_address(pg);
}

void *kzalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags | __GFP_ZERO);
}

void kfree(const void *obj)
{
	unsigned long irqf;
	if (!obj)
		return;
	struct page *pg = virt_to_page(obj);
	if (!test_bit(PG_slab, &pg->flags))
		panic("kfree of %p: not a kmalloc object", obj);
	if ((pg->private & 0xff) == PAGE_CACHE_BIG) {
		unsigned int order = pg->private >> 8;
		__clear_bit(PG_slab, &pg->flags);
		__free_pages(pg, order);
		return;
	}
	struct kmem_cache *c = &malloc_sizes[pg->private];
	spin_lock_irqsave(&c->lock, irqf);
	*(void **)obj = c->freelist;
	c->freelist = (void *)obj;
	c->nr_allocated--;
	spin_unlock_irqrestore(&c->lock, irqf);
}
