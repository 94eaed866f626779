/*
 * kernel/printk.c — the kernel log (extrapolated from 2.6.11: the seeds use printk without showing it).
 *
 * Every message goes into log_buf, a ring of LOG_BUF_LEN bytes: log_end counts the characters ever
 * written (the next one goes to log_buf[log_end & LOG_BUF_MASK]), log_start where a reader such as
 * dmesg begins. The message is also written to the console, the COM1 serial port. A leading "<n>"
 * log level is stored in the ring but not printed. logbuf_lock keeps messages of different CPUs
 * from mixing; during an oops, when the lock may be held by the CPU that crashed, it is only tried.
 */
#include <linux/kernel.h>
#include <linux/spinlock.h>

#define LOG_BUF_LEN 16384
#define LOG_BUF_MASK (LOG_BUF_LEN - 1)
char log_buf[LOG_BUF_LEN];
unsigned long log_start, log_end, con_start;
int console_loglevel = 7;
static DEFINE_SPINLOCK(logbuf_lock);
extern int oops_in_progress;
void serial_write(const char *s, int n);

static void emit_log_char(char c)
{
	log_buf[log_end & LOG_BUF_MASK] = c;
	log_end++;
	if (log_end - log_start > LOG_BUF_LEN)
		log_start = log_end - LOG_BUF_LEN;
}

int vprintk(const char *fmt, va_list args)
{
	static char printk_buf[1024]; /* protected by logbuf_lock */
	unsigned long flags;
	int locked = 1;
	local_irq_save(flags);
	if (oops_in_progress)
		locked = _raw_spin_trylock(&logbuf_lock);
	else
		_raw_spin_lock(&logbuf_lock);
	int len = vsnprintf(printk_buf, sizeof(printk_buf), fmt, args);
	if (len > (int)sizeof(printk_buf) - 1)
		len = sizeof(printk_buf) - 1;
	const char *p = printk_buf;
	if (p[0] == '<' && p[1] >= '0' && p[1] <= '7' && p[2] == '>')
		p += 3, len -= 3;
	for (int i = 0; i < len; i++)
		emit_log_char(p[i]);
	serial_write(p, len);
	con_start = log_end;
	if (locked)
		_raw_spin_unlock(&logbuf_lock);
	local_irq_restore(flags);
	return len;
}

int printk(const char *fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	int r = vprintk(fmt, args);
	va_end(args);
	return r;
}
