/*
 * scenarios/irq.c — the I/O interrupt scenarios: irq-pending-smp, irq-disable-replay, shared-irq,
 * nested-irq. The device is the COM1 UART's THR-empty interrupt on IRQ 4 (scenarios/uart_irq.c).
 * No printk may run while that interrupt is enabled, so all summaries are printed at the end.
 */
#include <linux/sched.h>
#include <linux/kernel.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/hardirq.h>
#include <linux/completion.h>
#include <linux/ksim_scenario.h>
#include <linux/ksim_scenario_helpers.h>
#include <asm/io_apic.h>
#include <asm/apic.h>

static const char *yes(int c) { return c ? "yes" : "no"; }
extern unsigned int irq_pending_loops[NR_IRQS], irq_inprogress_hits[NR_IRQS], irq_replays[NR_IRQS];
extern unsigned int irq_nesting_max[NR_CPUS];

/*
 * irq-pending-smp (ULK3 §4.6.1.7, seed 003:2705–2760): CPU 0 runs the IRQ 4 handler; meanwhile the
 * same IRQ arrives on CPU 1 (the handler re-routes the line to CPU 1 and makes the UART raise it
 * again). CPU 1's __do_IRQ finds IRQ_INPROGRESS, sets IRQ_PENDING and leaves without running the
 * handler; CPU 0, back in __do_IRQ, sees PENDING and runs the handler once more.
 */
static volatile int ips_calls, ips_cpu_of_call[4], ips_saw_pending;

static irqreturn_t ips_handler(int irq, void *dev_id, struct pt_regs *regs)
{
	int n = ips_calls++;
	if (n < 4)
		ips_cpu_of_call[n] = smp_processor_id();
	uart_thre_ack();
	if (n == 0) {
		/* Route the next occurrence to CPU 1 and cause one: THRE off, on = a new edge. */
		io_apic_set_dest(UART_IRQ, 1);
		uart_thre_irq_off();
		uart_thre_irq_on();
		/* Wait (at most 2 s; interrupts are on, jiffies advance) until CPU 1 has been through
		 * __do_IRQ and left PENDING behind. */
		unsigned long until = jiffies + 2 * HZ;
		while (!(irq_desc[irq].status & IRQ_PENDING) && time_before(jiffies, until))
			cpu_relax();
		ips_saw_pending = !!(irq_desc[irq].status & IRQ_PENDING);
	} else
		uart_thre_irq_off();
	return IRQ_HANDLED;
}

static int irq_pending_smp(void)
{
	if (num_online_cpus() < 2) {
		scenario_summary("needs 2 CPUs: skipped");
		return 0;
	}
	static int dev;
	set_cpus_allowed(current, cpumask_of_cpu(0));
	uart_irq_save();
	unsigned int loops0 = irq_pending_loops[UART_IRQ], hits0 = irq_inprogress_hits[UART_IRQ];
	if (request_irq(UART_IRQ, ips_handler, SA_SHIRQ, "ksim-thre", &dev))
		panic("request_irq(4) failed");
	io_apic_set_dest(UART_IRQ, 0);
	uart_thre_irq_on();
	for (int t = 0; t < 100 && ips_calls < 2; t++)
		msleep_ticks(1);
	uart_thre_irq_off();
	free_irq(UART_IRQ, &dev);
	io_apic_set_dest(UART_IRQ, 0);
	uart_irq_restore();
	set_cpus_allowed(current, CPU_MASK_ALL);
	int loops = irq_pending_loops[UART_IRQ] - loops0, hits = irq_inprogress_hits[UART_IRQ] - hits0;
	scenario_summary("IRQ 4 handled on CPU 0; the same IRQ then arrives on CPU 1");
	scenario_summary("CPU 1 found IRQ_INPROGRESS and set IRQ_PENDING: %s", yes(hits == 1 && ips_saw_pending));
	scenario_summary("handler calls: %d, all on CPU 0: %s", ips_calls,
			 yes(ips_calls == 2 && ips_cpu_of_call[0] == 0 && ips_cpu_of_call[1] == 0));
	scenario_summary("CPU 0 looped once more in __do_IRQ: %s", yes(loops == 1));
	return !(hits == 1 && ips_saw_pending && ips_calls == 2 && ips_cpu_of_call[1] == 0 && loops == 1);
}
KSIM_SCENARIO(irq_pending_smp, "irq-pending-smp", irq_pending_smp,
	      "the same IRQ on a second CPU while the first handles it: the IRQ_PENDING loop");

/*
 * irq-disable-replay (ULK3 §4.6.1.8, seed 003:2762–2782): while IRQ 4 is disabled, an occurrence
 * reaches __do_IRQ, which only records IRQ_PENDING. enable_irq finds PENDING without REPLAY, sets
 * REPLAY and resends the vector to this CPU (hw_resend_irq): the handler runs after all.
 */
