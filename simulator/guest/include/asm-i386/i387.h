#ifndef _ASM_I387_H
#define _ASM_I387_H
#include <linux/sched.h>
/* Lazy FPU switching (ULK3 §3.3.4, seed 003:903–995). */
void init_fpu(struct task_struct *tsk);
void save_init_fpu(struct task_struct *tsk);
void restore_fpu(struct task_struct *tsk);
void kernel_fpu_begin(void);
void kernel_fpu_end(void);
/* __unlazy_fpu: if the outgoing task used the FPU in this slice, save its registers now and set TS so
 * the next user traps into math_state_restore (seed 003:939–969). */
#define __unlazy_fpu(tsk) do {							\
	if ((tsk)->thread_info->status & TS_USEDFPU)				\
		save_init_fpu(tsk);						\
} while (0)
#endif
