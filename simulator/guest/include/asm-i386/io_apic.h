#ifndef _ASM_IO_APIC_H
#define _ASM_IO_APIC_H
#include <linux/smp.h>
/*
 * The I/O APIC (ULK3 §4.2.1.1, seed 003:1614–1655, 2596–2614): 24 input pins, each with a
 * redirection table entry saying which vector to send to which local APIC(s), edge or level,
 * masked or not. On a PC the ISA IRQs 0–15 arrive on pins 0–15 except where the ACPI MADT lists an
 * interrupt source override (QEMU: IRQ 0, the PIT, on pin 2).
 */
extern unsigned long mp_ioapic_addr;
extern int mp_ioapic_gsi_base;
extern int irq_to_pin[16];          /* ISA IRQ -> I/O APIC pin (from the MADT overrides) */
extern int irq_trigger_level[16];   /* 1 if the MADT says the ISA IRQ is level triggered */
void setup_IO_APIC(void);
void set_ioapic_affinity_irq(unsigned int irq, cpumask_t mask);
void io_apic_set_dest(unsigned int irq, int cpu);
int IO_APIC_irq_pin(unsigned int irq);
#endif