static volatile int idr_calls;
static irqreturn_t idr_handler(int irq, void *dev_id, struct pt_regs *regs)
{
	idr_calls++;
	uart_thre_ack();
	uart_thre_irq_off();
	return IRQ_HANDLED;
}

static int irq_disable_replay(void)
{
	static int dev;
	set_cpus_allowed(current, cpumask_of_cpu(0));
	uart_irq_save();
	if (request_irq(UART_IRQ, idr_handler, SA_SHIRQ, "ksim-thre", &dev))
		panic("request_irq(4) failed");
	io_apic_set_dest(UART_IRQ, 0);
	unsigned int replays0 = irq_replays[UART_IRQ];
	disable_irq(UART_IRQ);
	uart_thre_irq_on(); /* the device raises IRQ 4 while the line is disabled */
	for (int t = 0; t < 50 && !(irq_desc[UART_IRQ].status & IRQ_PENDING); t++)
		msleep_ticks(1);
	int calls_while_disabled = idr_calls;
	int pending = !!(irq_desc[UART_IRQ].status & IRQ_PENDING);
	enable_irq(UART_IRQ);
	for (int t = 0; t < 50 && idr_calls < 1; t++)
		msleep_ticks(1);
	msleep_ticks(2);
	int calls_after = idr_calls;
	int replayed = irq_replays[UART_IRQ] - replays0;
	uart_thre_irq_off();
	free_irq(UART_IRQ, &dev);
	uart_irq_restore();
	set_cpus_allowed(current, CPU_MASK_ALL);
	scenario_summary("disable_irq(4); the device interrupts; enable_irq(4)");
	scenario_summary("handler calls while disabled: %d", calls_while_disabled);
	scenario_summary("IRQ_PENDING recorded while disabled: %s", yes(pending));
	scenario_summary("enable_irq set IRQ_REPLAY and resent the vector: %s", yes(replayed == 1));
	scenario_summary("handler calls after enable_irq: %d", calls_after);
	return !(calls_while_disabled == 0 && pending && replayed == 1 && calls_after == 1);
}
KSIM_SCENARIO(irq_disable_replay, "irq-disable-replay", irq_disable_replay,
	      "an IRQ lost while disabled is revived by enable_irq (IRQ_REPLAY)");

/*
 * shared-irq (ULK3 §4.6.1.9, seed 003:2784–2829): two devices share IRQ 4 (SA_SHIRQ). Every
 * occurrence calls both ISRs; each checks whether its own device interrupted and returns
 * IRQ_HANDLED or IRQ_NONE; handle_IRQ_event ORs the results, and an occurrence nobody claimed counts
 * in irqs_unhandled.
 */
static volatile int shr_a_calls, shr_b_calls, shr_a_handled, shr_b_handled, shr_b_device_pending;
static int shr_dev_a, shr_dev_b;

static irqreturn_t shr_isr_a(int irq, void *dev_id, struct pt_regs *regs)
{
	shr_a_calls++;
	if (uart_thre_ack()) { /* "our" device: the UART */
		uart_thre_irq_off();
		shr_a_handled++;
		return IRQ_HANDLED;
	}
	return IRQ_NONE;
}

static irqreturn_t shr_isr_b(int irq, void *dev_id, struct pt_regs *regs)
{
	shr_b_calls++;
	if (shr_b_device_pending) { /* a pretend device with a status flag */
		shr_b_device_pending = 0;
		shr_b_handled++;
		return IRQ_HANDLED;
	}
	return IRQ_NONE;
}

static int shared_irq(void)
{
	set_cpus_allowed(current, cpumask_of_cpu(0));
	uart_irq_save();
	io_apic_set_dest(UART_IRQ, 0);
	if (request_irq(UART_IRQ, shr_isr_a, SA_SHIRQ, "dev-a", &shr_dev_a) ||
	    request_irq(UART_IRQ, shr_isr_b, SA_SHIRQ, "dev-b", &shr_dev_b))
		panic("request_irq(4) failed");
	int nonshared_refused = request_irq(UART_IRQ, shr_isr_b, 0, "dev-c", &shr_dev_b) != 0;
	unsigned int unhandled0 = irq_desc[UART_IRQ].irqs_unhandled;
	/* 1: device A interrupts */
	uart_thre_irq_on();
	for (int t = 0; t < 50 && shr_a_calls < 1; t++)
		msleep_ticks(1);
	int r1 = shr_a_calls == 1 && shr_b_calls == 1 && shr_a_handled == 1 && shr_b_handled == 0;
	/* 2: an occurrence nobody claims (the vector sent to ourselves) */
	send_IPI_self(FIRST_EXTERNAL_VECTOR + UART_IRQ);
	for (int t = 0; t < 50 && shr_a_calls < 2; t++)
		msleep_ticks(1);
	int unclaimed = irq_desc[UART_IRQ].irqs_unhandled - unhandled0;
	/* 3: device B "interrupts" */
	shr_b_device_pending = 1;
	send_IPI_self(FIRST_EXTERNAL_VECTOR + UART_IRQ);
	for (int t = 0; t < 50 && shr_b_calls < 3; t++)
		msleep_ticks(1);
	int r3 = shr_a_calls == 3 && shr_b_calls == 3 && shr_b_handled == 1 && shr_a_handled == 1;
	free_irq(UART_IRQ, &shr_dev_b);
	free_irq(UART_IRQ, &shr_dev_a);
	uart_irq_restore();
	set_cpus_allowed(current, CPU_MASK_ALL);
	scenario_summary("two ISRs share IRQ 4 (SA_SHIRQ)");
	scenario_summary("a non-shared request on the line is refused: %s", yes(nonshared_refused));
	scenario_summary("device A interrupts: both ISRs called, A returns IRQ_HANDLED, B IRQ_NONE: %s", yes(r1));
	scenario_summary("an unclaimed occurrence counts in irqs_unhandled: %d", unclaimed);
	scenario_summary("device B interrupts: both ISRs called, only B handles it: %s", yes(r3));
	return !(nonshared_refused && r1 && unclaimed == 1 && r3);
}
KSIM_SCENARIO(shared_irq, "shared-irq", shared_irq, "one IRQ line, two ISRs, IRQ_HANDLED/IRQ_NONE");

