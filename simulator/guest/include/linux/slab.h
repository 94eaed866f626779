#ifndef _LINUX_SLAB_H
#define _LINUX_SLAB_H
#include <linux/mm.h>
/* kmalloc/kfree: general-purpose object allocation in size classes (mm/slab.c keeps a small
 * version of the slab allocator's "general caches" size-32 .. size-4096, ULK3 §8.2 — extrapolated). */
void *kmalloc(size_t size, gfp_t flags);
void *kzalloc(size_t size, gfp_t flags);
void kfree(const void *obj);
void kmem_cache_init(void);
#endif
