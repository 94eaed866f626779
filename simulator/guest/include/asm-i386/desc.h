#ifndef _ASM_DESC_H
#define _ASM_DESC_H
#include <asm/processor.h>
#include <linux/threads.h>
/*
 * Descriptor tables. The IDT (ULK3 §4.4, seed 003:1940) has 256 gates of 8 bytes; the GDT is per CPU.
 * Gate type bytes (the high word of the second descriptor word):
 *   0x8e00 interrupt gate, DPL 0   (P=1, DPL=0, type 14: clears IF on entry)
 *   0xee00 interrupt gate, DPL 3   (Linux "system interrupt gate": int3)
 *   0x8f00 trap gate, DPL 0        (type 15: leaves IF alone)
 *   0xef00 trap gate, DPL 3        (Linux "system gate": into, bound, int $0x80)
 *   0x8500 task gate, DPL 0        (double fault)
 */
#define DESC_INTERRUPT_GATE 14
#define DESC_TRAP_GATE 15
#define DESC_TASK_GATE 5
#define DESC_TSS 9

struct Xgt_desc_struct {
	unsigned short size;
	unsigned long address __attribute__((packed));
	unsigned short pad;
} __attribute__((packed));

extern struct desc_struct idt_table[256];
extern struct desc_struct cpu_gdt_table[NR_CPUS][GDT_ENTRIES];
extern struct Xgt_desc_struct idt_descr;
extern struct Xgt_desc_struct cpu_gdt_descr[NR_CPUS];

void set_intr_gate(unsigned int n, void *addr);
void set_system_intr_gate(unsigned int n, void *addr);
void set_trap_gate(unsigned int n, void *addr);
void set_system_gate(unsigned int n, void *addr);
void set_task_gate(unsigned int n, unsigned int gdt_entry);

static inline void load_TR_desc(void) { __asm__ __volatile__("ltr %w0" : : "q"(__TSS_SEL)); }
static inline void load_LDT_desc(void) { __asm__ __volatile__("lldt %w0" : : "q"(0)); }
void set_tss_desc(unsigned int cpu, void *addr);
void cpu_gdt_init(int cpu);
#endif
