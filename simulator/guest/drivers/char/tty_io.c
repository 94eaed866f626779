/*
 * drivers/char/tty_io.c — the console terminal: COM1 as /dev/console, with a line discipline
 * (ULK3 §4.6/§4.7 for the interrupt half, seed 003:2513–2568 and 3144–3229; the tty layer itself is
 * extrapolated from 2.6.11 drivers/char/tty_io.c and n_tty.c, much simplified).
 *
 * Input travels in two halves, the way the book splits interrupt work:
 *   1. top half — serial_rx_interrupt, the ISR of IRQ 4, runs with interrupts off (SA_INTERRUPT): it
 *      only drains the UART's receive register into the small "flip" buffer and schedules a tasklet;
 *   2. bottom half — the tasklet flush_to_ldisc runs later with interrupts on (TASKLET_SOFTIRQ): the
 *      line discipline echoes the characters, applies backspace, and when a line is complete (Enter)
 *      moves it to the read buffer and wakes the readers sleeping TASK_INTERRUPTIBLE on read_wait.
 * read() therefore returns whole lines ("canonical mode"); Ctrl-D on an empty line reads as end of file.
 * Output is written to the UART by polling (serial_write), like printk.
 */
#include <linux/sched.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/interrupt.h>
#include <asm/uaccess.h>
#include <asm/errno.h>
#include <asm/io.h>

#define COM1 0x3F8
#define UART_RX 0	/* receive buffer register (read) */
#define UART_IER 1	/* interrupt enable: bit 0 = "received data available" */
#define UART_LSR 5	/* line status: bit 0 = data ready */
#define UART_LSR_DR 0x01
#define COM1_IRQ 4

#define FLIP_SIZE 256
#define N_TTY_BUF_SIZE 1024
#define MAX_LINE 255

void serial_write(const char *s, int n);

struct tty_struct {
	spinlock_t lock;		/* flip and read buffers: taken in the ISR, so irqsave */
	spinlock_t write_lock;		/* keeps a write() together on the wire */
	unsigned char flip[FLIP_SIZE];	/* top half -> bottom half */
	int flip_count;
	char line[MAX_LINE + 1];	/* the line being typed (not yet readable) */
	int line_len;
	char read_buf[N_TTY_BUF_SIZE];	/* completed lines, waiting for read() */
	int read_head, read_tail, read_cnt;
	int eof_pending;		/* Ctrl-D on an empty line */
	wait_queue_head_t read_wait;	/* readers sleep here (TASK_INTERRUPTIBLE) */
	struct tasklet_struct flip_tasklet;
	int irq_requested;
	/* statistics, for the debugger and the scenarios */
	unsigned long rx_interrupts, rx_bytes, rx_dropped, lines;
};

static void flush_to_ldisc(unsigned long data);
struct tty_struct console_tty = {
	.lock = SPIN_LOCK_UNLOCKED,
	.write_lock = SPIN_LOCK_UNLOCKED,
	.read_wait = __WAIT_QUEUE_HEAD_INITIALIZER(console_tty.read_wait),
	.flip_tasklet = { NULL, 0, ATOMIC_INIT(0), flush_to_ldisc, (unsigned long)&console_tty },
};

/* The top half: IRQ 4. Drain the UART (its FIFO may hold several bytes), defer the rest. */
static irqreturn_t serial_rx_interrupt(int irq, void *dev_id, struct pt_regs *regs)
{
	struct tty_struct *tty = dev_id;
	int handled = 0;
	(void)irq;
	(void)regs;
	spin_lock(&tty->lock);
	while (inb(COM1 + UART_LSR) & UART_LSR_DR) {
		unsigned char c = inb(COM1 + UART_RX);
		handled = 1;
		if (tty->flip_count < FLIP_SIZE)
			tty->flip[tty->flip_count++] = c;
		else
			tty->rx_dropped++;
	}
	spin_unlock(&tty->lock);
	if (handled) {
		tty->rx_interrupts++;
		tasklet_schedule(&tty->flip_tasklet);
	}
	return IRQ_RETVAL(handled);
}

static void put_read_buf(struct tty_struct *tty, char c)
{
	if (tty->read_cnt < N_TTY_BUF_SIZE) {
		tty->read_buf[tty->read_head] = c;
		tty->read_head = (tty->read_head + 1) % N_TTY_BUF_SIZE;
		tty->read_cnt++;
	}
}

