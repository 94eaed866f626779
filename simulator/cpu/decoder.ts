// The instruction decoder: bytes at a linear address -> one Insn record (insn.ts).
//
// Layout of an IA-32 instruction: up to four groups of prefixes (lock/rep, segment override, operand
// size 66, address size 67), the opcode (one byte, or 0F + a second byte), ModRM (mod/reg/rm) and,
// for 32-bit addressing with rm=100, a SIB byte (scale/index/base), a displacement, an immediate.
// The decoder resolves everything that does not depend on register values: operand size, the
// addressing-form parts, the segment, the immediates, and which executor runs the instruction.
// Undefined or unimplemented encodings decode to an executor that raises #UD.

import type { Cpu } from './cpu';
import { Insn, Handler } from './insn';
import * as A from './ops-alu';
import * as D from './ops-data';
import * as S from './ops-string';
import * as C from './ops-control';
import * as Y from './ops-system';
import * as F from './x87';
import * as Q from './ops-fast';

const ud: Handler = (c) => c.fault(6);

/** 16-bit ModRM rm -> base, index registers (BX=3 SI=6 DI=7 BP=5) and whether SS is the default. */
const RM16_BASE = [3, 3, 5, 5, 6, 7, 5, 3];
const RM16_INDEX = [6, 7, 6, 7, -1, -1, -1, -1];

class Reader {
  c!: Cpu;
  lin = 0;
  n = 0;
  byte(): number { const b = this.c.fetchByte((this.lin + this.n) >>> 0, this.n); this.n++; return b; }
  imm8s(): number { return (this.byte() << 24) >> 24; }
  imm16(): number { const lo = this.byte(); return lo | (this.byte() << 8); }
  imm32(): number { const a = this.imm16(); return (a | (this.imm16() << 16)) >>> 0; }
  imm(size: number): number { return size === 1 ? this.byte() : size === 2 ? this.imm16() : this.imm32(); }
}

const rd = new Reader();

