/*
 * scenarios/process.c — the teaching scenarios of part 2 (processes): each one turns the init kernel
 * thread (pid 1) into the user program /sbin/init, which runs the workload named on the command line
 * and reaps everything; init then calls reboot(), which prints "scenario NAME: PASS|FAIL" and leaves
 * the machine. The summaries are the user programs' own lines (user/progs/NAME.c): they are printed only
 * after the corresponding waitpid(), so they do not depend on timing or on the number of CPUs.
 *
 *   fork-exit-wait   forker: a tree of 3 children x 2 grandchildren; exit codes come back via waitpid
 *   vfork            vforker: the parent sleeps until its child exits or execs, and sees its writes
 *   threads          threads: 4 CLONE_VM|CLONE_THREAD threads share memory and the thread group id
 *   cow              cow_demo: after fork, the child's writes copy pages; the parent's stay intact
 *   pipeline         pipeline: 64 KiB through a one-page pipe between two processes, then EOF
 *   zombie-reparent  forker orphan: a zombie is reaped; its orphaned child is adopted and reaped by init
 *   signals          sigdemo: handler + sigreturn, SIGSTOP/SIGCONT/SIGKILL, default SIGTERM, SIGCHLD
 *   lazy-fpu         fpu_user: two processes keep their own x87 registers across switches (#NM)
 *   segv             segv: -EFAULT from bad system call pointers, SIGSEGV from a bad store
 *   rt-sched         rt_demo: SCHED_RR tasks take turns, SCHED_FIFO ones run to completion, SCHED_OTHER
 *                    waits for both (all pinned to CPU 0 with sched_setaffinity)
 *   clone-flags      clone_flags: CLONE_PARENT makes a sibling (reaped by the caller's parent),
 *                    CLONE_STOPPED waits for SIGCONT, CLONE_VFORK without CLONE_VM still blocks
 *   process-all      all of them in turn, in one boot
 */
#include <linux/sched.h>
#include <linux/ksim_scenario.h>

extern const char *user_scenario_name;

static int start_user_scenario(const char *name)
{
	user_scenario_name = name;
	int err = run_init_process(name);
	printk("cannot execute /sbin/init: error %d\n", err);
	return 1;
}

/* The default scenario of the kernel half calls this from the init thread: init + shell + workload. */
int start_user_init(void)
{
	user_scenario_name = NULL;
	return run_init_process("default");
}

#define USER_SCENARIO(id, namestr, desc) \
	static int id##_scenario(void) { return start_user_scenario(namestr); } \
	KSIM_SCENARIO(id, namestr, id##_scenario, desc)

USER_SCENARIO(fork_exit_wait, "fork-exit-wait", "fork a process tree; exit codes return through wait4");
USER_SCENARIO(vfork, "vfork", "vfork: the parent sleeps until the child execs or exits");
USER_SCENARIO(threads, "threads", "clone(CLONE_VM|CLONE_THREAD): threads share memory and tgid");
USER_SCENARIO(cow, "cow", "copy-on-write after fork: the child's writes copy pages");
USER_SCENARIO(pipeline, "pipeline", "a producer and a consumer on a pipe: sleeping on full/empty, EOF");
USER_SCENARIO(zombie_reparent, "zombie-reparent", "exit -> zombie -> reparent to init -> wait4 -> release_task");
USER_SCENARIO(signals, "signals", "SIGTERM handler, SIGSTOP/SIGCONT/SIGKILL, default actions, SIGCHLD");
USER_SCENARIO(lazy_fpu, "lazy-fpu", "two processes using the FPU: lazy save/restore through #NM");
USER_SCENARIO(segv, "segv", "bad user pointers: -EFAULT in system calls, SIGSEGV in user mode");
USER_SCENARIO(rt_sched, "rt-sched", "SCHED_FIFO vs SCHED_RR vs SCHED_OTHER on one CPU: sched_setscheduler & co.");
USER_SCENARIO(clone_flags, "clone-flags", "CLONE_PARENT, CLONE_STOPPED, CLONE_VFORK without CLONE_VM");
USER_SCENARIO(process_all, "process-all", "all the workloads above, one after the other, in one boot");
