// Per-instruction execution counters: the exact profile behind the debugger's "calls / share of
// instructions" code lenses.
//
// When counting is enabled, every physical code page gets (lazily) one counter per byte offset, and the
// CPU adds 1 to the counter of an instruction's first byte each time it begins executing that
// instruction — in the interpreter (Cpu.loop/executeOne) and in compiled blocks (block-compiler.ts
// emits the increments when the page it compiles for is counted). "Begins executing" means: fetched and
// decoded, about to run its executor. So
//   - an instruction that faults is counted (its attempt), and counted again when it is restarted after
//     the handler — exactly like `instructionCount`, which counts a faulting instruction once too;
//   - a fault while *fetching* (a code page not present) counts nothing here (instructionCount does);
//   - a rep string instruction that yields between iterations and resumes counts once per resumption
//     (as instructionCount does);
//   - instructions fetched from outside RAM (never cached) are not counted.
// The sum over all counters therefore never exceeds the instructions retired while counting was on.
//
// Counts are per *physical* address (shared by all CPUs on the same RAM and by both code sizes), kept
// outside the decoded-code objects so they survive decoded-code invalidation: after a page is rewritten
// (self-modifying code, module loading) its counters keep the old code's counts at the old offsets.
// They are an observation, not machine state: Cpu.saveState()/restoreState() neither save nor restore
// them (a snapshot restore does not rewind the profile).
//
// Counters are float64 so they stay exact far beyond 2^32 (a spinning loop reaches 2^32 in minutes).

export class ExecutionCounts {
  /** True while the CPUs count. Switched by CodeCache.setProfiling (which also drops compiled blocks). */
  enabled = false;
  /** Physical page number -> one counter per byte offset of the page. */
  private readonly pages = new Map<number, Float64Array>();

  /** The counters of a physical page, allocated on first use. */
  forPage(physPage: number): Float64Array {
    let c = this.pages.get(physPage);
    if (c === undefined) { c = new Float64Array(4096); this.pages.set(physPage, c); }
    return c;
  }

  /** How many times the instruction starting at physical address `phys` began executing. */
  at(phys: number): number {
    const c = this.pages.get(Math.floor(phys / 4096));
    return c === undefined ? 0 : c[phys & 0xfff];
  }

  /** Sum of the counters over physical [phys, phys + length): instructions executed in that range. */
  sumRange(phys: number, length: number): number {
    let sum = 0;
    let a = phys;
    const end = phys + length;
    while (a < end) {
      const page = Math.floor(a / 4096);
      const pageEnd = Math.min(end, (page + 1) * 4096);
      const c = this.pages.get(page);
      if (c !== undefined) for (let off = a & 0xfff, stop = off + (pageEnd - a); off < stop; off++) sum += c[off];
      a = pageEnd;
    }
    return sum;
  }

  /** Sum of all counters (every counted instruction execution). */
  total(): number {
    let sum = 0;
    for (const c of this.pages.values()) for (let i = 0; i < 4096; i++) sum += c[i];
    return sum;
  }

  /** Forget every count (the arrays of pages in use stay attached to their decoded pages, zeroed). */
  clear(): void {
    for (const c of this.pages.values()) c.fill(0);
  }
}
