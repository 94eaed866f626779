#ifndef _ASM_CURRENT_H
#define _ASM_CURRENT_H
#include <asm/thread_info.h>
/* current: the task_struct of the process running on this CPU, read from thread_info->task at the
 * bottom of the 8 KB kernel stack (seed 003:142–154: "movl (%ecx),p"). */
static inline struct task_struct *get_current(void) { return current_thread_info()->task; }
#define current get_current()
#endif
