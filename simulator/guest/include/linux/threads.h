#ifndef _LINUX_THREADS_H
#define _LINUX_THREADS_H
/* Up to 8 CPUs (QEMU and ksim are run with -smp 1..4). */
#define NR_CPUS 8
#define PID_MAX_DEFAULT 0x8000
#endif
