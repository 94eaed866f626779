/*
 * scenarios/uart_irq.c — the COM1 UART as a controllable interrupt source for the IRQ scenarios.
 * A 16550 raises its interrupt line when an enabled condition holds; "transmitter holding register
 * empty" (THRE, IER bit 1) holds whenever nothing is being sent, so enabling it raises IRQ 4 at once
 * and disabling it lowers the line again — each off/on pair is one edge for the I/O APIC. Reading
 * the Interrupt Identification Register (IIR) acknowledges the THRE condition.
 */
#include <linux/kernel.h>
#include <linux/ksim_scenario_helpers.h>
#include <asm/io.h>

#define COM1 0x3F8
#define UART_IER (COM1 + 1)
#define UART_IIR (COM1 + 2)
static unsigned char saved_ier;

void uart_thre_irq_on(void) { outb(0x02, UART_IER); }
void uart_thre_irq_off(void) { outb(0x00, UART_IER); }
int uart_thre_ack(void) { return (inb(UART_IIR) & 0x0f) == 0x02; }
void uart_irq_save(void) { saved_ier = inb(UART_IER); outb(0x00, UART_IER); }
void uart_irq_restore(void) { outb(saved_ier, UART_IER); }
