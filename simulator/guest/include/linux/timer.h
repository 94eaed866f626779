#ifndef _LINUX_TIMER_H
#define _LINUX_TIMER_H
#include <linux/list.h>
#include <linux/spinlock.h>
/*
 * Dynamic kernel timers (ULK3 §6.5 — extrapolated from 2.6.11 kernel/timer.c: the seeds only name
 * TIMER_SOFTIRQ). A timer runs function(data) from the TIMER_SOFTIRQ of the CPU it was added on,
 * once jiffies >= expires. Each CPU keeps its timers in a tvec_base_t: the five-level "timer wheel"
 * of 2.6 (tv1: 256 lists for the next 256 ticks, tv2..tv5: 64 lists each for ever coarser ranges,
 * cascaded down as time advances).
 */
struct tvec_t_base_s;
struct timer_list {
	struct list_head entry;
	unsigned long expires;
	spinlock_t lock;
	unsigned long magic;
	void (*function)(unsigned long);
	unsigned long data;
	struct tvec_t_base_s *base;
};
#define TIMER_MAGIC 0x4b87ad6e
#define TIMER_INITIALIZER(_f, _e, _d) { .function = (_f), .expires = (_e), .data = (_d), .base = NULL, .magic = TIMER_MAGIC, .lock = SPIN_LOCK_UNLOCKED }
void init_timer(struct timer_list *timer);
void add_timer(struct timer_list *timer);
void add_timer_on(struct timer_list *timer, int cpu);
int mod_timer(struct timer_list *timer, unsigned long expires);
int del_timer(struct timer_list *timer);
int del_timer_sync(struct timer_list *timer);
static inline int timer_pending(const struct timer_list *t) { return t->base != NULL; }
void init_timers(void);
void run_local_timers(void);
#endif
