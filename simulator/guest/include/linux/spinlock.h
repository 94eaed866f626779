#ifndef _LINUX_SPINLOCK_H
#define _LINUX_SPINLOCK_H
#include <linux/preempt.h>
#include <asm/system.h>
/*
 * Spin locks and read/write spin locks, i386 SMP (ULK3 §5.2.5–5.2.6 — extrapolated: the seeds'
 * chapters 3–4 use them without showing them).
 *
 * spinlock_t.slock is 1 when free. spin_lock does "lock; decb slock": whoever takes it from 1 to 0
 * owns the lock; the others see a negative value and spin, reading (not writing) the byte with the
 * pause instruction ("rep; nop") until it is positive again, then retry the locked decrement.
 * spin_unlock stores 1. With kernel preemption, taking a lock also disables preemption.
 */
typedef struct {
	volatile unsigned int slock;
} spinlock_t;
#define SPIN_LOCK_UNLOCKED { 1 }
#define DEFINE_SPINLOCK(x) spinlock_t x = SPIN_LOCK_UNLOCKED
#define spin_lock_init(x) do { (x)->slock = 1; } while (0)
#define spin_is_locked(x) (*(volatile signed char *)(&(x)->slock) <= 0)

static inline void _raw_spin_lock(spinlock_t *lock)
{
	__asm__ __volatile__(
		"1:\tlock; decb %0\n\t"
		"jns 3f\n"
		"2:\trep; nop\n\t"
		"cmpb $0,%0\n\t"
		"jle 2b\n\t"
		"jmp 1b\n"
		"3:\n\t"
		: "+m"(lock->slock) : : "memory", "cc");
}
static inline int _raw_spin_trylock(spinlock_t *lock)
{
	char oldval;
	__asm__ __volatile__("xchgb %b0,%1" : "=q"(oldval), "+m"(lock->slock) : "0"(0) : "memory");
	return oldval > 0;
}
static inline void _raw_spin_unlock(spinlock_t *lock)
{
	__asm__ __volatile__("movb $1,%0" : "+m"(lock->slock) : : "memory");
}

#define spin_lock(l) do { preempt_disable(); _raw_spin_lock(l); } while (0)
#define spin_unlock(l) do { _raw_spin_unlock(l); preempt_enable(); } while (0)
#define spin_trylock(l) ({ preempt_disable(); _raw_spin_trylock(l) ? 1 : ({ preempt_enable(); 0; }); })
#define spin_lock_irq(l) do { local_irq_disable(); preempt_disable(); _raw_spin_lock(l); } while (0)
#define spin_unlock_irq(l) do { _raw_spin_unlock(l); local_irq_enable(); preempt_enable(); } while (0)
#define spin_lock_irqsave(l, f) do { local_irq_save(f); preempt_disable(); _raw_spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, f) do { _raw_spin_unlock(l); local_irq_restore(f); preempt_enable(); } while (0)
#define spin_unlock_no_resched(l) do { _raw_spin_unlock(l); preempt_enable_no_resched(); } while (0)
void local_bh_disable(void);
void local_bh_enable(void);
#define spin_lock_bh(l) do { local_bh_disable(); preempt_disable(); _raw_spin_lock(l); } while (0)
#define spin_unlock_bh(l) do { _raw_spin_unlock(l); preempt_enable_no_resched(); local_bh_enable(); } while (0)

/*
 * rwlock_t: the lock word starts at RW_LOCK_BIAS (0x01000000). A reader subtracts 1 (the lock is
 * free for readers while the result stays non-negative); a writer subtracts the whole bias and owns
 * the lock only if the result is exactly 0 (no readers, no writer).
 */
#define RW_LOCK_BIAS 0x01000000
typedef struct {
	volatile int lock;
} rwlock_t;
#define RW_LOCK_UNLOCKED { RW_LOCK_BIAS }
#define DEFINE_RWLOCK(x) rwlock_t x = RW_LOCK_UNLOCKED
#define rwlock_init(x) do { (x)->lock = RW_LOCK_BIAS; } while (0)
static inline void _raw_read_lock(rwlock_t *rw)
{
	__asm__ __volatile__(
		"1:\tlock; subl $1,%0\n\t"
		"jns 3f\n\t"
		"lock; addl $1,%0\n"
		"2:\trep; nop\n\t"
		"cmpl $1,%0\n\t"
		"js 2b\n\t"
		"jmp 1b\n"
		"3:\n" : "+m"(rw->lock) : : "memory", "cc");
}
static inline void _raw_write_lock(rwlock_t *rw)
{
	__asm__ __volatile__(
		"1:\tlock; subl %1,%0\n\t"
		"jz 3f\n\t"
		"lock; addl %1,%0\n"
		"2:\trep; nop\n\t"
		"cmpl %1,%0\n\t"
		"jne 2b\n\t"
		"jmp 1b\n"
		"3:\n" : "+m"(rw->lock) : "i"(RW_LOCK_BIAS) : "memory", "cc");
}
#define _raw_read_unlock(rw) __asm__ __volatile__("lock; incl %0" : "+m"((rw)->lock) : : "memory")
#define _raw_write_unlock(rw) __asm__ __volatile__("lock; addl %1,%0" : "+m"((rw)->lock) : "i"(RW_LOCK_BIAS) : "memory")
#define read_lock(l) do { preempt_disable(); _raw_read_lock(l); } while (0)
#define read_unlock(l) do { _raw_read_unlock(l); preempt_enable(); } while (0)
#define write_lock(l) do { preempt_disable(); _raw_write_lock(l); } while (0)
#define write_unlock(l) do { _raw_write_unlock(l); preempt_enable(); } while (0)
#define read_lock_irqsave(l, f) do { local_irq_save(f); preempt_disable(); _raw_read_lock(l); } while (0)
#define read_unlock_irqrestore(l, f) do { _raw_read_unlock(l); local_irq_restore(f); preempt_enable(); } while (0)
#define write_lock_irqsave(l, f) do { local_irq_save(f); preempt_disable(); _raw_write_lock(l); } while (0)
#define write_unlock_irqrestore(l, f) do { _raw_write_unlock(l); local_irq_restore(f); preempt_enable(); } while (0)
#define write_lock_irq(l) do { local_irq_disable(); preempt_disable(); _raw_write_lock(l); } while (0)
#define write_unlock_irq(l) do { _raw_write_unlock(l); local_irq_enable(); preempt_enable(); } while (0)
#define read_lock_irq(l) do { local_irq_disable(); preempt_disable(); _raw_read_lock(l); } while (0)
#define read_unlock_irq(l) do { _raw_read_unlock(l); local_irq_enable(); preempt_enable(); } while (0)
#endif
