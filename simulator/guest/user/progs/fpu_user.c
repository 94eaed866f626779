/*
 * fpu_user: two processes using the x87 FPU at the same time (lazy FPU switching).
 *
 * Each process puts its own value in st(0) and its own rounding mode in the control word, then calls
 * sched_yield() *while the value is still in the FPU register*. When the kernel switches to the other
 * process, __switch_to saves the FPU state only if the outgoing task used it (TS_USEDFPU) and sets
 * CR0.TS; the other process's next FPU instruction traps (#NM, vector 7) into math_state_restore,
 * which restores that process's state. If this did not work, one process would read the other's value
 * or rounding mode.
 *
 * Then each process sends itself SIGUSR1 while st(0) is live: the handler reinitialises the FPU and
 * computes with it. The kernel saves the interrupted FPU state in the signal frame (save_i387) and
 * sigreturn restores it, so after the handler st(0) and the control word are still ours.
 */
#include "ulib.h"

#define ROUNDS 300

/* One round: load v into st(0), yield the CPU inside the same asm statement, read st(0) and the
 * control word back. */
static int round_trip(double v, unsigned short want_cw)
{
	double out;
	unsigned short cw;
	__asm__ __volatile__("fldl %2\n\t"
			     "movl $158, %%eax\n\t"	/* __NR_sched_yield */
			     "int $0x80\n\t"
			     "fstpl %0\n\t"
			     "fnstcw %1"
			     : "=m"(out), "=m"(cw)
			     : "m"(v)
			     : "eax", "memory");
	return out == v && cw == want_cw;
}

static volatile int handler_fpu_ok;

/* A handler that uses the FPU: fninit resets the control word to 0x37f and empties the stack. */
static void on_usr1(int sig)
{
	volatile double a = 1.0;
	__asm__ __volatile__("fninit");
	a = a / 7.0;
	handler_fpu_ok = a > 0.142 && a < 0.143 && sig == SIGUSR1;
}

/* Like round_trip, but the CPU is taken by a signal handler: kill(getpid(), SIGUSR1) with st(0) live. */
static int signal_round_trip(double v, unsigned short want_cw)
{
	double out;
	unsigned short cw;
	int pid = getpid();
	__asm__ __volatile__("fldl %2\n\t"
			     "movl $37, %%eax\n\t"	/* __NR_kill: delivered on the way back to user mode */
			     "int $0x80\n\t"
			     "fstpl %0\n\t"
			     "fnstcw %1"
			     : "=m"(out), "=m"(cw)
			     : "m"(v), "b"(pid), "c"(SIGUSR1)
			     : "eax", "memory");
	return out == v && cw == want_cw;
}

static int run(const char *who, double base, unsigned short cw, char *line, int size)
{
	__asm__ __volatile__("fldcw %0" : : "m"(cw));
	int good = 0;
	double x = base;
	for (int i = 0; i < ROUNDS; i++) {
		x = x * 1.5 + 0.25;	/* distinct values each round */
		if (x > 1e6)
			x = base;
		good += round_trip(x, cw);
	}
	/* A computation whose result depends on the rounding mode. */
	union {
		double d;
		unsigned int w[2];
	} tenth;
	volatile double one = 1.0;
	tenth.d = one / 10.0;
	unsigned int lastbits = tenth.w[0] & 0xf;
	handler_fpu_ok = 0;
	int sig_ok = signal_round_trip(x + 0.5, cw) && handler_fpu_ok;
	snprintf(line, size,
		 "fpu_user: %s kept st(0) and its control word %x across %d yields: %d/%d, 1/10 ends in %x; "
		 "across a signal handler using the FPU: %s\n",
		 who, cw, ROUNDS, good, ROUNDS, lastbits, sig_ok ? "yes" : "no");
	return good == ROUNDS && sig_ok;
}

int main(void)
{
	__asm__ __volatile__("fninit");	/* before any FPU value is live: empty register stack */
	signal(SIGUSR1, on_usr1);
	pid_t pid = fork();
	char line[200];
	if (pid == 0) {
		int ok = run("child (round toward zero)", 3.0, 0x0f7f, line, sizeof(line));
		printf("%s", line);
		_exit(ok ? 0 : 1);
	}
	int ok = run("parent (round to nearest)", 2.0, 0x037f, line, sizeof(line));
	int st = 0;
	waitpid(pid, &st, 0);
	/* Print after the child is reaped, so the child's line always comes first. */
	printf("%s", line);
	printf("fpu_user: both processes kept their FPU state: %s\n", ok && WEXITSTATUS(st) == 0 ? "yes" : "no");
	return ok && st == 0 ? 0 : 1;
}
