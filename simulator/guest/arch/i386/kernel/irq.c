/*
 * arch/i386/kernel/irq.c — the generic part of I/O interrupt handling (ULK3 §4.6.1, seed
 * 003:2153–2866): do_IRQ, __do_IRQ, handle_IRQ_event, enable/disable_irq, request/free_irq.
 * (2.6.11 splits this between arch/i386/kernel/irq.c and kernel/irq/handle.c, manage.c.)
 */
#include <linux/sched.h>
#include <linux/kernel.h>
#include <linux/irq.h>
#include <linux/interrupt.h>
#include <linux/hardirq.h>
#include <linux/slab.h>
#include <linux/kernel_stat.h>
#include <asm/hw_irq.h>
#include <asm/apic.h>
#include <asm/desc.h>

/* no_irq_type: the controller of a line nobody set up. */
static unsigned int startup_none(unsigned int irq) { return 0; }
static void enable_none(unsigned int irq) {}
static void ack_none(unsigned int irq)
{
	/* An interrupt on a vector nobody owns: acknowledge it at the local APIC so that lower
	 * priorities are not blocked, and say so. */
	printk("unexpected IRQ trap at vector %02x\n", irq + FIRST_EXTERNAL_VECTOR);
	ack_APIC_irq();
}
struct hw_interrupt_type no_irq_type = {
	"none", startup_none, enable_none, enable_none, enable_none, ack_none, enable_none, NULL
};

irq_desc_t irq_desc[NR_IRQS] __attribute__((aligned(32)));

/* kstat (include/linux/kernel_stat.h): per-CPU counts of the interrupts each CPU took per line. */
DEFINE_PER_CPU(struct kernel_stat, kstat);

/*
 * handle_IRQ_event (seed 003:2786–2804): run every ISR on the line. Unless the first action asked
 * for SA_INTERRUPT, interrupts are enabled meanwhile (other IRQs may nest; this one cannot, its
 * line is INPROGRESS). The ISRs' return values are ORed: IRQ_HANDLED if any device claimed it.
 */
fastcall int handle_IRQ_event(unsigned int irq, struct pt_regs *regs, struct irqaction *action)
{
	int ret, retval = 0;
	if (!(action->flags & SA_INTERRUPT))
		local_irq_enable();
	do {
		ret = action->handler(irq, action->dev_id, regs);
		retval |= ret;
		action = action->next;
	} while (action);
	local_irq_disable();
	return retval;
}

/*
 * note_interrupt (seed 003:2435, 2829): count occurrences nobody handled; a line where more than
 * 99,900 of 100,000 interrupts went unhandled is stuck — disable it.
 */
void note_interrupt(unsigned int irq, irq_desc_t *desc, int action_ret)
{
	if (action_ret != IRQ_HANDLED)
		desc->irqs_unhandled++;
	desc->irq_count++;
	if (desc->irq_count < 100000)
		return;
	desc->irq_count = 0;
	if (desc->irqs_unhandled > 99900) {
		printk(KERN_EMERG "Disabling IRQ #%d (nobody cared)\n", irq);
		desc->status |= IRQ_DISABLED;
		desc->handler->disable(irq);
	}
	desc->irqs_unhandled = 0;
}

/* ksim: how many times the PENDING loop of __do_IRQ ran the ISRs again (per IRQ), and how many
 * occurrences arrived while the line was INPROGRESS on some CPU — for the irq-pending-smp scenario. */
unsigned int irq_pending_loops[NR_IRQS];
unsigned int irq_inprogress_hits[NR_IRQS];

/*
 * __do_IRQ (ULK3 §4.6.1.7, seed 003:2705–2760):
 *   - count the occurrence in this CPU's kstat (2.6.11, extrapolated) — every one that reaches here,
 *     handled or not, as /proc/interrupts shows them;
 *   - ack the PIC (for the 8259A: mask the line and send EOI; for the I/O APIC edge: EOI the local APIC);
 *   - clear REPLAY and WAITING; set PENDING — "this IRQ needs service";
 *   - if the line is DISABLED or already INPROGRESS (being handled, maybe on another CPU), leave:
 *     PENDING tells the CPU handling it to loop once more (seed 003:2756);
 *   - otherwise set INPROGRESS and loop: clear PENDING, run the ISRs unlocked, until no new
 *     occurrence set PENDING meanwhile; clear INPROGRESS;
 *   - end (8259A: unmask the line).
 */
