/*
 * kernel/panic.c — the end of the line: print the message and a backtrace, stop the other CPUs,
 * and leave the machine with KSIM_EXIT_PANIC (QEMU/ksim exit status 5) instead of hanging silently.
 */
#include <linux/kernel.h>
#include <linux/smp.h>
#include <asm/system.h>

extern int oops_in_progress;

void panic(const char *fmt, ...)
{
	static char buf[256];
	va_list args;
	local_irq_disable();
	oops_in_progress = 1;
	va_start(args, fmt);
	vsnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	printk(KERN_EMERG "Kernel panic - not syncing: %s\n", buf);
	dump_stack();
	smp_send_stop();
	machine_exit(KSIM_EXIT_PANIC);
}
