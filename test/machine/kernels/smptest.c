/*
 * The machine layer's test kernel: drives the PC the way a real SMP kernel does, and prints a summary
 * that depends only on what the hardware *does*, never on how fast it does it — so the same ELF prints
 * the same summary on `qemu-system-i386 -smp N` and on ksim with N CPUs.
 *
 * Phases (BSP drives, APs obey commands):
 *   1. multiboot info: magic, memory sizes, command line
 *   2. firmware tables: RSDP -> RSDT -> MADT: CPUs, IOAPIC, the ISA IRQ 0 override (GSI 2 on a PC)
 *   3. 8259A: remap to 0x20, take 5 PIT interrupts through LINT0 in ExtINT ("virtual wire") mode
 *   4. calibrate the LAPIC timer against PIT channel 2 (port 0x61 gate/OUT2)
 *   5. INIT-SIPI-SIPI every AP the MADT lists, through the real-mode trampoline at 0x8000
 *   6. LAPIC timer in periodic mode on every CPU, 20 ticks each
 *   7. PIT IRQ 0 through the IOAPIC at the GSI the MADT override names, 10 interrupts
 *   8. fixed IPIs from every CPU to every other, 3 each, counted by the receivers
 *   9. (cmdline "echo") UART RX interrupt via IOAPIC pin 4: echo input until '.'
 * and exits through isa-debug-exit with 0 (exit status 1) on success, 1 (status 3) on failure.
 *
 * "halt" and "triple" end the run at once (all CPUs halted with IF=0; a triple fault); "paging" builds
 * page tables (4 MiB identity page, a 4 KiB-page alias at 0xC0000000 with a hole) and halts.
 * Two more modes reuse the same drivers:
 *   "soak"  after the phases, run forever: every CPU computes, takes a 1 kHz LAPIC timer and sends IPIs
 *           to its neighbour, the UART echoes input — a busy SMP machine for the determinism tests.
 *   "bench [smp] [timers] [work=K]"  (also when EBX = 0, i.e. a bare harness with no multiboot
 *           information, as simulator/bench's RAM-only bus): every participating CPU runs K thousand iterations of an ALU/memory loop,
 *           optionally under a 1 kHz LAPIC timer; prints deterministic checksums and exits. Used by
 *           `npm run bench` to measure the cost of devices and of SMP.
 */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;

#define MAX_CPUS 8
#define LAPIC 0xfee00000u
#define COM1 0x3f8

#define VEC_PIC_BASE 0x20
#define VEC_IOAPIC_IRQ0 0x30
#define VEC_UART 0x34
#define VEC_TIMER 0x40
#define VEC_IPI 0x50
#define VEC_KICK 0x51
#define VEC_BENCH_TIMER 0x41
#define VEC_SPURIOUS 0xff

#define TIMER_TICKS 20
#define PIC_IRQS 5
#define IOAPIC_IRQS 10
#define IPIS_PER_PAIR 3

struct frame { u32 edi, esi, ebp, esp, ebx, edx, ecx, eax, vector, eip, cs, eflags; };

extern char isr_stubs[], ap_trampoline[], ap_trampoline_end[];

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port) { u8 v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline u32 mmio_read(u32 addr) { return *(volatile u32 *)addr; }
static inline void mmio_write(u32 addr, u32 v) { *(volatile u32 *)addr = v; }
static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }

/* ---------------- console ---------------- */

