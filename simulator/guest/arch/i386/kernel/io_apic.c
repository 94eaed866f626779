/*
 * arch/i386/kernel/io_apic.c — the I/O APIC as a hw_interrupt_type (ULK3 §4.2.1.1 and §4.6.1.3,
 * seed 003:1614–1655, 2596–2614; register details extrapolated from 2.6.11).
 *
 * The I/O APIC is programmed through two registers: IOREGSEL (offset 0) selects a register, IOWIN
 * (offset 0x10) reads or writes it. Redirection entry of pin n: registers 0x10 + 2n (low: vector,
 * delivery mode, polarity, trigger, mask bit 16) and 0x11 + 2n (high: destination APIC id in bits
 * 24-31). ksim routes ISA IRQ n to vector n + 32, fixed delivery, physical destination = the boot
 * CPU unless set_ioapic_affinity_irq says otherwise.
 */
#include <linux/kernel.h>
#include <linux/irq.h>
#include <linux/interrupt.h>
#include <linux/spinlock.h>
#include <asm/io.h>
#include <asm/apic.h>
#include <asm/io_apic.h>
#include <asm/hw_irq.h>

static DEFINE_SPINLOCK(ioapic_lock);
#define IO_APIC_BASE ((volatile u32 *)mp_ioapic_addr) /* mapped 1:1 by paging_init */
#define IOAPIC_REDTBL_MASKED (1 << 16)
#define IOAPIC_REDTBL_LEVEL (1 << 15)
#define IOAPIC_REDTBL_LOW_POLARITY (1 << 13)

static inline unsigned int io_apic_read(unsigned int reg)
{
	IO_APIC_BASE[0] = reg;
	return IO_APIC_BASE[4];
}
static inline void io_apic_write(unsigned int reg, unsigned int value)
{
	IO_APIC_BASE[0] = reg;
	IO_APIC_BASE[4] = value;
}

int IO_APIC_irq_pin(unsigned int irq)
{
	if (irq < 16)
		return irq_to_pin[irq] - mp_ioapic_gsi_base;
	return irq - mp_ioapic_gsi_base;
}

static void __modify_IO_APIC_irq(unsigned int irq, unsigned long enable, unsigned long disable)
{
	int pin = IO_APIC_irq_pin(irq);
	unsigned int reg = io_apic_read(0x10 + pin * 2);
	reg &= ~disable;
	reg |= enable;
	io_apic_write(0x10 + pin * 2, reg);
}

static void mask_IO_APIC_irq(unsigned int irq)
{
	unsigned long flags;
	spin_lock_irqsave(&ioapic_lock, flags);
	__modify_IO_APIC_irq(irq, IOAPIC_REDTBL_MASKED, 0);
	spin_unlock_irqrestore(&ioapic_lock, flags);
}

static void unmask_IO_APIC_irq(unsigned int irq)
{
	unsigned long flags;
	spin_lock_irqsave(&ioapic_lock, flags);
	__modify_IO_APIC_irq(irq, 0, IOAPIC_REDTBL_MASKED);
	spin_unlock_irqrestore(&ioapic_lock, flags);
}

/* io_apic_set_dest / set_ioapic_affinity_irq: which CPU's local APIC receives the IRQ. */
void io_apic_set_dest(unsigned int irq, int cpu)
{
	unsigned long flags;
	int pin = IO_APIC_irq_pin(irq);
	spin_lock_irqsave(&ioapic_lock, flags);
	io_apic_write(0x11 + pin * 2, SET_APIC_DEST_FIELD(x86_cpu_to_apicid[cpu]));
	spin_unlock_irqrestore(&ioapic_lock, flags);
}

void set_ioapic_affinity_irq(unsigned int irq, cpumask_t mask)
{
	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		if (cpu_isset(cpu, mask) && cpu_online(cpu)) {
			io_apic_set_dest(irq, cpu);
			return;
		}
}

static unsigned int startup_edge_ioapic_irq(unsigned int irq)
{
	unmask_IO_APIC_irq(irq);
	return 0;
}

