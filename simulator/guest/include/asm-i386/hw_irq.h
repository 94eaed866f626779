#ifndef _ASM_HW_IRQ_H
#define _ASM_HW_IRQ_H
/*
 * Interrupt vectors (ULK3 §4.6.1.1, seed 003:2221–2285).
 *   0-19    exceptions (nonmaskable interrupts and exceptions)
 *   20-31   reserved by Intel
 *   32-238  external interrupts: IRQ n uses vector n + 32 (FIRST_EXTERNAL_VECTOR)
 *   128     SYSCALL_VECTOR: int $0x80, the system call gate
 *   0xef    LOCAL_TIMER_VECTOR (the local APIC timer)
 *   0xfb-0xfd  the inter-processor interrupts
 *   0xfe    ERROR_APIC_VECTOR, 0xff SPURIOUS_APIC_VECTOR
 * 2.6.11 assigns I/O APIC vectors dynamically; ksim keeps the book's fixed "IRQ n = vector n+32"
 * so the vector in the IDT is easy to relate to the IRQ line (extrapolation noted).
 */
#define FIRST_EXTERNAL_VECTOR 0x20
#define SYSCALL_VECTOR 0x80
#define LOCAL_TIMER_VECTOR 0xef
#define THERMAL_APIC_VECTOR 0xf0
#define CALL_FUNCTION_VECTOR 0xfb
#define RESCHEDULE_VECTOR 0xfc
#define INVALIDATE_TLB_VECTOR 0xfd
#define ERROR_APIC_VECTOR 0xfe
#define SPURIOUS_APIC_VECTOR 0xff
/* NR_IRQS: 224 with an I/O APIC (seed 003:2638): vectors 32..255. */
#define NR_IRQS 224
#define NR_IRQ_VECTORS NR_IRQS
#define IO_APIC_IRQS 24
#define IRQ0_VECTOR FIRST_EXTERNAL_VECTOR

#ifndef __ASSEMBLY__
#include <asm/ptrace.h>
struct hw_interrupt_type;
extern void (*interrupt[NR_IRQS])(void);
/* The architecture-specific interrupt entries (entry.S) */
void apic_timer_interrupt(void);
void reschedule_interrupt(void);
void call_function_interrupt(void);
void invalidate_interrupt(void);
void error_interrupt(void);
void spurious_interrupt(void);
void hw_resend_irq(struct hw_interrupt_type *h, unsigned int irq);
#endif
#endif