/*
 * nested-irq (ULK3 §4.3, seed 003:2015–2040, 2683–2699, 3034): an ISR registered without
 * SA_INTERRUPT runs with interrupts enabled, so the local timer interrupt nests inside it: the
 * hardirq count in preempt_count reaches 2, and no process switch happens inside (preempt_count
 * != 0). With SA_INTERRUPT the same ISR runs with interrupts off and nothing nests.
 */
static volatile int nest_phase, nest_timer_nested, nest_same_task, nest_flag_calls;

static irqreturn_t nest_handler(int irq, void *dev_id, struct pt_regs *regs)
{
	int cpu = smp_processor_id();
	struct task_struct *me = current;
	unsigned int ticks0 = irq_stat[cpu].apic_timer_irqs;
	uart_thre_ack();
	uart_thre_irq_off();
	if (nest_phase == 1) {
		/* Interrupts are on: wait (at most 2 s of jiffies) for a local timer tick to nest. */
		unsigned long until = jiffies + 2 * HZ;
		while (irq_stat[cpu].apic_timer_irqs == ticks0 && time_before(jiffies, until))
			cpu_relax();
		nest_timer_nested = irq_stat[cpu].apic_timer_irqs != ticks0;
		nest_same_task = current == me;
	} else {
		/* SA_INTERRUPT: interrupts are off; spin as long as a tick takes — none can arrive here. */
		for (long i = 0; i < 200000; i++)
			cpu_relax();
		nest_flag_calls = irq_stat[cpu].apic_timer_irqs == ticks0 ? 1 : 2;
	}
	return IRQ_HANDLED;
}

static int nested_irq(void)
{
	static int dev;
	set_cpus_allowed(current, cpumask_of_cpu(0));
	uart_irq_save();
	io_apic_set_dest(UART_IRQ, 0);
	irq_nesting_max[0] = 0;
	nest_phase = 1;
	if (request_irq(UART_IRQ, nest_handler, SA_SHIRQ, "ksim-thre", &dev))
		panic("request_irq(4) failed");
	uart_thre_irq_on();
	for (int t = 0; t < 50 && !nest_same_task && !nest_timer_nested; t++)
		msleep_ticks(1);
	msleep_ticks(1);
	free_irq(UART_IRQ, &dev);
	int depth = irq_nesting_max[0];
	nest_phase = 2;
	if (request_irq(UART_IRQ, nest_handler, SA_SHIRQ | SA_INTERRUPT, "ksim-thre", &dev))
		panic("request_irq(4) failed");
	uart_thre_irq_on();
	for (int t = 0; t < 50 && !nest_flag_calls; t++)
		msleep_ticks(1);
	free_irq(UART_IRQ, &dev);
	uart_irq_restore();
	set_cpus_allowed(current, CPU_MASK_ALL);
	scenario_summary("IRQ 4 handler without SA_INTERRUPT spins until a local timer tick");
	scenario_summary("the timer interrupt nested inside it: %s", yes(nest_timer_nested));
	scenario_summary("hardirq count reached 2: %s", yes(depth >= 2));
	scenario_summary("no process switch inside the handler: %s", yes(nest_same_task));
	scenario_summary("with SA_INTERRUPT nothing nested: %s", yes(nest_flag_calls == 1));
	return !(nest_timer_nested && depth >= 2 && nest_same_task && nest_flag_calls == 1);
}
KSIM_SCENARIO(nested_irq, "nested-irq", nested_irq, "interrupt handlers nest (hardirq count 2) unless SA_INTERRUPT");
