/*
 * arch/i386/kernel/entry.S — every way into and out of the kernel: interrupts, exceptions, system
 * calls, and the return path common to all of them (ULK3 §4.6.1.5, §4.9, seed 003:2630–2669,
 * 3374–3568; exception entry extrapolated from 2.6.11 — §4.5 is missing from the seeds).
 *
 * Stack layout after SAVE_ALL (struct pt_regs, include/asm-i386/ptrace.h):
 *	 0(%esp) - %ebx		 4 - %ecx	 8 - %edx	 C - %esi	10 - %edi
 *	14 - %ebp		18 - %eax	1C - %ds	20 - %es	24 - orig_eax
 *	28 - %eip		2C - %cs	30 - %eflags	34 - %oldesp	38 - %oldss
 * oldesp/oldss exist only when the CPU switched stacks because it came from user mode.
 */
#include <linux/linkage.h>
#include <asm/segment.h>
#include <asm/thread_info.h>
#include <asm/hw_irq.h>
#include <asm/unistd.h>
#include <asm/errno.h>

EBX = 0x00
ECX = 0x04
EDX = 0x08
ESI = 0x0C
EDI = 0x10
EBP = 0x14
EAX = 0x18
DS = 0x1C
ES = 0x20
ORIG_EAX = 0x24
EIP = 0x28
CS = 0x2C
EFLAGS = 0x30
OLDESP = 0x34
OLDSS = 0x38

CF_MASK = 0x00000001
TF_MASK = 0x00000100
IF_MASK = 0x00000200
DF_MASK = 0x00000400
NT_MASK = 0x00004000
VM_MASK = 0x00020000

/* The preempt_stop of a preemptible kernel: returning from an exception, interrupts go off first. */
#define preempt_stop cli

/* SAVE_ALL (seed 003:2655–2669): save the registers the C handler may clobber, in pt_regs order,
 * and load the user data segment into ds/es (the kernel uses the flat __USER_DS for data, as 2.6 does). */
#define SAVE_ALL \
	cld; \
	pushl %es; \
	pushl %ds; \
	pushl %eax; \
	pushl %ebp; \
	pushl %edi; \
	pushl %esi; \
	pushl %edx; \
	pushl %ecx; \
	pushl %ebx; \
	movl $(__USER_DS), %edx; \
	movl %edx, %ds; \
	movl %edx, %es;

#define RESTORE_INT_REGS \
	popl %ebx; \
	popl %ecx; \
	popl %edx; \
	popl %esi; \
	popl %edi; \
	popl %ebp; \
	popl %eax

#define RESTORE_REGS \
	RESTORE_INT_REGS; \
	popl %ds; \
	popl %es

/* GET_THREAD_INFO: thread_info is at the bottom of the 8 KB stack (seed 003:142). */
#define GET_THREAD_INFO(reg) \
	movl $-THREAD_SIZE, reg; \
	andl %esp, reg

	.text
/*
 * ret_from_fork: the first instruction of a new process. __switch_to "returns" here because
 * copy_thread stored it in thread.eip; eax holds prev (seed 003:1289).
 */
ENTRY(ret_from_fork)
	pushl %eax
	call schedule_tail
	GET_THREAD_INFO(%ebp)
	popl %eax
	jmp syscall_exit
END(ret_from_fork)

/*
 * Return to the interrupted code (ULK3 §4.9.1.1, seed 003:3459–3478). ret_from_exception disables
 * interrupts first (kernel preemption); both then find out whether the interrupted context was user
 * mode (CPL 3 in the saved cs, or vm86 in the saved eflags) or kernel mode.
 */
ENTRY(ret_from_exception)
	preempt_stop
ENTRY(ret_from_intr)
	GET_THREAD_INFO(%ebp)
	movl EFLAGS(%esp), %eax		# mix EFLAGS and CS
	movb CS(%esp), %al
	testl $(VM_MASK | 3), %eax
	jz resume_kernel
ENTRY(resume_userspace)
	/* seed 003:3527–3534: anything to do before going back to user mode? */
	cli
	movl TI_flags(%ebp), %ecx
	andl $_TIF_WORK_MASK, %ecx
	jne work_pending
	jmp restore_all

/*
 * resume_kernel (seed 003:3486–3521): back to an interrupted kernel control path. If preemption is
 * allowed (preempt_count == 0), a reschedule is requested and the interrupted code had interrupts
 * on, preempt the current process right here: preempt_schedule_irq.
 */
ENTRY(resume_kernel)
	cli
	cmpl $0, TI_preempt_count(%ebp)	# non-zero preempt_count ?
	jnz restore_all
ENTRY(need_resched)
	movl TI_flags(%ebp), %ecx	# need_resched set ?
	testb $_TIF_NEED_RESCHED, %cl
	jz restore_all
	testl $IF_MASK, EFLAGS(%esp)	# interrupts off (exception path) ?
	jz restore_all
	call preempt_schedule_irq
	jmp need_resched

