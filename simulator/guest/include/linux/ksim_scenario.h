#ifndef _LINUX_KSIM_SCENARIO_H
#define _LINUX_KSIM_SCENARIO_H
#include <linux/kernel.h>
/*
 * Teaching scenarios: "scenario=NAME" on the command line makes the init thread (pid 1) run
 * NAME's function once the kernel is up. A scenario sets up a workload that makes one point of the
 * book visible, prints its result lines with scenario_summary() — text that must not depend on
 * timing, because the same lines are expected under QEMU and ksim with any number of CPUs — and
 * returns 0 for PASS. The dispatcher (init/main.c) then prints "scenario NAME: PASS" (or FAIL) and
 * exits the machine through port 0xf4. A scenario that never returns (the "default" workload) runs
 * until the simulator's instruction budget ends.
 *
 * KSIM_SCENARIO places a descriptor in the .ksim_scenarios section, so scenarios of either kernel
 * half register themselves without a central table.
 */
struct ksim_scenario {
	const char *name;
	int (*run)(void);
	const char *description;
};
#define KSIM_SCENARIO(id, namestr, fn, desc) \
	static const struct ksim_scenario __ksim_scenario_##id \
	__attribute__((used, section(".ksim_scenarios"), aligned(4))) = { namestr, fn, desc }

/* Print one summary line: "summary: <text>". */
void scenario_summary(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Scenario helpers (scenarios/common.c). */
void msleep_ticks(unsigned long ticks);
#endif
