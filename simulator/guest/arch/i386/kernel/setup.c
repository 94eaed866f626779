/*
 * arch/i386/kernel/setup.c — machine set-up at boot: the multiboot information (memory size, the
 * command line), the per-CPU GDTs and TSSs (cpu_init), and the way out of the machine.
 */
#include <linux/sched.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/mm.h>
#include <asm/desc.h>
#include <asm/io.h>

/* The multiboot information block (multiboot specification 0.6.96, section 3.3). */
struct multiboot_info {
	u32 flags;
	u32 mem_lower, mem_upper; /* KB below 1 MB and above 1 MB (flags bit 0) */
	u32 boot_device;
	u32 cmdline;              /* physical address of the command line (flags bit 2) */
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr; /* the BIOS memory map (flags bit 6) */
};
extern unsigned long boot_loader_magic, boot_params_phys;

char saved_command_line[256];
unsigned long mem_upper_kb;
unsigned long usable_ram_end; /* physical end of the RAM region that starts at 1 MB */

struct multiboot_mmap_entry {
	u32 size; /* of the rest of the entry */
	u64 addr, len;
	u32 type; /* 1 = usable RAM */
} __attribute__((packed));

void setup_arch(void)
{
	if (boot_loader_magic != 0x2BADB002)
		panic("not started by a multiboot loader (eax=%08lx)", boot_loader_magic);
	struct multiboot_info *mbi = __va(boot_params_phys);
	if (mbi->flags & 1)
		mem_upper_kb = mbi->mem_upper;
	else
		mem_upper_kb = 31 * 1024;
	usable_ram_end = 0x100000 + mem_upper_kb * 1024;
	if (mbi->flags & (1 << 6)) {
		/* The BIOS memory map: take the usable region that contains 1 MB (the ACPI tables at the
		 * top of RAM are in a reserved region and stay untouched). */
		unsigned long p = mbi->mmap_addr, end = mbi->mmap_addr + mbi->mmap_length;
		while (p < end) {
			struct multiboot_mmap_entry *e = __va(p);
			if (e->type == 1 && e->addr <= 0x100000 && e->addr + e->len > 0x100000)
				usable_ram_end = (unsigned long)(e->addr + e->len);
			p += e->size + 4;
		}
	}
	if ((mbi->flags & 4) && mbi->cmdline)
		strlcpy(saved_command_line, __va(mbi->cmdline), sizeof(saved_command_line));
}

/*
 * Command-line options: "name=value" words separated by spaces, e.g. "scenario=timer-preempt hz=250
 * sched=goodness". get_option_str copies the value of name (or returns NULL if absent).
 */
const char *get_option_str(const char *name, char *buf, int len)
{
	size_t n = strlen(name);
	const char *p = saved_command_line;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, name, n) && p[n] == '=') {
			p += n + 1;
			int i = 0;
			while (*p && *p != ' ' && i < len - 1)
				buf[i++] = *p++;
			buf[i] = 0;
			return buf;
		}
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}

int get_option_int(const char *name, int dflt)
{
	char buf[16];
	if (!get_option_str(name, buf, sizeof(buf)))
		return dflt;
	return (int)simple_strtoul(buf, NULL, 0);
}

/*
 * The per-CPU GDTs (extrapolated from 2.6.11 arch/i386/kernel/cpu/common.c: cpu_init). Each CPU gets
 * a copy of the same segments and its own TSS descriptor, pointing at init_tss[cpu].
 */
struct desc_struct cpu_gdt_table[NR_CPUS][GDT_ENTRIES] __attribute__((aligned(32)));
struct Xgt_desc_struct cpu_gdt_descr[NR_CPUS];
struct tss_struct init_tss[NR_CPUS];
extern struct tss_struct doublefault_tss;