/*
 * system_call: int $0x80 (a trap gate with DPL 3, so user mode may use it). eax = the system call
 * number, ebx, ecx, edx, esi, edi, ebp = its arguments, which SAVE_ALL leaves on the stack where the
 * asmlinkage sys_* functions find them as their parameters.
 */
ENTRY(system_call)
	pushl %eax			# save orig_eax
	SAVE_ALL
	GET_THREAD_INFO(%ebp)
	testb $(_TIF_SYSCALL_TRACE | _TIF_SYSCALL_AUDIT), TI_flags(%ebp)
	jnz syscall_trace_entry
	cmpl $(NR_syscalls), %eax
	jae syscall_badsys
syscall_call:
	call *sys_call_table(, %eax, 4)
	movl %eax, EAX(%esp)		# store the return value
ENTRY(syscall_exit)
	cli				# make sure we don't miss an interrupt setting need_resched
	movl TI_flags(%ebp), %ecx
	testw $_TIF_ALLWORK_MASK, %cx	# current->work
	jne syscall_exit_work
/* restore_all (seed 003:3498–3504): pop the registers SAVE_ALL pushed, skip orig_eax, iret. */
ENTRY(restore_all)
	RESTORE_REGS
	addl $4, %esp
ENTRY(irq_return)
	iret

/* work_pending (seed 003:3540–3568): reschedule, or deliver signals, before returning to user mode. */
ENTRY(work_pending)
	testb $_TIF_NEED_RESCHED, %cl
	jz work_notifysig
ENTRY(work_resched)
	call schedule
	cli				# make sure we don't miss an interrupt setting need_resched
	movl TI_flags(%ebp), %ecx
	andl $_TIF_WORK_MASK, %ecx	# anything else to do besides rescheduling ?
	jz restore_all
	testb $_TIF_NEED_RESCHED, %cl
	jnz work_resched
ENTRY(work_notifysig)
	movl %esp, %eax			# regs: do_notify_resume(regs, oldset, thread_info_flags)
	xorl %edx, %edx
	call do_notify_resume
	jmp resume_userspace

syscall_trace_entry:
	movl $-ENOSYS, EAX(%esp)
	movl %esp, %eax
	xorl %edx, %edx
	call do_syscall_trace
	movl ORIG_EAX(%esp), %eax
	cmpl $(NR_syscalls), %eax
	jnae syscall_call
	jmp syscall_exit

syscall_exit_work:
	testb $(_TIF_SYSCALL_TRACE | _TIF_SYSCALL_AUDIT | _TIF_SINGLESTEP), %cl
	jz work_pending
	sti
	movl %esp, %eax
	movl $1, %edx
	call do_syscall_trace
	jmp resume_userspace

syscall_badsys:
	movl $-ENOSYS, EAX(%esp)
	jmp resume_userspace

/*
 * The interrupt stubs (seed 003:2642): interrupt[n] pushes n - 256 (a negative orig_eax tells an IRQ
 * from a system call) and jumps to common_interrupt. init_IRQ puts interrupt[n] in IDT entry n + 32.
 */
	.data
	.p2align 2
ENTRY(interrupt)
	.text
vector = 0
ENTRY(irq_entries_start)
.rept NR_IRQS
	.p2align 2
1:	pushl $(vector - 256)
	jmp common_interrupt
	.data
	.long 1b
	.text
vector = vector + 1
.endr

/* common_interrupt (seed 003:2647): SAVE_ALL, do_IRQ(regs) with regs in eax, then ret_from_intr. */
	.p2align 2
ENTRY(common_interrupt)
	SAVE_ALL
	movl %esp, %eax
	call do_IRQ
	jmp ret_from_intr
END(common_interrupt)

/*
 * The local APIC interrupts and the IPIs (seed 003:2875–2913): BUILD_INTERRUPT(name, vector) makes
 * an entry "name" that saves the registers and calls smp_name(regs).
 */
#define BUILD_INTERRUPT(name, nr) \
ENTRY(name) \
	pushl $(nr - 256); \
	SAVE_ALL; \
	movl %esp, %eax; \
	call smp_##name; \
	jmp ret_from_intr; \
END(name)

BUILD_INTERRUPT(apic_timer_interrupt, LOCAL_TIMER_VECTOR)
BUILD_INTERRUPT(reschedule_interrupt, RESCHEDULE_VECTOR)
BUILD_INTERRUPT(call_function_interrupt, CALL_FUNCTION_VECTOR)
BUILD_INTERRUPT(invalidate_interrupt, INVALIDATE_TLB_VECTOR)
BUILD_INTERRUPT(error_interrupt, ERROR_APIC_VECTOR)
BUILD_INTERRUPT(spurious_interrupt, SPURIOUS_APIC_VECTOR)

