#ifndef _LINUX_JIFFIES_H
#define _LINUX_JIFFIES_H
#include <linux/types.h>
/* jiffies: the number of timer ticks since boot, incremented by do_timer (once per tick, on the CPU
 * that handles IRQ 0). HZ ticks per second; settable with "hz=" on the command line (default 1000, as 2.6 on i386). */
extern volatile u64 jiffies_64;
extern volatile unsigned long jiffies;
extern unsigned int HZ;
#define time_after(a, b) ((long)(b) - (long)(a) < 0)
#define time_before(a, b) time_after(b, a)
#define time_after_eq(a, b) ((long)(a) - (long)(b) >= 0)
#define time_before_eq(a, b) time_after_eq(b, a)
#define MAX_JIFFY_OFFSET ((~0UL >> 1) - 1)
static inline unsigned long msecs_to_jiffies(unsigned int m) { return (m * HZ + 999) / 1000; }
#endif
