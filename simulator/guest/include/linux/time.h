#ifndef _LINUX_TIME_H
#define _LINUX_TIME_H

/* struct timespec as user space sees it on i386 (two 32-bit longs): nanosleep, sched_rr_get_interval. */
struct timespec {
	long tv_sec;
	long tv_nsec;
};

#endif
