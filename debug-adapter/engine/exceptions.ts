// Exception breakpoint filters: which exception deliveries stop the machine, and how a stop on one is
// described. Vectors and mnemonics are the Intel SDM's (vol. 3A, 6.3.1), as in seed 003:1666-1935.

import type { DeliveryEvent } from '../../simulator/cpu/hooks';

export type ExceptionFilterId = 'page-fault' | 'user-page-fault' | 'general-protection' | 'double-fault' | 'triple-fault' | 'panic' | 'user-exception';

/** The filters offered in the initialize response (DAP exceptionBreakpointFilters). */
export const EXCEPTION_FILTERS: { filter: ExceptionFilterId; label: string; description: string; default?: boolean }[] = [
  { filter: 'user-page-fault', label: 'Page fault from user mode', description: 'Stop when a user program faults on a page (vector 14, CPL 3): copy-on-write, demand paging, segfaults.' },
  { filter: 'page-fault', label: 'Any page fault', description: 'Stop on every page fault (vector 14), kernel or user.' },
  { filter: 'general-protection', label: 'General protection fault', description: 'Stop on #GP (vector 13).' },
  { filter: 'double-fault', label: 'Double fault', description: 'Stop on #DF (vector 8).' },
  { filter: 'triple-fault', label: 'Triple fault', description: 'Stop when a CPU shuts down after a fault while delivering #DF, with its registers as they were; continuing then ends the session. Off: the session ends at once with a register dump.', default: true },
  { filter: 'panic', label: 'Kernel oops / panic', description: 'Stop when the kernel calls panic() or die() (oops).', default: true },
  { filter: 'user-exception', label: 'Any exception from user mode', description: 'Stop on every exception (vectors 0-31) raised while CPL was 3.' },
];

const MNEMONIC: Record<number, string> = {
  0: '#DE divide error', 1: '#DB debug', 2: 'NMI', 3: '#BP breakpoint', 4: '#OF overflow', 5: '#BR bound range',
  6: '#UD invalid opcode', 7: '#NM device not available', 8: '#DF double fault', 9: 'coprocessor segment overrun',
  10: '#TS invalid TSS', 11: '#NP segment not present', 12: '#SS stack-segment fault', 13: '#GP general protection',
  14: '#PF page fault', 16: '#MF x87 error', 17: '#AC alignment check', 18: '#MC machine check', 19: '#XM SIMD exception',
};

export function vectorName(v: number): string {
  return MNEMONIC[v] ?? (v < 32 ? `reserved exception ${v}` : `vector 0x${v.toString(16)}`);
}

/** Page-fault error code bits (SDM 4.7): P, W/R, U/S, RSVD, I/D. */
export function describePageFaultCode(code: number): string {
  return [code & 1 ? 'protection violation' : 'not present', code & 2 ? 'write' : 'read',
    code & 4 ? 'user' : 'kernel', ...(code & 8 ? ['reserved bit'] : []), ...(code & 16 ? ['instruction fetch'] : [])].join(', ');
}

export function describeDelivery(e: DeliveryEvent, cr2: number, symbolize: (a: number) => string | undefined): string {
  const where = symbolize(e.returnEip);
  const mode = e.cplBefore === 3 ? 'user mode' : 'kernel mode';
  let text = `${vectorName(e.vector)} in ${mode} at 0x${e.returnEip.toString(16)}${where ? ` (${where})` : ''}`;
  if (e.vector === 14) text += `, address 0x${cr2.toString(16)} (${describePageFaultCode(e.errorCode)})`;
  else if (e.errorCode >= 0) text += `, error code 0x${e.errorCode.toString(16)}`;
  return text;
}

/**
 * A triple fault as a stop description: "triple fault on CPU 0: #PF page fault → #DF double fault → #GP
 * general protection → shutdown". The chain comes from the CPU's shutdown report (simulator/cpu/
 * delivery.ts writes "triple fault (vectors #14 -> #8 -> #13)"): the events the CPU tried to deliver in
 * turn - the first one, the #DF it became when its delivery faulted (a #GP while delivering a #PF is a
 * double fault, SDM vol. 3A table 6-5), and the fault during #DF's delivery that shut it down (6.15).
 */
export function describeTripleFault(cpu: number, shutdownReport: string | undefined): string {
  const m = /vectors ([#\d\s>-]+)\)/.exec(shutdownReport ?? '');
  const chain = m ? m[1].split('->').map((v) => Number(v.trim().replace('#', ''))).filter((v) => Number.isInteger(v)) : [];
  const names = chain.map((v) => vectorName(v));
  return `triple fault on CPU ${cpu}: ${names.length ? `${names.join(' → ')} → ` : ''}shutdown`;
}

export class ExceptionFilters {
  readonly enabled = new Set<ExceptionFilterId>();

  set(ids: string[]): string[] {
    const unknown = ids.filter((i) => !EXCEPTION_FILTERS.some((f) => f.filter === i));
    this.enabled.clear();
    for (const i of ids) if (!unknown.includes(i)) this.enabled.add(i as ExceptionFilterId);
    return unknown;
  }

  /** True when some enabled filter is decided on exception delivery (panic is breakpoints, a triple
   *  fault is the machine's own 'shutdown' run result). */
  needsDeliveryHook(): boolean {
    return [...this.enabled].some((f) => f !== 'panic' && f !== 'triple-fault');
  }

  /** Does this delivery stop the machine? */
  matches(e: DeliveryEvent, _symbol: (name: string) => number | undefined): boolean {
    if (e.kind !== 'exception') return false;
    const f = this.enabled;
    if (f.has('page-fault') && e.vector === 14) return true;
    if (f.has('user-page-fault') && e.vector === 14 && e.cplBefore === 3) return true;
    if (f.has('general-protection') && e.vector === 13) return true;
    if (f.has('double-fault') && e.vector === 8) return true;
    if (f.has('user-exception') && e.cplBefore === 3 && e.vector < 32) return true;
    return false;
  }

  /** Kernel functions whose entry means an oops or panic. */
  static readonly PANIC_FUNCTIONS = ['panic', 'die', 'oops_begin', 'do_exit_oops'];
}
