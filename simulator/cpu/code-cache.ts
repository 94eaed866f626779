// Decoded instructions, cached per physical code page and shared by every CPU on the same bus.
//
// A page is decoded lazily, one instruction at a time, the first time execution reaches each address.
// Two decodings of the same bytes differ only by the default operand size (CS.D), so there is one page
// object per (physical page, mode). Any CPU write to a RAM page that has decoded code invalidates that
// page's objects (`valid = false`, so CPUs holding a reference notice with one property test); the
// next fetch decodes the new bytes — self-modifying code and module loading just work.
// Instructions that straddle two pages are never cached (they are decoded on every execution).

import type { CpuBus } from './bus';
import type { Insn } from './insn';
import type { Block } from './block-compiler';
import { ExecutionCounts } from './execution-counts';

export class CodePage {
  valid = true;
  readonly insns: (Insn | undefined)[] = new Array(4096).fill(undefined);
  /** Compiled blocks by start offset (block-compiler.ts), and how often each offset was reached. */
  readonly blocks: (Block | undefined)[] = new Array(4096).fill(undefined);
  readonly heat = new Uint8Array(4096);
  /** Execution counters of this physical page while profiling is on (execution-counts.ts), else undefined. */
  counts: Float64Array | undefined;
}

export class CodeCache {
  /** 1 for every RAM page that has a CodePage (checked on every CPU write). */
  readonly pageHasCode: Uint8Array;
  private readonly pages = new Map<number, CodePage>();
  /** Per-instruction execution counters, off by default (see setProfiling). */
  readonly counts = new ExecutionCounts();

  constructor(ramPages: number) { this.pageHasCode = new Uint8Array(ramPages + 1); }

  page(physPage: number, mode: number): CodePage {
    const key = physPage * 2 + mode;
    let p = this.pages.get(key);
    if (p === undefined) {
      p = new CodePage();
      if (this.counts.enabled) p.counts = this.counts.forPage(physPage);
      this.pages.set(key, p);
      this.pageHasCode[physPage] = 1;
    }
    return p;
  }

  invalidate(physPage: number): void {
    for (let mode = 0; mode < 2; mode++) {
      const key = physPage * 2 + mode;
      const p = this.pages.get(key);
      if (p) { p.valid = false; this.pages.delete(key); }
    }
    this.pageHasCode[physPage] = 0;
  }

  /**
   * Turns execution counting on or off for every CPU on this RAM. Decoded pages and compiled blocks are
   * dropped so that they are rebuilt with (or without) the counting code: switching costs a re-decode,
   * running with counting off costs one boolean test per interpreted instruction and nothing in blocks.
   */
  setProfiling(on: boolean): void {
    if (this.counts.enabled === on) return;
    this.counts.enabled = on;
    this.invalidateAll();
  }

  invalidateAll(): void {
    for (const p of this.pages.values()) p.valid = false;
    this.pages.clear();
    this.pageHasCode.fill(0);
  }
}

const caches = new WeakMap<Uint8Array, CodeCache>();

/** The cache shared by all CPUs whose bus exposes the same RAM array. */
export function codeCacheFor(bus: CpuBus): CodeCache {
  let c = caches.get(bus.ram);
  if (!c) { c = new CodeCache(bus.ram.length >>> 12); caches.set(bus.ram, c); }
  return c;
}