static void putc_raw(char c) {
  while (!(inb(COM1 + 5) & 0x20)) cpu_relax();
  outb(COM1, (u8)c);
}
static void puts(const char *s) { while (*s) { if (*s == '\n') putc_raw('\r'); putc_raw(*s++); } }
static void putu(u32 v) {
  char buf[12]; int i = 0;
  do { buf[i++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (i) putc_raw(buf[--i]);
}
static void puthex(u32 v) {
  puts("0x");
  for (int s = 28; s >= 0; s -= 4) putc_raw("0123456789abcdef"[(v >> s) & 15]);
}

static void qemu_exit(u32 code) { outl(0xf4, code); for (;;) { cli(); __asm__ volatile("hlt"); } }
static void fail(const char *why) { puts("FAIL: "); puts(why); puts("\n"); qemu_exit(1); }

static int memeq(const void *a, const char *b, int n) {
  const u8 *p = a;
  for (int i = 0; i < n; i++) if (p[i] != (u8)b[i]) return 0;
  return 1;
}

/* ---------------- IDT ---------------- */

struct idt_entry { u16 off_lo, sel; u8 zero, type; u16 off_hi; } __attribute__((packed));
static struct idt_entry idt[256];
static struct { u16 limit; u32 base; } __attribute__((packed)) idtr;

static void setup_idt(void) {
  for (int v = 0; v < 256; v++) {
    u32 h = (u32)isr_stubs + 16 * v;
    idt[v].off_lo = h & 0xffff; idt[v].off_hi = h >> 16;
    idt[v].sel = 0x08; idt[v].zero = 0; idt[v].type = 0x8e;  /* present, DPL 0, 32-bit interrupt gate */
  }
  idtr.limit = sizeof idt - 1; idtr.base = (u32)idt;
  __asm__ volatile("lidt %0" : : "m"(idtr));
}

static void load_idt(void) { __asm__ volatile("lidt %0" : : "m"(idtr)); }

/* ---------------- local APIC ---------------- */

static u32 lapic_read(u32 reg) { return mmio_read(LAPIC + reg); }
static void lapic_write(u32 reg, u32 v) { mmio_write(LAPIC + reg, v); }
static u32 apic_id(void) { return lapic_read(0x20) >> 24; }
static void lapic_eoi(void) { lapic_write(0xb0, 0); }

static void lapic_enable(void) {
  lapic_write(0xf0, 0x100 | VEC_SPURIOUS);  /* software enable, spurious vector 0xff */
  lapic_write(0x80, 0);                     /* TPR: accept everything */
}

static void send_ipi(u32 dest_apic, u32 icr_low) {
  while (lapic_read(0x300) & (1 << 12)) cpu_relax();  /* previous IPI still being delivered */
  lapic_write(0x310, dest_apic << 24);
  lapic_write(0x300, icr_low);
}

/* ---------------- PIT ---------------- */

/* Busy-wait `count` PIT ticks (1.193182 MHz) on channel 2: mode 0, gate via port 0x61, poll OUT2. */
static void pit_wait_ticks(u16 count) {
  outb(0x61, (inb(0x61) & ~0x02) | 0x01);   /* gate high, speaker off */
  outb(0x43, 0xb0);                         /* channel 2, lo/hi, mode 0 */
  outb(0x42, count & 0xff);
  outb(0x42, count >> 8);
  while (!(inb(0x61) & 0x20)) cpu_relax();
}
static void delay_us(u32 us) { pit_wait_ticks((u16)(us * 1193 / 1000 + 1)); }

static void pit_channel0_periodic(u16 count) {
  outb(0x43, 0x34);                         /* channel 0, lo/hi, mode 2 (rate generator) */
  outb(0x40, count & 0xff);
  outb(0x40, count >> 8);
}
static void pit_channel0_stop(void) {
  outb(0x43, 0x30);                         /* channel 0, mode 0: one terminal count, then silence */
  outb(0x40, 0xff);
  outb(0x40, 0xff);
}

/* ---------------- IOAPIC ---------------- */

static u32 ioapic_base;
static void ioapic_write(u32 reg, u32 v) { mmio_write(ioapic_base, reg); mmio_write(ioapic_base + 0x10, v); }
static u32 ioapic_read(u32 reg) { mmio_write(ioapic_base, reg); return mmio_read(ioapic_base + 0x10); }
static void ioapic_route(u32 gsi, u32 vector, u32 dest_apic) {
  ioapic_write(0x11 + 2 * gsi, dest_apic << 24);
  ioapic_write(0x10 + 2 * gsi, vector);     /* fixed, physical, edge, active high, unmasked */
}
static void ioapic_mask(u32 gsi) { ioapic_write(0x10 + 2 * gsi, 1 << 16); }

/* ---------------- shared state ---------------- */

static u32 ncpus;                      /* from the MADT */
static u8 cpu_apic[MAX_CPUS];          /* APIC id of CPU index i (MADT order) */
static u32 bsp_apic;
static u32 irq0_gsi = 0xffffffff;
static u32 timer_count_10khz;          /* LAPIC timer initial count for 10 kHz at divide 16 */

static volatile u32 cpus_online;
static volatile u32 timer_ticks[MAX_CPUS];
static volatile u32 timer_done[MAX_CPUS];
static volatile u32 ipi_received[MAX_CPUS];
static volatile u32 ipi_from[MAX_CPUS][MAX_CPUS];
static volatile u32 command[MAX_CPUS];
static volatile u32 command_arg[MAX_CPUS];
static volatile u32 pic_irq0_count, ioapic_irq0_count, spurious_count;
static volatile u32 uart_bytes, uart_done;
static volatile int current_sender = -1;

enum { CMD_NONE, CMD_TIMER, CMD_SEND_IPIS, CMD_BENCH, CMD_SOAK };

static volatile u32 bench_ticks[MAX_CPUS];
static volatile u32 bench_sum[MAX_CPUS];
static volatile u32 bench_done[MAX_CPUS];
static u32 bench_iters;
static int bench_timers;
static u32 work_buf[MAX_CPUS][4096];

static int cpu_index(void) {
  u32 id = apic_id();
  for (u32 i = 0; i < ncpus; i++) if (cpu_apic[i] == id) return (int)i;
  return 0;
}

static void start_lapic_timer(void) {
  lapic_write(0x3e0, 0x3);                             /* divide by 16 */
  lapic_write(0x320, (1 << 17) | VEC_TIMER);           /* periodic */
  lapic_write(0x380, timer_count_10khz);
}

/* ---------------- interrupts ---------------- */

void isr_dispatch(struct frame *f) {
  u32 v = f->vector;
  if (v < 32) {
    puts("FAIL: exception "); putu(v); puts(" at "); puthex(f->eip); puts("\n");
    qemu_exit(1);
  }
  if (v == VEC_SPURIOUS) { spurious_count++; return; }  /* spurious: no EOI */
  if (v >= VEC_PIC_BASE && v < VEC_PIC_BASE + 16) {
    if (v == VEC_PIC_BASE) pic_irq0_count++;
    if (v == VEC_PIC_BASE + 7 && !(inb(0x20) & 0x80)) return;  /* spurious IRQ7 (OCW3 reads ISR): no EOI */
    outb(0x20, 0x20);
    return;
  }
  int me = cpu_index();
  switch (v) {
    case VEC_IOAPIC_IRQ0: ioapic_irq0_count++; break;
    case VEC_TIMER:
      /* A tick already latched in IRR when the timer is masked still arrives (QEMU shows it now and
       * then): once done, later ticks are not counted, so the summary does not depend on timing. */
      if (timer_done[me]) break;
      if (++timer_ticks[me] == TIMER_TICKS) { lapic_write(0x320, 1 << 16); lapic_write(0x380, 0); timer_done[me] = 1; }
      break;
    case VEC_IPI:
      ipi_received[me]++;
      if (current_sender >= 0) ipi_from[me][current_sender]++;
      break;
    case VEC_KICK: break;
    case VEC_BENCH_TIMER: bench_ticks[me]++; break;
    case VEC_UART:
      while (inb(COM1 + 5) & 1) {
        char c = (char)inb(COM1);
        uart_bytes++;
        putc_raw(c);
        if (c == '.') uart_done = 1;
      }
      break;
  }
  lapic_eoi();
}

/* ---------------- APs ---------------- */

static void do_send_ipis(int me) {
  for (u32 j = 0; j < ncpus; j++) {
    if ((int)j == me) continue;
    for (int k = 0; k < IPIS_PER_PAIR; k++) {
      u32 before = ipi_received[j];
      send_ipi(cpu_apic[j], VEC_IPI);              /* fixed, physical, edge */
      while (ipi_received[j] == before) cpu_relax(); /* one at a time: IRR holds one bit per vector */
    }
  }
}

/* An xorshift generator stirring a per-CPU 16 KiB table: ALU work plus cache-missing memory traffic. */
static u32 do_work(int me, u32 iters) {
  u32 x = 2463534242u + (u32)me * 0x9e3779b9u, sum = 0;
  u32 *b = work_buf[me];
  for (u32 i = 0; i < iters; i++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    u32 j = x & 4095;
    b[j] += x;
    sum += b[(j * 7) & 4095];
  }
  return sum;
}

static void start_bench_timer(void) {
  lapic_write(0x3e0, 0x3);
  lapic_write(0x320, (1 << 17) | VEC_BENCH_TIMER);     /* periodic, 1 kHz */
  lapic_write(0x380, timer_count_10khz * 10);
}

static void run_bench(int me) {
  if (bench_timers) start_bench_timer();
  bench_sum[me] = do_work(me, bench_iters);
  if (bench_timers) lapic_write(0x380, 0);
  bench_done[me] = 1;
}

static void soak_forever(int me);

static void run_command(int me) {
  u32 c = command[me];
  if (c == CMD_TIMER) start_lapic_timer();
  else if (c == CMD_SEND_IPIS) do_send_ipis(me);
  else if (c == CMD_BENCH) run_bench(me);
  else if (c == CMD_SOAK) soak_forever(me);
  command[me] = CMD_NONE;
}

void ap_main(void) {
  load_idt();
  lapic_enable();
  int me = cpu_index();
  __atomic_add_fetch(&cpus_online, 1, __ATOMIC_SEQ_CST);
  for (;;) {
    cli();
    if (command[me] != CMD_NONE) { sti(); run_command(me); continue; }
    __asm__ volatile("sti; hlt" ::: "memory");    /* a kick IPI wakes us */
  }
}

/* Give CPU i a command and wake it. */
static void command_cpu(u32 i, u32 cmd) {
  command[i] = cmd;
  send_ipi(cpu_apic[i], VEC_KICK);
}
static void wait_command_done(u32 i) { while (command[i] != CMD_NONE) cpu_relax(); }

/* ---------------- firmware tables ---------------- */

static u8 checksum(const u8 *p, u32 n) { u8 s = 0; while (n--) s += *p++; return s; }

static const u8 *find_rsdp(void) {
  u32 ebda = (u32)(*(volatile u16 *)0x40e) << 4;  /* BDA: EBDA segment */
  if (ebda) for (u32 a = ebda; a < ebda + 1024; a += 16)
    if (memeq((void *)a, "RSD PTR ", 8) && checksum((u8 *)a, 20) == 0) return (u8 *)a;
  for (u32 a = 0xe0000; a < 0x100000; a += 16)
    if (memeq((void *)a, "RSD PTR ", 8) && checksum((u8 *)a, 20) == 0) return (u8 *)a;
  return 0;
}

static void parse_madt(void) {
  const u8 *rsdp = find_rsdp();
  if (!rsdp) fail("no RSDP");
  const u8 *rsdt = (const u8 *)*(u32 *)(rsdp + 16);
  if (!memeq(rsdt, "RSDT", 4) || checksum(rsdt, *(u32 *)(rsdt + 4))) fail("bad RSDT");
  u32 n = (*(u32 *)(rsdt + 4) - 36) / 4;
  const u8 *madt = 0;
  for (u32 i = 0; i < n; i++) {
    const u8 *t = (const u8 *)((u32 *)(rsdt + 36))[i];
    if (memeq(t, "APIC", 4)) madt = t;
  }
  if (!madt) fail("no MADT");
  u32 len = *(u32 *)(madt + 4);
  if (checksum(madt, len)) fail("MADT checksum");
  u32 overrides = 0;
  for (u32 off = 44; off + 2 <= len; off += madt[off + 1]) {
    const u8 *e = madt + off;
    if (e[1] < 2) fail("MADT entry length");
    if (e[0] == 0 && (*(u32 *)(e + 4) & 1) && ncpus < MAX_CPUS) cpu_apic[ncpus++] = e[3];
    if (e[0] == 1) ioapic_base = *(u32 *)(e + 4);
    if (e[0] == 2) { overrides++; if (e[3] == 0) irq0_gsi = *(u32 *)(e + 4); }
  }
  puts("madt: cpus="); putu(ncpus);
  puts(" ioapic="); puthex(ioapic_base);
  puts(" irq0->gsi"); putu(irq0_gsi);
  puts(" overrides="); putu(overrides); puts("\n");
  if (!ncpus || !ioapic_base || irq0_gsi == 0xffffffff) fail("incomplete MADT");
  u32 ver = ioapic_read(1);
  puts("ioapic: redirection entries="); putu(((ver >> 16) & 0xff) + 1); puts("\n");
}

/* ---------------- phases ---------------- */

static void pic_phase(void) {
  /* ICW1-4: edge, cascade, vectors 0x20/0x28, slave on IRQ2, 8086 mode. */
  outb(0x20, 0x11); outb(0xa0, 0x11);
  outb(0x21, VEC_PIC_BASE); outb(0xa1, VEC_PIC_BASE + 8);
  outb(0x21, 0x04); outb(0xa1, 0x02);
  outb(0x21, 0x01); outb(0xa1, 0x01);
  outb(0x21, 0xfe); outb(0xa1, 0xff);       /* only IRQ 0 */
  outb(0x20, 0x0b);                         /* OCW3: reads of port 0x20 return the ISR */
  lapic_write(0x350, 0x700);                /* LINT0: ExtINT, unmasked: the 8259A reaches the CPU */
  lapic_write(0x360, 0x400);                /* LINT1: NMI */
  pit_channel0_periodic(119);               /* ~10 kHz */
  sti();
  while (pic_irq0_count < PIC_IRQS) __asm__ volatile("hlt");
  cli();
  outb(0x21, 0xff);                         /* mask everything at the 8259A from now on */
  lapic_write(0x350, 1 << 16);              /* and disconnect it from LINT0 */
  puts("pic: irq0 via 8259A/LINT0 count="); putu(pic_irq0_count >= PIC_IRQS ? PIC_IRQS : pic_irq0_count); puts("\n");
}

static void calibrate_phase(u32 ms) {
  lapic_write(0x3e0, 0x3);                  /* divide by 16 */
  lapic_write(0x320, 1 << 16);              /* masked one-shot */
  lapic_write(0x380, 0xffffffff);
  pit_wait_ticks((u16)(1193 * ms + ms * 182 / 1000));  /* ms milliseconds of 1.193182 MHz */
  u32 elapsed = 0xffffffff - lapic_read(0x390);
  lapic_write(0x380, 0);
  timer_count_10khz = elapsed / (10 * ms);  /* per 100 us */
  /* QEMU and ksim both clock the APIC timer at 1 GHz: 62500 per ms at divide 16. Any sane value passes. */
  int ok = elapsed > 625 * ms && elapsed < 6250000 * ms && timer_count_10khz > 0;
  puts("lapic timer: calibrated against PIT channel 2: "); puts(ok ? "ok" : "out of range"); puts("\n");
  if (!ok) fail("calibration");
}

static void smp_phase(void) {
  u32 len = (u32)(ap_trampoline_end - ap_trampoline);
  u8 *dst = (u8 *)0x8000;
  for (u32 i = 0; i < len; i++) dst[i] = (u8)ap_trampoline[i];
  cpus_online = 1;
  for (u32 i = 0; i < ncpus; i++) {
    if (cpu_apic[i] == bsp_apic) continue;
    u32 before = cpus_online;
    send_ipi(cpu_apic[i], 0x4500);          /* INIT, level assert */
    delay_us(1000);
    send_ipi(cpu_apic[i], 0x4608);          /* STARTUP, page 0x08 -> 0x8000 */
    delay_us(200);
    if (cpus_online == before) send_ipi(cpu_apic[i], 0x4608);  /* the second SIPI of the MP protocol */
    for (int t = 0; t < 1000 && cpus_online == before; t++) delay_us(100);
  }
  puts("smp: INIT-SIPI-SIPI, cpus online="); putu(cpus_online); puts("\n");
}

static void timer_phase(void) {
  for (u32 i = 0; i < ncpus; i++) if (cpu_apic[i] != bsp_apic) command_cpu(i, CMD_TIMER);
  start_lapic_timer();
  sti();
  for (u32 i = 0; i < ncpus; i++) while (!timer_done[i]) cpu_relax();
  for (u32 i = 0; i < ncpus; i++) wait_command_done(i);
  for (u32 i = 0; i < ncpus; i++) { puts("lapic timer: cpu"); putu(i); puts(" ticks="); putu(timer_ticks[i]); puts("\n"); }
}

static void ioapic_irq0_phase(void) {
  pit_channel0_periodic(119);
  ioapic_route(irq0_gsi, VEC_IOAPIC_IRQ0, bsp_apic);
  while (ioapic_irq0_count < IOAPIC_IRQS) __asm__ volatile("hlt");
  ioapic_mask(irq0_gsi);
  pit_channel0_stop();
  puts("ioapic: irq0 at gsi"); putu(irq0_gsi); puts(" count="); putu(IOAPIC_IRQS); puts("\n");
}

static void ipi_phase(void) {
  for (u32 s = 0; s < ncpus; s++) {
    current_sender = (int)s;
    if (cpu_apic[s] == bsp_apic) do_send_ipis((int)s);
    else { command_cpu(s, CMD_SEND_IPIS); wait_command_done(s); }
  }
  current_sender = -1;
  for (u32 i = 0; i < ncpus; i++) {
    puts("ipi: cpu"); putu(i); puts(" received="); putu(ipi_received[i]); puts(" from=[");
    for (u32 j = 0; j < ncpus; j++) { if (j) puts(","); putu(ipi_from[i][j]); }
    puts("]\n");
  }
}

static void uart_phase(void) {
  puts("uart: echo until '.'\n");
  ioapic_route(4, VEC_UART, bsp_apic);
  outb(COM1 + 1, 0x01);                     /* IER: received-data interrupt */
  while (!uart_done) __asm__ volatile("hlt");
  outb(COM1 + 1, 0x00);
  ioapic_mask(4);
  puts("\nuart: rx interrupt echoed bytes="); putu(uart_bytes); puts("\n");
}

static int cmdline_has(const char *cmd, const char *word) {
  for (const char *p = cmd; *p; p++) {
    if (p != cmd && p[-1] != ' ') continue;
    int i = 0;
    while (word[i] && p[i] == word[i]) i++;
    if (!word[i] && (p[i] == 0 || p[i] == ' ')) return 1;
  }
  return 0;
}

static u32 cmdline_number(const char *cmd, const char *key, u32 dflt) {
  for (const char *p = cmd; *p; p++) {
    if (p != cmd && p[-1] != ' ') continue;
    int i = 0;
    while (key[i] && p[i] == key[i]) i++;
    if (key[i]) continue;
    u32 v = 0;
    for (p += i; *p >= '0' && *p <= '9'; p++) v = v * 10 + (u32)(*p - '0');
    return v;
  }
  return dflt;
}

/* ---------------- paging: page tables for the debugger-access tests ---------------- */

static u32 page_dir[1024] __attribute__((aligned(4096)));
static u32 page_table[1024] __attribute__((aligned(4096)));
static volatile u32 paging_magic;

/*
 * Identity-maps 0-4 MiB with one 4 MiB (PSE) page, maps 0xC0000000-0xC03FFFFF onto physical 0-4 MiB
 * with 4 KiB pages except a hole at 0xC0005000, writes through the alias, and halts with IF = 0.
 */
static void paging_mode(void) {
  page_dir[0] = 0x00000083;                 /* present, writable, 4 MiB page */
  for (u32 i = 0; i < 1024; i++) page_table[i] = (i << 12) | 3;
  page_table[5] = 0;                        /* the hole */
  page_dir[0x300] = (u32)page_table | 3;
  page_dir[0x3fb] = 0xfec00083;             /* IOAPIC and LAPIC pages, identity */
  u32 cr;
  __asm__ volatile("mov %%cr4, %0" : "=r"(cr)); cr |= 0x10; __asm__ volatile("mov %0, %%cr4" : : "r"(cr));
  __asm__ volatile("mov %0, %%cr3" : : "r"(page_dir));
  __asm__ volatile("mov %%cr0, %0" : "=r"(cr)); cr |= 0x80000000; __asm__ volatile("mov %0, %%cr0" : : "r"(cr) : "memory");
  *(volatile u32 *)(0xc0000000u + (u32)&paging_magic) = 0x600df00d;
  puts(paging_magic == 0x600df00d ? "paging: on, alias at 0xc0000000 ok\n" : "paging: alias FAILED\n");
  for (;;) __asm__ volatile("cli; hlt");
}

/* ---------------- soak: a busy SMP machine that never stops ---------------- */

static volatile u32 soak_rounds[MAX_CPUS];

static void soak_forever(int me) {
  start_bench_timer();
  u32 next = ((u32)me + 1) % ncpus;
  for (u32 round = 0;; round++) {
    u32 sum = do_work(me, 2000);
    soak_rounds[me] = round;
    if (ncpus > 1) send_ipi(cpu_apic[next], VEC_IPI);
    if (me == 0 && round % 8 == 0) {
      puts("soak: round "); putu(round); puts(" sum="); puthex(sum);
      puts(" ticks="); putu(bench_ticks[0]); puts(" ipis="); putu(ipi_received[0]); puts("\n");
    }
  }
}

static void soak_main(void) {
  ioapic_route(4, VEC_UART, bsp_apic);      /* keep echoing console input */
  outb(COM1 + 1, 0x01);
  for (u32 i = 0; i < ncpus; i++) if (cpu_apic[i] != bsp_apic) command_cpu(i, CMD_SOAK);
  soak_forever(0);
}

/* ---------------- bench ---------------- */

static void bench_main(const char *cmd) {
  bench_iters = cmdline_number(cmd, "work=", 2000) * 1000;
  bench_timers = cmdline_has(cmd, "timers");
  int smp = cmdline_has(cmd, "smp");
  if (bench_timers || smp) {
    outb(0x21, 0xff); outb(0xa1, 0xff);     /* the BIOS left the 8259A's IRQ 0 unmasked at vector 8 */
    setup_idt();
    lapic_enable();
    bsp_apic = apic_id();
    parse_madt();
    calibrate_phase(1);                     /* short: the bench measures the work, not the calibration */
  } else {
    ncpus = 1;
  }
  if (smp) {
    smp_phase();
    for (u32 i = 0; i < ncpus; i++) if (cpu_apic[i] != bsp_apic) command_cpu(i, CMD_BENCH);
  } else {
    ncpus = 1;
  }
  if (bench_timers) sti();
  run_bench(0);
  for (u32 i = 0; i < ncpus; i++) while (!bench_done[i]) cpu_relax();
  for (u32 i = 0; i < ncpus; i++) { puts("bench: cpu"); putu(i); puts(" sum="); puthex(bench_sum[i]); puts("\n"); }
  qemu_exit(0);
}

void kmain(u32 magic, const u32 *mbi) {
  outb(COM1 + 3, 0x80); outb(COM1 + 0, 1); outb(COM1 + 1, 0); outb(COM1 + 3, 0x03);  /* 115200 8N1 */
  outb(COM1 + 1, 0x00);                     /* no UART interrupts yet (FIFOs left as they are) */
  outb(COM1 + 4, 0x0b);                     /* DTR, RTS, OUT2 */
  puts("ksim machine test kernel\n");
  if (magic != 0x2badb002) fail("not booted by a multiboot loader");
  const char *cmd = (mbi && (mbi[0] & 4)) ? (const char *)mbi[4] : "";
  while (*cmd && *cmd != ' ') cmd++;        /* the loader puts the image name first (QEMU, GRUB) */
  while (*cmd == ' ') cmd++;
  if (cmdline_has(cmd, "bench")) bench_main(cmd);
  if (cmdline_has(cmd, "halt")) {           /* every CPU halted with interrupts off: ksim run exits 0 */
    puts("halting\n");
    for (;;) __asm__ volatile("cli; hlt");
  }
  if (cmdline_has(cmd, "paging")) paging_mode();
  if (cmdline_has(cmd, "triple")) {         /* no IDT at all: int3 -> #GP -> #DF -> triple fault */
    static const struct { u16 limit; u32 base; } __attribute__((packed)) no_idt = { 0, 0 };
    puts("triple faulting\n");
    __asm__ volatile("lidt %0; int3" : : "m"(no_idt));
  }
  if (!mbi) bench_main("bench work=4000");             /* a bare bench harness passes no information block */
  puts("multiboot: mem_lower="); putu(mbi[1]); puts(" mem_upper="); putu(mbi[2]);
  puts(" cmdline='"); puts(cmd); puts("'\n");
  if (mbi[0] & 0x40) {
    /* The map's fine print differs between firmwares; what a kernel relies on is RAM at 1 MiB. */
    u32 p = mbi[12], end = mbi[12] + mbi[11], at_1m = 0;
    while (p < end) { const u32 *e = (const u32 *)p; if (e[5] == 1 && e[1] == 0x100000 && e[2] == 0) at_1m = e[3]; p += e[0] + 4; }
    puts("multiboot: memory map, usable KiB at 1M="); putu(at_1m >> 10); puts("\n");
  }
  setup_idt();
  lapic_enable();
  bsp_apic = apic_id();
  parse_madt();
  pic_phase();
  calibrate_phase(10);
  smp_phase();
  timer_phase();
  ioapic_irq0_phase();
  ipi_phase();
  if (cmdline_has(cmd, "echo")) uart_phase();
  if (cmdline_has(cmd, "soak")) soak_main();
  puts("done\n");
  qemu_exit(0);
}
