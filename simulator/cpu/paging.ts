// Two-level i386 paging (4 KiB pages, and 4 MiB pages when CR4.PSE and PDE.PS are set) and the
// software TLB it fills.
//
// TLB entry (Int32Array per linear page): physical frame in bits 12-31, permission bits below. An
// entry only grants write permission once the page's dirty bit is set, so the first write to a clean
// page misses and comes here to set D — exactly as the hardware's TLB does.

import type { Cpu } from './cpu';

export const enum TlbBit { Valid = 1, SupWrite = 2, UserRead = 4, UserWrite = 8 }

const P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80;

/**
 * Walks the page tables for `lin`; raises #PF (CR2 = lin, error code P/W/U) or fills the TLB and
 * returns the physical address. `user` is true for accesses made at CPL 3 (not implicit supervisor
 * accesses such as descriptor loads).
 */
export function walkPageTables(c: Cpu, lin: number, write: boolean, user: boolean): number {
  const errBase = (write ? 2 : 0) | (user ? 4 : 0);
  const pdeAddr = ((c.cr3 & 0xfffff000) + ((lin >>> 22) << 2)) >>> 0;
  const pde = c.readPhys32(pdeAddr);
  if (!(pde & P)) pageFault(c, lin, errBase);
  const wp = (c.cr0 & 0x10000) !== 0;
  let frame: number, perms: number, dirty: boolean;
  if ((pde & PS) && (c.cr4 & 0x10)) {
    perms = pde;
    checkAccess(c, lin, perms, write, user, wp, errBase);
    let npde = pde | A;
    if (write) npde |= D;
    if (npde !== pde) c.writePhys32(pdeAddr, npde);
    frame = ((pde & 0xffc00000) | (lin & 0x003ff000)) >>> 0;
    dirty = (npde & D) !== 0;
  } else {
    const pteAddr = ((pde & 0xfffff000) + (((lin >>> 12) & 0x3ff) << 2)) >>> 0;
    const pte = c.readPhys32(pteAddr);
    if (!(pte & P)) pageFault(c, lin, errBase);
    perms = pde & pte;
    checkAccess(c, lin, perms, write, user, wp, errBase);
    if (!(pde & A)) c.writePhys32(pdeAddr, pde | A);
    let npte = pte | A;
    if (write) npte |= D;
    if (npte !== pte) c.writePhys32(pteAddr, npte);
    frame = (pte & 0xfffff000) >>> 0;
    dirty = (npte & D) !== 0;
  }
  let bits = TlbBit.Valid;
  if (dirty) {
    if ((perms & RW) || !wp) bits |= TlbBit.SupWrite;
    if ((perms & US) && (perms & RW)) bits |= TlbBit.UserWrite;
  }
  if (perms & US) bits |= TlbBit.UserRead;
  c.tlbFilled(lin >>> 12, frame | bits);
  return (frame | (lin & 0xfff)) >>> 0;
}

function checkAccess(c: Cpu, lin: number, perms: number, write: boolean, user: boolean, wp: boolean, errBase: number): void {
  if (user && !(perms & US)) pageFault(c, lin, errBase | 1);
  if (write && !(perms & RW) && (user || wp)) pageFault(c, lin, errBase | 1);
}

function pageFault(c: Cpu, lin: number, code: number): never {
  c.cr2 = lin >>> 0;
  c.fault(14, code);
}
