#ifndef _ASM_SYSTEM_H
#define _ASM_SYSTEM_H
#include <linux/linkage.h>
#include <asm/atomic.h>
/*
 * Interrupt flag helpers: cli/sti and saving/restoring EFLAGS (IF is bit 9, 0x200). Disabling
 * interrupts only affects the local CPU (ULK3 §5.2.9 — extrapolated).
 */
#define local_save_flags(x) __asm__ __volatile__("pushfl; popl %0" : "=g"(x) : : "memory")
#define local_irq_restore(x) __asm__ __volatile__("pushl %0; popfl" : : "g"(x) : "memory", "cc")
#define local_irq_disable() __asm__ __volatile__("cli" : : : "memory")
#define local_irq_enable() __asm__ __volatile__("sti" : : : "memory")
#define local_irq_save(x) __asm__ __volatile__("pushfl; popl %0; cli" : "=g"(x) : : "memory")
#define irqs_disabled() ({ unsigned long __f; local_save_flags(__f); !(__f & 0x200); })

struct task_struct;
extern struct task_struct *FASTCALL(__switch_to(struct task_struct *prev, struct task_struct *next));

/*
 * switch_to(prev, next, last): the process switch proper (ULK3 §3.3.3, seed 003:774–820).
 *   1. prev in eax, next in edx (the register constraints do that);
 *   2. push eflags and ebp on prev's kernel stack;
 *   3. save esp in prev->thread.esp;
 *   4. load next->thread.esp: from here on we run on next's kernel stack, so "current" is next;
 *   5. save the address of label 1 in prev->thread.eip — where prev resumes one day;
 *   6. push next->thread.eip: label 1 for a task switched out by switch_to, ret_from_fork for a
 *      new one;
 *   7. jmp __switch_to (fastcall: prev in eax, next in edx) whose ret pops that eip;
 *   8. label 1 (global alias switch_to_resume): pop ebp and eflags saved by step 2 — of next, now;
 *   9. eax (returned by __switch_to) is the task that ran before us, stored in "last".
 * esi/edi are outputs and ebx/ecx clobbered because the code after label 1 runs with the register
 * values of another task's switch; only ebp and eflags are carried over explicitly.
 */
#define switch_to(prev, next, last) do {					\
	unsigned long esi, edi;						\
	__asm__ __volatile__("pushfl\n\t"				\
		"pushl %%ebp\n\t"					\
		"movl %%esp,%0\n\t"	/* save ESP */			\
		"movl %5,%%esp\n\t"	/* restore ESP */		\
		"movl $1f,%1\n\t"	/* save EIP */			\
		"pushl %6\n\t"		/* restore EIP */		\
		"jmp __switch_to\n"					\
		"1:\n"							\
		".globl switch_to_resume\n"				\
		"switch_to_resume:\n\t"					\
		"popl %%ebp\n\t"					\
		"popfl"							\
		: "=m"(prev->thread.esp), "=m"(prev->thread.eip),	\
		  "=a"(last), "=S"(esi), "=D"(edi)			\
		: "m"(next->thread.esp), "m"(next->thread.eip),		\
		  "2"(prev), "d"(next)					\
		: "ebx", "ecx", "memory", "cc");			\
} while (0)
#endif
