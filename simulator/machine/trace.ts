// The machine's event trace: a bounded ring buffer of what happened when, on which CPU.
//
// Records are kept in parallel typed arrays (no objects per event, cheap to record, the oldest entries
// overwritten once full). The debugger and a timeline view read them with `events()` / `since()`.
// Times are whole-machine virtual time (ns = instructions), as seen by the CPU that caused the event.

export type TraceKind =
  | 'exception'   // CPU delivered an exception (vector, errorCode, cplBefore, eip = return address)
  | 'interrupt'   // CPU took a hardware interrupt (vector, cplBefore, eip)
  | 'software'    // int n / int3 / into (vector, cplBefore)
  | 'nmi'
  | 'iret'        // cplBefore -> value = cplAfter, eip = where it returned
  | 'cr3'         // value = new CR3
  | 'hlt'         // CPU halted
  | 'wake'        // a halted CPU resumed
  | 'ipi-send'    // vector, value = ICR low word, target = destination field
  | 'ipi-recv'    // vector (or -1 for INIT/STARTUP/NMI), value = delivery mode, target = sending CPU
  | 'irq'         // a device raised an interrupt line: vector = ISA IRQ / GSI number
  | 'init' | 'sipi';

const KINDS: TraceKind[] = ['exception', 'interrupt', 'software', 'nmi', 'iret', 'cr3', 'hlt', 'wake',
  'ipi-send', 'ipi-recv', 'irq', 'init', 'sipi'];
const KIND_CODE = new Map<TraceKind, number>(KINDS.map((k, i) => [k, i]));

export interface TraceEvent {
  /** Sequence number since the machine started (monotonic; lets readers fetch only new events). */
  seq: number;
  time: number;
  /** CPU index, or -1 for a device. */
  cpu: number;
  kind: TraceKind;
  vector?: number;
  errorCode?: number;
  cplBefore?: number;
  eip?: number;
  value?: number;
  target?: number;
}

export class TraceBuffer {
  private readonly time: Float64Array;
  private readonly cpu: Int8Array;
  private readonly kind: Uint8Array;
  private readonly vector: Int16Array;
  private readonly cpl: Int8Array;
  private readonly errorCode: Int32Array;
  private readonly eip: Uint32Array;
  private readonly value: Float64Array;
  private readonly target: Int32Array;
  /** Total number of events ever recorded; the newest is seq total-1. */
  total = 0;
  /** Sequence number of the oldest event still held. */
  private first = 0;

  constructor(readonly capacity: number) {
    const n = Math.max(0, capacity | 0);
    this.time = new Float64Array(n); this.cpu = new Int8Array(n); this.kind = new Uint8Array(n);
    this.vector = new Int16Array(n); this.cpl = new Int8Array(n); this.errorCode = new Int32Array(n);
    this.eip = new Uint32Array(n); this.value = new Float64Array(n); this.target = new Int32Array(n);
  }

  get enabled(): boolean { return this.capacity > 0; }

  record(time: number, cpu: number, kind: TraceKind, vector = -1, cplBefore = -1, errorCode = -1, eip = 0,
    value = 0, target = -1): void {
    if (this.capacity <= 0) return;
    const i = this.total % this.capacity;
    this.time[i] = time; this.cpu[i] = cpu; this.kind[i] = KIND_CODE.get(kind)!;
    this.vector[i] = vector; this.cpl[i] = cplBefore; this.errorCode[i] = errorCode;
    this.eip[i] = eip >>> 0; this.value[i] = value; this.target[i] = target;
    this.total++;
    if (this.total - this.first > this.capacity) this.first = this.total - this.capacity;
  }

  /** Number of events currently held. */
  get size(): number { return this.total - this.first; }

  private at(seq: number): TraceEvent {
    const i = seq % this.capacity;
    const e: TraceEvent = { seq, time: this.time[i], cpu: this.cpu[i], kind: KINDS[this.kind[i]] };
    if (this.vector[i] >= 0) e.vector = this.vector[i];
    if (this.cpl[i] >= 0) e.cplBefore = this.cpl[i];
    if (this.errorCode[i] >= 0) e.errorCode = this.errorCode[i];
    if (e.kind === 'exception' || e.kind === 'interrupt' || e.kind === 'software' || e.kind === 'nmi' || e.kind === 'iret') e.eip = this.eip[i];
    if (e.kind === 'iret' || e.kind === 'cr3' || e.kind === 'ipi-send' || e.kind === 'ipi-recv') e.value = this.value[i];
    if (this.target[i] >= 0) e.target = this.target[i];
    return e;
  }

  /** Events with sequence number >= seq that are still held, oldest first. */
  since(seq: number): TraceEvent[] {
    const first = Math.max(seq, this.first);
    const out: TraceEvent[] = [];
    for (let s = first; s < this.total; s++) out.push(this.at(s));
    return out;
  }

  /** All held events, oldest first. */
  events(): TraceEvent[] { return this.since(0); }

  /**
   * Forget the events from sequence number `seq` on (after a snapshot restore they describe a future
   * that is gone); the next event recorded gets number `seq` again.
   */
  truncateTo(seq: number): void {
    if (seq >= this.total) return;
    this.total = Math.max(seq, 0);
    if (this.first > this.total) this.first = this.total;
  }

  clear(): void { this.first = this.total; }
}
