/*
 * int clone(int (*fn)(void *), void *child_stack, int flags, void *arg)
 *
 * The clone system call (120) takes, on i386: ebx = flags (low byte: signal sent to the parent at exit),
 * ecx = the child's user stack pointer, edx = parent_tidptr, esi = tls, edi = child_tidptr.
 * Both parent and child return from the same `int $0x80`; the child sees eax = 0 (copy_thread zeroed
 * its saved eax) and its esp already on the new stack, where we stored fn and arg beforehand.
 */
	.text
	.globl clone
	.type clone, @function
clone:
	pushl %ebp
	movl %esp, %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl 12(%ebp), %ecx		/* child_stack (top) */
	andl $-16, %ecx
	subl $8, %ecx
	movl 20(%ebp), %eax
	movl %eax, 4(%ecx)		/* arg, read by the child as fn's argument */
	movl 8(%ebp), %eax
	movl %eax, 0(%ecx)		/* fn, popped by the child */
	movl 16(%ebp), %ebx		/* flags */
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %edi, %edi
	movl $120, %eax			/* __NR_clone */
	int $0x80
	testl %eax, %eax
	jz 1f
	popl %edi			/* parent (or error): return the child's id */
	popl %esi
	popl %ebx
	popl %ebp
	ret
1:	xorl %ebp, %ebp			/* child: new stack, no caller frame */
	popl %eax			/* fn; (%esp) is now arg */
	call *%eax
	movl %eax, %ebx			/* fn's return value is the thread's exit code */
	movl $1, %eax			/* __NR_exit: ends this thread only */
	int $0x80
	hlt
	.size clone, . - clone

/*
 * pid_t vfork(void)
 *
 * The child borrows the parent's memory *and stack* until it calls execve or _exit (the parent sleeps
 * meanwhile). Our return address is kept in a register, not on the shared stack, because the child may
 * overwrite that stack slot before the parent runs again.
 */
	.globl vfork
	.type vfork, @function
vfork:
	popl %ecx			/* return address, safe in a register (saved per task by the kernel) */
	movl $190, %eax			/* __NR_vfork */
	int $0x80
	pushl %ecx
	ret
	.size vfork, . - vfork

/*
 * Signal return trampoline (SA_RESTORER). A handler installed through signal() returns here; the
 * kernel's setup_frame left the signal number at (%esp) under the return address, so popping it puts
 * esp where sys_sigreturn expects the saved sigcontext.
 */
	.globl __sigreturn_trampoline
	.type __sigreturn_trampoline, @function
__sigreturn_trampoline:
	popl %eax
	movl $119, %eax			/* __NR_sigreturn */
	int $0x80
	hlt
	.size __sigreturn_trampoline, . - __sigreturn_trampoline
	.section .note.GNU-stack,"",@progbits