/*
 * Edge-triggered lines: ack = EOI to the local APIC at once, so a new edge on the same line can be
 * delivered (to this or another CPU) while the handler runs — __do_IRQ's PENDING loop deals with
 * it. If an occurrence arrives while the line is disabled, mask it at the I/O APIC for now.
 * disable does nothing: occurrences while disabled are recorded as PENDING and replayed by enable_irq.
 */
static void ack_edge_ioapic_irq(unsigned int irq)
{
	if ((irq_desc[irq].status & (IRQ_PENDING | IRQ_DISABLED)) == (IRQ_PENDING | IRQ_DISABLED))
		mask_IO_APIC_irq(irq);
	ack_APIC_irq();
}
static void end_edge_ioapic_irq(unsigned int irq) {}
static void disable_edge_ioapic_irq(unsigned int irq) {}
static void enable_edge_ioapic_irq(unsigned int irq) { unmask_IO_APIC_irq(irq); }

static struct hw_interrupt_type ioapic_edge_type = {
	"IO-APIC-edge", startup_edge_ioapic_irq, mask_IO_APIC_irq, enable_edge_ioapic_irq,
	disable_edge_ioapic_irq, ack_edge_ioapic_irq, end_edge_ioapic_irq, set_ioapic_affinity_irq
};

/* Level-triggered lines: keep the line masked while the handler runs; EOI and unmask at the end. */
static unsigned int startup_level_ioapic_irq(unsigned int irq)
{
	unmask_IO_APIC_irq(irq);
	return 0;
}
static void mask_and_ack_level_ioapic_irq(unsigned int irq)
{
	mask_IO_APIC_irq(irq);
	ack_APIC_irq();
}
static void end_level_ioapic_irq(unsigned int irq)
{
	if (!(irq_desc[irq].status & (IRQ_DISABLED | IRQ_INPROGRESS)))
		unmask_IO_APIC_irq(irq);
}
static struct hw_interrupt_type ioapic_level_type = {
	"IO-APIC-level", startup_level_ioapic_irq, mask_IO_APIC_irq, unmask_IO_APIC_irq, mask_IO_APIC_irq,
	mask_and_ack_level_ioapic_irq, end_level_ioapic_irq, set_ioapic_affinity_irq
};

/* hw_resend_irq (seed 003:2780): revive a lost edge interrupt by sending its vector to ourselves. */
void hw_resend_irq(struct hw_interrupt_type *h, unsigned int irq)
{
	send_IPI_self(FIRST_EXTERNAL_VECTOR + irq);
}

/*
 * setup_IO_APIC: program a masked redirection entry for each ISA IRQ 1..15 and IRQ 0 (on the pin
 * the MADT override names), and give the IRQ descriptors their controller. The line is unmasked
 * when a driver's setup_irq calls startup.
 */
extern void map_mmio_page(unsigned long phys);
void setup_IO_APIC(void)
{
	map_mmio_page(mp_ioapic_addr);
	unsigned int ver = io_apic_read(1);
	int nr_pins = ((ver >> 16) & 0xff) + 1;
	for (int pin = 0; pin < nr_pins; pin++)
		io_apic_write(0x10 + pin * 2, IOAPIC_REDTBL_MASKED);
	for (unsigned int irq = 0; irq < 16; irq++) {
		int pin = IO_APIC_irq_pin(irq);
		if (irq == 2 || pin < 0 || pin >= nr_pins)
			continue; /* IRQ 2 is the 8259A cascade, unused */
		unsigned int low = (FIRST_EXTERNAL_VECTOR + irq) | APIC_DM_FIXED | IOAPIC_REDTBL_MASKED;
		if (irq_trigger_level[irq])
			low |= IOAPIC_REDTBL_LEVEL | IOAPIC_REDTBL_LOW_POLARITY;
		io_apic_write(0x11 + pin * 2, SET_APIC_DEST_FIELD(x86_cpu_to_apicid[0]));
		io_apic_write(0x10 + pin * 2, low);
		irq_desc[irq].handler = irq_trigger_level[irq] ? &ioapic_level_type : &ioapic_edge_type;
		if (irq_trigger_level[irq])
			irq_desc[irq].status |= IRQ_LEVEL;
	}
	printk("IO-APIC: %d pins, ISA IRQs routed to vectors 0x20-0x2f\n", nr_pins);
}
