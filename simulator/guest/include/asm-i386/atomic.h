#ifndef _ASM_ATOMIC_H
#define _ASM_ATOMIC_H
#include <linux/types.h>
/* Atomic operations: read-modify-write instructions with the lock prefix, so that on SMP no other CPU
 * can touch the memory operand between the read and the write (ULK3 §5.2.4 — extrapolated). */
#define ATOMIC_INIT(i) { (i) }
#define atomic_read(v) ((v)->counter)
#define atomic_set(v, i) (((v)->counter) = (i))
static inline void atomic_add(int i, atomic_t *v) { __asm__ __volatile__("lock; addl %1,%0" : "+m"(v->counter) : "ir"(i)); }
static inline void atomic_sub(int i, atomic_t *v) { __asm__ __volatile__("lock; subl %1,%0" : "+m"(v->counter) : "ir"(i)); }
static inline void atomic_inc(atomic_t *v) { __asm__ __volatile__("lock; incl %0" : "+m"(v->counter)); }
static inline void atomic_dec(atomic_t *v) { __asm__ __volatile__("lock; decl %0" : "+m"(v->counter)); }
static inline int atomic_dec_and_test(atomic_t *v)
{
	unsigned char c;
	__asm__ __volatile__("lock; decl %0; sete %1" : "+m"(v->counter), "=qm"(c) : : "memory");
	return c != 0;
}
static inline int atomic_add_return(int i, atomic_t *v)
{
	int r = i;
	__asm__ __volatile__("lock; xaddl %0,%1" : "+r"(r), "+m"(v->counter) : : "memory");
	return r + i;
}
#define atomic_inc_return(v) atomic_add_return(1, v)
static inline unsigned long xchg(volatile unsigned long *p, unsigned long v)
{
	__asm__ __volatile__("xchgl %0,%1" : "+r"(v), "+m"(*p) : : "memory");
	return v;
}
static inline unsigned long cmpxchg(volatile unsigned long *p, unsigned long old, unsigned long new)
{
	unsigned long prev;
	__asm__ __volatile__("lock; cmpxchgl %2,%1" : "=a"(prev), "+m"(*p) : "r"(new), "0"(old) : "memory");
	return prev;
}
#define barrier() __asm__ __volatile__("" : : : "memory")
#define mb() __asm__ __volatile__("lock; addl $0,0(%%esp)" : : : "memory")
#define rmb() mb()
#define wmb() barrier()
#define smp_mb() mb()
#define smp_rmb() rmb()
#define smp_wmb() wmb()
#define smp_mb__before_clear_bit() barrier()
#define smp_mb__after_clear_bit() barrier()
#define cpu_relax() __asm__ __volatile__("rep; nop" : : : "memory")
#endif
