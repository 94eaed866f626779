/*
 * A first-fit heap over brk. The heap is the vm_area_struct that sys_brk grows above the program's
 * bss (mm->start_brk .. mm->brk); its pages are demand-zero: they get a page frame only when first
 * touched, through the page-fault handler.
 */
#include "ulib.h"

struct block {
	size_t size;		/* bytes after the header */
	struct block *next;	/* next free block (only while free) */
};

static struct block *free_list;
static unsigned long cur_brk;

void *sbrk(int inc)
{
	if (!cur_brk)
		cur_brk = (unsigned long)sys_brk(0);
	unsigned long old = cur_brk;
	unsigned long want = old + inc;
	unsigned long got = (unsigned long)sys_brk(want);
	if (got != want)
		return (void *)-1;
	cur_brk = got;
	return (void *)old;
}

void *malloc(size_t n)
{
	n = (n + 7) & ~7u;
	struct block **pp = &free_list;
	for (struct block *b = free_list; b; pp = &b->next, b = b->next) {
		if (b->size >= n) {
			*pp = b->next;
			return b + 1;
		}
	}
	struct block *b = sbrk(sizeof(struct block) + n);
	if (b == (void *)-1)
		return NULL;
	b->size = n;
	return b + 1;
}

void free(void *p)
{
	if (!p)
		return;
	struct block *b = (struct block *)p - 1;
	b->next = free_list;
	free_list = b;
}
