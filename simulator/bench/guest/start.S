/* Entry of the CPU benchmark guest: a multiboot v1 header, a stack, bench_main(), then the
 * isa-debug-exit port (0xf4) ends the run in ksim and in QEMU alike. */
	.section .multiboot, "a"
	.align 4
	.long 0x1badb002		/* magic */
	.long 0x00000000		/* flags: nothing requested */
	.long -(0x1badb002)		/* checksum */

	.text
	.globl _start
_start:
	cli
	movl $stack_top, %esp
	xorl %ebp, %ebp
	call bench_main
	movw $0xf4, %dx
	outl %eax, %dx		/* exit status (QEMU reports (v << 1) | 1) */
1:	hlt
	jmp 1b

	.bss
	.align 16
	.space 65536
stack_top:
