/*
 * arch/i386/kernel/trampoline.S — where an application processor starts.
 *
 * An AP wakes up in real mode when the boot CPU sends it INIT and then STARTUP IPIs (smpboot.c).
 * The STARTUP IPI's vector v makes it start at physical address v * 4096 with CS = v << 8, IP = 0.
 * smp_boot_cpus copies this code to TRAMPOLINE_BASE (0x8000, vector 8) in low memory, because real
 * mode can only reach the first megabyte. The code loads the boot GDT, turns on protected mode
 * and far-jumps to startup_32_smp in head.S. It must not depend on where it was assembled: it uses
 * only offsets from trampoline_data (CS = DS = 0x800 here).
 */
#include <linux/linkage.h>
#include <asm/segment.h>
#include <asm/page.h>

	.data
	.code16
ENTRY(trampoline_data)
r_base = .
	cli
	movw %cs, %ax
	movw %ax, %ds
	/* lgdtl: the 6-byte descriptor holds the boot GDT's physical address. */
	lgdtl boot_gdt_tramp - r_base
	movl %cr0, %eax
	orl $1, %eax /* CR0.PE */
	movl %eax, %cr0
	/* Far jump to 32-bit code: ljmpl with a 32-bit offset, the physical address of startup_32_smp. */
	ljmpl $__KERNEL_CS, $(startup_32_smp - __PAGE_OFFSET)
	.p2align 2
boot_gdt_tramp:
	.word 8 * (GDT_ENTRY_KERNEL_DS + 1) - 1
	.long boot_gdt_table - __PAGE_OFFSET
ENTRY(trampoline_end)
	.code32


/* no executable stack needed */
	.section .note.GNU-stack,"",@progbits
