/*
 * init/main.c — start_kernel, the first C function, and the init thread (ULK3 §3.4.2.2–3, seed
 * 003:1323–1370; the order of the set-up steps follows 2.6.11 where the seeds are silent).
 *
 * start_kernel runs on the boot CPU as process 0 with interrupts off. It sets up the machine, then
 * rest_init creates process 1 (init) with kernel_thread and turns process 0 into the idle loop.
 * init brings up the other CPUs, starts the per-CPU kernel threads (migration/N, ksoftirqd/N,
 * events/N) and runs the scenario named on the command line.
 */
#include <linux/sched.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/workqueue.h>
#include <linux/percpu.h>
#include <linux/ksim_scenario.h>
#include <asm/desc.h>
#include <asm/apic.h>
#include <asm/io_apic.h>

extern void serial_init(void);
extern void setup_arch(void);
extern void setup_idt(void);
extern void paging_init(void);
extern void zap_low_mappings(void);
extern void acpi_boot_init(void);
extern void trap_init(void);
extern void cpu_init(int cpu);
extern void time_init(void);
extern void smp_boot_cpus(void);

unsigned long __per_cpu_offset[NR_CPUS];

/*
 * setup_per_cpu_areas: one copy of the .data.percpu template per CPU; __per_cpu_offset[cpu] is the
 * distance from the template to the copy (include/linux/percpu.h).
 */
void setup_per_cpu_areas(void)
{
	extern char __per_cpu_start[], __per_cpu_end[];
	unsigned long size = __per_cpu_end - __per_cpu_start;
	unsigned int order = 0;
	while ((PAGE_SIZE << order) < size)
		order++;
	for (int i = 0; i < NR_CPUS; i++) {
		char *ptr = (char *)__get_free_pages(GFP_KERNEL, order);
		if (!ptr)
			panic("cannot allocate the per-CPU areas");
		memcpy(ptr, __per_cpu_start, size);
		__per_cpu_offset[i] = ptr - __per_cpu_start;
	}
}

void scenario_summary(const char *fmt, ...)
{
	char buf[256];
	va_list args;
	va_start(args, fmt);
	vsnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	printk("summary: %s\n", buf);
}

/* Issue 5 provides the user-space init (exec of /init); without it the default scenario keeps the
 * kernel-only workload running. */
__attribute__((weak)) int start_user_init(void)
{
	return -1;
}

static const struct ksim_scenario *find_scenario(const char *name)
{
	extern const struct ksim_scenario __ksim_scenarios_start[], __ksim_scenarios_end[];
	for (const struct ksim_scenario *s = __ksim_scenarios_start; s < __ksim_scenarios_end; s++)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

static void list_scenarios(void)
{
	extern const struct ksim_scenario __ksim_scenarios_start[], __ksim_scenarios_end[];
	printk("scenarios:");
	for (const struct ksim_scenario *s = __ksim_scenarios_start; s < __ksim_scenarios_end; s++)
		printk(" %s", s->name);
	printk("\n");
}

/* The scenario dispatcher: run scenario=NAME (default: "default") and leave the machine. */
static void run_scenario(void)
{
	char name[48];
	if (!get_option_str("scenario", name, sizeof(name)))
		strcpy(name, "default");
	const struct ksim_scenario *s = find_scenario(name);
	if (!s) {
		printk("unknown scenario \"%s\"\n", name);
		list_scenarios();
		machine_exit(KSIM_EXIT_FAIL);
	}
	printk("=== scenario %s: %s ===\n", s->name, s->description);
	int r = s->run();
	printk("scenario %s: %s\n", s->name, r == 0 ? "PASS" : "FAIL");
	machine_exit(r == 0 ? KSIM_EXIT_PASS : KSIM_EXIT_FAIL);
}

/* init: process 1 (seed 003:1367–1370). In Linux it ends by exec'ing /sbin/init; here it runs the
 * scenario. */
static int init(void *unused)
{
	strcpy(current->comm, "init");
	smp_boot_cpus();
	/* Every AP has passed through the identity-mapped trampoline: the low mapping can go. */
	zap_low_mappings();
	extern void flush_tlb_all(void);
	flush_tlb_all();
	sched_init_smp();
	spawn_ksoftirqd();
	init_workqueues();
	printk("init: %d CPU(s), kernel threads started\n", num_online_cpus());
	run_scenario();
	return 0;
}

/* rest_init: create init (pid 1), then become the idle task (seed 003:1360). */
static void rest_init(void)
{
	kernel_thread(init, NULL, CLONE_FS | CLONE_SIGHAND);
	cpu_idle();
}

asmlinkage void start_kernel(void)
{
	serial_init();
	printk("ksim teaching kernel (Linux 2.6.11 style, i386 SMP)\n");
	setup_arch();
	printk("Kernel command line: %s\n", saved_command_line);
	setup_idt();
	paging_init();
	acpi_boot_init();
	trap_init();
	mem_init();
	kmem_cache_init();
	setup_per_cpu_areas();
	cpu_init(0);
	sched_init();
	init_IRQ();
	setup_local_APIC();
	setup_IO_APIC();
	time_init();
	init_timers();
	softirq_init();
	local_irq_enable();
	setup_boot_APIC_clock();
	rest_init();
}
