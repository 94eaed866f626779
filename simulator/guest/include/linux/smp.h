#ifndef _LINUX_SMP_H
#define _LINUX_SMP_H
#include <linux/threads.h>
#include <asm/thread_info.h>
/* smp_processor_id: the CPU number kept in thread_info (the idle task of CPU n has cpu = n). */
#define smp_processor_id() (current_thread_info()->cpu)
#define get_cpu() ({ preempt_disable(); smp_processor_id(); })
#define put_cpu() preempt_enable()

typedef unsigned long cpumask_t;
#define CPU_MASK_ALL (~0UL)
#define cpumask_of_cpu(c) (1UL << (c))
#define cpu_isset(c, m) (((m) >> (c)) & 1)
extern cpumask_t cpu_online_map;
extern cpumask_t cpu_callin_map;
extern int num_online_cpus_var;
#define num_online_cpus() (num_online_cpus_var)
#define cpu_online(c) cpu_isset(c, cpu_online_map)
#define for_each_online_cpu(c) for ((c) = 0; (c) < NR_CPUS; (c)++) if (cpu_online(c))
#define for_each_cpu(c) for ((c) = 0; (c) < NR_CPUS; (c)++) if (cpu_isset(c, cpu_possible_map))
extern cpumask_t cpu_possible_map;
extern int nr_cpus_found; /* CPUs listed in the ACPI MADT */

/* IPIs (ULK3 §4.6.1.7, seed 003:2875–2913). */
void smp_send_reschedule(int cpu);
int smp_call_function(void (*func)(void *info), void *info, int nonatomic, int wait);
void smp_send_stop(void);
int hard_smp_processor_id(void);
#endif
