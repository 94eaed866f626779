#ifndef _LINUX_TYPES_H
#define _LINUX_TYPES_H
/* Fixed-size integer types of the i386 kernel (include/asm-i386/types.h in 2.6.11). */
typedef unsigned char u8;
typedef signed char s8;
typedef unsigned short u16;
typedef signed short s16;
typedef unsigned int u32;
typedef signed int s32;
typedef unsigned long long u64;
typedef signed long long s64;
typedef unsigned int size_t;
typedef int ssize_t;
typedef int pid_t;
typedef long long loff_t;
typedef unsigned int gfp_t;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)
typedef struct { volatile int counter; } atomic_t;
#endif
