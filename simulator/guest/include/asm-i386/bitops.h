#ifndef _ASM_BITOPS_H
#define _ASM_BITOPS_H
/* Bit operations (include/asm-i386/bitops.h): the locked forms (set_bit...) are atomic on SMP; the
 * __ forms are not and are used under a lock, e.g. __set_bit on a prio_array bitmap (seed 003:268). */
static inline void set_bit(int nr, volatile unsigned long *addr) { __asm__ __volatile__("lock; btsl %1,%0" : "+m"(*(volatile long *)addr) : "Ir"(nr) : "memory"); }
static inline void clear_bit(int nr, volatile unsigned long *addr) { __asm__ __volatile__("lock; btrl %1,%0" : "+m"(*(volatile long *)addr) : "Ir"(nr) : "memory"); }
static inline void __set_bit(int nr, volatile unsigned long *addr) { __asm__ __volatile__("btsl %1,%0" : "+m"(*(volatile long *)addr) : "Ir"(nr) : "memory"); }
static inline void __clear_bit(int nr, volatile unsigned long *addr) { __asm__ __volatile__("btrl %1,%0" : "+m"(*(volatile long *)addr) : "Ir"(nr) : "memory"); }
static inline int test_and_set_bit(int nr, volatile unsigned long *addr)
{
	int old;
	__asm__ __volatile__("lock; btsl %2,%1; sbbl %0,%0" : "=r"(old), "+m"(*(volatile long *)addr) : "Ir"(nr) : "memory");
	return old;
}
static inline int test_and_clear_bit(int nr, volatile unsigned long *addr)
{
	int old;
	__asm__ __volatile__("lock; btrl %2,%1; sbbl %0,%0" : "=r"(old), "+m"(*(volatile long *)addr) : "Ir"(nr) : "memory");
	return old;
}
static inline int test_bit(int nr, const volatile unsigned long *addr) { return (addr[nr >> 5] >> (nr & 31)) & 1; }
/* Index of the lowest set bit (bsf); undefined for 0. */
static inline unsigned long __ffs(unsigned long word) { __asm__("bsfl %1,%0" : "=r"(word) : "rm"(word)); return word; }
/* sched_find_first_bit: the first set bit of a 140-bit priority bitmap (5 words), the O(1) pick. */
static inline int sched_find_first_bit(const unsigned long *b)
{
	if (b[0]) return __ffs(b[0]);
	if (b[1]) return __ffs(b[1]) + 32;
	if (b[2]) return __ffs(b[2]) + 64;
	if (b[3]) return __ffs(b[3]) + 96;
	return __ffs(b[4]) + 128;
}
static inline int find_next_bit_word(unsigned long w) { return w ? (int)__ffs(w) : 32; }
#endif
