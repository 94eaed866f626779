#ifndef _ASM_PROCESSOR_H
#define _ASM_PROCESSOR_H
#include <linux/types.h>
#include <asm/segment.h>
#include <asm/page.h>

/* A segment descriptor: two 32-bit words (ULK3 §2.2.2). */
struct desc_struct {
	unsigned long a, b;
};

/*
 * The saved FPU state. The kernel saves it lazily (ULK3 §3.3.4, seed 003:911–983): on a switch
 * only if the outgoing task used the FPU in its last time slice (TS_USEDFPU), and the incoming task
 * gets CR0.TS set so that its first FPU instruction raises #NM (vector 7) and math_state_restore
 * reloads this area. Only the fnsave format: the kernel is built without SSE.
 */
struct i387_fsave_struct {
	long cwd;
	long swd;
	long twd;
	long fip;
	long fcs;
	long foo;
	long fos;
	long st_space[20]; /* 8 registers * 10 bytes */
	long status;
};
union i387_union {
	struct i387_fsave_struct fsave;
};

/*
 * thread_struct: the part of the hardware context that is not on the kernel stack (ULK3 §3.3.2,
 * seed 003:699, 784–925). switch_to saves esp and eip here; __switch_to saves fs and gs at offsets
 * 40 and 44 of this struct and copies tls_array into the GDT; esp0 goes into the TSS.
 */
struct thread_struct {
	struct desc_struct tls_array[GDT_ENTRY_TLS_ENTRIES];
	unsigned long esp0;
	unsigned long sysenter_cs;
	unsigned long eip;
	unsigned long esp;
	unsigned long fs;
	unsigned long gs;
	unsigned long debugreg[8];
	unsigned long cr2, trap_no, error_code;
	union i387_union i387;
	unsigned long *io_bitmap_ptr;
	unsigned long io_bitmap_max;
};

/*
 * tss_struct: one Task State Segment per CPU, init_tss[NR_CPUS] (ULK3 §3.3.2.1, seed 003:715–735).
 * Linux does not use hardware task switching; the TSS only gives the CPU the kernel stack (ss0:esp0)
 * to switch to on an interrupt from user mode, and the I/O permission bitmap. io_bitmap_base =
 * INVALID_IO_BITMAP_OFFSET (0x8000) lies beyond the segment limit, so any in/out from user mode
 * raises #GP; INVALID_IO_BITMAP_OFFSET_LAZY (0x9000) marks a bitmap to be copied in on demand.
 */
#define IO_BITMAP_BITS 65536
#define IO_BITMAP_BYTES (IO_BITMAP_BITS / 8)
#define IO_BITMAP_LONGS (IO_BITMAP_BYTES / sizeof(long))
#define IO_BITMAP_OFFSET 104
#define INVALID_IO_BITMAP_OFFSET 0x8000
#define INVALID_IO_BITMAP_OFFSET_LAZY 0x9000
struct tss_struct {
	unsigned short back_link, __blh;
	unsigned long esp0;
	unsigned short ss0, __ss0h;
	unsigned long esp1;
	unsigned short ss1, __ss1h;
	unsigned long esp2;
	unsigned short ss2, __ss2h;
	unsigned long __cr3;
	unsigned long eip;
	unsigned long eflags;
	unsigned long eax, ecx, edx, ebx;
	unsigned long esp;
	unsigned long ebp;
	unsigned long esi;
	unsigned long edi;
	unsigned short es, __esh;
	unsigned short cs, __csh;
	unsigned short ss, __ssh;
	unsigned short ds, __dsh;
	unsigned short fs, __fsh;
	unsigned short gs, __gsh;
	unsigned short ldt, __ldth;
	unsigned short trace, io_bitmap_base;
	unsigned long io_bitmap[IO_BITMAP_LONGS + 1];
} __attribute__((aligned(128)));

/* Control registers. CR0.TS (bit 3) makes the next FPU instruction raise #NM. */
#define X86_CR0_PE 0x00000001
#define X86_CR0_MP 0x00000002
#define X86_CR0_EM 0x00000004
#define X86_CR0_TS 0x00000008
#define X86_CR0_NE 0x00000020
#define X86_CR0_WP 0x00010000
#define X86_CR0_PG 0x80000000
static inline unsigned long read_cr0(void) { unsigned long v; __asm__ __volatile__("movl %%cr0,%0" : "=r"(v)); return v; }
static inline void write_cr0(unsigned long v) { __asm__ __volatile__("movl %0,%%cr0" : : "r"(v) : "memory"); }
static inline unsigned long read_cr2(void) { unsigned long v; __asm__ __volatile__("movl %%cr2,%0" : "=r"(v)); return v; }
static inline unsigned long read_cr3(void) { unsigned long v; __asm__ __volatile__("movl %%cr3,%0" : "=r"(v)); return v; }
static inline void load_cr3(unsigned long pa) { __asm__ __volatile__("movl %0,%%cr3" : : "r"(pa) : "memory"); }
static inline unsigned long read_cr4(void) { unsigned long v; __asm__ __volatile__("movl %%cr4,%0" : "=r"(v)); return v; }
/* clts/stts: clear and set CR0.TS (lazy FPU). */
#define clts() __asm__ __volatile__("clts")
#define stts() write_cr0(X86_CR0_TS | read_cr0())
static inline void __flush_tlb(void) { load_cr3(read_cr3()); }
static inline void __flush_tlb_one(unsigned long addr) { __asm__ __volatile__("invlpg (%0)" : : "r"(addr) : "memory"); }
static inline void rep_nop(void) { __asm__ __volatile__("rep; nop" : : : "memory"); }
static inline void halt(void) { __asm__ __volatile__("hlt" : : : "memory"); }
static inline void safe_halt(void) { __asm__ __volatile__("sti; hlt" : : : "memory"); }
static inline void cpuid(unsigned op, unsigned *a, unsigned *b, unsigned *c, unsigned *d)
{
	__asm__ __volatile__("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "0"(op), "2"(0));
}
static inline unsigned long long rdtsc_ull(void) { unsigned long long v; __asm__ __volatile__("rdtsc" : "=A"(v)); return v; }

struct task_struct;
extern struct tss_struct init_tss[];
extern unsigned long thread_saved_pc(struct task_struct *tsk);
#endif
