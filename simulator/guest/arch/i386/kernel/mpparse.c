/*
 * arch/i386/kernel/mpparse.c — finding the CPUs and the I/O APIC (2.6.11 splits this between
 * arch/i386/kernel/acpi/boot.c and mpparse.c; extrapolated, the seeds only say the APICs exist).
 *
 * QEMU with SeaBIOS (and ksim, which mimics it) lists only the boot CPU in the old MP table, so the
 * kernel reads the ACPI MADT ("APIC" table): find the RSDP signature "RSD PTR " in the EBDA or in
 * 0xE0000–0xFFFFF, follow it to the RSDT, find the MADT, and walk its entries:
 *   type 0  processor local APIC (ACPI id, APIC id, enabled flag)
 *   type 1  I/O APIC (id, MMIO address, first global system interrupt)
 *   type 2  interrupt source override (ISA IRQ → GSI, polarity and trigger)
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/smp.h>
#include <asm/page.h>
#include <asm/apic.h>
#include <asm/io_apic.h>

int nr_cpus_found;
int x86_cpu_to_apicid[NR_CPUS];
unsigned long mp_lapic_addr = APIC_DEFAULT_PHYS_BASE;
unsigned long mp_ioapic_addr;
int mp_ioapic_gsi_base;
int irq_to_pin[16];
int irq_trigger_level[16];

struct acpi_table_header {
	char signature[4];
	u32 length;
	u8 revision, checksum;
	char oem_id[6], oem_table_id[8];
	u32 oem_revision, asl_compiler_id, asl_compiler_revision;
} __attribute__((packed));

static int checksum_ok(const void *p, unsigned len)
{
	u8 sum = 0;
	for (unsigned i = 0; i < len; i++)
		sum += ((const u8 *)p)[i];
	return sum == 0;
}

static const u8 *scan_rsdp(unsigned long start, unsigned long len)
{
	for (unsigned long a = start; a < start + len; a += 16) {
		const u8 *p = __va(a);
		if (!memcmp(p, "RSD PTR ", 8) && checksum_ok(p, 20))
			return p;
	}
	return NULL;
}

/* A table in the direct map is read through PAGE_OFFSET; one above it (large RAM) through the
 * early_remap window, valid until the next phys_table call. */
extern void *early_remap(unsigned long phys);
static void *phys_table(u32 pa)
{
	if (pa >= ((unsigned long)KERNEL_DIRECT_MAP_MB << 20) - 65536)
		return early_remap(pa);
	return __va(pa);
}

void acpi_boot_init(void)
{
	const u8 *rsdp = NULL;
	unsigned long ebda = (unsigned long)(*(u16 *)__va(0x40E)) << 4;
	for (int i = 0; i < 16; i++)
		irq_to_pin[i] = i;
	if (ebda >= 0x80000 && ebda < 0xA0000)
		rsdp = scan_rsdp(ebda, 1024);
	if (!rsdp)
		rsdp = scan_rsdp(0xE0000, 0x20000);
	if (!rsdp)
		panic("no ACPI RSDP found: ksim needs the MADT to find the CPUs and the I/O APIC");
	struct acpi_table_header *rsdt = phys_table(*(u32 *)(rsdp + 16));
	if (memcmp(rsdt->signature, "RSDT", 4))
		panic("ACPI RSDT signature missing");
	int n = (rsdt->length - sizeof(*rsdt)) / 4;
	u32 entries[32];
	if (n > 32)
		n = 32;
	memcpy(entries, rsdt + 1, n * 4); /* copied: phys_table may remap the window */
	const u8 *madt = NULL;
	for (int i = 0; i < n && !madt; i++) {
		struct acpi_table_header *h = phys_table(entries[i]);
		if (!memcmp(h->signature, "APIC", 4))
			madt = (const u8 *)h;
	}
	if (!madt)
		panic("no ACPI MADT (\"APIC\" table)");
	const struct acpi_table_header *mh = (const void *)madt;
	mp_lapic_addr = *(u32 *)(madt + 36);
	const u8 *p = madt + 44, *end = madt + mh->length;
	while (p + 2 <= end && p[1] >= 2) {
		switch (p[0]) {
		case 0: /* processor local APIC */
			if ((*(u32 *)(p + 4) & 1) && nr_cpus_found < NR_CPUS)
				x86_cpu_to_apicid[nr_cpus_found++] = p[3];
			break;
		case 1: /* I/O APIC: only the first one is used */
			if (!mp_ioapic_addr) {
				mp_ioapic_addr = *(u32 *)(p + 4);
				mp_ioapic_gsi_base = *(u32 *)(p + 8);
			}
			break;
		case 2: { /* interrupt source override */
			u8 src = p[3];
			u32 gsi = *(u32 *)(p + 4);
			u16 flags = *(u16 *)(p + 8);
			if (src < 16) {
				irq_to_pin[src] = gsi;
				irq_trigger_level[src] = ((flags >> 2) & 3) == 3;
			}
			break;
		}
		}
		p += p[1];
	}
	if (!nr_cpus_found)
		panic("the MADT lists no enabled CPU");
	if (!mp_ioapic_addr)
		panic("the MADT lists no I/O APIC");
	printk("ACPI: MADT lists %d CPU(s), I/O APIC at %08lx (GSI base %d), IRQ 0 -> pin %d\n", nr_cpus_found,
	       mp_ioapic_addr, mp_ioapic_gsi_base, irq_to_pin[0]);
}
