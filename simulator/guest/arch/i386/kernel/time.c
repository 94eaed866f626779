/*
 * arch/i386/kernel/time.c — the global tick (ULK3 §4.6.1.10 and chapter 6; seed 003:2860–2866,
 * 000:380–434).
 *
 * The PIT (8254) channel 0 fires IRQ 0 HZ times a second; time_init registers timer_interrupt on
 * it with SA_INTERRUPT (run with interrupts off, seed 003:2860). timer_interrupt calls do_timer,
 * which advances jiffies. The per-CPU work of a tick (scheduler_tick, the timer softirq) happens in
 * each CPU's local APIC timer interrupt (apic.c). HZ is 1000 (as in 2.6 on i386) unless "hz=" on the command line says
 * otherwise (10..1000).
 */
#include <linux/sched.h>
#include <linux/kernel.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <asm/io.h>

#define CLOCK_TICK_RATE 1193182 /* the PIT's input clock, Hz */
extern void do_timer(struct pt_regs *regs);
unsigned long timer_irqs; /* IRQ 0 occurrences */

static inline void do_timer_interrupt(int irq, void *dev_id, struct pt_regs *regs)
{
	do_timer(regs);
}

irqreturn_t timer_interrupt(int irq, void *dev_id, struct pt_regs *regs)
{
	timer_irqs++;
	do_timer_interrupt(irq, NULL, regs);
	return IRQ_HANDLED;
}

static struct irqaction irq0 = { timer_interrupt, SA_INTERRUPT, 0, "timer", NULL, NULL };

/* The PIT in mode 2 (rate generator): channel 0 reloads LATCH and pulses IRQ 0 every 1/HZ s. */
static void setup_pit_timer(void)
{
	unsigned int latch = (CLOCK_TICK_RATE + HZ / 2) / HZ;
	outb(0x34, 0x43); /* channel 0, lobyte/hibyte, mode 2, binary */
	outb(latch & 0xff, 0x40);
	outb(latch >> 8, 0x40);
}

void time_init(void)
{
	int hz = get_option_int("hz", 1000);
	if (hz < 10 || hz > 1000) {
		printk("hz=%d out of range 10..1000, using 1000\n", hz);
		hz = 100;
	}
	HZ = hz;
	setup_pit_timer();
	setup_irq(0, &irq0);
	printk("time: PIT at HZ=%u on IRQ 0\n", HZ);
}