/*
 * Exceptions (vectors 0–19, names from seed 003:1666–1935; entry code extrapolated from 2.6.11).
 * Each stub pushes an error code (0 if the CPU does not push one), then the address of its C
 * handler; error_code completes a pt_regs frame, puts the error code in edx and the handler
 * address in edi, replaces orig_eax by -1 and calls handler(regs, error_code).
 */
ENTRY(divide_error)
	pushl $0			# no error code
	pushl $do_divide_error
	.p2align 2
ENTRY(error_code)
	pushl %ds
	pushl %eax
	xorl %eax, %eax
	pushl %ebp
	pushl %edi
	pushl %esi
	pushl %edx
	decl %eax			# eax = -1
	pushl %ecx
	pushl %ebx
	cld
	movl %es, %ecx
	movl ES(%esp), %edi		# get the function address
	movl ORIG_EAX(%esp), %edx	# get the error code
	movl %eax, ORIG_EAX(%esp)
	movl %ecx, ES(%esp)
	movl $(__USER_DS), %ecx
	movl %ecx, %ds
	movl %ecx, %es
	movl %esp, %eax			# pt_regs pointer
	call *%edi
	jmp ret_from_exception

ENTRY(coprocessor_error)
	pushl $0
	pushl $do_coprocessor_error
	jmp error_code

ENTRY(simd_coprocessor_error)
	pushl $0
	pushl $do_simd_coprocessor_error
	jmp error_code

/* device_not_available (vector 7): an FPU instruction with CR0.TS set — the lazy FPU switch
 * (seed 003:970–983): math_state_restore gives the FPU to current. */
ENTRY(device_not_available)
	pushl $-1			# mark this as an int
	SAVE_ALL
	movl %cr0, %eax
	testl $0x4, %eax		# EM (math emulation bit)
	jne device_not_available_emulate
	preempt_stop
	call math_state_restore
	jmp ret_from_exception
device_not_available_emulate:
	pushl $0			# temporary storage for ORIG_EIP
	call math_emulate
	addl $4, %esp
	jmp ret_from_exception

ENTRY(debug)
	pushl $0
	pushl $do_debug
	jmp error_code

ENTRY(nmi)
	pushl %eax
	SAVE_ALL
	movl %esp, %eax			# pt_regs pointer
	xorl %edx, %edx			# zero error code
	call do_nmi
	jmp restore_all

ENTRY(int3)
	pushl $-1			# mark this as an int
	SAVE_ALL
	xorl %edx, %edx			# zero error code
	movl %esp, %eax			# pt_regs pointer
	call do_int3
	jmp ret_from_exception

ENTRY(overflow)
	pushl $0
	pushl $do_overflow
	jmp error_code

ENTRY(bounds)
	pushl $0
	pushl $do_bounds
	jmp error_code

ENTRY(invalid_op)
	pushl $0
	pushl $do_invalid_op
	jmp error_code

ENTRY(coprocessor_segment_overrun)
	pushl $0
	pushl $do_coprocessor_segment_overrun
	jmp error_code

ENTRY(invalid_TSS)
	pushl $do_invalid_TSS
	jmp error_code

ENTRY(segment_not_present)
	pushl $do_segment_not_present
	jmp error_code

ENTRY(stack_segment)
	pushl $do_stack_segment
	jmp error_code

ENTRY(general_protection)
	pushl $do_general_protection
	jmp error_code

ENTRY(alignment_check)
	pushl $do_alignment_check
	jmp error_code

ENTRY(page_fault)
	pushl $do_page_fault
	jmp error_code

ENTRY(machine_check)
	pushl $0
	pushl $do_machine_check
	jmp error_code

ENTRY(spurious_interrupt_bug)
	pushl $0
	pushl $do_spurious_interrupt_bug
	jmp error_code

/*
 * kernel_thread_helper: where a kernel thread starts (seed 003:1303–1321). kernel_thread put fn in
 * ebx and arg in edx; call fn(arg) (regparm: arg also in eax), then do_exit(fn's return value).
 */
ENTRY(kernel_thread_helper)
	movl %edx, %eax
	pushl %edx
	call *%ebx
	pushl %eax
	call do_exit
END(kernel_thread_helper)

/*
 * A placeholder system call table (weak): every entry is sys_ni_syscall (-ENOSYS). The real
 * sys_call_table with Linux i386 numbers is arch/i386/kernel/syscall_table.S (issue 5); once linked
 * it replaces this one.
 */
	.data
	.p2align 2
	.weak sys_call_table
sys_call_table:
	.rept NR_syscalls
	.long sys_ni_syscall
	.endr

/* no executable stack needed */
	.section .note.GNU-stack,"",@progbits
