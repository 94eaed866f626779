// Incremental RAM snapshots by dirty-page tracking.
//
// Every CPU write to RAM sets dirtyPages[page] = 1 (simulator/cpu/bus.ts). A snapshot is an array with
// one immutable 4 KiB buffer per page: pages written since the previous snapshot get a fresh copy, all
// other pages share the buffer the previous snapshot already holds. The dirty flags are then cleared.
// So the cost of a snapshot is one pointer per page plus a copy of the pages actually written — cheap
// enough to take one every few million instructions, which is what reverse execution builds on.
//
// Restore goes the other way and is just as incremental: a page is copied back only when RAM may differ
// from the snapshot's buffer (written since, or holding another snapshot's version of the page).

const PAGE = 4096;
/** Shared by every never-written page (RAM starts zeroed). */
const ZERO_PAGE = new Uint8Array(PAGE);

export class PageStore {
  /** For each page, the immutable buffer RAM equals when dirtyPages[page] is 0. */
  private readonly current: Uint8Array[];

  constructor(private readonly ram: Uint8Array, private readonly dirty: Uint8Array) {
    this.current = new Array<Uint8Array>(dirty.length).fill(ZERO_PAGE);
  }

  /** Pages written since the last capture/restore (what the next capture will copy). */
  dirtyCount(): number {
    let n = 0;
    for (let p = 0; p < this.dirty.length; p++) n += this.dirty[p];
    return n;
  }

  capture(): Uint8Array[] {
    const ram = this.ram, dirty = this.dirty, cur = this.current;
    for (let p = 0; p < dirty.length; p++) {
      if (dirty[p] === 0) continue;
      cur[p] = ram.slice(p * PAGE, (p + 1) * PAGE);
      dirty[p] = 0;
    }
    return cur.slice();
  }

  restore(pages: Uint8Array[]): void {
    if (pages.length !== this.current.length) throw new Error('snapshot has a different memory size');
    const ram = this.ram, dirty = this.dirty, cur = this.current;
    for (let p = 0; p < pages.length; p++) {
      if (dirty[p] === 0 && cur[p] === pages[p]) continue;
      ram.set(pages[p], p * PAGE);
      cur[p] = pages[p];
      dirty[p] = 0;
    }
  }
}
