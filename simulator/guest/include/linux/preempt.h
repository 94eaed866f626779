#ifndef _LINUX_PREEMPT_H
#define _LINUX_PREEMPT_H
#include <linux/linkage.h>
#include <asm/thread_info.h>
#include <asm/atomic.h>
#include <asm/bitops.h>
/*
 * Kernel preemption (ULK3 §4.7.1.1 and §4.9.1.3, seed 003:3011–3038, 3506–3521).
 * preempt_count in thread_info counts why the running task may not be preempted right now:
 *   bits 0-7   preemption count (preempt_disable nesting, spin locks held)
 *   bits 8-15  softirq count (local_bh_disable, running softirqs)
 *   bits 16-27 hardirq count (nested interrupt handlers)
 *   bit  28    PREEMPT_ACTIVE (set while preempt_schedule{,_irq} calls schedule)
 * A task may be preempted in kernel mode only when the whole counter is 0 (resume_kernel tests
 * 0x14(%ebp)). in_interrupt() is "hardirq or softirq count non-zero".
 */
#define PREEMPT_BITS 8
#define SOFTIRQ_BITS 8
#define HARDIRQ_BITS 12
#define PREEMPT_SHIFT 0
#define SOFTIRQ_SHIFT (PREEMPT_SHIFT + PREEMPT_BITS)
#define HARDIRQ_SHIFT (SOFTIRQ_SHIFT + SOFTIRQ_BITS)
#define __IRQ_MASK(x) ((1UL << (x)) - 1)
#define PREEMPT_MASK (__IRQ_MASK(PREEMPT_BITS) << PREEMPT_SHIFT)
#define SOFTIRQ_MASK (__IRQ_MASK(SOFTIRQ_BITS) << SOFTIRQ_SHIFT)
#define HARDIRQ_MASK (__IRQ_MASK(HARDIRQ_BITS) << HARDIRQ_SHIFT)
#define PREEMPT_OFFSET (1UL << PREEMPT_SHIFT)
#define SOFTIRQ_OFFSET (1UL << SOFTIRQ_SHIFT)
#define HARDIRQ_OFFSET (1UL << HARDIRQ_SHIFT)
#define PREEMPT_ACTIVE 0x10000000

#define preempt_count() (current_thread_info()->preempt_count)
#define hardirq_count() (preempt_count() & HARDIRQ_MASK)
#define softirq_count() (preempt_count() & SOFTIRQ_MASK)
#define irq_count() (preempt_count() & (HARDIRQ_MASK | SOFTIRQ_MASK))
#define in_irq() (hardirq_count())
#define in_softirq() (softirq_count())
#define in_interrupt() (irq_count())
#define in_atomic() ((preempt_count() & ~PREEMPT_ACTIVE) != 0)

asmlinkage void preempt_schedule(void);
#define inc_preempt_count() (preempt_count() += 1)
#define dec_preempt_count() (preempt_count() -= 1)
#define add_preempt_count(v) (preempt_count() += (v))
#define sub_preempt_count(v) (preempt_count() -= (v))
#define preempt_disable() do { inc_preempt_count(); barrier(); } while (0)
#define preempt_enable_no_resched() do { barrier(); dec_preempt_count(); } while (0)
#define preempt_check_resched() \
	do { if (unlikely(test_thread_flag(TIF_NEED_RESCHED))) preempt_schedule(); } while (0)
#define preempt_enable() do { preempt_enable_no_resched(); barrier(); preempt_check_resched(); } while (0)
#endif
