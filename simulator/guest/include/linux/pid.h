#ifndef _LINUX_PID_H
#define _LINUX_PID_H
#include <linux/list.h>
/* The four PID hash tables (ULK3 §3.2.3.1, seed 003:342–480): a process is hashed by its PID, its
 * thread group id, its process group id and its session id. */
enum pid_type {
	PIDTYPE_PID,
	PIDTYPE_TGID,
	PIDTYPE_PGID,
	PIDTYPE_SID,
	PIDTYPE_MAX
};
struct pid {
	int nr;                      /* the PID number */
	struct hlist_node pid_chain; /* the chain of the hash bucket */
	struct list_head pid_list;   /* the other processes with the same nr in this table */
};

/* kernel/pid.c (kernel engineer 2, issue 5) */
struct task_struct;
extern int last_pid;
int alloc_pidmap(void);
void free_pidmap(int nr);
struct pid *find_pid(enum pid_type type, int nr);
int attach_pid(struct task_struct *task, enum pid_type type, int nr);
void detach_pid(struct task_struct *task, enum pid_type type);
struct task_struct *find_task_by_pid_type(int type, int nr);
struct task_struct *find_task_by_pid(int nr);
/* do_each_task_pid/while_each_task_pid: visit every task with number nr in table type (seed 003:474). */
#define do_each_task_pid(who, type, task)						\
	if ((task = find_task_by_pid_type(type, who))) {				\
		struct task_struct *__first_task = task;				\
		do {
#define while_each_task_pid(who, type, task)						\
		task = container_of(task->pids[type].pid_list.next, struct task_struct,	\
				    pids[type].pid_list);				\
		} while (task != __first_task);						\
	}
#endif
