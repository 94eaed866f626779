#ifndef _ASM_SEGMENT_H
#define _ASM_SEGMENT_H
/*
 * The GDT layout of Linux 2.6.11 (include/asm-i386/segment.h; ULK3 §2.3 — extrapolated, the chapters
 * in the seeds use the selectors but do not list the table). Every CPU has its own copy of this
 * 32-entry table, cpu_gdt_table[cpu], so each can hold that CPU's TSS descriptor and TLS entries.
 *
 *   0      null              12  kernel code  (__KERNEL_CS = 0x60)
 *   1-5    unused            13  kernel data  (__KERNEL_DS = 0x68)
 *   6-8    TLS 1..3          14  user code    (__USER_CS   = 0x73, RPL 3)
 *   9-11   unused            15  user data    (__USER_DS   = 0x7b, RPL 3)
 *                            16  TSS of this CPU (0x80)
 *                            17  LDT (the default, empty)
 *                            31  TSS of the double-fault task (task gate of vector 8)
 */
#define GDT_ENTRY_TLS_ENTRIES 3
#define GDT_ENTRY_TLS_MIN 6
#define GDT_ENTRY_TLS_MAX (GDT_ENTRY_TLS_MIN + GDT_ENTRY_TLS_ENTRIES - 1)
#define GDT_ENTRY_KERNEL_CS 12
#define GDT_ENTRY_KERNEL_DS 13
#define GDT_ENTRY_DEFAULT_USER_CS 14
#define GDT_ENTRY_DEFAULT_USER_DS 15
#define GDT_ENTRY_TSS 16
#define GDT_ENTRY_LDT 17
#define GDT_ENTRY_DOUBLEFAULT_TSS 31
#define GDT_ENTRIES 32
#define GDT_SIZE (GDT_ENTRIES * 8)

#define __KERNEL_CS (GDT_ENTRY_KERNEL_CS * 8)
#define __KERNEL_DS (GDT_ENTRY_KERNEL_DS * 8)
#define __USER_CS (GDT_ENTRY_DEFAULT_USER_CS * 8 + 3)
#define __USER_DS (GDT_ENTRY_DEFAULT_USER_DS * 8 + 3)
#define __TSS_SEL (GDT_ENTRY_TSS * 8)
#define __DOUBLEFAULT_TSS_SEL (GDT_ENTRY_DOUBLEFAULT_TSS * 8)
#endif
