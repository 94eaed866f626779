/*
 * arch/i386/kernel/traps.c — the Interrupt Descriptor Table and the exception handlers.
 *
 * trap_init fills the IDT entries of the exceptions with the gate kinds ULK3 §4.4 prescribes
 * (seed 003:2043–2151): most exceptions use trap gates with DPL 0, so user mode cannot raise them
 * with "int n"; int3 a system interrupt gate (DPL 3), into/bound and int $0x80 system gates (trap,
 * DPL 3); the double fault a task gate, so it runs on a fresh stack even when the kernel stack
 * pointer is unusable. The handlers' names are the book's (seed 003:1666–1935).
 *
 * An exception in kernel mode is a kernel bug: die() prints an "oops" with the registers and a
 * backtrace and stops the machine. One in user mode sends the signal of the table to current.
 */
#include <linux/sched.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/interrupt.h>
#include <asm/desc.h>
#include <asm/io.h>
#include <asm/i387.h>
#include <asm/hw_irq.h>

struct desc_struct idt_table[256] __attribute__((aligned(8)));
struct Xgt_desc_struct idt_descr = { 256 * 8 - 1, (unsigned long)idt_table, 0 };

/* _set_gate: build an 8-byte gate descriptor: offset 0-15 | selector, then P, DPL, type, offset 16-31. */
static void _set_gate(struct desc_struct *gate, unsigned int type, unsigned int dpl, void *addr, unsigned short seg)
{
	unsigned long a = (unsigned long)addr;
	gate->a = (seg << 16) | (a & 0xffff);
	gate->b = (a & 0xffff0000) | 0x8000 | (dpl << 13) | (type << 8);
}

/* Linux's names for the four gate flavours (seed 003:2060–2109). */
void set_intr_gate(unsigned int n, void *addr) { _set_gate(idt_table + n, DESC_INTERRUPT_GATE, 0, addr, __KERNEL_CS); }
void set_system_intr_gate(unsigned int n, void *addr) { _set_gate(idt_table + n, DESC_INTERRUPT_GATE, 3, addr, __KERNEL_CS); }
void set_trap_gate(unsigned int n, void *addr) { _set_gate(idt_table + n, DESC_TRAP_GATE, 0, addr, __KERNEL_CS); }
void set_system_gate(unsigned int n, void *addr) { _set_gate(idt_table + n, DESC_TRAP_GATE, 3, addr, __KERNEL_CS); }
void set_task_gate(unsigned int n, unsigned int gdt_entry) { _set_gate(idt_table + n, DESC_TASK_GATE, 0, (void *)0, (gdt_entry << 3)); }

/* The entry points in entry.S. */
void divide_error(void);
void debug(void);
void nmi(void);
void int3(void);
void overflow(void);
void bounds(void);
void invalid_op(void);
void device_not_available(void);
void coprocessor_segment_overrun(void);
void invalid_TSS(void);
void segment_not_present(void);
void stack_segment(void);
void general_protection(void);
void page_fault(void);
void spurious_interrupt_bug(void);
void coprocessor_error(void);
void alignment_check(void);
void machine_check(void);
void simd_coprocessor_error(void);
void system_call(void);
void ignore_int(void);

/* The oops printer: registers, the stack, the call chain (frame pointers) and then stop. */
static DEFINE_SPINLOCK(die_lock);
int oops_in_progress;

static int kernel_text_address(unsigned long a)
{
	extern char _text[], _etext[];
	return a >= (unsigned long)_text && a < (unsigned long)_etext;
}

/* Walk the ebp chain: each frame holds [saved ebp][return address]. Stop at the stack's end. */
void show_trace_ebp(unsigned long ebp)
{
	unsigned long base = ebp & ~(THREAD_SIZE - 1);
	printk("Call Trace:\n");
	for (int depth = 0; depth < 32; depth++) {
		if (ebp < base + sizeof(struct thread_info) || ebp + 8 > base + THREAD_SIZE || (ebp & 3))
			break;
		unsigned long ret = ((unsigned long *)ebp)[1];
		if (!kernel_text_address(ret))
			break;
		printk(" [<%08lx>]\n", ret);
		ebp = ((unsigned long *)ebp)[0];
	}
}

void dump_stack(void)
{
	unsigned long ebp;
	__asm__ __volatile__("movl %%ebp,%0" : "=r"(ebp));
	show_trace_ebp(ebp);
}

