/*
 * arch/i386/kernel/serial.c — the kernel console on COM1, a 16550 UART at I/O port 0x3F8.
 * printk writes with polling: wait until the Line Status Register says the transmitter holding
 * register is empty (LSR bit 5), then write the byte. Interrupt-driven reception (IRQ 4) is set up
 * by whoever requests the IRQ (the scenarios; the tty driver of issue 5).
 */
#include <linux/kernel.h>
#include <asm/io.h>

#define COM1 0x3F8
#define UART_THR 0 /* transmit holding register (write) */
#define UART_IER 1 /* interrupt enable */
#define UART_FCR 2 /* FIFO control (write) */
#define UART_LCR 3 /* line control; bit 7 = divisor latch access */
#define UART_MCR 4 /* modem control; OUT2 gates the interrupt line on a PC */
#define UART_LSR 5 /* line status; bit 5 = THR empty */

/*
 * integration fix (issue 5 follow-up): input that arrived before the driver was up. Turning the FIFOs
 * on clears them (a 16550 and QEMU flush both FIFOs when the enable bit changes, and bits 1-2 reset them
 * explicitly), so serial_init first reads out whatever the receiver already holds and keeps it here;
 * the tty driver hands these bytes to the line discipline when it hooks IRQ 4 (console_init_tty).
 */
unsigned char serial_early_rx[16];
int serial_early_rx_count;

void serial_init(void)
{
	outb(0x00, COM1 + UART_IER);
	outb(0x80, COM1 + UART_LCR); /* divisor latch */
	outb(0x01, COM1 + 0);        /* 115200 baud */
	outb(0x00, COM1 + 1);
	outb(0x03, COM1 + UART_LCR); /* 8 data bits, no parity, 1 stop bit */
	while ((inb(COM1 + UART_LSR) & 0x01) && serial_early_rx_count < (int)sizeof(serial_early_rx))
		serial_early_rx[serial_early_rx_count++] = inb(COM1 + 0); /* LSR bit 0: data ready */
	outb(0x07, COM1 + UART_FCR); /* FIFOs on and cleared */
	outb(0x0b, COM1 + UART_MCR); /* DTR, RTS, OUT2 */
}

void serial_putc(char c)
{
	for (int i = 0; i < 100000 && !(inb(COM1 + UART_LSR) & 0x20); i++)
		__asm__ __volatile__("rep; nop");
	outb(c, COM1 + UART_THR);
}

void serial_write(const char *s, int n)
{
	for (int i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}
