/*
 * arch/i386/kernel/smpboot.c — bringing up the other CPUs, and the cross-CPU calls
 * (ULK3 §3.4.2.2 "one process 0 per CPU", §4.6.2, seed 003:1325–1365, 2868–2913; the start-up
 * sequence is Intel's MultiProcessor Specification, extrapolated from 2.6.11).
 *
 * For every CPU the MADT lists besides the boot CPU, do_boot_cpu:
 *   1. makes that CPU's process 0 (an idle task with its own 8 KB stack, pid 0, "swapper");
 *   2. copies the real-mode trampoline to 0x8000 and tells head.S which stack to use;
 *   3. sends INIT, then two STARTUP IPIs with vector 0x08 (start at 0x8000);
 *   4. waits until the new CPU marks itself in cpu_callin_map.
 * The AP runs trampoline → startup_32_smp → start_secondary: cpu_init (its GDT, TSS, IDT), its local
 * APIC and APIC timer, online, then cpu_idle.
 */
#include <linux/sched.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/interrupt.h>
#include <linux/hardirq.h>
#include <asm/apic.h>
#include <asm/desc.h>
#include <asm/processor.h>
#include <asm/hw_irq.h>

cpumask_t cpu_online_map = 1;
cpumask_t cpu_callin_map = 1;
cpumask_t cpu_possible_map = 1;
int num_online_cpus_var = 1;
extern unsigned long stack_start, ap_booting;
extern char trampoline_data[], trampoline_end[];
extern void cpu_init(int cpu);
#define TRAMPOLINE_BASE 0x8000

/* fork_idle: process 0 of another CPU — a copy of init_task with its own stack. */
static struct task_struct *fork_idle(int cpu)
{
	struct task_struct *idle = kmalloc(sizeof(*idle), GFP_KERNEL);
	struct thread_info *ti = (struct thread_info *)__get_free_pages(GFP_KERNEL | __GFP_ZERO, 1);
	if (!idle || !ti)
		panic("fork_idle: out of memory");
	*idle = init_task;
	ti->task = idle;
	ti->cpu = cpu;
	ti->addr_limit.seg = 0xffffffff;
	idle->thread_info = ti;
	idle->thread.esp0 = (unsigned long)ti + THREAD_SIZE;
	INIT_LIST_HEAD(&idle->run_list);
	INIT_LIST_HEAD(&idle->tasks);
	INIT_LIST_HEAD(&idle->children);
	INIT_LIST_HEAD(&idle->sibling);
	INIT_LIST_HEAD(&idle->pending.list);
	atomic_inc(&init_mm.mm_count);
	snprintf(idle->comm, sizeof(idle->comm), "swapper");
	init_idle(idle, cpu);
	return idle;
}

/* Wait n ticks, sleeping (the init thread runs this with interrupts on; the timer wakes it). */
static void wait_ticks(unsigned long n)
{
	set_current_state(TASK_UNINTERRUPTIBLE);
	schedule_timeout(n);
}

static int do_boot_cpu(int apicid, int cpu)
{
	struct task_struct *idle = fork_idle(cpu);
	stack_start = (unsigned long)idle->thread_info + THREAD_SIZE;
	memcpy(__va(TRAMPOLINE_BASE), trampoline_data, trampoline_end - trampoline_data);
	ap_booting = 1;
	wmb();

	/* INIT: assert, then de-assert (level-triggered), and wait 10 ms. */
	apic_wait_icr_idle();
	apic_write(APIC_ESR, 0);
	apic_write(APIC_ICR2, SET_APIC_DEST_FIELD(apicid));
	apic_write(APIC_ICR, APIC_INT_LEVELTRIG | APIC_INT_ASSERT | APIC_DM_INIT);
	apic_wait_icr_idle();
	apic_write(APIC_ICR2, SET_APIC_DEST_FIELD(apicid));
	apic_write(APIC_ICR, APIC_INT_LEVELTRIG | APIC_DM_INIT);
	apic_wait_icr_idle();
	wait_ticks(msecs_to_jiffies(10) + 1);

	/* Two STARTUP IPIs, as the MP specification says; the vector is the start page number. */
	for (int j = 0; j < 2; j++) {
		apic_write(APIC_ESR, 0);
		apic_write(APIC_ICR2, SET_APIC_DEST_FIELD(apicid));
		apic_write(APIC_ICR, APIC_DM_STARTUP | (TRAMPOLINE_BASE >> 12));
		apic_wait_icr_idle();
		wait_ticks(1);
		if (cpu_isset(cpu, cpu_callin_map))
			break;
	}
	/* Wait up to 5 seconds for the AP to call in. */
	unsigned long timeout = jiffies + 5 * HZ;
	while (!cpu_isset(cpu, cpu_callin_map) && time_before(jiffies, timeout))
		wait_ticks(1);
	ap_booting = 0;
	if (!cpu_isset(cpu, cpu_callin_map)) {
		printk("CPU%d (APIC id %d) did not respond\n", cpu, apicid);
		return -1;
	}
	while (!cpu_online(cpu))
		wait_ticks(1);
	return 0;
}

