/*
 * arch/i386/mm/init.c — the kernel page tables after boot (extrapolated from 2.6.11 paging_init;
 * ULK3 §2.5.5).
 *
 * head.S already built swapper_pg_dir: physical memory 0..KERNEL_DIRECT_MAP_MB is mapped at
 * PAGE_OFFSET (and, for now, at 0). paging_init adds the one page table that maps the I/O APIC
 * (0xFEC00000) and the local APIC (0xFEE00000) at the same virtual addresses, uncached (PCD|PWT),
 * and turns on CR4.PGE if the CPU has it. zap_low_mappings removes the identity half once every AP
 * has passed through the trampoline, so that a stray user-space address faults.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/mm.h>
#include <linux/smp.h>
#include <asm/processor.h>

extern unsigned long swapper_pg_dir[1024];
static unsigned long apic_pg_table[1024] __attribute__((aligned(4096)));

#define _PAGE_PRESENT 0x001
#define _PAGE_RW 0x002
#define _PAGE_PWT 0x008
#define _PAGE_PCD 0x010
#define IO_APIC_PHYS 0xFEC00000UL
#define LOCAL_APIC_PHYS 0xFEE00000UL

void paging_init(void)
{
	unsigned long flags = _PAGE_PRESENT | _PAGE_RW | _PAGE_PCD | _PAGE_PWT;
	memset(apic_pg_table, 0, sizeof(apic_pg_table));
	apic_pg_table[(IO_APIC_PHYS >> 12) & 1023] = IO_APIC_PHYS | flags;
	apic_pg_table[(LOCAL_APIC_PHYS >> 12) & 1023] = LOCAL_APIC_PHYS | flags;
	swapper_pg_dir[IO_APIC_PHYS >> 22] = __pa(apic_pg_table) | _PAGE_PRESENT | _PAGE_RW;
	__flush_tlb();
}

/* Map one more uncached 4 KB MMIO page inside the APIC page table's 4 MB (e.g. a second I/O APIC). */
void map_mmio_page(unsigned long phys)
{
	if ((phys >> 22) != (IO_APIC_PHYS >> 22))
		panic("MMIO page %08lx outside the APIC window", phys);
	apic_pg_table[(phys >> 12) & 1023] = (phys & PAGE_MASK) | _PAGE_PRESENT | _PAGE_RW | _PAGE_PCD | _PAGE_PWT;
	__flush_tlb_one(phys);
}

/*
 * early_remap: a temporary 8 MB window at 0xFF000000 onto physical memory above the direct map
 * (firmware tables at the top of a large RAM, e.g. the ACPI RSDT/MADT with -m 512). Each call
 * replaces the previous mapping; the returned pointer stays valid until the next call.
 */
#define EARLY_REMAP_VIRT 0xFF000000UL
static unsigned long early_remap_pt[2][1024] __attribute__((aligned(4096)));
void *early_remap(unsigned long phys)
{
	unsigned long base = phys & ~0x3FFFFFUL;
	for (int t = 0; t < 2; t++) {
		for (int i = 0; i < 1024; i++)
			early_remap_pt[t][i] = (base + (t << 22) + (i << 12)) | _PAGE_PRESENT | _PAGE_RW;
		swapper_pg_dir[(EARLY_REMAP_VIRT >> 22) + t] = __pa(early_remap_pt[t]) | _PAGE_PRESENT | _PAGE_RW;
	}
	__flush_tlb();
	return (void *)(EARLY_REMAP_VIRT + (phys - base));
}

void zap_low_mappings(void)
{
	for (int i = 0; i < KERNEL_DIRECT_MAP_MB / 4; i++)
		swapper_pg_dir[i] = 0;
	__flush_tlb();
}
