/*
 * crt0: the first user-mode instructions of every program.
 *
 * sys_execve leaves the new user stack laid out as the i386 System V ABI says (and as Linux's
 * create_elf_tables builds it):   esp -> argc, argv[0] .. argv[argc-1], NULL, envp[0] .. NULL.
 * _start turns that into main(argc, argv, envp) and hands main's return value to exit().
 */
	.text
	.globl _start
	.type _start, @function
_start:
	xorl %ebp, %ebp			/* outermost frame: a debugger's backtrace stops here */
	movl (%esp), %eax		/* argc */
	leal 4(%esp), %ecx		/* argv */
	leal 8(%esp,%eax,4), %edx	/* envp = &argv[argc + 1] */
	movl %edx, environ
	andl $-16, %esp			/* gcc expects a 16-byte aligned stack at calls */
	subl $4, %esp
	pushl %edx
	pushl %ecx
	pushl %eax
	call main
	pushl %eax
	call exit
	hlt
	.size _start, . - _start

	.data
	.globl environ
	.align 4
environ:
	.long 0
	.section .note.GNU-stack,"",@progbits
