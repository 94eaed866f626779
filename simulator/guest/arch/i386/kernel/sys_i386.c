/*
 * arch/i386/kernel/sys_i386.c — small system calls of the ksim kernel that have no better home here
 * (in 2.6.11 getpid & co. live in kernel/timer.c and kernel/sys.c, nanosleep in kernel/timer.c,
 * nice and sched_setscheduler in kernel/sched.c). The scheduler's ones are weak: a strong definition
 * in kernel/sched.c or kernel/timer.c replaces them.
 */
#include <linux/sched.h>
#include <linux/kernel.h>
#include <linux/ksim_scenario_helpers.h>
#include <linux/time.h>
#include <asm/uaccess.h>
#include <asm/errno.h>

/*
 * getpid returns the thread group id: all threads of a process see the same "process id"; gettid
 * returns the task's own pid (seed 003:94–110: "the getpid() system call returns the value of tgid").
 */
asmlinkage long sys_getpid(void)
{
	return current->tgid;
}

asmlinkage long sys_gettid(void)
{
	return current->pid;
}

/* getppid: the process id of the group leader's parent (after reparenting: init, 1). */
asmlinkage long sys_getppid(void)
{
	long pid;
	read_lock(&tasklist_lock);
	pid = current->group_leader->real_parent->tgid;
	read_unlock(&tasklist_lock);
	return pid;
}

asmlinkage long sys_getpgrp(void)
{
	return current->signal->pgrp;
}

/* ksim has no users: everybody is root. */
asmlinkage long sys_getuid(void)
{
	return 0;
}

/*
 * nanosleep: sleep TASK_INTERRUPTIBLE on a kernel timer (schedule_timeout) for at least the requested
 * time, rounded up to whole ticks plus one (the current tick is already partly over). A signal ends
 * the sleep early: -EINTR, and the time left is reported in *rmtp.
 */
__attribute__((weak)) asmlinkage long sys_nanosleep(struct timespec __user *rqtp, struct timespec __user *rmtp)
{
	struct timespec t;
	if (copy_from_user(&t, rqtp, sizeof(t)))
		return -EFAULT;
	if (t.tv_nsec < 0 || t.tv_nsec >= 1000000000L || t.tv_sec < 0)
		return -EINVAL;
	unsigned long ns_per_jiffy = 1000000000UL / HZ;
	long expire = t.tv_sec * HZ + (t.tv_nsec + ns_per_jiffy - 1) / ns_per_jiffy + (t.tv_sec || t.tv_nsec);
	while (expire > 0) {
		set_current_state(TASK_INTERRUPTIBLE);
		expire = schedule_timeout(expire);
		if (expire && signal_pending(current)) {
			if (rmtp) {
				struct timespec left = { expire / HZ, (expire % HZ) * ns_per_jiffy };
				if (copy_to_user(rmtp, &left, sizeof(left)))
					return -EFAULT;
			}
			return -EINTR;
		}
	}
	return 0;
}

/* nice(inc): change our static priority by inc, within -20..19. */
__attribute__((weak)) asmlinkage long sys_nice(int increment)
{
	long nice = TASK_NICE(current) + increment;
	if (nice < -20)
		nice = -20;
	if (nice > 19)
		nice = 19;
	set_user_nice(current, nice);
	return 0;
}

/*
 * reboot(magic1, magic2, cmd, arg): LINUX_REBOOT_CMD_POWER_OFF/HALT/RESTART leave the machine. ksim's
 * init calls it at the end of a scenario with arg = its exit status (an extrapolation: Linux ignores
 * arg for these commands); the kernel prints the scenario verdict, like the kernel-side scenarios,
 * and exits through the isa-debug-exit port.
 */
#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_MAGIC2 672274793
#define LINUX_REBOOT_MAGIC2A 85072278
#define LINUX_REBOOT_MAGIC2B 369367448
#define LINUX_REBOOT_MAGIC2C 537993216
#define LINUX_REBOOT_CMD_RESTART 0x01234567
#define LINUX_REBOOT_CMD_HALT 0xcdef0123
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedc

const char *user_scenario_name;

asmlinkage long sys_reboot(int magic1, int magic2, unsigned int cmd, void __user *arg)
{
	if ((unsigned int)magic1 != LINUX_REBOOT_MAGIC1 ||
	    (magic2 != LINUX_REBOOT_MAGIC2 && magic2 != LINUX_REBOOT_MAGIC2A && magic2 != LINUX_REBOOT_MAGIC2B &&
	     magic2 != LINUX_REBOOT_MAGIC2C))
		return -EINVAL;
	if (cmd != LINUX_REBOOT_CMD_POWER_OFF && cmd != LINUX_REBOOT_CMD_HALT && cmd != LINUX_REBOOT_CMD_RESTART)
		return -EINVAL;
	int status = (int)(unsigned long)arg;
	/* integration fix (issue 5 follow-up): "schedstat=1" prints per-CPU scheduler counters, to compare
	 * how a multi-CPU run spreads its tasks under ksim and under QEMU. */
	if (get_option_int("schedstat", 0)) {
		int c;
		for_each_online_cpu(c)
			printk("schedstat: cpu%d switches %lu pulled %lu resched-ipi %lu\n", c,
			       (unsigned long)sched_nr_switches(c), sched_nr_pulled(c), sched_nr_resched_ipi(c));
	}
	if (user_scenario_name)
		printk("scenario %s: %s\n", user_scenario_name, status == 0 ? "PASS" : "FAIL");
	else
		printk("reboot: Power down (status %d)\n", status);
	machine_exit(status == 0 ? KSIM_EXIT_PASS : KSIM_EXIT_FAIL);
}
