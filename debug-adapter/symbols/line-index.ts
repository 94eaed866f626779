import { LineRow, LineTable } from './line-program';

/**
 * All line rows of a program, sorted by address, for address → line lookups by binary search.
 *
 * Each entry covers [address, next entry's address). End-of-sequence rows stay in the index as "no line
 * here" markers, so an address in a gap between sequences resolves to nothing instead of to the last
 * line of the previous function.
 */
export interface IndexedRow { row: LineRow; table: LineTable; cuIndex: number; seq: number }

export class LineIndex {
  private readonly addrs: Float64Array;
  readonly entries: IndexedRow[];

  constructor(tables: { table: LineTable; cuIndex: number }[]) {
    const entries: IndexedRow[] = [];
    let seq = 0;
    for (const { table, cuIndex } of tables) {
      const rows = table.rows;
      let seqStart = 0;
      for (let i = 0; i < rows.length; i++) {
        if (!rows[i].endSequence) continue;
        // Rows at the end_sequence address cover no bytes (zero-length): leave them out.
        const end = rows[i].address;
        for (let j = seqStart; j < i; j++) if (rows[j].address < end) entries.push({ row: rows[j], table, cuIndex, seq });
        entries.push({ row: rows[i], table, cuIndex, seq });
        seq++;
        seqStart = i + 1;
      }
      seq++;
    }
    // Stable sort by address; at equal addresses an end_sequence row comes first (it closes the range
    // before the address, the following sequence opens the range at it).
    entries.sort((a, b) => a.row.address - b.row.address || (a.row.endSequence === b.row.endSequence ? a.seq - b.seq : a.row.endSequence ? -1 : 1));
    this.entries = entries;
    this.addrs = new Float64Array(entries.map((e) => e.row.address));
  }

  /** Index of the last entry with address <= addr, or -1. */
  private floor(addr: number): number {
    const a = this.addrs;
    let lo = 0, hi = a.length - 1, ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid] <= addr) { ans = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return ans;
  }

  /** The row whose range contains addr (the last row at the greatest address <= addr). */
  lookup(addr: number): IndexedRow | undefined {
    const i = this.floor(addr);
    if (i < 0) return undefined;
    const e = this.entries[i];
    if (e.row.endSequence) return undefined;
    return e;
  }

  /** End of the range that starts at entry i: the address of the next entry with a greater address. */
  rangeEnd(addr: number): number | undefined {
    const i = this.floor(addr);
    if (i < 0) return undefined;
    for (let j = i + 1; j < this.entries.length; j++) {
      if (this.addrs[j] > addr) return this.addrs[j];
    }
    return undefined;
  }
}
