/*
 * arch/i386/kernel/apic.c — the local APIC: enabling it, its timer, and sending IPIs (ULK3
 * §4.2.1.1, §4.6.2, seed 003:1614–1655, 2265, 2868–2913; register programming extrapolated).
 */
#include <linux/sched.h>
#include <linux/kernel.h>
#include <linux/interrupt.h>
#include <linux/hardirq.h>
#include <asm/apic.h>
#include <asm/io.h>
#include <asm/hw_irq.h>
#include <asm/processor.h>

unsigned int apic_timer_count_per_tick;

/* setup_local_APIC: software-enable the APIC with the spurious vector, accept every priority
 * (TPR = 0), mask LINT0 (the 8259A's ExtINT path; the I/O APIC is used), LINT1 = NMI on the boot
 * CPU, and the error interrupt on ERROR_APIC_VECTOR. */
void setup_local_APIC(void)
{
	apic_write(APIC_TASKPRI, 0);
	apic_write(APIC_SPIV, APIC_SPIV_APIC_ENABLED | SPURIOUS_APIC_VECTOR);
	apic_write(APIC_LVT0, APIC_LVT_MASKED | APIC_DM_EXTINT);
	apic_write(APIC_LVT1, smp_processor_id() == 0 ? APIC_DM_NMI : APIC_LVT_MASKED);
	apic_write(APIC_ESR, 0);
	apic_write(APIC_LVTERR, ERROR_APIC_VECTOR);
	apic_write(APIC_ESR, 0);
	apic_write(APIC_EOI, 0);
}

int hard_smp_processor_id(void)
{
	return GET_APIC_ID(apic_read(APIC_ID));
}

/*
 * calibrate_APIC_clock: the local APIC timer counts at the bus clock / divider, which the kernel does
 * not know. Let the timer count down from 0xffffffff while the PIT, whose frequency (1193182 Hz) is
 * known, produces a few IRQ 0 ticks, and derive the count per tick. 2.6.11 polls the PIT counter in
 * a busy loop (wait_8254_wraparound); ksim waits for the ticks with "hlt" instead, so that a
 * simulator spends no instructions on the wait. Runs with interrupts enabled, after time_init.
 * The result only affects timing, never a scenario's summary.
 */
static void wait_for_jiffy_edge(void)
{
	unsigned long j = jiffies;
	while (jiffies == j)
		safe_halt(); /* sti; hlt: the next interrupt wakes us (the PIT tick, at the latest) */
}

void calibrate_APIC_clock(void)
{
	unsigned int loops = 2;
	apic_write(APIC_TDCR, APIC_TDR_DIV_16);
	apic_write(APIC_LVTT, APIC_LVT_MASKED | LOCAL_TIMER_VECTOR);
	apic_write(APIC_TMICT, 0xffffffff);
	wait_for_jiffy_edge();
	unsigned long t1 = apic_read(APIC_TMCCT);
	for (unsigned int i = 0; i < loops; i++)
		wait_for_jiffy_edge();
	unsigned long t2 = apic_read(APIC_TMCCT);
	apic_timer_count_per_tick = t1 > t2 ? (t1 - t2) / loops : 0;
	if (apic_timer_count_per_tick < 16) {
		apic_timer_count_per_tick = 62500000 / 16 / HZ; /* assume a 62.5 MHz bus */
		printk("APIC timer: calibration failed, assuming %u counts per tick\n", apic_timer_count_per_tick);
	} else
		printk("APIC timer: calibrated against the PIT\n");
}

/* The local APIC timer in periodic mode: one LOCAL_TIMER_VECTOR interrupt per tick on this CPU. */
static void __setup_APIC_LVTT(unsigned int clocks)
{
	apic_write(APIC_TDCR, APIC_TDR_DIV_16);
	apic_write(APIC_LVTT, APIC_LVT_TIMER_PERIODIC | LOCAL_TIMER_VECTOR);
	apic_write(APIC_TMICT, clocks);
}

void setup_boot_APIC_clock(void)
{
	calibrate_APIC_clock();
	__setup_APIC_LVTT(apic_timer_count_per_tick);
}

void setup_secondary_APIC_clock(void)
{
	__setup_APIC_LVTT(apic_timer_count_per_tick);
}

/*
 * smp_apic_timer_interrupt (seed 003:2265, 3066): the per-CPU tick. EOI first, then as any
 * interrupt handler: irq_enter, the local timer work (update_process_times: scheduler_tick and the
 * timer softirq), irq_exit — which runs the softirqs, so this is one of the softirq checkpoints.
 */
fastcall void smp_apic_timer_interrupt(struct pt_regs *regs)
{
	int cpu = smp_processor_id();
	irq_stat[cpu].apic_timer_irqs++;
	ack_APIC_irq();
	irq_enter();
	{
		extern unsigned int irq_nesting_max[NR_CPUS];
		unsigned int depth = hardirq_count() >> HARDIRQ_SHIFT;
		if (depth > irq_nesting_max[cpu])
			irq_nesting_max[cpu] = depth;
	}
	update_process_times(user_mode(regs));
	irq_exit();
}

fastcall void smp_error_interrupt(struct pt_regs *regs)
{
	apic_write(APIC_ESR, 0);
	unsigned long v = apic_read(APIC_ESR);
	ack_APIC_irq();
	printk("APIC error on CPU%d: %02lx\n", smp_processor_id(), v);
}

/* The spurious vector needs no EOI (the APIC did not set an in-service bit for it). */
fastcall void smp_spurious_interrupt(struct pt_regs *regs)
{
}

/*
 * Sending IPIs (seed 003:2890–2913): write the destination APIC id into ICR2, then vector and
 * delivery mode into ICR, which sends. Wait for the previous IPI to be accepted first.
 */
static void __send_IPI_dest(int apicid, int vector, unsigned int mode)
{
	apic_wait_icr_idle();
	apic_write(APIC_ICR2, SET_APIC_DEST_FIELD(apicid));
	apic_write(APIC_ICR, mode | vector);
}

void send_IPI_mask(unsigned long mask, int vector)
{
	unsigned long flags;
	local_irq_save(flags);
	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		if (mask & (1UL << cpu))
			__send_IPI_dest(x86_cpu_to_apicid[cpu], vector, APIC_DM_FIXED);
	local_irq_restore(flags);
}

void send_IPI_allbutself(int vector)
{
	unsigned long mask = cpu_online_map & ~(1UL << smp_processor_id());
	if (mask)
		send_IPI_mask(mask, vector);
}

void send_IPI_all(int vector)
{
	send_IPI_mask(cpu_online_map, vector);
}

/* send_IPI_self: the "self" destination shorthand. */
void send_IPI_self(int vector)
{
	unsigned long flags;
	local_irq_save(flags);
	apic_wait_icr_idle();
	apic_write(APIC_ICR, APIC_DEST_SELF | APIC_DM_FIXED | vector);
	local_irq_restore(flags);
}
