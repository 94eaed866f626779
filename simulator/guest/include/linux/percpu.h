#ifndef _LINUX_PERCPU_H
#define _LINUX_PERCPU_H
#include <linux/threads.h>
/*
 * Per-CPU variables (ULK3 §5.2.1 — extrapolated from 2.6.11 include/asm-generic/percpu.h).
 * DEFINE_PER_CPU(type, name) puts "per_cpu__name" into the .data.percpu section, which is only a
 * template: setup_per_cpu_areas copies the section once per CPU and records in __per_cpu_offset[cpu]
 * the distance from the template to that CPU's copy. per_cpu(name, cpu) adds the offset to the
 * template address. A debugger finds CPU n's copy the same way.
 */
extern unsigned long __per_cpu_offset[NR_CPUS];
#define DEFINE_PER_CPU(type, name) __attribute__((__section__(".data.percpu"))) __typeof__(type) per_cpu__##name
#define DECLARE_PER_CPU(type, name) extern __typeof__(type) per_cpu__##name
#define RELOC_HIDE(ptr, off) ({ unsigned long __p; __asm__("" : "=r"(__p) : "0"(ptr)); (__typeof__(ptr))(__p + (off)); })
#define per_cpu(var, cpu) (*RELOC_HIDE(&per_cpu__##var, __per_cpu_offset[cpu]))
#define __get_cpu_var(var) per_cpu(var, smp_processor_id())
#define get_cpu_var(var) (*({ preempt_disable(); &__get_cpu_var(var); }))
#define put_cpu_var(var) preempt_enable()
void setup_per_cpu_areas(void);
#endif