fastcall unsigned int __do_IRQ(unsigned int irq, struct pt_regs *regs)
{
	irq_desc_t *desc = irq_desc + irq;
	struct irqaction *action;
	unsigned int status;

	/* First thing, before the lock: the counter is this CPU's own, so no other CPU touches it. */
	kstat_this_cpu.irqs[irq]++;

	_raw_spin_lock(&desc->lock);
	desc->handler->ack(irq);
	status = desc->status & ~(IRQ_REPLAY | IRQ_WAITING);
	status |= IRQ_PENDING; /* we _want_ to handle it */

	action = NULL;
	if (likely(!(status & (IRQ_DISABLED | IRQ_INPROGRESS)))) {
		action = desc->action;
		status &= ~IRQ_PENDING; /* we commit to handling */
		status |= IRQ_INPROGRESS; /* we are handling it */
	} else if (status & IRQ_INPROGRESS)
		irq_inprogress_hits[irq]++;
	desc->status = status;

	/* Disabled, already being handled elsewhere, or no handler: leave PENDING for whoever comes. */
	if (unlikely(!action))
		goto out;

	for (;;) {
		int action_ret;
		_raw_spin_unlock(&desc->lock);
		action_ret = handle_IRQ_event(irq, regs, action);
		_raw_spin_lock(&desc->lock);
		note_interrupt(irq, desc, action_ret);
		if (likely(!(desc->status & IRQ_PENDING)))
			break;
		/* Another occurrence arrived (perhaps on another CPU) while we were in the ISRs. */
		irq_pending_loops[irq]++;
		desc->status &= ~IRQ_PENDING;
	}
	desc->status &= ~IRQ_INPROGRESS;

out:
	desc->handler->end(irq);
	_raw_spin_unlock(&desc->lock);
	return 1;
}

/*
 * do_IRQ (ULK3 §4.6.1.6, seed 003:2673–2703), called by common_interrupt with regs in eax: the IRQ
 * number is the low byte of orig_eax (interrupt[n] pushed n - 256). irq_enter counts a hardirq
 * level in preempt_count; irq_exit undoes it and runs pending softirqs. (ksim uses 8 KB stacks,
 * so there is no switch to the per-CPU hardirq_ctx stack that 4 KB stacks need.)
 */
unsigned int irq_nesting_max[NR_CPUS]; /* ksim: deepest hardirq nesting seen per CPU */

fastcall unsigned int do_IRQ(struct pt_regs *regs)
{
	int irq = regs->orig_eax & 0xff;
	irq_enter();
	unsigned int depth = hardirq_count() >> HARDIRQ_SHIFT;
	if (depth > irq_nesting_max[smp_processor_id()])
		irq_nesting_max[smp_processor_id()] = depth;
	__do_IRQ(irq, regs);
	irq_exit();
	return 1;
}

/*
 * disable_irq_nosync / disable_irq / enable_irq (seed 003:2762–2782): depth counts nested disables.
 * The first disable sets IRQ_DISABLED and masks the line at the PIC. enable_irq, when depth drops to
 * 0, clears DISABLED and, if an occurrence came in while disabled (PENDING without REPLAY), sets
 * REPLAY and asks the local APIC to resend it (hw_resend_irq): the "lost" interrupt is revived.
 */
void disable_irq_nosync(unsigned int irq)
{
	irq_desc_t *desc = irq_desc + irq;
	unsigned long flags;
	spin_lock_irqsave(&desc->lock, flags);
	if (!desc->depth++) {
		desc->status |= IRQ_DISABLED;
		desc->handler->disable(irq);
	}
	spin_unlock_irqrestore(&desc->lock, flags);
}

void synchronize_irq(unsigned int irq)
{
	while (irq_desc[irq].status & IRQ_INPROGRESS)
		cpu_relax();
}

void disable_irq(unsigned int irq)
{
	disable_irq_nosync(irq);
	synchronize_irq(irq);
}

unsigned int irq_replays[NR_IRQS]; /* ksim: hw_resend_irq calls per IRQ */

void enable_irq(unsigned int irq)
{
	irq_desc_t *desc = irq_desc + irq;
	unsigned long flags;
	spin_lock_irqsave(&desc->lock, flags);
	switch (desc->depth) {
	case 0:
		printk("enable_irq(%u) unbalanced\n", irq);
		WARN_ON(1);
		break;
	case 1: {
		unsigned int status = desc->status & ~IRQ_DISABLED;
		desc->status = status;
		if ((status & (IRQ_PENDING | IRQ_REPLAY)) == IRQ_PENDING) {
			desc->status = status | IRQ_REPLAY;
			irq_replays[irq]++;
			hw_resend_irq(desc->handler, irq);
		}
		desc->handler->enable(irq);
	}
		/* fall through */
	default:
		desc->depth--;
	}
	spin_unlock_irqrestore(&desc->lock, flags);
}

