/*
 * arch/i386/kernel/i8259.c — the two cascaded 8259A PICs (ULK3 §4.2.1, seed 003:1586–1612).
 *
 * On a PC with an I/O APIC, Linux in SMP mode routes the ISA interrupts through the I/O APIC and
 * leaves the 8259As initialised but fully masked; ksim does the same. The "XT-PIC" controller type
 * is still defined for reference (and would drive IRQs 0-15 on a machine without an I/O APIC):
 * ack masks the line and sends the EOI (mask_and_ack_8259A), end unmasks it (end_8259A_irq) —
 * which is why, with the 8259A, an IRQ line cannot fire again while its handler runs (seed 003:2731).
 */
#include <linux/kernel.h>
#include <linux/irq.h>
#include <linux/spinlock.h>
#include <asm/io.h>

static DEFINE_SPINLOCK(i8259A_lock);
static unsigned int cached_irq_mask = 0xffff;
#define cached_master_mask ((unsigned char)cached_irq_mask)
#define cached_slave_mask ((unsigned char)(cached_irq_mask >> 8))

static void disable_8259A_irq(unsigned int irq)
{
	unsigned long flags;
	spin_lock_irqsave(&i8259A_lock, flags);
	cached_irq_mask |= 1 << irq;
	if (irq & 8)
		outb(cached_slave_mask, 0xA1);
	else
		outb(cached_master_mask, 0x21);
	spin_unlock_irqrestore(&i8259A_lock, flags);
}

static void enable_8259A_irq(unsigned int irq)
{
	unsigned long flags;
	spin_lock_irqsave(&i8259A_lock, flags);
	cached_irq_mask &= ~(1 << irq);
	if (irq & 8)
		outb(cached_slave_mask, 0xA1);
	else
		outb(cached_master_mask, 0x21);
	spin_unlock_irqrestore(&i8259A_lock, flags);
}

static unsigned int startup_8259A_irq(unsigned int irq)
{
	enable_8259A_irq(irq);
	return 0;
}

/* mask_and_ack_8259A: mask the line, then a specific EOI (0x60 + line) to the PIC(s). */
static void mask_and_ack_8259A(unsigned int irq)
{
	unsigned long flags;
	spin_lock_irqsave(&i8259A_lock, flags);
	cached_irq_mask |= 1 << irq;
	if (irq & 8) {
		outb(cached_slave_mask, 0xA1);
		outb(0x60 + (irq & 7), 0xA0); /* specific EOI to the slave */
		outb(0x60 + 2, 0x20);         /* specific EOI to the master's cascade line */
	} else {
		outb(cached_master_mask, 0x21);
		outb(0x60 + irq, 0x20);
	}
	spin_unlock_irqrestore(&i8259A_lock, flags);
}

static void end_8259A_irq(unsigned int irq)
{
	if (!(irq_desc[irq].status & (IRQ_DISABLED | IRQ_INPROGRESS)) && irq_desc[irq].action)
		enable_8259A_irq(irq);
}

struct hw_interrupt_type i8259A_irq_type = {
	"XT-PIC", startup_8259A_irq, disable_8259A_irq, enable_8259A_irq, disable_8259A_irq,
	mask_and_ack_8259A, end_8259A_irq, NULL
};

/* init_8259A: ICW1..ICW4 — edge triggered, cascade, vectors 0x20 (master) and 0x28 (slave), then
 * mask every line (the I/O APIC takes over). */
void init_8259A(void)
{
	unsigned long flags;
	spin_lock_irqsave(&i8259A_lock, flags);
	outb(0xff, 0x21);
	outb(0xff, 0xA1);
	outb(0x11, 0x20); /* ICW1: edge, cascade, ICW4 needed */
	outb(0x20, 0x21); /* ICW2: master vectors 0x20-0x27 */
	outb(0x04, 0x21); /* ICW3: slave on IR2 */
	outb(0x01, 0x21); /* ICW4: 8086 mode, normal EOI */
	outb(0x11, 0xA0);
	outb(0x28, 0xA1); /* ICW2: slave vectors 0x28-0x2f */
	outb(0x02, 0xA1); /* ICW3: slave identity 2 */
	outb(0x01, 0xA1);
	outb(cached_master_mask, 0x21);
	outb(cached_slave_mask, 0xA1);
	spin_unlock_irqrestore(&i8259A_lock, flags);
}
