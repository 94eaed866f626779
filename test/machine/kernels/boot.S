/*
	.section .note.GNU-stack, "", @progbits
 * Entry, interrupt stubs and the AP trampoline of the machine-layer test kernel.
 *
 * _start: the multiboot loader enters here in flat 32-bit protected mode with EAX = 0x2BADB002 and
 * EBX = the multiboot information block; we load our own GDT and stack and call kmain(magic, info).
 *
 * ap_trampoline: copied to physical 0x8000. An application processor starts there in real mode after
 * the STARTUP IPI (vector 0x08 -> CS = 0x0800, IP = 0), loads the GDT, sets CR0.PE and far-jumps into
 * 32-bit code (ap_entry32), which picks its stack by APIC id and calls ap_main().
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.text
	.globl _start
_start:
	cli
	lgdt gdt_descriptor
	ljmp $0x08, $1f
1:	mov $0x10, %cx
	mov %cx, %ds
	mov %cx, %es
	mov %cx, %ss
	mov %cx, %fs
	mov %cx, %gs
	mov $boot_stack_top, %esp
	push %ebx
	push %eax
	call kmain
2:	cli
	hlt
	jmp 2b

/* 256 interrupt stubs, 16 bytes apart: push the vector number, join the common path. */
	.align 16
	.globl isr_stubs
isr_stubs:
	.set vec, 0
	.rept 256
	.align 16
	pushl $vec
	jmp isr_common
	.set vec, vec + 1
	.endr

isr_common:
	pushal
	cld
	push %esp		/* struct frame * */
	call isr_dispatch
	add $4, %esp
	popal
	add $4, %esp		/* the vector */
	iret

/* ---- AP startup ---- */
	.globl ap_trampoline, ap_trampoline_end
	.code16
ap_trampoline:
	cli
	mov %cs, %ax
	mov %ax, %ds
	lgdtl (tramp_gdt_descriptor - ap_trampoline)
	mov %cr0, %eax
	or $1, %eax
	mov %eax, %cr0
	ljmpl $0x08, $ap_entry32
	.align 4
tramp_gdt_descriptor:
	.word gdt_end - gdt - 1
	.long gdt
ap_trampoline_end:

	.code32
ap_entry32:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %ax, %fs
	mov %ax, %gs
	/* stack = ap_stacks + (apic_id + 1) * 4096 */
	mov 0xfee00020, %eax
	shr $24, %eax
	inc %eax
	shl $12, %eax
	lea ap_stacks(%eax), %esp
	call ap_main
3:	cli
	hlt
	jmp 3b

	.data
	.align 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: flat 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: flat 32-bit data */
gdt_end:
gdt_descriptor:
	.word gdt_end - gdt - 1
	.long gdt

	.bss
	.align 4096
	.space 16384
boot_stack_top:
	.globl ap_stacks
ap_stacks:
	.space 4096 * 9