/*
 * setup_irq (seed 003:2835–2866): add an irqaction to a line. Sharing needs SA_SHIRQ on both the old
 * and the new action. The first action on a line clears DISABLED, AUTODETECT, WAITING and
 * INPROGRESS and starts the line at the PIC (seed 003:2858).
 */
int setup_irq(unsigned int irq, struct irqaction *new)
{
	irq_desc_t *desc = irq_desc + irq;
	struct irqaction *old, **p;
	unsigned long flags;
	int shared = 0;
	if (desc->handler == &no_irq_type)
		return -38; /* -ENOSYS */
	spin_lock_irqsave(&desc->lock, flags);
	p = &desc->action;
	if ((old = *p) != NULL) {
		if (!(old->flags & new->flags & SA_SHIRQ)) {
			spin_unlock_irqrestore(&desc->lock, flags);
			return -16; /* -EBUSY */
		}
		do {
			p = &old->next;
			old = *p;
		} while (old);
		shared = 1;
	}
	*p = new;
	new->irq = irq;
	if (!shared) {
		desc->depth = 0;
		desc->status &= ~(IRQ_DISABLED | IRQ_AUTODETECT | IRQ_WAITING | IRQ_INPROGRESS);
		desc->handler->startup(irq);
	}
	spin_unlock_irqrestore(&desc->lock, flags);
	return 0;
}

int request_irq(unsigned int irq, irq_handler_t handler, unsigned long irqflags, const char *devname, void *dev_id)
{
	struct irqaction *action;
	if ((irqflags & SA_SHIRQ) && !dev_id)
		return -22; /* -EINVAL: a shared line needs dev_id to tell the ISRs apart */
	if (irq >= NR_IRQS || !handler)
		return -22;
	action = kmalloc(sizeof(*action), GFP_ATOMIC);
	if (!action)
		return -12;
	action->handler = handler;
	action->flags = irqflags;
	action->mask = 0;
	action->name = devname;
	action->next = NULL;
	action->dev_id = dev_id;
	action->dir = NULL;
	int retval = setup_irq(irq, action);
	if (retval)
		kfree(action);
	return retval;
}

void free_irq(unsigned int irq, void *dev_id)
{
	irq_desc_t *desc = irq_desc + irq;
	struct irqaction **p;
	unsigned long flags;
	spin_lock_irqsave(&desc->lock, flags);
	for (p = &desc->action; *p; p = &(*p)->next) {
		struct irqaction *action = *p;
		if (action->dev_id != dev_id)
			continue;
		*p = action->next;
		if (!desc->action) {
			desc->status |= IRQ_DISABLED;
			desc->handler->shutdown(irq);
		}
		spin_unlock_irqrestore(&desc->lock, flags);
		synchronize_irq(irq);
		kfree(action);
		return;
	}
	printk("Trying to free free IRQ%d\n", irq);
	spin_unlock_irqrestore(&desc->lock, flags);
}

/*
 * init_IRQ (seed 003:2486–2492): every descriptor starts DISABLED with no controller; IDT entries
 * 32..255 point to the interrupt[] stubs — except 128, the system call gate — and then the local
 * APIC vectors get their own handlers.
 */
extern void init_8259A(void);
void init_IRQ(void)
{
	int i;
	for (i = 0; i < NR_IRQS; i++) {
		irq_desc[i].status = IRQ_DISABLED;
		irq_desc[i].action = NULL;
		irq_desc[i].depth = 1;
		irq_desc[i].handler = &no_irq_type;
		spin_lock_init(&irq_desc[i].lock);
	}
	init_8259A();
	for (i = 0; i < NR_IRQS; i++) {
		int vector = FIRST_EXTERNAL_VECTOR + i;
		if (vector != SYSCALL_VECTOR)
			set_intr_gate(vector, interrupt[i]);
	}
	/* The IPIs (seed 003:2875–2913) and the local APIC's own interrupts. */
	set_intr_gate(RESCHEDULE_VECTOR, reschedule_interrupt);
	set_intr_gate(INVALIDATE_TLB_VECTOR, invalidate_interrupt);
	set_intr_gate(CALL_FUNCTION_VECTOR, call_function_interrupt);
	set_intr_gate(LOCAL_TIMER_VECTOR, apic_timer_interrupt);
	set_intr_gate(SPURIOUS_APIC_VECTOR, spurious_interrupt);
	set_intr_gate(ERROR_APIC_VECTOR, error_interrupt);
}
