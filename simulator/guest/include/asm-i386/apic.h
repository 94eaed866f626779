#ifndef _ASM_APIC_H
#define _ASM_APIC_H
#include <asm/io.h>
/*
 * The local APIC (ULK3 §4.2.1.1, seed 003:1614–1655), one per CPU, memory-mapped at 0xFEE00000
 * (the same physical address on every CPU: each CPU sees its own APIC there). It delivers
 * interrupts to its CPU, has its own timer, and sends inter-processor interrupts through the ICR.
 */
#define APIC_DEFAULT_PHYS_BASE 0xFEE00000
#define APIC_ID 0x20
#define APIC_LVR 0x30
#define APIC_TASKPRI 0x80
#define APIC_EOI 0xB0
#define APIC_LDR 0xD0
#define APIC_DFR 0xE0
#define APIC_SPIV 0xF0
#define APIC_SPIV_APIC_ENABLED (1 << 8)
#define APIC_ESR 0x280
#define APIC_ICR 0x300
#define APIC_ICR2 0x310
#define APIC_LVTT 0x320
#define APIC_LVTTHMR 0x330
#define APIC_LVTPC 0x340
#define APIC_LVT0 0x350
#define APIC_LVT1 0x360
#define APIC_LVTERR 0x370
#define APIC_TMICT 0x380
#define APIC_TMCCT 0x390
#define APIC_TDCR 0x3E0
#define APIC_LVT_MASKED (1 << 16)
#define APIC_LVT_TIMER_PERIODIC (1 << 17)
#define APIC_DM_FIXED 0x00000
#define APIC_DM_NMI 0x00400
#define APIC_DM_INIT 0x00500
#define APIC_DM_STARTUP 0x00600
#define APIC_DM_EXTINT 0x00700
#define APIC_ICR_BUSY 0x01000
#define APIC_INT_LEVELTRIG 0x08000
#define APIC_INT_ASSERT 0x04000
#define APIC_DEST_SELF 0x40000
#define APIC_DEST_ALLINC 0x80000
#define APIC_DEST_ALLBUT 0xC0000
#define APIC_TDR_DIV_16 0x3
#define SET_APIC_DEST_FIELD(x) ((x) << 24)
#define GET_APIC_ID(x) (((x) >> 24) & 0xFF)

extern unsigned long mp_lapic_addr;
#define APIC_BASE (0xFEE00000UL) /* mapped 1:1 above PAGE_OFFSET by paging_init */
static inline void apic_write(unsigned long reg, unsigned long v) { *((volatile unsigned long *)(APIC_BASE + reg)) = v; }
static inline unsigned long apic_read(unsigned long reg) { return *((volatile unsigned long *)(APIC_BASE + reg)); }
static inline void apic_wait_icr_idle(void) { while (apic_read(APIC_ICR) & APIC_ICR_BUSY) __asm__ __volatile__("rep; nop"); }
/* ack_APIC_irq: write the End Of Interrupt register so the local APIC can deliver the next
 * interrupt of the same or lower priority. */
static inline void ack_APIC_irq(void) { apic_write(APIC_EOI, 0); }

void setup_local_APIC(void);
void setup_boot_APIC_clock(void);
void setup_secondary_APIC_clock(void);
void calibrate_APIC_clock(void);
void send_IPI_mask(unsigned long mask, int vector);
void send_IPI_allbutself(int vector);
void send_IPI_all(int vector);
void send_IPI_self(int vector);
extern int x86_cpu_to_apicid[];
extern unsigned int apic_timer_count_per_tick;
#endif