/* A TSS descriptor (type 9 = available 32-bit TSS; the CPU sets the busy bit, making it 11, on ltr). */
static void set_tss_desc_entry(struct desc_struct *d, unsigned long base, unsigned long limit)
{
	d->a = ((base & 0xffff) << 16) | (limit & 0xffff);
	d->b = (base & 0xff000000) | ((base >> 16) & 0xff) | (limit & 0xf0000) | 0x8900;
}

void set_tss_desc(unsigned int cpu, void *addr)
{
	/* Limit: the hardware part plus the I/O bitmap, so io_bitmap_base = 104 would be usable. */
	set_tss_desc_entry(&cpu_gdt_table[cpu][GDT_ENTRY_TSS], (unsigned long)addr,
			   offsetof(struct tss_struct, io_bitmap) + IO_BITMAP_BYTES + sizeof(long) - 1);
}

void cpu_gdt_init(int cpu)
{
	struct desc_struct *g = cpu_gdt_table[cpu];
	memset(g, 0, GDT_SIZE);
	g[GDT_ENTRY_KERNEL_CS] = (struct desc_struct){ 0x0000ffff, 0x00cf9a00 };       /* DPL 0 code */
	g[GDT_ENTRY_KERNEL_DS] = (struct desc_struct){ 0x0000ffff, 0x00cf9200 };       /* DPL 0 data */
	g[GDT_ENTRY_DEFAULT_USER_CS] = (struct desc_struct){ 0x0000ffff, 0x00cffa00 }; /* DPL 3 code */
	g[GDT_ENTRY_DEFAULT_USER_DS] = (struct desc_struct){ 0x0000ffff, 0x00cff200 }; /* DPL 3 data */
	set_tss_desc(cpu, &init_tss[cpu]);
	set_tss_desc_entry(&g[GDT_ENTRY_DOUBLEFAULT_TSS], (unsigned long)&doublefault_tss, 0x67);
	cpu_gdt_descr[cpu].size = GDT_SIZE - 1;
	cpu_gdt_descr[cpu].address = (unsigned long)g;
}

/*
 * cpu_init: runs once on every CPU. Load this CPU's GDT and the IDT, reload the segment registers,
 * and load the task register with this CPU's TSS: from now on an interrupt from user mode switches
 * to ss0:esp0 of init_tss[cpu], which __switch_to keeps equal to current->thread.esp0.
 */
void cpu_init(int cpu)
{
	struct tss_struct *t = &init_tss[cpu];
	struct task_struct *me = current;
	/* This CPU's process 0 borrows the kernel's address space, like every kernel thread. */
	if (cpu != 0) {
		atomic_inc(&init_mm.mm_count);
		me->active_mm = &init_mm;
	}
	cpu_gdt_init(cpu);
	__asm__ __volatile__("lgdt %0" : : "m"(cpu_gdt_descr[cpu]));
	__asm__ __volatile__("lidt %0" : : "m"(idt_descr));
	__asm__ __volatile__("ljmp %0, $1f\n1:" : : "i"(__KERNEL_CS));
	__asm__ __volatile__("movl %0,%%ds; movl %0,%%es; movl %1,%%ss" : : "r"(__USER_DS), "r"(__KERNEL_DS));
	__asm__ __volatile__("movl %0,%%fs; movl %0,%%gs" : : "r"(0));
	t->ss0 = __KERNEL_DS;
	t->esp0 = me->thread.esp0;
	t->io_bitmap_base = INVALID_IO_BITMAP_OFFSET;
	memset(t->io_bitmap, 0xff, sizeof(t->io_bitmap));
	load_TR_desc();
	load_LDT_desc();
	/* No FPU state is live yet: let the first FPU instruction trap (lazy FPU). */
	write_cr0(read_cr0() | X86_CR0_MP | X86_CR0_NE);
	stts();
}

/*
 * machine_exit: write the code to QEMU's isa-debug-exit port (0xf4); QEMU and ksim then exit with
 * status (code << 1) | 1. Without that device the CPU just halts with interrupts off.
 */
void machine_exit(int code)
{
	outb(code, 0xf4);
	for (;;)
		__asm__ __volatile__("cli; hlt");
}
