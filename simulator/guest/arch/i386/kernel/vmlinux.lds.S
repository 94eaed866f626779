/*
 * Linker script of the ksim kernel (arch/i386/kernel/vmlinux.lds.S in 2.6.11).
 * Link addresses are virtual (PAGE_OFFSET + 1 MB); each output section's load address (AT) is the
 * physical address where the multiboot loader, which runs with paging off, must put it. The ELF
 * entry point is therefore the physical address of startup_32.
 */
#include <asm/page.h>
OUTPUT_FORMAT("elf32-i386", "elf32-i386", "elf32-i386")
OUTPUT_ARCH(i386)
ENTRY(startup_32_phys)
SECTIONS
{
	. = __PAGE_OFFSET + 0x100000;
	_text = .;
	.text : AT(ADDR(.text) - __PAGE_OFFSET) {
		*(.text.head)
		*(.text .text.*)
	}
	_etext = .;
	.rodata : AT(ADDR(.rodata) - __PAGE_OFFSET) { *(.rodata .rodata.*) }
	. = ALIGN(4);
	.ksim_scenarios : AT(ADDR(.ksim_scenarios) - __PAGE_OFFSET) {
		__ksim_scenarios_start = .;
		KEEP(*(SORT(.ksim_scenarios)))
		__ksim_scenarios_end = .;
	}
	. = ALIGN(4096);
	__per_cpu_start = .;
	.data.percpu : AT(ADDR(.data.percpu) - __PAGE_OFFSET) { *(.data.percpu) }
	__per_cpu_end = .;
	/* (the per-CPU template comes first: the .data rule below would otherwise swallow it) */
	. = ALIGN(4096);
	.data : AT(ADDR(.data) - __PAGE_OFFSET) {
		*(.data.page_aligned)
		. = ALIGN(8192);
		*(.data.init_task)
		*(.data .data.*)
	}
	. = ALIGN(4096);
	_edata = .;
	__bss_start = .;
	.bss : AT(ADDR(.bss) - __PAGE_OFFSET) {
		*(.bss.page_aligned)
		*(.bss .bss.*)
		*(COMMON)
	}
	. = ALIGN(4);
	__bss_stop = .;
	_end = .;
	/DISCARD/ : { *(.note*) *(.comment) *(.eh_frame) }
}
startup_32_phys = startup_32 - __PAGE_OFFSET;
