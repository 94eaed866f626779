#ifndef _LINUX_LINKAGE_H
#define _LINUX_LINKAGE_H
/* asmlinkage: arguments on the stack (entry.S calls C this way); fastcall / regparm(3): the first three
 * arguments in eax, edx, ecx — do_IRQ(regs) takes regs in eax (ULK3 §4.6.1.5, seed 003:2677). */
#define asmlinkage __attribute__((regparm(0)))
#define fastcall __attribute__((regparm(3)))
#define FASTCALL(x) x __attribute__((regparm(3)))
#define __init
#define __initdata
#define __user
#define __iomem
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ENTRY(name) .globl name; .type name, @function; .p2align 2; name:
#define END(name) .size name, .-name
#endif