export function decodeAt(c: Cpu, lin: number): Insn {
  rd.c = c; rd.lin = lin; rd.n = 0;
  const i = new Insn();
  let os32 = c.code32, as32 = c.code32;
  let seg = -1;
  let b: number;
  for (;;) {
    b = rd.byte();
    switch (b) {
      case 0x66: os32 = !c.code32; continue;
      case 0x67: as32 = !c.code32; continue;
      case 0x26: seg = 0; continue;
      case 0x2e: seg = 1; continue;
      case 0x36: seg = 2; continue;
      case 0x3e: seg = 3; continue;
      case 0x64: seg = 4; continue;
      case 0x65: seg = 5; continue;
      case 0xf0: i.lock = 1; continue;
      case 0xf2: i.rep = 2; continue;
      case 0xf3: i.rep = 1; continue;
    }
    break;
  }
  const osv = os32 ? 4 : 2;
  i.os = osv;
  i.a32 = as32 ? 1 : 0;
  i.segOverride = seg;
  i.seg = seg >= 0 ? seg : 3;

  const modrm = (): void => {
    const m = rd.byte();
    const mod = m >> 6, rm = m & 7;
    i.reg = (m >> 3) & 7;
    if (mod === 3) { i.mem = 0; i.rm = rm; return; }
    i.mem = 1;
    let ss = false;
    if (as32) {
      if (rm === 4) {
        const sib = rd.byte();
        const base = sib & 7, index = (sib >> 3) & 7;
        i.scale = sib >> 6;
        i.index = index === 4 ? -1 : index;
        if (base === 5 && mod === 0) { i.base = -1; i.disp = rd.imm32() | 0; }
        else { i.base = base; ss = base === 4 || base === 5; }
      } else if (rm === 5 && mod === 0) { i.base = -1; i.disp = rd.imm32() | 0; }
      else { i.base = rm; ss = rm === 5; }
      if (mod === 1) i.disp = rd.imm8s();
      else if (mod === 2) i.disp = rd.imm32() | 0;
    } else {
      if (rm === 6 && mod === 0) { i.base = -1; i.index = -1; i.disp = rd.imm16(); }
      else { i.base = RM16_BASE[rm]; i.index = RM16_INDEX[rm]; ss = rm === 2 || rm === 3 || rm === 6; }
      if (mod === 1) i.disp = rd.imm8s();
      else if (mod === 2) i.disp = rd.imm16();
    }
    if (seg < 0) i.seg = ss ? 2 : 3;
  };

  let h: Handler = ud;
  if (b !== 0x0f) {
    i.opcode = b;
    if (b < 0x40 && (b & 7) < 6) {
      // The eight ALU operations, six forms each: r/m,reg  reg,r/m  acc,imm (byte and full size).
      i.op = b >> 3;
      const form = b & 7;
      if (form < 4) {
        if (!(form & 1)) i.os = 1;
        modrm();
        h = form & 2 ? A.aluRegRm : A.aluRmReg;
        if (i.os === 4) {
          if (!i.mem) { if (form & 2) { const t = i.reg; i.reg = i.rm; i.rm = t; } h = Q.aluRR32; }
          else if (form & 2) h = Q.aluRM32;
        }
      } else { if (form === 4) i.os = 1; i.mem = 0; i.rm = 0; i.imm = rd.imm(i.os); h = i.os === 4 ? Q.aluRI32 : A.aluRmImm; }
    } else switch (b) {
      case 0x06: case 0x0e: case 0x16: case 0x1e: i.reg = b >> 3; h = D.pushSreg; break;
      case 0x07: case 0x17: case 0x1f: i.reg = b >> 3; h = D.popSreg; break;
      case 0x27: h = A.daa; break;
      case 0x2f: h = A.das; break;
      case 0x37: h = A.aaa; break;
      case 0x3f: h = A.aas; break;
      case 0x40: case 0x41: case 0x42: case 0x43: case 0x44: case 0x45: case 0x46: case 0x47:
        i.rm = b & 7; i.op = 0; h = osv === 4 ? Q.incDec32 : A.incDec; break;
      case 0x48: case 0x49: case 0x4a: case 0x4b: case 0x4c: case 0x4d: case 0x4e: case 0x4f:
        i.rm = b & 7; i.op = 1; h = osv === 4 ? Q.incDec32 : A.incDec; break;
      case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57:
        i.reg = b & 7; h = osv === 4 ? D.pushReg32 : D.pushReg; break;
      case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f:
        i.reg = b & 7; h = osv === 4 ? D.popReg32 : D.popReg; break;
      case 0x60: h = D.pusha; break;
      case 0x61: h = D.popa; break;
      case 0x62: modrm(); h = i.mem ? D.bound : ud; break;
      case 0x63: modrm(); i.os = 2; h = Y.arpl; break;
      case 0x68: i.imm = rd.imm(osv); h = D.pushImm; break;
      case 0x69: modrm(); i.imm = rd.imm(osv); h = A.imul3; break;
      case 0x6a: { const v = rd.imm8s(); i.imm = osv === 4 ? v >>> 0 : v & 0xffff; h = D.pushImm; break; }
      case 0x6b: { modrm(); const v = rd.imm8s(); i.imm = osv === 4 ? v >>> 0 : v & 0xffff; h = A.imul3; break; }
      case 0x6c: i.os = 1; h = S.ins; break;
      case 0x6d: h = S.ins; break;
      case 0x6e: i.os = 1; h = S.outs; break;
      case 0x6f: h = S.outs; break;
      case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77:
      case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f:
        i.op = b & 15; i.imm = rd.imm8s(); h = osv === 4 ? Q.jcc32 : C.jcc; break;
      case 0x80: case 0x82: i.os = 1; modrm(); i.op = i.reg; i.imm = rd.byte(); h = A.aluRmImm; break;
      case 0x81: modrm(); i.op = i.reg; i.imm = rd.imm(osv) | 0; h = osv === 4 && !i.mem ? Q.aluRI32 : A.aluRmImm; break;
      case 0x83: { modrm(); i.op = i.reg; const v = rd.imm8s(); i.imm = osv === 4 ? v : v & 0xffff; h = osv === 4 && !i.mem ? Q.aluRI32 : A.aluRmImm; break; }
      case 0x84: i.os = 1; modrm(); h = A.testRmReg; break;
      case 0x85: modrm(); h = osv === 4 && !i.mem ? Q.testRR32 : A.testRmReg; break;
      case 0x86: i.os = 1; modrm(); h = D.xchgRmReg; break;
      case 0x87: modrm(); h = D.xchgRmReg; break;
      case 0x88: i.os = 1; modrm(); h = D.movRmReg; break;
      case 0x89: modrm(); h = i.mem ? (osv === 4 ? Q.movStore32 : D.movRmReg) : (osv === 4 ? Q.movRR32 : D.movRmRegRR); break;
      case 0x8a: i.os = 1; modrm(); h = D.movRegRm; break;
      case 0x8b:
        modrm();
        if (i.mem) h = osv === 4 ? D.movReg32Mem : D.movRegRm;
        else if (osv === 4) { const t = i.reg; i.reg = i.rm; i.rm = t; h = Q.movRR32; }
        else h = D.movRegRm;
        break;
      case 0x8c: modrm(); h = D.movRmSreg; break;
      case 0x8d: modrm(); h = i.mem ? (osv === 4 && as32 ? Q.lea32 : D.lea) : ud; break;
      case 0x8e: modrm(); i.os = 2; h = i.reg === 1 || i.reg > 5 ? ud : D.movSregRm; break;
      case 0x8f: modrm(); h = i.reg === 0 ? D.popRm : ud; break;
      case 0x90: h = D.nop; break; // also pause (f3 90)
      case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97:
        i.mem = 0; i.rm = b & 7; i.reg = 0; h = D.xchgRmReg; break;
      case 0x98: h = A.cbw; break;
      case 0x99: h = A.cwd; break;
      case 0x9a: i.imm = rd.imm(osv); i.imm2 = rd.imm16(); h = C.callFarImm; break;
      case 0x9b: h = F.fwait; break;
      case 0x9c: h = D.pushf; break;
      case 0x9d: h = D.popf; break;
      case 0x9e: h = A.sahf; break;
      case 0x9f: h = A.lahf; break;
      case 0xa0: case 0xa1: case 0xa2: case 0xa3:
        if (!(b & 1)) i.os = 1;
        i.mem = 1; i.base = -1; i.index = -1; i.disp = as32 ? rd.imm32() | 0 : rd.imm16();
        i.reg = 0;
        h = b & 2 ? D.movRmReg : D.movRegRm; break;
      case 0xa4: i.os = 1; h = S.movs; break;
      case 0xa5: h = S.movs; break;
      case 0xa6: i.os = 1; h = S.cmps; break;
      case 0xa7: h = S.cmps; break;
      case 0xa8: i.os = 1; i.mem = 0; i.rm = 0; i.imm = rd.byte(); h = A.testRmImm; break;
      case 0xa9: i.mem = 0; i.rm = 0; i.imm = rd.imm(osv); h = A.testRmImm; break;
      case 0xaa: i.os = 1; h = S.stos; break;
      case 0xab: h = S.stos; break;
      case 0xac: i.os = 1; h = S.lods; break;
      case 0xad: h = S.lods; break;
      case 0xae: i.os = 1; h = S.scas; break;
      case 0xaf: h = S.scas; break;
      case 0xb0: case 0xb1: case 0xb2: case 0xb3: case 0xb4: case 0xb5: case 0xb6: case 0xb7:
        i.os = 1; i.mem = 0; i.rm = b & 7; i.imm = rd.byte(); h = D.movRmImm; break;
      case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf:
        i.mem = 0; i.rm = b & 7; i.imm = rd.imm(osv); h = osv === 4 ? D.movReg32Imm : D.movRmImm; break;
      case 0xc0: i.os = 1; modrm(); i.op = i.reg; i.imm = rd.byte(); h = A.shift; break;
      case 0xc1: modrm(); i.op = i.reg; i.imm = rd.byte(); h = A.shift; break;
      case 0xc2: i.imm = rd.imm16(); h = C.retNear; break;
      case 0xc3: i.imm = 0; h = osv === 4 ? C.retNear32 : C.retNear; break;
      case 0xc4: modrm(); i.op = 0; h = i.mem ? D.loadFarPointer : ud; break;
      case 0xc5: modrm(); i.op = 3; h = i.mem ? D.loadFarPointer : ud; break;
      case 0xc6: i.os = 1; modrm(); i.imm = rd.byte(); h = i.reg === 0 ? D.movRmImm : ud; break;
      case 0xc7: modrm(); i.imm = rd.imm(osv); h = i.reg === 0 ? (i.mem && osv === 4 ? Q.movStoreImm32 : D.movRmImm) : ud; break;
      case 0xc8: i.imm = rd.imm16(); i.imm2 = rd.byte(); h = D.enter; break;
      case 0xc9: h = D.leave; break;
      case 0xca: i.imm = rd.imm16(); h = C.retFarImm; break;
      case 0xcb: i.imm = 0; h = C.retFarImm; break;
      case 0xcc: i.imm = 3; h = C.intN; break;
      case 0xcd: i.imm = rd.byte(); h = C.intN; break;
      case 0xce: h = C.into; break;
      case 0xcf: h = C.iretOp; break;
      case 0xd0: i.os = 1; modrm(); i.op = i.reg; i.imm = 1; h = A.shift; break;
      case 0xd1: modrm(); i.op = i.reg; i.imm = 1; h = A.shift; break;
      case 0xd2: i.os = 1; modrm(); i.op = i.reg; i.imm = -1; h = A.shift; break;
      case 0xd3: modrm(); i.op = i.reg; i.imm = -1; h = A.shift; break;
      case 0xd4: i.imm = rd.byte(); h = A.aam; break;
      case 0xd5: i.imm = rd.byte(); h = A.aad; break;
      case 0xd6: h = A.salc; break;
      case 0xd7: i.os = 1; h = D.xlat; break;
      case 0xd8: case 0xd9: case 0xda: case 0xdb: case 0xdc: case 0xdd: case 0xde: case 0xdf:
        modrm(); i.op = ((b & 7) << 3) | i.reg; h = F.x87; break;
      case 0xe0: case 0xe1: case 0xe2: i.op = b & 3; i.imm = rd.imm8s(); h = C.loop; break;
      case 0xe3: i.imm = rd.imm8s(); h = C.jcxz; break;
      case 0xe4: i.os = 1; i.imm = rd.byte(); h = D.inOp; break;
      case 0xe5: i.imm = rd.byte(); h = D.inOp; break;
      case 0xe6: i.os = 1; i.imm = rd.byte(); h = D.outOp; break;
      case 0xe7: i.imm = rd.byte(); h = D.outOp; break;
      case 0xe8: i.imm = rd.imm(osv) | 0; if (osv === 2) i.imm = (i.imm << 16) >> 16; h = C.callRel; break;
      case 0xe9: i.imm = rd.imm(osv) | 0; if (osv === 2) i.imm = (i.imm << 16) >> 16; h = C.jmpRel; break;
      case 0xea: i.imm = rd.imm(osv); i.imm2 = rd.imm16(); h = C.jmpFarImm; break;
      case 0xeb: i.imm = rd.imm8s(); h = C.jmpRel; break;
      case 0xec: i.os = 1; i.imm = -1; h = D.inOp; break;
      case 0xed: i.imm = -1; h = D.inOp; break;
      case 0xee: i.os = 1; i.imm = -1; h = D.outOp; break;
      case 0xef: i.imm = -1; h = D.outOp; break;
      case 0xf1: i.imm = 1; h = C.int1; break;
      case 0xf4: h = Y.hlt; break;
      case 0xf5: h = A.cmc; break;
      case 0xf6: case 0xf7:
        if (b === 0xf6) i.os = 1;
        modrm(); i.op = i.reg;
        if (i.reg < 2) { i.imm = rd.imm(i.os); h = A.testRmImm; }
        else h = [ud, ud, A.notRm, A.negRm, A.mul, A.imul1, A.div, A.idiv][i.reg];
        break;
      case 0xf8: h = A.clc; break;
      case 0xf9: h = A.stc; break;
      case 0xfa: h = Y.cli; break;
      case 0xfb: h = Y.sti; break;
      case 0xfc: h = A.cld; break;
      case 0xfd: h = A.std; break;
      case 0xfe: i.os = 1; modrm(); i.op = i.reg; h = i.reg < 2 ? A.incDecRm : ud; break;
      case 0xff:
        modrm(); i.op = i.reg;
        switch (i.reg) {
          case 0: case 1: h = A.incDecRm; break;
          case 2: h = C.callRm; break;
          case 3: h = i.mem ? C.callFarMem : ud; break;
          case 4: h = C.jmpRm; break;
          case 5: h = i.mem ? C.jmpFarMem : ud; break;
          case 6: h = D.pushRm; break;
          default: h = ud;
        }
        break;
      default: h = ud;
    }
  } else {
    b = rd.byte();
    i.opcode = 0x100 | b;
    switch (b) {
      case 0x00: modrm(); h = Y.group6; break;
      case 0x01: modrm(); h = Y.group7; break;
      case 0x02: modrm(); h = Y.lar; break;
      case 0x03: modrm(); h = Y.lsl; break;
      case 0x06: h = Y.clts; break;
      case 0x08: case 0x09: h = Y.privilegedNop; break;
      case 0x0b: h = ud; break;
      case 0x0d: modrm(); h = D.nop; break;
      case 0x18: case 0x19: case 0x1a: case 0x1b: case 0x1c: case 0x1d: case 0x1e: case 0x1f:
        modrm(); h = D.nop; break; // hint nops, prefetch, endbr32 (f3 0f 1e fb)
      case 0x20: case 0x22: modrm(); i.mem = 0; h = b === 0x20 ? Y.movFromCr : Y.movToCr; break;
      case 0x21: case 0x23: modrm(); i.mem = 0; h = b === 0x21 ? Y.movFromDr : Y.movToDr; break;
      case 0x30: h = Y.wrmsr; break;
      case 0x31: h = Y.rdtsc; break;
      case 0x32: h = Y.rdmsr; break;
      case 0x40: case 0x41: case 0x42: case 0x43: case 0x44: case 0x45: case 0x46: case 0x47:
      case 0x48: case 0x49: case 0x4a: case 0x4b: case 0x4c: case 0x4d: case 0x4e: case 0x4f:
        modrm(); i.op = b & 15; h = A.cmov; break;
      case 0x80: case 0x81: case 0x82: case 0x83: case 0x84: case 0x85: case 0x86: case 0x87:
      case 0x88: case 0x89: case 0x8a: case 0x8b: case 0x8c: case 0x8d: case 0x8e: case 0x8f:
        i.op = b & 15; i.imm = rd.imm(osv) | 0; if (osv === 2) i.imm = (i.imm << 16) >> 16; h = osv === 4 ? Q.jcc32 : C.jcc; break;
      case 0x90: case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97:
      case 0x98: case 0x99: case 0x9a: case 0x9b: case 0x9c: case 0x9d: case 0x9e: case 0x9f:
        i.os = 1; modrm(); i.op = b & 15; h = A.setcc; break;
      case 0xa0: case 0xa8: i.reg = b === 0xa0 ? 4 : 5; h = D.pushSreg; break;
      case 0xa1: case 0xa9: i.reg = b === 0xa1 ? 4 : 5; h = D.popSreg; break;
      case 0xa2: h = Y.cpuid; break;
      case 0xa3: modrm(); i.op = 0; h = A.btRmReg; break;
      case 0xa4: modrm(); i.imm = rd.byte(); i.op = 0; h = A.shiftDouble; break;
      case 0xa5: modrm(); i.imm = -1; i.op = 0; h = A.shiftDouble; break;
      case 0xab: modrm(); i.op = 1; h = A.btRmReg; break;
      case 0xac: modrm(); i.imm = rd.byte(); i.op = 1; h = A.shiftDouble; break;
      case 0xad: modrm(); i.imm = -1; i.op = 1; h = A.shiftDouble; break;
      case 0xae: modrm(); h = F.group15; break;
      case 0xaf: modrm(); h = A.imul2; break;
      case 0xb0: i.os = 1; modrm(); h = A.cmpxchg; break;
      case 0xb1: modrm(); h = A.cmpxchg; break;
      case 0xb2: modrm(); i.op = 2; h = i.mem ? D.loadFarPointer : ud; break;
      case 0xb3: modrm(); i.op = 2; h = A.btRmReg; break;
      case 0xb4: modrm(); i.op = 4; h = i.mem ? D.loadFarPointer : ud; break;
      case 0xb5: modrm(); i.op = 5; h = i.mem ? D.loadFarPointer : ud; break;
      case 0xb6: case 0xb7: case 0xbe: case 0xbf: {
        const dst = i.os;
        i.os = b & 1 ? 2 : 1; // source size
        modrm();
        i.op = dst;
        h = b & 8 ? A.movsx : A.movzx; break;
      }
      case 0xba: modrm(); i.imm = rd.byte(); i.op = i.reg - 4; h = i.reg >= 4 ? A.btRmImm : ud; break;
      case 0xbb: modrm(); i.op = 3; h = A.btRmReg; break;
      case 0xbc: modrm(); h = A.bsf; break; // rep bsf (tzcnt) executes as bsf: BMI1 is not advertised
      case 0xbd: modrm(); h = A.bsr; break;
      case 0xc0: i.os = 1; modrm(); h = A.xadd; break;
      case 0xc1: modrm(); h = A.xadd; break;
      case 0xc7: modrm(); h = i.reg === 1 && i.mem ? A.cmpxchg8b : ud; break;
      case 0xc8: case 0xc9: case 0xca: case 0xcb: case 0xcc: case 0xcd: case 0xce: case 0xcf:
        i.rm = b & 7; h = A.bswap; break;
      default: h = ud;
    }
  }
  i.exec = h;
  // Keep every field a small integer (int32): V8 then stores them unboxed.
  i.imm |= 0; i.imm2 |= 0; i.disp |= 0;
  if (i.lock && !lockAllowed(i)) i.exec = ud;
  i.len = rd.n;
  return i;
}

/** lock is only valid on read-modify-write instructions with a memory destination. */
function lockAllowed(i: Insn): boolean {
  if (!i.mem) return false;
  const o = i.opcode;
  if (o < 0x40 && (o & 7) < 2) return (o >> 3) !== 7;
  if (o === 0x80 || o === 0x81 || o === 0x83) return i.op !== 7;
  if (o === 0x86 || o === 0x87) return true;
  if ((o === 0xf6 || o === 0xf7) && (i.op === 2 || i.op === 3)) return true;
  if ((o === 0xfe || o === 0xff) && i.op < 2) return true;
  if (o === 0x1ab || o === 0x1b3 || o === 0x1bb || o === 0x1b0 || o === 0x1b1 || o === 0x1c0 || o === 0x1c1 || o === 0x1c7) return true;
  if (o === 0x1ba && i.op > 0) return true;
  return false;
}
