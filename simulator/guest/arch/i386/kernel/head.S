/*
 * arch/i386/kernel/head.S — the first kernel code that runs, on every CPU.
 *
 * The boot CPU arrives here from the multiboot loader (QEMU's -kernel, or ksim): 32-bit protected
 * mode, paging off, EAX = 0x2BADB002, EBX = physical address of the multiboot information. Because
 * the kernel is linked at PAGE_OFFSET + 1 MB but loaded at 1 MB, until paging is on every reference
 * to a kernel symbol subtracts __PAGE_OFFSET by hand (ULK3 §2.5.5 "Provisional kernel page tables",
 * extrapolated: the seeds' chapters 3–4 start after this).
 *
 * The application processors arrive at startup_32_smp from the real-mode trampoline (trampoline.S),
 * also with paging off.
 */
#include <linux/linkage.h>
#include <asm/segment.h>
#include <asm/page.h>
#include <asm/thread_info.h>

#define MULTIBOOT_HEADER_MAGIC 0x1BADB002
#define MULTIBOOT_HEADER_FLAGS 0x00000003 /* modules page aligned, memory information wanted */
#define PTE_KERNEL 0x003                  /* present, writable, supervisor only */
#define NR_PG0_TABLES (KERNEL_DIRECT_MAP_MB / 4)
#define PDE_INDEX_PAGE_OFFSET (__PAGE_OFFSET >> 22)

	.section .text.head, "ax"
	.p2align 2
multiboot_header:
	.long MULTIBOOT_HEADER_MAGIC
	.long MULTIBOOT_HEADER_FLAGS
	.long -(MULTIBOOT_HEADER_MAGIC + MULTIBOOT_HEADER_FLAGS)

ENTRY(startup_32)
	cld
	cli
	/* Our own GDT: the loader's may be anywhere. Its kernel segments are flat (base 0, 4 GB). */
	lgdt boot_gdt_descr - __PAGE_OFFSET
	ljmp $__KERNEL_CS, $(1f - __PAGE_OFFSET)
1:	movl $__KERNEL_DS, %ecx
	movl %ecx, %ds
	movl %ecx, %es
	movl %ecx, %fs
	movl %ecx, %gs
	movl %ecx, %ss
	movl %eax, boot_loader_magic - __PAGE_OFFSET
	movl %ebx, boot_params_phys - __PAGE_OFFSET

	/* Clear the BSS (the loader should have, but the kernel does not rely on it). */
	xorl %eax, %eax
	movl $(__bss_start - __PAGE_OFFSET), %edi
	movl $(__bss_stop - __PAGE_OFFSET), %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	rep stosl

	/*
	 * The provisional page tables: pg0 holds NR_PG0_TABLES page tables mapping physical memory
	 * 0 .. KERNEL_DIRECT_MAP_MB linearly; swapper_pg_dir points both its entries 0.. (identity, so
	 * the code keeps running when paging turns on, and for the APs' trampoline) and 768.. (the
	 * kernel's view at 0xC0000000) at them. zap_low_mappings removes the identity half once all
	 * CPUs are up.
	 */
	movl $(pg0 - __PAGE_OFFSET), %edi
	movl $PTE_KERNEL, %eax
	movl $(NR_PG0_TABLES * 1024), %ecx
2:	stosl
	addl $0x1000, %eax
	loop 2b

	movl $(swapper_pg_dir - __PAGE_OFFSET), %edi
	movl $(pg0 - __PAGE_OFFSET + PTE_KERNEL), %eax
	movl $NR_PG0_TABLES, %ecx
3:	movl %eax, (%edi)
	movl %eax, (PDE_INDEX_PAGE_OFFSET * 4)(%edi)
	addl $4, %edi
	addl $0x1000, %eax
	loop 3b

ENTRY(startup_32_enable_paging)
	/* Shared by the boot CPU and the APs: load cr3, turn paging on, continue at the virtual address. */
	movl $(swapper_pg_dir - __PAGE_OFFSET), %eax
	movl %eax, %cr3
	movl %cr0, %eax
	/* integration fix (issue 5 follow-up): CR0.PG and CR0.WP (bit 16) together, as Linux does. With
	 * WP the kernel's own writes to read-only user pages fault too, so copy_to_user into a page still
	 * shared copy-on-write goes through do_page_fault, which un-shares it. */
	orl $0x80010000, %eax
	movl %eax, %cr0
	ljmp $__KERNEL_CS, $4f
4:
	/* From here on: virtual addresses. Is this the boot CPU or an AP? */
	cmpl $0, ap_booting
	jne 5f
	lgdt boot_gdt_descr_virt
	movl $(init_thread_union + THREAD_SIZE), %esp
	xorl %ebp, %ebp
	pushl $0
	popfl
	call start_kernel
6:	hlt
	jmp 6b

5:	/* An application processor: its idle task's stack was prepared by do_boot_cpu. */
	lgdt boot_gdt_descr_virt
	movl stack_start, %esp
	xorl %ebp, %ebp
	pushl $0
	popfl
	call start_secondary
	jmp 6b

/* The APs enter here from the trampoline, in protected mode with paging off and the boot GDT. */
ENTRY(startup_32_smp)
	cld
	cli
	movl $__KERNEL_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %fs
	movl %eax, %gs
	movl %eax, %ss
	jmp startup_32_enable_paging /* relative: lands on its physical address */

	.data
	.p2align 3
/* The boot GDT: only the kernel code and data descriptors at their final selectors 0x60 and 0x68.
 * cpu_init switches every CPU to its own cpu_gdt_table[cpu]. */
ENTRY(boot_gdt_table)
	.fill GDT_ENTRY_KERNEL_CS, 8, 0
	.quad 0x00cf9a000000ffff /* 0x60 kernel 4 GB code at 0x00000000 */
	.quad 0x00cf92000000ffff /* 0x68 kernel 4 GB data at 0x00000000 */
boot_gdt_table_end:
	.word 0
ENTRY(boot_gdt_descr)
	.word boot_gdt_table_end - boot_gdt_table - 1
	.long boot_gdt_table - __PAGE_OFFSET
	.word 0
boot_gdt_descr_virt:
	.word boot_gdt_table_end - boot_gdt_table - 1
	.long boot_gdt_table
ENTRY(boot_loader_magic)
	.long 0
ENTRY(boot_params_phys)
	.long 0
/* Set by smp_boot_cpus: nonzero while an AP is being started; stack_start = the AP idle task's stack top. */
ENTRY(ap_booting)
	.long 0
ENTRY(stack_start)
	.long 0

	.section .bss.page_aligned, "aw", @nobits
	.p2align 12
/* swapper_pg_dir: the kernel's master page directory (process 0's page tables, seed 003:1325). */
ENTRY(swapper_pg_dir)
	.fill 1024, 4, 0
ENTRY(pg0)
	.fill NR_PG0_TABLES * 1024, 4, 0
ENTRY(empty_zero_page)
	.fill 1024, 4, 0

/* no executable stack needed */
	.section .note.GNU-stack,"",@progbits