/* The bottom half: the line discipline (n_tty_receive_buf in Linux). */
static void flush_to_ldisc(unsigned long data)
{
	struct tty_struct *tty = (struct tty_struct *)data;
	unsigned char buf[FLIP_SIZE];
	char echo[3 * FLIP_SIZE];
	int n, e = 0, wake = 0;
	unsigned long flags;

	spin_lock_irqsave(&tty->lock, flags);
	n = tty->flip_count;
	memcpy(buf, tty->flip, n);
	tty->flip_count = 0;
	tty->rx_bytes += n;
	for (int i = 0; i < n; i++) {
		char c = buf[i];
		if (c == '\r')
			c = '\n';
		if (c == 0x7f || c == '\b') {		/* erase: backspace, space, backspace */
			if (tty->line_len > 0) {
				tty->line_len--;
				echo[e++] = '\b';
				echo[e++] = ' ';
				echo[e++] = '\b';
			}
		} else if (c == 0x04) {			/* Ctrl-D: end of file on an empty line */
			if (tty->line_len == 0)
				tty->eof_pending = 1;
			for (int k = 0; k < tty->line_len; k++)
				put_read_buf(tty, tty->line[k]);
			tty->line_len = 0;
			wake = 1;
		} else if (c == '\n') {			/* the line is complete: make it readable */
			for (int k = 0; k < tty->line_len; k++)
				put_read_buf(tty, tty->line[k]);
			put_read_buf(tty, '\n');
			tty->line_len = 0;
			tty->lines++;
			echo[e++] = '\n';
			wake = 1;
		} else if (tty->line_len < MAX_LINE) {
			tty->line[tty->line_len++] = c;
			echo[e++] = c;
		}
	}
	spin_unlock_irqrestore(&tty->lock, flags);
	if (e) {
		spin_lock_irqsave(&tty->write_lock, flags);
		serial_write(echo, e);
		spin_unlock_irqrestore(&tty->write_lock, flags);
	}
	if (wake)
		wake_up_interruptible(&tty->read_wait);
}

static int tty_input_available(struct tty_struct *tty)
{
	return tty->read_cnt > 0 || tty->eof_pending;
}

/* read(): one line at most; sleeps TASK_INTERRUPTIBLE on read_wait until there is one. */
static ssize_t tty_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	struct tty_struct *tty = file->private_data;
	char kbuf[MAX_LINE + 1];
	unsigned long flags;
	(void)ppos;
	if (!count)
		return 0;
	for (;;) {
		int n = 0;
		spin_lock_irqsave(&tty->lock, flags);
		if (tty->read_cnt > 0) {
			while (tty->read_cnt > 0 && n < (int)count && n < MAX_LINE + 1) {
				char c = tty->read_buf[tty->read_tail];
				tty->read_tail = (tty->read_tail + 1) % N_TTY_BUF_SIZE;
				tty->read_cnt--;
				kbuf[n++] = c;
				if (c == '\n')
					break;
			}
			spin_unlock_irqrestore(&tty->lock, flags);
			if (copy_to_user(buf, kbuf, n))
				return -EFAULT;
			return n;
		}
		if (tty->eof_pending) {
			tty->eof_pending = 0;
			spin_unlock_irqrestore(&tty->lock, flags);
			return 0;
		}
		spin_unlock_irqrestore(&tty->lock, flags);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		int r = wait_event_interruptible(tty->read_wait, tty_input_available(tty));
		if (r)
			return r;	/* a signal: -ERESTARTSYS */
	}
}

/* write(): copy from the user in chunks and send them with polling. */
static ssize_t tty_write(struct file *file, const char __user *buf, size_t count, loff_t *ppos)
{
	struct tty_struct *tty = file->private_data;
	char kbuf[128];
	size_t done = 0;
	unsigned long flags;
	(void)ppos;
	while (done < count) {
		size_t n = min(count - done, sizeof(kbuf));
		if (copy_from_user(kbuf, buf + done, n))
			return done ? (ssize_t)done : -EFAULT;
		spin_lock_irqsave(&tty->write_lock, flags);
		serial_write(kbuf, n);
		spin_unlock_irqrestore(&tty->write_lock, flags);
		done += n;
	}
	return done;
}

static int tty_release(struct file *file)
{
	(void)file;
	return 0;
}

static const struct file_operations tty_fops = {
	.read = tty_read,
	.write = tty_write,
	.release = tty_release,
};

extern unsigned char serial_early_rx[16];
extern int serial_early_rx_count;

/* console_init_tty: the first open hooks IRQ 4 and turns on the UART's receive interrupt. */
void console_init_tty(void)
{
	struct tty_struct *tty = &console_tty;
	if (tty->irq_requested)
		return;
	tty->irq_requested = 1;
	if (request_irq(COM1_IRQ, serial_rx_interrupt, SA_INTERRUPT, "serial", tty)) {
		printk("tty: cannot get IRQ %d: console input disabled\n", COM1_IRQ);
		return;
	}
	/* integration fix (issue 5 follow-up): bytes serial_init read out before it cleared the FIFOs are
	 * input too. The UART's receive interrupt is still off here, so nothing else touches the flip buffer. */
	for (int i = 0; i < serial_early_rx_count && tty->flip_count < FLIP_SIZE; i++)
		tty->flip[tty->flip_count++] = serial_early_rx[i];
	if (serial_early_rx_count) {
		serial_early_rx_count = 0;
		tasklet_schedule(&tty->flip_tasklet);
	}
	outb(0x01, COM1 + UART_IER);	/* interrupt on received data */
}

struct file *tty_open_console(void)
{
	console_init_tty();
	struct file *f = get_empty_filp();
	if (!f)
		return NULL;
	f->f_op = &tty_fops;
	f->f_mode = FMODE_READ | FMODE_WRITE;
	f->f_flags = O_RDWR;
	f->private_data = &console_tty;
	f->f_name = "/dev/console";
	return f;
}
