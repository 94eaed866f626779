#ifndef _LINUX_IRQ_H
#define _LINUX_IRQ_H
#include <linux/spinlock.h>
#include <linux/smp.h>
#include <asm/hw_irq.h>
#include <asm/ptrace.h>
/*
 * IRQ descriptors (ULK3 §4.6.1.2, seed 003:2387–2509).
 * irq_desc[irq] describes one IRQ line: the PIC that drives it (handler, a hw_interrupt_type), the
 * chain of interrupt service routines (action), status flags, the disable depth, and counters of
 * occurrences and of unhandled occurrences.
 */
#define IRQ_INPROGRESS 1 /* a handler for this IRQ is being executed */
#define IRQ_DISABLED 2   /* the IRQ line has been deliberately disabled */
#define IRQ_PENDING 4    /* an IRQ has occurred but has not been serviced yet */
#define IRQ_REPLAY 8     /* the line was disabled but the previous occurrence not yet acknowledged */
#define IRQ_AUTODETECT 16 /* the kernel is probing the line */
#define IRQ_WAITING 32   /* probing, no interrupt seen yet */
#define IRQ_LEVEL 64     /* level-triggered */
#define IRQ_MASKED 128   /* not used */
#define IRQ_PER_CPU 256  /* not used */

/* hw_interrupt_type: the "PIC object" — how to talk to the controller behind a line (seed 003:2396). */
struct hw_interrupt_type {
	const char *typename;
	unsigned int (*startup)(unsigned int irq);
	void (*shutdown)(unsigned int irq);
	void (*enable)(unsigned int irq);
	void (*disable)(unsigned int irq);
	void (*ack)(unsigned int irq);
	void (*end)(unsigned int irq);
	void (*set_affinity)(unsigned int irq, cpumask_t dest);
};
typedef struct hw_interrupt_type hw_irq_controller;

struct irqaction;
typedef struct irq_desc {
	hw_irq_controller *handler;
	void *handler_data;
	struct irqaction *action; /* the ISR chain */
	unsigned int status;      /* IRQ_* flags */
	unsigned int depth;       /* nested irq disables */
	unsigned int irq_count;   /* occurrences (for detecting broken lines) */
	unsigned int irqs_unhandled;
	spinlock_t lock;
} __attribute__((aligned(32))) irq_desc_t;

extern irq_desc_t irq_desc[NR_IRQS];
extern struct hw_interrupt_type no_irq_type;
fastcall unsigned int __do_IRQ(unsigned int irq, struct pt_regs *regs);
fastcall unsigned int do_IRQ(struct pt_regs *regs);
fastcall int handle_IRQ_event(unsigned int irq, struct pt_regs *regs, struct irqaction *action);
int setup_irq(unsigned int irq, struct irqaction *new);
void init_IRQ(void);
void enable_irq(unsigned int irq);
void disable_irq(unsigned int irq);
void disable_irq_nosync(unsigned int irq);
void synchronize_irq(unsigned int irq);
void note_interrupt(unsigned int irq, irq_desc_t *desc, int action_ret);
#endif