void show_registers(struct pt_regs *regs)
{
	int cpu = smp_processor_id();
	printk("CPU:    %d\n", cpu);
	printk("EIP:    %04x:[<%08lx>]    EFLAGS: %08lx\n", 0xffff & regs->xcs, regs->eip, regs->eflags);
	printk("eax: %08lx   ebx: %08lx   ecx: %08lx   edx: %08lx\n", regs->eax, regs->ebx, regs->ecx, regs->edx);
	printk("esi: %08lx   edi: %08lx   ebp: %08lx   esp: %08lx\n", regs->esi, regs->edi, regs->ebp,
	       user_mode(regs) ? regs->esp : (unsigned long)&regs->esp);
	printk("ds: %04x   es: %04x   cr2: %08lx   cr3: %08lx\n", 0xffff & regs->xds, 0xffff & regs->xes, read_cr2(), read_cr3());
	if (current)
		printk("Process %s (pid: %d, threadinfo=%p task=%p)\n", current->comm, current->pid,
		       current_thread_info(), current);
	if (!user_mode(regs))
		show_trace_ebp(regs->ebp);
}

void die(const char *str, struct pt_regs *regs, long err)
{
	oops_in_progress = 1;
	_raw_spin_trylock(&die_lock);
	printk("Oops: %s: %04lx [#1]\n", str, err & 0xffff);
	show_registers(regs);
	panic("Fatal exception");
}

/* Weak: kernel/signal.c (issue 5) provides force_sig. Until then a user-mode fault kills the machine
 * with a clear message rather than hanging. */
__attribute__((weak)) void force_sig(int sig, struct task_struct *p)
{
	printk("force_sig(%d) to %s[%d]: no signal support linked\n", sig, p->comm, p->pid);
	panic("user-mode exception without signal support");
}

/* do_trap: kernel mode → oops; user mode → record trap_no/error_code and send the signal. */
static void do_trap(int trapnr, int signr, const char *str, struct pt_regs *regs, long error_code)
{
	if (!user_mode(regs))
		die(str, regs, error_code);
	current->thread.error_code = error_code;
	current->thread.trap_no = trapnr;
	force_sig(signr, current);
}

#define DO_ERROR(trapnr, signr, str, name) \
	fastcall void do_##name(struct pt_regs *regs, long error_code) { do_trap(trapnr, signr, str, regs, error_code); }

DO_ERROR(0, SIGFPE, "divide error", divide_error)
DO_ERROR(4, SIGSEGV, "overflow", overflow)
DO_ERROR(5, SIGSEGV, "bounds", bounds)
DO_ERROR(6, SIGILL, "invalid operand", invalid_op)
DO_ERROR(9, SIGFPE, "coprocessor segment overrun", coprocessor_segment_overrun)
DO_ERROR(10, SIGSEGV, "invalid TSS", invalid_TSS)
DO_ERROR(11, SIGBUS, "segment not present", segment_not_present)
DO_ERROR(12, SIGBUS, "stack segment", stack_segment)
DO_ERROR(13, SIGSEGV, "general protection fault", general_protection)
DO_ERROR(16, SIGFPE, "coprocessor error", coprocessor_error)
DO_ERROR(17, SIGBUS, "alignment check", alignment_check)
DO_ERROR(19, SIGFPE, "SIMD coprocessor error", simd_coprocessor_error)
DO_ERROR(15, SIGSEGV, "spurious interrupt bug", spurious_interrupt_bug)

fastcall void do_machine_check(struct pt_regs *regs, long error_code)
{
	die("machine check", regs, error_code);
}

/* debug (vector 1) and int3 (vector 3): SIGTRAP to a user process. In kernel mode they are ignored
 * (a debugger attached to ksim sees the machine from outside and never uses them). */
fastcall void do_debug(struct pt_regs *regs, long error_code)
{
	if (user_mode(regs))
		do_trap(1, SIGTRAP, "debug", regs, error_code);
}

fastcall void do_int3(struct pt_regs *regs, long error_code)
{
	if (user_mode(regs))
		do_trap(3, SIGTRAP, "int3", regs, error_code);
	else
		printk("int3 in kernel mode at %08lx\n", regs->eip);
}

fastcall void do_nmi(struct pt_regs *regs, long error_code)
{
	printk("NMI received on CPU %d\n", smp_processor_id());
}

/* Weak: arch/i386/mm/fault.c (issue 5) provides the real do_page_fault (demand paging, COW). */
__attribute__((weak)) fastcall void do_page_fault(struct pt_regs *regs, long error_code)
{
	unsigned long address = read_cr2();
	if (!user_mode(regs)) {
		printk("Unable to handle kernel paging request at virtual address %08lx\n", address);
		die("page fault", regs, error_code);
	}
	current->thread.cr2 = address;
	do_trap(14, SIGSEGV, "page fault", regs, error_code);
}

