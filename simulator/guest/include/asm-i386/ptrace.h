#ifndef _ASM_PTRACE_H
#define _ASM_PTRACE_H
/*
 * struct pt_regs: the frame on the kernel stack after an interrupt, exception or system call
 * (ULK3 §4.6.1.4, seed 003:2819). From the bottom (lowest address, where esp points after SAVE_ALL):
 * the nine registers SAVE_ALL pushed, orig_eax (the vector-256 of an IRQ stub, the error code of an
 * exception, the system call number), then what the CPU pushed: eip, cs, eflags and, only when the
 * CPU came from user mode, esp and ss.  Offsets used by entry.S: EFLAGS 0x30, CS 0x2c.
 */
#ifndef __ASSEMBLY__
struct pt_regs {
	long ebx;
	long ecx;
	long edx;
	long esi;
	long edi;
	long ebp;
	long eax;
	int xds;
	int xes;
	long orig_eax;
	long eip;
	int xcs;
	long eflags;
	long esp;
	int xss;
};
#define user_mode(regs) ((3 & (regs)->xcs) || ((regs)->eflags & 0x20000))
#endif
#endif