/* start_secondary: the first C code of an AP, on its idle task's stack. */
asmlinkage void start_secondary(void)
{
	int cpu = smp_processor_id();
	cpu_init(cpu);
	setup_local_APIC();
	set_bit(cpu, &cpu_callin_map);
	setup_secondary_APIC_clock();
	local_irq_enable();
	set_bit(cpu, &cpu_online_map);
	atomic_inc((atomic_t *)&num_online_cpus_var);
	cpu_idle();
}

/* smp_boot_cpus: the boot CPU is CPU 0 whatever its APIC id; the MADT's other CPUs follow in order.
 * "maxcpus=N" on the command line limits how many are started. */
void smp_boot_cpus(void)
{
	int boot_apicid = hard_smp_processor_id();
	int maxcpus = get_option_int("maxcpus", NR_CPUS);
	for (int i = 0; i < nr_cpus_found; i++)
		if (x86_cpu_to_apicid[i] == boot_apicid) {
			x86_cpu_to_apicid[i] = x86_cpu_to_apicid[0];
			x86_cpu_to_apicid[0] = boot_apicid;
		}
	for (int cpu = 1; cpu < nr_cpus_found && cpu < maxcpus; cpu++) {
		cpu_possible_map |= 1UL << cpu;
		do_boot_cpu(x86_cpu_to_apicid[cpu], cpu);
	}
	printk("SMP: %d CPU(s) online\n", num_online_cpus());
}

/*
 * smp_call_function (seed 003:2878): run func(info) on every other online CPU through the
 * CALL_FUNCTION_VECTOR IPI; wait until all have started (and, with wait, finished) it. Must be
 * called with interrupts enabled (another CPU may be calling us at the same time).
 */
struct call_data_struct {
	void (*func)(void *info);
	void *info;
	atomic_t started;
	atomic_t finished;
	int wait;
};
static struct call_data_struct *call_data;
static DEFINE_SPINLOCK(call_lock);
static volatile int stopping_cpus;

int smp_call_function(void (*func)(void *info), void *info, int nonatomic, int wait)
{
	struct call_data_struct data;
	int cpus = num_online_cpus() - 1;
	if (!cpus)
		return 0;
	data.func = func;
	data.info = info;
	atomic_set(&data.started, 0);
	data.wait = wait;
	if (wait)
		atomic_set(&data.finished, 0);
	spin_lock(&call_lock);
	call_data = &data;
	mb();
	send_IPI_allbutself(CALL_FUNCTION_VECTOR);
	while (atomic_read(&data.started) != cpus)
		cpu_relax();
	if (wait)
		while (atomic_read(&data.finished) != cpus)
			cpu_relax();
	spin_unlock(&call_lock);
	return 0;
}

fastcall void smp_call_function_interrupt(struct pt_regs *regs)
{
	ack_APIC_irq();
	if (stopping_cpus)
		for (;;)
			__asm__ __volatile__("cli; hlt");
	void (*func)(void *info) = call_data->func;
	void *info = call_data->info;
	int wait = call_data->wait;
	struct call_data_struct *data = call_data;
	mb();
	atomic_inc(&data->started);
	/* The called function runs in interrupt context: this is a softirq checkpoint too (seed 003:3066). */
	irq_enter();
	(*func)(info);
	irq_exit();
	if (wait) {
		mb();
		atomic_inc(&data->finished);
	}
}

/* smp_send_stop: halt the other CPUs (panic). */
void smp_send_stop(void)
{
	stopping_cpus = 1;
	mb();
	send_IPI_allbutself(CALL_FUNCTION_VECTOR);
}

void smp_send_reschedule(int cpu)
{
	send_IPI_mask(1UL << cpu, RESCHEDULE_VECTOR);
}

/*
 * INVALIDATE_TLB_VECTOR (seed 003:2879): another CPU changed page tables this CPU may have cached
 * translations of. ksim flushes the whole TLB (2.6.11 flushes one address or the mm's entries).
 */
static atomic_t tlb_flush_pending;
unsigned long tlb_ipis_received[NR_CPUS];

fastcall void smp_invalidate_interrupt(struct pt_regs *regs)
{
	__flush_tlb();
	tlb_ipis_received[smp_processor_id()]++;
	ack_APIC_irq();
	mb();
	atomic_dec(&tlb_flush_pending);
}

void flush_tlb_all(void)
{
	unsigned long flags;
	int others = num_online_cpus() - 1;
	preempt_disable();
	local_irq_save(flags);
	__flush_tlb();
	local_irq_restore(flags);
	if (others > 0) {
		spin_lock(&call_lock);
		atomic_set(&tlb_flush_pending, others);
		send_IPI_allbutself(INVALIDATE_TLB_VECTOR);
		while (atomic_read(&tlb_flush_pending) > 0)
			cpu_relax();
		spin_unlock(&call_lock);
	}
	preempt_enable();
}
