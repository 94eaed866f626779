/*
 * arch/i386/kernel/i387.c — saving and loading the FPU registers (ULK3 §3.3.4, seed 003:903–995).
 * The kernel itself is compiled without FPU/SSE code; only these inline-asm paths touch the FPU.
 * The fnsave/frstor format (108 bytes) is used; the CPU's fxsave would also cover SSE registers.
 */
#include <linux/sched.h>
#include <linux/string.h>
#include <asm/i387.h>
#include <asm/processor.h>

/* init_fpu: a fresh FPU state, as after "fninit" (control word 0x37f: all exceptions masked). */
void init_fpu(struct task_struct *tsk)
{
	memset(&tsk->thread.i387.fsave, 0, sizeof(tsk->thread.i387.fsave));
	tsk->thread.i387.fsave.cwd = 0xffff037fu;
	tsk->thread.i387.fsave.swd = 0xffff0000u;
	tsk->thread.i387.fsave.twd = 0xffffffffu;
	tsk->thread.i387.fsave.fos = 0xffff0000u;
	tsk->flags |= PF_USED_MATH;
}

/* save_init_fpu (seed 003:939–969): store the registers into thread.i387 (fnsave also reinitialises
 * the FPU), forget TS_USEDFPU and set CR0.TS, so the next FPU instruction of anyone traps. */
static void __save_init_fpu(struct task_struct *tsk)
{
	__asm__ __volatile__("fnsave %0; fwait" : "=m"(tsk->thread.i387.fsave));
	tsk->thread_info->status &= ~TS_USEDFPU;
}

void save_init_fpu(struct task_struct *tsk)
{
	__save_init_fpu(tsk);
	stts();
}

void restore_fpu(struct task_struct *tsk)
{
	__asm__ __volatile__("frstor %0" : : "m"(tsk->thread.i387.fsave));
}

/* kernel_fpu_begin/end (seed 003:985–995): kernel code that wants the FPU first saves the user's
 * registers if they are live, and clears TS; kernel_fpu_end sets TS again. */
void kernel_fpu_begin(void)
{
	struct thread_info *thread = current_thread_info();
	preempt_disable();
	if (thread->status & TS_USEDFPU) {
		__save_init_fpu(thread->task); /* TS stays clear: the kernel uses the FPU now */
		return;
	}
	clts();
}

void kernel_fpu_end(void)
{
	stts();
	preempt_enable();
}