/*
 * math_state_restore (seed 003:970–983): the #NM handler. clts gives the FPU back; if current never
 * used it, init_fpu gives it a clean state, else its saved registers are reloaded. TS_USEDFPU tells
 * __switch_to to save the registers when current is switched out.
 */
asmlinkage void math_state_restore(struct pt_regs regs)
{
	struct thread_info *thread = current_thread_info();
	struct task_struct *tsk = thread->task;
	clts();
	if (!(tsk->flags & PF_USED_MATH))
		init_fpu(tsk);
	restore_fpu(tsk);
	thread->status |= TS_USEDFPU;
}

asmlinkage void math_emulate(long arg)
{
	panic("math emulation not supported (CR0.EM set)");
}

/* The double fault runs as a separate hardware task (task gate, GDT entry 31): its own TSS, stack
 * and cr3, because the faulting stack may be the cause (ULK3 §4.2.2, "doublefault_fn"). */
#define DOUBLEFAULT_STACKSIZE 1024
static unsigned long doublefault_stack[DOUBLEFAULT_STACKSIZE];
static void doublefault_fn(void)
{
	printk("double fault detected, machine stopped\n");
	machine_exit(KSIM_EXIT_PANIC);
}
extern unsigned long swapper_pg_dir[1024];
struct tss_struct doublefault_tss __attribute__((aligned(128))) = {
	.esp0 = (unsigned long)(doublefault_stack + DOUBLEFAULT_STACKSIZE),
	.ss0 = __KERNEL_DS,
	.ldt = 0,
	.io_bitmap_base = INVALID_IO_BITMAP_OFFSET,
	.eip = (unsigned long)doublefault_fn,
	.eflags = 0x00000002, /* interrupts off */
	.esp = (unsigned long)(doublefault_stack + DOUBLEFAULT_STACKSIZE),
	.es = __USER_DS,
	.cs = __KERNEL_CS,
	.ss = __KERNEL_DS,
	.ds = __USER_DS,
};

/* trap_init: the exception part of the IDT (seed 003:2123–2151 for the gate kinds). */
void trap_init(void)
{
	doublefault_tss.__cr3 = __pa(swapper_pg_dir);
	set_trap_gate(0, &divide_error);
	set_intr_gate(1, &debug);
	set_intr_gate(2, &nmi);
	set_system_intr_gate(3, &int3); /* int3-5 can be called from all */
	set_system_gate(4, &overflow);
	set_system_gate(5, &bounds);
	set_trap_gate(6, &invalid_op);
	set_trap_gate(7, &device_not_available);
	set_task_gate(8, GDT_ENTRY_DOUBLEFAULT_TSS);
	set_trap_gate(9, &coprocessor_segment_overrun);
	set_trap_gate(10, &invalid_TSS);
	set_trap_gate(11, &segment_not_present);
	set_trap_gate(12, &stack_segment);
	set_trap_gate(13, &general_protection);
	set_intr_gate(14, &page_fault);
	set_trap_gate(15, &spurious_interrupt_bug);
	set_trap_gate(16, &coprocessor_error);
	set_trap_gate(17, &alignment_check);
	set_trap_gate(18, &machine_check);
	set_trap_gate(19, &simd_coprocessor_error);
	set_system_gate(SYSCALL_VECTOR, &system_call);
}

/*
 * setup_idt (seed 003:2119–2146): before anything else, every one of the 256 gates points to
 * ignore_int, an interrupt gate with DPL 0 that prints "Unknown interrupt" — so an unexpected
 * vector is reported instead of triple-faulting. trap_init and init_IRQ then fill in the real ones.
 */
asmlinkage void ignore_int_c(unsigned long vector_unknown)
{
	printk("Unknown interrupt or fault at: %08lx\n", vector_unknown);
}
__asm__(".text\n"
	".globl ignore_int\n"
	"ignore_int:\n\t"
	"cld\n\t"
	"pushl %eax\n\tpushl %ecx\n\tpushl %edx\n\tpushl %es\n\tpushl %ds\n\t"
	"movl $0x7b,%eax\n\tmovl %eax,%ds\n\tmovl %eax,%es\n\t"
	"pushl 20(%esp)\n\t" /* the interrupted eip */
	"call ignore_int_c\n\t"
	"addl $4,%esp\n\t"
	"popl %ds\n\tpopl %es\n\tpopl %edx\n\tpopl %ecx\n\tpopl %eax\n\t"
	"iret\n");

void setup_idt(void)
{
	for (int i = 0; i < 256; i++)
		set_intr_gate(i, &ignore_int);
	__asm__ __volatile__("lidt %0" : : "m"(idt_descr));
}
