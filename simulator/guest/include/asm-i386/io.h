#ifndef _ASM_IO_H
#define _ASM_IO_H
/* Port I/O: the in/out instructions (ULK3 §13 — extrapolated). */
static inline void outb(unsigned char v, unsigned short port) { __asm__ __volatile__("outb %0,%1" : : "a"(v), "Nd"(port)); }
static inline unsigned char inb(unsigned short port) { unsigned char v; __asm__ __volatile__("inb %1,%0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outw(unsigned short v, unsigned short port) { __asm__ __volatile__("outw %0,%1" : : "a"(v), "Nd"(port)); }
static inline void outl(unsigned int v, unsigned short port) { __asm__ __volatile__("outl %0,%1" : : "a"(v), "Nd"(port)); }
static inline unsigned int inl(unsigned short port) { unsigned int v; __asm__ __volatile__("inl %1,%0" : "=a"(v) : "Nd"(port)); return v; }
static inline unsigned int readl(const volatile void *a) { return *(const volatile unsigned int *)a; }
static inline void writel(unsigned int v, volatile void *a) { *(volatile unsigned int *)a = v; }
#endif
