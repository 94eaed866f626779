// vecgen — records real-hardware test vectors for the ksim i686 interpreter.
//
// Built with `gcc -m32` and run natively on the x86-64 host (which executes 32-bit code in compatibility
// mode), it executes every instruction form listed in build_forms() with edge-case and random operands and
// random incoming flags, and records what the silicon did: registers, the bytes of every memory window the
// instruction may touch, and EFLAGS. Flags (and, for bsf/bsr on a zero source, the destination) that the
// Intel SDM leaves undefined are excluded from comparison per case; README.md in the parent folder lists the
// rules with their SDM references.
//
// How one case runs on the host: the generator writes a tiny routine into an RWX page mapped at a fixed low
// address (CODE_BASE). The prologue saves the host state, loads EFLAGS and all eight GPRs (ESP last) with
// immediates, and jumps to TEST_EIP, where the instruction under test sits; the epilogue right after it stores
// ESP, EFLAGS and the GPRs to a scratch page and returns to C. Data windows live in a fixed region
// (DATA_BASE..DATA_BASE+DATA_SIZE) so that the ksim side can put the same bytes at the same addresses: a case
// replays in ksim as "bytes at TEST_EIP, registers, flags, windows; one step; compare".
//
// Output: one file per family in the directory given as argv[1] (format documented at write_case()).
// Everything is deterministic: the PRNG is seeded from the form's name.

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define CODE_BASE 0x00100000u
#define TEST_EIP 0x00100800u
#define SCRATCH 0x00101000u
#define OUT_REGS (SCRATCH + 0x100)
#define OUT_FLAGS (SCRATCH + 0x120)
#define SAVE_ESP (SCRATCH + 0x200)
#define FLAG_STACK (SCRATCH + 0x400)
#define EPI_STACK (SCRATCH + 0x600)
#define DATA_BASE 0x00200000u
#define DATA_SIZE 0x00200000u
#define DATA_MID (DATA_BASE + DATA_SIZE / 2)
#define LOW_BASE 0x00001000u /* the low region reachable through 16-bit addressing */
#define LOW_SIZE 0x0000f000u

#define CASES_PER_FORM 512

enum { EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI };
#define F_CF 0x001u
#define F_PF 0x004u
#define F_AF 0x010u
#define F_ZF 0x040u
#define F_SF 0x080u
#define F_OF 0x800u
#define F_DF 0x400u
#define F_ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)
#define F_COMPARED (F_ARITH | F_DF)

// ---------------------------------------------------------------------------------------------- PRNG
static uint64_t rng_state;
static uint32_t rnd(void) { // xorshift64*, upper half
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}
static uint32_t rndn(uint32_t n) { return rnd() % n; }
static void seed_from(const char *s) {
  uint64_t h = 0xcbf29ce484222325ULL; // FNV-1a
  for (; *s; s++) h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
  rng_state = h ? h : 1;
}
// Operand values: edges of every width (0, 1, sign boundaries, all-ones) mixed with small and random ones.
static const uint32_t EDGES[] = {0,          1,          2,          0x7f,       0x80,       0x81,
                                 0xfe,       0xff,       0x100,      0x7fff,     0x8000,     0x8001,
                                 0xfffe,     0xffff,     0x10000,    0x7fffffff, 0x80000000, 0x80000001,
                                 0xfffffffe, 0xffffffff, 0x0f0f0f0f, 0xf0f0f0f0, 0x55555555, 0xaaaaaaaa};
static uint32_t rnd_value(void) {
  switch (rndn(8)) {
  case 0: case 1: return EDGES[rndn(sizeof EDGES / sizeof EDGES[0])];
  case 2: return rndn(0x40);
  case 3: return (uint32_t)-(int32_t)rndn(0x40);
  case 4: return EDGES[rndn(sizeof EDGES / sizeof EDGES[0])] ^ (1u << rndn(32));
  default: return rnd();
  }
}

// ---------------------------------------------------------------------------------------------- forms
enum Kind { K_MODRM, K_OPREG, K_PLAIN, K_LEA };
enum Special {
  SP_NONE, SP_SHIFT_CL, SP_SHIFT_IMM, SP_DIV, SP_IDIV, SP_BT_STRING, SP_BSF, SP_CMPXCHG, SP_CMPXCHG8B,
  SP_STRING, SP_STACK, SP_XLAT, SP_LEAVE, SP_AAM
};
enum Rule { R_STATIC, R_SHIFT, R_ROT, R_RC, R_SHXD, R_BSF };

typedef struct Form {
  char name[64];
  int family;
  uint8_t pfx[2];
  int npfx;
  uint8_t op[3];
  int nop;
  int kind;
  int size;      // operand size in bits: selects value ranges and flag rules
  int digit;     // ModRM reg field for /digit forms, -1 when it names a register operand
  int mem;       // 1: the r/m operand is memory
  int imm;       // immediate bytes
  int special;
  uint32_t undef; // flags the SDM leaves undefined for every case of this form
  int rule;       // count- or value-dependent undefined flags
  int shiftKind;  // for R_SHIFT: 0 shl, 1 shr, 2 sar
  int hostF3;     // recorded bytes get an f3 prefix the host does not execute (rep bsf/bsr = bsf/bsr)
  uint32_t reserved; // registers the special sets: never used as base/index of a memory operand
  int addr16;        // memory operand through 16-bit addressing (0x67 prefix): [bx+si], [bp+di+disp8]...
} Form;

static const char *FAMILIES[] = {"alu", "incdec", "shift", "muldiv", "convert", "bits", "cond", "atomic",
                                 "flags", "string", "stack-lea", "addr16"};
enum { FAM_ALU, FAM_INCDEC, FAM_SHIFT, FAM_MULDIV, FAM_CONVERT, FAM_BITS, FAM_COND, FAM_ATOMIC, FAM_FLAGS,
       FAM_STRING, FAM_STACK, FAM_ADDR16, FAM_COUNT };

static Form forms[1200];
static int nforms;

static Form *add_form(int family, const char *name, int kind, int size, int mem) {
  Form *f = &forms[nforms++];
  memset(f, 0, sizeof *f);
  snprintf(f->name, sizeof f->name, "%s", name);
  f->family = family;
  f->kind = kind;
  f->size = size;
  f->mem = mem;
  f->digit = -1;
  if (size == 16) f->pfx[f->npfx++] = 0x66;
  return f;
}
static void set_op(Form *f, int n, uint8_t a, uint8_t b, uint8_t c) {
  f->nop = n;
  f->op[0] = a;
  f->op[1] = b;
  f->op[2] = c;
}
static const char *szname(int size) { return size == 8 ? "8" : size == 16 ? "16" : "32"; }

// ---------------------------------------------------------------------------------------------- one case
typedef struct Window {
  uint32_t addr;
  uint16_t len;
  uint8_t in[128];
  uint8_t out[128];
} Window;

typedef struct Case {
  uint8_t code[16];
  int ncode;
  uint32_t regs[8];
  uint32_t flags;
  uint32_t outRegs[8];
  uint32_t outFlags;
  uint32_t flagMask; // compared flags
  uint8_t regMask;   // compared registers
  Window win[3];
  int nwin;
  // decoded view of the operands, for the specials and the flag rules
  int rmIsMem, rmReg, regField;
  int immOffset; // offset of the immediate in code[]
  uint32_t count; // shift/rotate count as executed
} Case;

static void emit(Case *c, uint8_t b) { c->code[c->ncode++] = b; }
static void emit32(Case *c, uint32_t v) {
  for (int i = 0; i < 4; i++) emit(c, (uint8_t)(v >> (8 * i)));
}
static Window *add_window(Case *c, uint32_t addr, int len) {
  Window *w = &c->win[c->nwin++];
  w->addr = addr;
  w->len = (uint16_t)len;
  for (int i = 0; i < len; i++) w->in[i] = (uint8_t)rnd();
  return w;
}
static int pick_reg_excluding(uint32_t excl) {
  for (;;) {
    int r = (int)rndn(8);
    if (!(excl & (1u << r))) return r;
  }
}
// Emits a ModRM (+SIB, +displacement) that addresses `ea`, and sets base/index registers so it does.
static void emit_mem_operand(Case *c, int regField, uint32_t ea, uint32_t reserved) {
  uint32_t excl = reserved | (1u << ESP);
  int mode = (int)rndn(5);
  if (mode == 0) { // [base]
    int b = pick_reg_excluding(excl | (1u << EBP));
    emit(c, (uint8_t)((regField << 3) | b));
    c->regs[b] = ea;
  } else if (mode == 1 || mode == 2) { // [base+disp8] / [base+disp32]
    int b = pick_reg_excluding(excl);
    int32_t disp = mode == 1 ? (int32_t)(int8_t)rnd() : (int32_t)rnd();
    emit(c, (uint8_t)(((mode == 1 ? 1 : 2) << 6) | (regField << 3) | b));
    if (mode == 1) emit(c, (uint8_t)disp); else emit32(c, (uint32_t)disp);
    c->regs[b] = ea - (uint32_t)disp;
  } else if (mode == 3) { // [base+index*scale+disp8]
    int b = pick_reg_excluding(excl);
    int x = pick_reg_excluding(excl | (1u << b));
    int ss = (int)rndn(4);
    int32_t disp = (int32_t)(int8_t)rnd();
    int32_t index = (int32_t)rndn(0x200) - 0x100;
    emit(c, (uint8_t)((1 << 6) | (regField << 3) | 4));
    emit(c, (uint8_t)((ss << 6) | (x << 3) | b));
    emit(c, (uint8_t)disp);
    c->regs[x] = (uint32_t)index;
    c->regs[b] = ea - (uint32_t)disp - ((uint32_t)index << ss);
  } else { // [disp32]
    emit(c, (uint8_t)((regField << 3) | 5));
    emit32(c, ea);
  }
}

// 16-bit addressing: the effective address is (base + index + disp) mod 64 KiB; the upper halves of the
// registers must be ignored, so they get random bits. `ea` lies in the low region mapped at LOW_BASE.
static void emit_mem_operand16(Case *c, int regField, uint32_t ea) {
  static const int r1[8] = {EBX, EBX, EBP, EBP, ESI, EDI, EBP, EBX};
  static const int r2[8] = {ESI, EDI, ESI, EDI, -1, -1, -1, -1};
  int mod = (int)rndn(3), rm = (int)rndn(8);
  emit(c, (uint8_t)((mod << 6) | (regField << 3) | rm));
  if (mod == 0 && rm == 6) { emit(c, (uint8_t)ea); emit(c, (uint8_t)(ea >> 8)); return; }
  uint32_t disp = 0;
  if (mod == 1) { disp = (uint32_t)(int32_t)(int8_t)rnd(); emit(c, (uint8_t)disp); }
  else if (mod == 2) { disp = rnd() & 0xffff; emit(c, (uint8_t)disp); emit(c, (uint8_t)(disp >> 8)); }
  uint32_t v2 = r2[rm] >= 0 ? rnd() & 0xffff : 0;
  uint32_t v1 = (ea - disp - v2) & 0xffff;
  c->regs[r1[rm]] = (rnd() & 0xffff0000u) | v1;
  if (r2[rm] >= 0) c->regs[r2[rm]] = (rnd() & 0xffff0000u) | v2;
}

static uint32_t reg_read(const uint32_t *regs, int size, int r) {
  if (size == 8) return r < 4 ? regs[r] & 0xff : (regs[r - 4] >> 8) & 0xff;
  if (size == 16) return regs[r] & 0xffff;
  return regs[r];
}
static void reg_write(uint32_t *regs, int size, int r, uint32_t v) {
  if (size == 8) {
    if (r < 4) regs[r] = (regs[r] & ~0xffu) | (v & 0xff);
    else regs[r - 4] = (regs[r - 4] & ~0xff00u) | ((v & 0xff) << 8);
  } else if (size == 16) regs[r] = (regs[r] & ~0xffffu) | (v & 0xffff);
  else regs[r] = v;
}
static uint32_t win_read(const Window *w, int size) {
  uint32_t v = 0;
  for (int i = 0; i < size / 8; i++) v |= (uint32_t)w->in[i] << (8 * i);
  return v;
}
static void win_write(Window *w, int size, uint32_t v) {
  for (int i = 0; i < size / 8; i++) w->in[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t rm_read(const Form *f, const Case *c) {
  return c->rmIsMem ? win_read(&c->win[0], f->size) : reg_read(c->regs, f->size, c->rmReg);
}
static void rm_write(const Form *f, Case *c, uint32_t v) {
  if (c->rmIsMem) win_write(&c->win[0], f->size, v); else reg_write(c->regs, f->size, c->rmReg, v);
}
static uint32_t size_mask(int size) { return size == 32 ? 0xffffffffu : (1u << size) - 1; }

static uint8_t shift_count_choice(const Form *f) {
  static const uint8_t fixed[] = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 255, 0x81};
  uint8_t n = (rndn(3) == 0) ? (uint8_t)rnd() : fixed[rndn(sizeof fixed)];
  if (f->rule == R_SHXD && f->size == 16) {
    while ((n & 31) > 16) n = (uint8_t)rndn(256); // counts > 16 leave a 16-bit SHLD/SHRD undefined (SDM)
  }
  return n;
}

// Returns 0 when the case must be regenerated (e.g. a divide that would raise #DE).
static int div_ok(const Form *f, const Case *c, int isSigned) {
  uint32_t d = rm_read(f, c);
  if (d == 0) return 0;
  if (f->size == 8) {
    uint32_t ax = c->regs[EAX] & 0xffff;
    if (!isSigned) return ax / d <= 0xff;
    int32_t q = (int32_t)(int16_t)ax / (int32_t)(int8_t)d;
    return q >= -128 && q <= 127;
  }
  if (f->size == 16) {
    uint32_t n = ((c->regs[EDX] & 0xffff) << 16) | (c->regs[EAX] & 0xffff);
    if (!isSigned) return n / d <= 0xffff;
    if ((int32_t)n == INT32_MIN && (int16_t)d == -1) return 0;
    int32_t q = (int32_t)n / (int32_t)(int16_t)d;
    return q >= -32768 && q <= 32767;
  }
  uint64_t n = ((uint64_t)c->regs[EDX] << 32) | c->regs[EAX];
  if (!isSigned) return n / d <= 0xffffffffull;
  int64_t sn = (int64_t)n;
  if (sn == INT64_MIN) return 0;
  int64_t q = sn / (int64_t)(int32_t)d;
  return q >= INT32_MIN && q <= INT32_MAX;
}

static int make_case(const Form *f, Case *c) {
  memset(c, 0, sizeof *c);
  for (int r = 0; r < 8; r++) c->regs[r] = rnd_value();
  c->flags = 0x202u | (rnd() & F_COMPARED);
  c->regMask = 0xff;
  c->rmIsMem = f->mem;
  for (int i = 0; i < f->npfx; i++) emit(c, f->pfx[i]);

  uint32_t ea = DATA_MID - 0x1000 + rndn(0x2000); // memory operand address: any alignment
  uint32_t reserved = f->reserved;
  int32_t btOffset = 0;
  if (f->special == SP_BT_STRING) {
    // Bit-string addressing: the register holds a signed bit offset that may point far outside the
    // operand; the accessed unit is EA + size/8 * (offset SAR log2(size)).
    switch (rndn(4)) {
    case 0: btOffset = (int32_t)rndn(64) - 32; break;
    case 1: btOffset = (int32_t)rndn(1 << 21) - (1 << 20); break;
    default: btOffset = (int32_t)rndn(1 << 14) - (1 << 13); break;
    }
    if (f->size == 16) btOffset = (int16_t)btOffset;
  }

  if (f->kind == K_MODRM) {
    for (int i = 0; i < f->nop; i++) emit(c, f->op[i]);
    int regField = f->digit >= 0 ? f->digit : (int)rndn(8);
    if (f->special == SP_BT_STRING) regField = pick_reg_excluding(1u << ESP);
    c->regField = regField;
    if (f->mem) {
      uint32_t excl = reserved;
      if (f->special == SP_BT_STRING) excl |= 1u << regField;
      uint32_t accessed = ea;
      if (f->special == SP_BT_STRING) {
        int shift = f->size == 16 ? 4 : 5;
        ea = accessed - (uint32_t)((btOffset >> shift) * (f->size / 8));
      }
      if (f->addr16) {
        accessed = LOW_BASE + 0x1000 + rndn(LOW_SIZE - 0x2000);
        emit_mem_operand16(c, regField, accessed);
      } else {
        emit_mem_operand(c, regField, ea, excl);
      }
      add_window(c, accessed, f->special == SP_CMPXCHG8B ? 8 : 4);
    } else {
      c->rmReg = (int)rndn(8);
      emit(c, (uint8_t)(0xc0 | (regField << 3) | c->rmReg));
    }
    if (f->special == SP_BT_STRING) reg_write(c->regs, f->size, regField, (uint32_t)btOffset);
  } else if (f->kind == K_OPREG) {
    for (int i = 0; i < f->nop - 1; i++) emit(c, f->op[i]);
    c->rmReg = (int)rndn(8);
    emit(c, (uint8_t)(f->op[f->nop - 1] + c->rmReg));
  } else if (f->kind == K_PLAIN) {
    for (int i = 0; i < f->nop; i++) emit(c, f->op[i]);
  } else { // K_LEA: any addressing form; lea only computes the address
    for (int i = 0; i < f->nop; i++) emit(c, f->op[i]);
    int mod = (int)rndn(3), rm = (int)rndn(8);
    emit(c, (uint8_t)((mod << 6) | (rndn(8) << 3) | rm));
    int addr16 = f->npfx && f->pfx[f->npfx - 1] == 0x67;
    if (!addr16 && rm == 4) emit(c, (uint8_t)rnd()); // SIB
    int sibBase5 = !addr16 && rm == 4 && (c->code[c->ncode - 1] & 7) == 5;
    if (mod == 1) emit(c, (uint8_t)rnd());
    else if (mod == 2 || (mod == 0 && (addr16 ? rm == 6 : (rm == 5 || sibBase5)))) {
      emit(c, (uint8_t)rnd());
      emit(c, (uint8_t)rnd());
      if (!addr16) { emit(c, (uint8_t)rnd()); emit(c, (uint8_t)rnd()); }
    }
  }

  c->immOffset = c->ncode;
  for (int i = 0; i < f->imm; i++) emit(c, (uint8_t)rnd());
  if (f->hostF3) {
    // recorded with an f3 prefix; the host runs it without (it would be TZCNT/LZCNT on a BMI1/ABM CPU)
    memmove(c->code + 1, c->code, (size_t)c->ncode);
    c->code[0] = 0xf3;
    c->ncode++;
    c->immOffset++;
  }

  switch (f->special) {
  case SP_SHIFT_CL: reg_write(c->regs, 8, ECX, shift_count_choice(f)); break;
  case SP_SHIFT_IMM: c->code[c->immOffset] = shift_count_choice(f); break;
  case SP_DIV: case SP_IDIV: {
    uint32_t d = rm_read(f, c);
    if (d == 0 || rndn(4) == 0) { d = rnd_value() & size_mask(f->size); if (!d) d = 3; rm_write(f, c, d); d = rm_read(f, c); }
    if (d == 0) return 0;
    uint32_t m = size_mask(f->size);
    uint32_t hi;
    if (f->special == SP_DIV) hi = rnd() % (d & m ? d & m : 1);
    else if (rndn(3) == 0) { uint32_t ad = f->size == 8 ? (uint32_t)abs((int8_t)d) : f->size == 16 ? (uint32_t)abs((int16_t)d) : (uint32_t)((int32_t)d < 0 ? -(int64_t)(int32_t)d : d);
      hi = rnd() % (ad / 2 + 1); if (rndn(2)) hi = (0u - hi) & m; }
    else hi = ((f->size == 8 ? (c->regs[EAX] >> 7) : f->size == 16 ? (c->regs[EAX] >> 15) : (c->regs[EAX] >> 31)) & 1) ? m : 0;
    if (f->size == 8) reg_write(c->regs, 8, 4 /* AH */, hi);
    else reg_write(c->regs, f->size, EDX, hi);
    if (!div_ok(f, c, f->special == SP_IDIV)) return 0;
    break;
  }
  case SP_BSF:
    if (rndn(6) == 0) rm_write(f, c, 0);
    else if (rndn(3) == 0) rm_write(f, c, 1u << rndn(f->size));
    break;
  case SP_CMPXCHG:
    if (rndn(2)) reg_write(c->regs, f->size, EAX, rm_read(f, c));
    break;
  case SP_CMPXCHG8B:
    if (rndn(2)) {
      c->regs[EAX] = win_read(&c->win[0], 32);
      Window tmp = c->win[0];
      memmove(tmp.in, tmp.in + 4, 4);
      c->regs[EDX] = win_read(&tmp, 32);
    }
    break;
  case SP_STRING: {
    // ESI/EDI in the middle of 48-byte windows: room for 5 elements in either direction
    int rep = 0;
    for (int i = 0; i < c->ncode; i++) if (c->code[i] == 0xf3 || c->code[i] == 0xf2) rep = 1;
    uint32_t src = DATA_MID - 0x3000 + rndn(0x800), dst = DATA_MID + 0x3000 + rndn(0x800);
    c->regs[ESI] = src;
    c->regs[EDI] = dst;
    Window *ws = add_window(c, src - 24, 48);
    Window *wd = add_window(c, dst - 24, 48);
    if (rndn(3)) { // make the strings (partially) equal so repe/repne stop at interesting places
      memcpy(wd->in, ws->in, 48);
      if (rndn(2)) wd->in[rndn(48)] ^= (uint8_t)(1u << rndn(8));
    }
    if (rndn(3) == 0) { // plant the accumulator in the destination for scas
      uint32_t a = c->regs[EAX];
      int pos = (int)rndn(44);
      memcpy(wd->in + pos, &a, 4);
    }
    if (rep) c->regs[ECX] = rndn(6);
    break;
  }
  case SP_STACK: {
    uint32_t sp = DATA_MID + 0x5000 + rndn(0x100) * 4 + (rndn(8) == 0 ? rndn(4) : 0);
    c->regs[ESP] = sp;
    add_window(c, sp - 48, 96);
    break;
  }
  case SP_LEAVE: {
    uint32_t bp = DATA_MID + 0x6000 + rndn(0x100) * 4;
    c->regs[EBP] = bp;
    c->regs[ESP] = bp - 16 - rndn(8) * 4;
    add_window(c, bp - 48, 96);
    if (f->imm == 3) c->code[c->immOffset + 2] = (uint8_t)rndn(3); // enter level
    break;
  }
  case SP_XLAT: {
    uint32_t table = DATA_MID - 0x8000 + rndn(0x1000);
    c->regs[EBX] = table;
    add_window(c, table + (c->regs[EAX] & 0xff), 1);
    break;
  }
  case SP_AAM:
    if (c->code[c->immOffset] == 0) c->code[c->immOffset] = 10;
    if (rndn(2)) c->code[c->immOffset] = 10;
    break;
  default: break;
  }

  // count-dependent undefined flags
  uint32_t undef = f->undef;
  if (f->special == SP_SHIFT_CL) c->count = c->regs[ECX] & 0xff;
  else if (f->special == SP_SHIFT_IMM) c->count = c->code[c->immOffset];
  else c->count = 1;
  uint32_t mc = c->count & 31;
  switch (f->rule) {
  case R_SHIFT: // SDM SAL/SAR/SHL/SHR "Flags Affected"
    if (mc) {
      undef |= F_AF;
      if (mc != 1) undef |= F_OF;
      if (mc >= (uint32_t)f->size && f->shiftKind != 2) undef |= F_CF;
    }
    break;
  case R_ROT: case R_RC: // SDM RCL/RCR/ROL/ROR "Flags Affected"
    if (mc != 1) undef |= F_OF;
    break;
  case R_SHXD: // SDM SHLD/SHRD "Flags Affected"
    if (mc) {
      undef |= F_AF;
      if (mc != 1) undef |= F_OF;
    }
    break;
  case R_BSF: // SDM BSF/BSR: zero source => ZF=1, destination undefined
    if (rm_read(f, c) == 0) c->regMask &= (uint8_t)~(1u << c->regField);
    break;
  }
  c->flagMask = F_COMPARED & ~undef;
  return 1;
}

// ---------------------------------------------------------------------------------------------- host run
static uint8_t *code_page;
static int g_hostF3;

static void run_on_host(Case *c) {
  uint8_t *p = code_page;
#define B(x) (*p++ = (uint8_t)(x))
#define D(x) do { uint32_t v_ = (uint32_t)(x); memcpy(p, &v_, 4); p += 4; } while (0)
  B(0x60);                       // pushad
  B(0x89); B(0x25); D(SAVE_ESP); // mov [SAVE_ESP], esp
  B(0xbc); D(FLAG_STACK);        // mov esp, FLAG_STACK
  B(0x68); D(c->flags);          // push flags
  B(0x9d);                       // popfd
  for (int r = 0; r < 8; r++) if (r != ESP) { B(0xb8 + r); D(c->regs[r]); }
  B(0xbc); D(c->regs[ESP]);      // mov esp, value
  B(0xe9); D(TEST_EIP - (CODE_BASE + (uint32_t)(p - code_page) + 4)); // jmp TEST_EIP
  p = code_page + (TEST_EIP - CODE_BASE);
  // the f3 of a recorded "rep bsf/bsr" is not executed on the host (see Form.hostF3)
  int start = g_hostF3 ? 1 : 0;
  for (int i = start; i < c->ncode; i++) B(c->code[i]);
  B(0x89); B(0x25); D(OUT_REGS + 16); // mov [OUT+16], esp
  B(0xbc); D(EPI_STACK);              // mov esp, EPI_STACK
  B(0x9c);                            // pushfd
  B(0xfc);                            // cld (the C code expects DF=0)
  B(0xa3); D(OUT_REGS);               // mov [OUT], eax
  static const uint8_t st[] = {0, 0x0d, 0x15, 0x1d, 0, 0x2d, 0x35, 0x3d};
  for (int r = 1; r < 8; r++) if (r != ESP) { B(0x89); B(st[r]); D(OUT_REGS + 4 * r); }
  B(0x58);                            // pop eax
  B(0xa3); D(OUT_FLAGS);              // mov [OUT_FLAGS], eax
  B(0x8b); B(0x25); D(SAVE_ESP);      // mov esp, [SAVE_ESP]
  B(0x61);                            // popad
  B(0xc3);                            // ret
#undef B
#undef D
  for (int i = 0; i < c->nwin; i++) memcpy((void *)(uintptr_t)c->win[i].addr, c->win[i].in, c->win[i].len);
  __builtin___clear_cache((char *)code_page, (char *)code_page + 4096);
  ((void (*)(void))(uintptr_t)CODE_BASE)();
  memcpy(c->outRegs, (void *)(uintptr_t)OUT_REGS, 32);
  memcpy(&c->outFlags, (void *)(uintptr_t)OUT_FLAGS, 4);
  for (int i = 0; i < c->nwin; i++) memcpy(c->win[i].out, (void *)(uintptr_t)c->win[i].addr, c->win[i].len);
}

// ---------------------------------------------------------------------------------------------- output
// File format (little-endian):
//   "KSIMVEC1", u32 testEip, u32 formCount, then per form: u8 nameLen, name, u32 caseCount, cases.
//   case: u8 codeLen, code; u32 regsIn[8]; u32 flagsIn; u32 regsOut[8] XOR regsIn[8]; u32 flagsOut;
//         u32 flagsCompared; u8 regsCompared (bit i = GPR i); u8 windowCount;
//         per window: u32 addr, u16 len, u8 before[len], u8 after[len] XOR before[len].
//   (Outputs are stored XOR their inputs: unchanged state becomes zeros, which gzip squeezes away.)
static void put(FILE *o, const void *p, size_t n) { fwrite(p, 1, n, o); }
static void put8(FILE *o, uint8_t v) { put(o, &v, 1); }
static void put16(FILE *o, uint16_t v) { put(o, &v, 2); }
static void put32(FILE *o, uint32_t v) { put(o, &v, 4); }
static void write_case(FILE *o, const Case *c) {
  put8(o, (uint8_t)c->ncode);
  put(o, c->code, (size_t)c->ncode);
  put(o, c->regs, 32);
  put32(o, c->flags);
  for (int r = 0; r < 8; r++) put32(o, c->outRegs[r] ^ c->regs[r]);
  put32(o, c->outFlags);
  put32(o, c->flagMask);
  put8(o, c->regMask);
  put8(o, (uint8_t)c->nwin);
  for (int i = 0; i < c->nwin; i++) {
    put32(o, c->win[i].addr);
    put16(o, c->win[i].len);
    put(o, c->win[i].in, c->win[i].len);
    for (int k = 0; k < c->win[i].len; k++) put8(o, c->win[i].out[k] ^ c->win[i].in[k]);
  }
}

// ---------------------------------------------------------------------------------------------- the list
static Form *modrm(int fam, const char *name, int size, int mem, int n, uint8_t a, uint8_t b, uint8_t c, int digit,
                   int imm) {
  Form *f = add_form(fam, name, K_MODRM, size, mem);
  set_op(f, n, a, b, c);
  f->digit = digit;
  f->imm = imm;
  return f;
}
static int immbytes(int size) { return size / 8; }

static void build_forms(void) {
  char nm[64];
  static const char *alu[] = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
  static const int sizes[] = {8, 16, 32};
  for (int o = 0; o < 8; o++) {
    uint32_t u = (o == 1 || o == 4 || o == 6) ? F_AF : 0; // SDM AND/OR/XOR: AF undefined
    for (int s = 0; s < 3; s++) {
      int sz = sizes[s], w = sz != 8;
      snprintf(nm, sizeof nm, "%s r/m%s, r%s (reg)", alu[o], szname(sz), szname(sz));
      modrm(FAM_ALU, nm, sz, 0, 1, (uint8_t)(o * 8 + w), 0, 0, -1, 0)->undef = u;
      snprintf(nm, sizeof nm, "%s m%s, r%s", alu[o], szname(sz), szname(sz));
      modrm(FAM_ALU, nm, sz, 1, 1, (uint8_t)(o * 8 + w), 0, 0, -1, 0)->undef = u;
      snprintf(nm, sizeof nm, "%s r%s, m%s", alu[o], szname(sz), szname(sz));
      modrm(FAM_ALU, nm, sz, 1, 1, (uint8_t)(o * 8 + 2 + w), 0, 0, -1, 0)->undef = u;
      snprintf(nm, sizeof nm, "%s r/m%s, imm%s (reg)", alu[o], szname(sz), szname(sz));
      modrm(FAM_ALU, nm, sz, 0, 1, (uint8_t)(0x80 + w), 0, 0, o, immbytes(sz))->undef = u;
      snprintf(nm, sizeof nm, "%s m%s, imm%s", alu[o], szname(sz), szname(sz));
      modrm(FAM_ALU, nm, sz, 1, 1, (uint8_t)(0x80 + w), 0, 0, o, immbytes(sz))->undef = u;
      snprintf(nm, sizeof nm, "%s %s, imm%s", alu[o], sz == 8 ? "al" : sz == 16 ? "ax" : "eax", szname(sz));
      Form *f = add_form(FAM_ALU, nm, K_PLAIN, sz, 0);
      set_op(f, 1, (uint8_t)(o * 8 + 4 + w), 0, 0);
      f->imm = immbytes(sz);
      f->undef = u;
      if (sz != 8) {
        snprintf(nm, sizeof nm, "%s r/m%s, imm8 sign-extended (reg)", alu[o], szname(sz));
        modrm(FAM_ALU, nm, sz, 0, 1, 0x83, 0, 0, o, 1)->undef = u;
        snprintf(nm, sizeof nm, "%s m%s, imm8 sign-extended", alu[o], szname(sz));
        modrm(FAM_ALU, nm, sz, 1, 1, 0x83, 0, 0, o, 1)->undef = u;
      }
    }
  }
  for (int s = 0; s < 3; s++) { // SDM TEST: AF undefined
    int sz = sizes[s], w = sz != 8;
    snprintf(nm, sizeof nm, "test r/m%s, r%s (reg)", szname(sz), szname(sz));
    modrm(FAM_ALU, nm, sz, 0, 1, (uint8_t)(0x84 + w), 0, 0, -1, 0)->undef = F_AF;
    snprintf(nm, sizeof nm, "test m%s, r%s", szname(sz), szname(sz));
    modrm(FAM_ALU, nm, sz, 1, 1, (uint8_t)(0x84 + w), 0, 0, -1, 0)->undef = F_AF;
    snprintf(nm, sizeof nm, "test r/m%s, imm%s (reg)", szname(sz), szname(sz));
    modrm(FAM_ALU, nm, sz, 0, 1, (uint8_t)(0xf6 + w), 0, 0, 0, immbytes(sz))->undef = F_AF;
    snprintf(nm, sizeof nm, "test m%s, imm%s", szname(sz), szname(sz));
    modrm(FAM_ALU, nm, sz, 1, 1, (uint8_t)(0xf6 + w), 0, 0, 0, immbytes(sz))->undef = F_AF;
    snprintf(nm, sizeof nm, "test %s, imm%s", sz == 8 ? "al" : sz == 16 ? "ax" : "eax", szname(sz));
    Form *f = add_form(FAM_ALU, nm, K_PLAIN, sz, 0);
    set_op(f, 1, (uint8_t)(0xa8 + w), 0, 0);
    f->imm = immbytes(sz);
    f->undef = F_AF;
  }

  // inc/dec/neg/not (all flags they affect are defined; NOT affects none)
  static const char *un[] = {"inc", "dec", "not", "neg"};
  static const int und[] = {0, 1, 2, 3};
  for (int o = 0; o < 4; o++)
    for (int s = 0; s < 3; s++) {
      int sz = sizes[s], w = sz != 8;
      int isIncDec = o < 2;
      uint8_t opc = isIncDec ? (uint8_t)(0xfe + w) : (uint8_t)(0xf6 + w);
      int digit = isIncDec ? und[o] : (o == 2 ? 2 : 3);
      snprintf(nm, sizeof nm, "%s r/m%s (reg)", un[o], szname(sz));
      modrm(FAM_INCDEC, nm, sz, 0, 1, opc, 0, 0, digit, 0);
      snprintf(nm, sizeof nm, "%s m%s", un[o], szname(sz));
      modrm(FAM_INCDEC, nm, sz, 1, 1, opc, 0, 0, digit, 0);
      if (isIncDec && sz != 8) {
        snprintf(nm, sizeof nm, "%s r%s (short form)", un[o], szname(sz));
        Form *f = add_form(FAM_INCDEC, nm, K_OPREG, sz, 0);
        set_op(f, 1, (uint8_t)(o == 0 ? 0x40 : 0x48), 0, 0);
      }
    }

  // shifts and rotates: /0 rol /1 ror /2 rcl /3 rcr /4 shl /5 shr /7 sar
  static const char *sh[] = {"rol", "ror", "rcl", "rcr", "shl", "shr", "", "sar"};
  for (int d = 0; d < 8; d++) {
    if (d == 6) continue;
    int rule = d < 2 ? R_ROT : d < 4 ? R_RC : R_SHIFT;
    for (int s = 0; s < 3; s++) {
      int sz = sizes[s], w = sz != 8;
      Form *f;
      snprintf(nm, sizeof nm, "%s r/m%s, 1", sh[d], szname(sz));
      f = modrm(FAM_SHIFT, nm, sz, 0, 1, (uint8_t)(0xd0 + w), 0, 0, d, 0);
      f->rule = rule; f->shiftKind = d == 4 ? 0 : d == 5 ? 1 : 2;
      snprintf(nm, sizeof nm, "%s r/m%s, cl", sh[d], szname(sz));
      f = modrm(FAM_SHIFT, nm, sz, 0, 1, (uint8_t)(0xd2 + w), 0, 0, d, 0);
      f->rule = rule; f->shiftKind = d == 4 ? 0 : d == 5 ? 1 : 2; f->special = SP_SHIFT_CL; f->reserved = 1u << ECX;
      snprintf(nm, sizeof nm, "%s r/m%s, imm8", sh[d], szname(sz));
      f = modrm(FAM_SHIFT, nm, sz, 0, 1, (uint8_t)(0xc0 + w), 0, 0, d, 1);
      f->rule = rule; f->shiftKind = d == 4 ? 0 : d == 5 ? 1 : 2; f->special = SP_SHIFT_IMM;
      snprintf(nm, sizeof nm, "%s m%s, cl", sh[d], szname(sz));
      f = modrm(FAM_SHIFT, nm, sz, 1, 1, (uint8_t)(0xd2 + w), 0, 0, d, 0);
      f->rule = rule; f->shiftKind = d == 4 ? 0 : d == 5 ? 1 : 2; f->special = SP_SHIFT_CL; f->reserved = 1u << ECX;
    }
  }
  for (int s = 1; s < 3; s++) {
    int sz = sizes[s];
    for (int r = 0; r < 2; r++) {
      const char *n = r ? "shrd" : "shld";
      Form *f;
      snprintf(nm, sizeof nm, "%s r/m%s, r%s, imm8 (reg)", n, szname(sz), szname(sz));
      f = modrm(FAM_SHIFT, nm, sz, 0, 2, 0x0f, (uint8_t)(r ? 0xac : 0xa4), 0, -1, 1);
      f->rule = R_SHXD; f->special = SP_SHIFT_IMM;
      snprintf(nm, sizeof nm, "%s r/m%s, r%s, cl (reg)", n, szname(sz), szname(sz));
      f = modrm(FAM_SHIFT, nm, sz, 0, 2, 0x0f, (uint8_t)(r ? 0xad : 0xa5), 0, -1, 0);
      f->rule = R_SHXD; f->special = SP_SHIFT_CL; f->reserved = 1u << ECX;
      snprintf(nm, sizeof nm, "%s m%s, r%s, imm8", n, szname(sz), szname(sz));
      f = modrm(FAM_SHIFT, nm, sz, 1, 2, 0x0f, (uint8_t)(r ? 0xac : 0xa4), 0, -1, 1);
      f->rule = R_SHXD; f->special = SP_SHIFT_IMM;
      snprintf(nm, sizeof nm, "%s m%s, r%s, cl", n, szname(sz), szname(sz));
      f = modrm(FAM_SHIFT, nm, sz, 1, 2, 0x0f, (uint8_t)(r ? 0xad : 0xa5), 0, -1, 0);
      f->rule = R_SHXD; f->special = SP_SHIFT_CL; f->reserved = 1u << ECX;
    }
  }

  // mul/imul/div/idiv (f6/f7 /4../7). SDM: MUL/IMUL leave SF ZF AF PF undefined; DIV/IDIV all six.
  static const char *md[] = {"mul", "imul", "div", "idiv"};
  for (int o = 0; o < 4; o++)
    for (int s = 0; s < 3; s++)
      for (int m = 0; m < 2; m++) {
        int sz = sizes[s], w = sz != 8;
        snprintf(nm, sizeof nm, "%s %s%s", md[o], m ? "m" : "r/m", szname(sz));
        if (!m) strcat(nm, " (reg)");
        Form *f = modrm(FAM_MULDIV, nm, sz, m, 1, (uint8_t)(0xf6 + w), 0, 0, 4 + o, 0);
        f->undef = o < 2 ? (F_SF | F_ZF | F_AF | F_PF) : F_ARITH;
        if (o >= 2) { f->special = o == 2 ? SP_DIV : SP_IDIV; f->reserved = (1u << EAX) | (1u << EDX); }
      }
  for (int s = 1; s < 3; s++)
    for (int m = 0; m < 2; m++) {
      int sz = sizes[s];
      Form *f;
      snprintf(nm, sizeof nm, "imul r%s, %s%s", szname(sz), m ? "m" : "r", szname(sz));
      f = modrm(FAM_MULDIV, nm, sz, m, 2, 0x0f, 0xaf, 0, -1, 0);
      f->undef = F_SF | F_ZF | F_AF | F_PF;
      snprintf(nm, sizeof nm, "imul r%s, %s%s, imm8", szname(sz), m ? "m" : "r", szname(sz));
      f = modrm(FAM_MULDIV, nm, sz, m, 1, 0x6b, 0, 0, -1, 1);
      f->undef = F_SF | F_ZF | F_AF | F_PF;
      snprintf(nm, sizeof nm, "imul r%s, %s%s, imm%s", szname(sz), m ? "m" : "r", szname(sz), szname(sz));
      f = modrm(FAM_MULDIV, nm, sz, m, 1, 0x69, 0, 0, -1, immbytes(sz));
      f->undef = F_SF | F_ZF | F_AF | F_PF;
    }

  // conversions and moves with extension, bswap
  {
    Form *f;
    f = add_form(FAM_CONVERT, "cbw", K_PLAIN, 16, 0); set_op(f, 1, 0x98, 0, 0);
    f = add_form(FAM_CONVERT, "cwde", K_PLAIN, 32, 0); set_op(f, 1, 0x98, 0, 0);
    f = add_form(FAM_CONVERT, "cwd", K_PLAIN, 16, 0); set_op(f, 1, 0x99, 0, 0);
    f = add_form(FAM_CONVERT, "cdq", K_PLAIN, 32, 0); set_op(f, 1, 0x99, 0, 0);
    for (int m = 0; m < 2; m++) {
      const char *k = m ? "m" : "r";
      snprintf(nm, sizeof nm, "movzx r16, %s8", k); modrm(FAM_CONVERT, nm, 16, m, 2, 0x0f, 0xb6, 0, -1, 0);
      snprintf(nm, sizeof nm, "movzx r32, %s8", k); modrm(FAM_CONVERT, nm, 32, m, 2, 0x0f, 0xb6, 0, -1, 0)->size = 8;
      snprintf(nm, sizeof nm, "movzx r32, %s16", k); modrm(FAM_CONVERT, nm, 16, m, 2, 0x0f, 0xb7, 0, -1, 0)->npfx = 0;
      snprintf(nm, sizeof nm, "movsx r16, %s8", k); modrm(FAM_CONVERT, nm, 16, m, 2, 0x0f, 0xbe, 0, -1, 0);
      snprintf(nm, sizeof nm, "movsx r32, %s8", k); modrm(FAM_CONVERT, nm, 32, m, 2, 0x0f, 0xbe, 0, -1, 0)->size = 8;
      snprintf(nm, sizeof nm, "movsx r32, %s16", k); modrm(FAM_CONVERT, nm, 16, m, 2, 0x0f, 0xbf, 0, -1, 0)->npfx = 0;
    }
    f = add_form(FAM_CONVERT, "bswap r32", K_OPREG, 32, 0); set_op(f, 2, 0x0f, 0xc8, 0);
    for (int s = 0; s < 3; s++)
      for (int m = 0; m < 2; m++) {
        int sz = sizes[s], w = sz != 8;
        snprintf(nm, sizeof nm, "mov %s%s, r%s", m ? "m" : "r/m", szname(sz), szname(sz));
        modrm(FAM_CONVERT, nm, sz, m, 1, (uint8_t)(0x88 + w), 0, 0, -1, 0);
        snprintf(nm, sizeof nm, "mov r%s, %s%s", szname(sz), m ? "m" : "r/m", szname(sz));
        modrm(FAM_CONVERT, nm, sz, m, 1, (uint8_t)(0x8a + w), 0, 0, -1, 0);
      }
  }

  // bit tests (SDM BT/BTS/BTR/BTC: CF defined, ZF unaffected, OF SF AF PF undefined) and scans
  static const char *bt[] = {"bt", "bts", "btr", "btc"};
  static const uint8_t btop[] = {0xa3, 0xab, 0xb3, 0xbb};
  for (int o = 0; o < 4; o++)
    for (int s = 1; s < 3; s++) {
      int sz = sizes[s];
      uint32_t u = F_OF | F_SF | F_AF | F_PF;
      Form *f;
      snprintf(nm, sizeof nm, "%s r/m%s, r%s (reg)", bt[o], szname(sz), szname(sz));
      modrm(FAM_BITS, nm, sz, 0, 2, 0x0f, btop[o], 0, -1, 0)->undef = u;
      snprintf(nm, sizeof nm, "%s r/m%s, imm8 (reg)", bt[o], szname(sz));
      modrm(FAM_BITS, nm, sz, 0, 2, 0x0f, 0xba, 0, 4 + o, 1)->undef = u;
      snprintf(nm, sizeof nm, "%s m%s, imm8", bt[o], szname(sz));
      modrm(FAM_BITS, nm, sz, 1, 2, 0x0f, 0xba, 0, 4 + o, 1)->undef = u;
      snprintf(nm, sizeof nm, "%s m%s, r%s (bit string)", bt[o], szname(sz), szname(sz));
      f = modrm(FAM_BITS, nm, sz, 1, 2, 0x0f, btop[o], 0, -1, 0);
      f->undef = u; f->special = SP_BT_STRING;
    }
  for (int o = 0; o < 2; o++)
    for (int s = 1; s < 3; s++)
      for (int m = 0; m < 2; m++)
        for (int rep = 0; rep < 2; rep++) {
          int sz = sizes[s];
          if (rep && m) continue;
          snprintf(nm, sizeof nm, "%s%s r%s, %s%s", rep ? "rep " : "", o ? "bsr" : "bsf", szname(sz), m ? "m" : "r",
                   szname(sz));
          Form *f = modrm(FAM_BITS, nm, sz, m, 2, 0x0f, (uint8_t)(0xbc + o), 0, -1, 0);
          f->undef = F_CF | F_OF | F_SF | F_AF | F_PF; // SDM BSF/BSR: only ZF defined
          f->rule = R_BSF; f->special = SP_BSF; f->hostF3 = rep;
        }

  // setcc / cmovcc, all 16 conditions
  static const char *cc[] = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"};
  for (int k = 0; k < 16; k++) {
    snprintf(nm, sizeof nm, "set%s r/m8 (reg)", cc[k]);
    modrm(FAM_COND, nm, 8, 0, 2, 0x0f, (uint8_t)(0x90 + k), 0, 0, 0);
    snprintf(nm, sizeof nm, "set%s m8", cc[k]);
    modrm(FAM_COND, nm, 8, 1, 2, 0x0f, (uint8_t)(0x90 + k), 0, 0, 0);
    snprintf(nm, sizeof nm, "cmov%s r32, r32", cc[k]);
    modrm(FAM_COND, nm, 32, 0, 2, 0x0f, (uint8_t)(0x40 + k), 0, -1, 0);
    snprintf(nm, sizeof nm, "cmov%s r16, r16", cc[k]);
    modrm(FAM_COND, nm, 16, 0, 2, 0x0f, (uint8_t)(0x40 + k), 0, -1, 0);
    snprintf(nm, sizeof nm, "cmov%s r32, m32", cc[k]);
    modrm(FAM_COND, nm, 32, 1, 2, 0x0f, (uint8_t)(0x40 + k), 0, -1, 0);
  }

  // exchange and atomics
  for (int s = 0; s < 3; s++)
    for (int m = 0; m < 2; m++) {
      int sz = sizes[s], w = sz != 8;
      const char *k = m ? "m" : "r";
      Form *f;
      snprintf(nm, sizeof nm, "xchg %s%s, r%s", k, szname(sz), szname(sz));
      modrm(FAM_ATOMIC, nm, sz, m, 1, (uint8_t)(0x86 + w), 0, 0, -1, 0);
      snprintf(nm, sizeof nm, "xadd %s%s, r%s", k, szname(sz), szname(sz));
      modrm(FAM_ATOMIC, nm, sz, m, 2, 0x0f, (uint8_t)(0xc0 + w), 0, -1, 0);
      snprintf(nm, sizeof nm, "cmpxchg %s%s, r%s", k, szname(sz), szname(sz));
      f = modrm(FAM_ATOMIC, nm, sz, m, 2, 0x0f, (uint8_t)(0xb0 + w), 0, -1, 0);
      f->special = SP_CMPXCHG; f->reserved = 1u << EAX;
      if (m) {
        snprintf(nm, sizeof nm, "lock xadd m%s, r%s", szname(sz), szname(sz));
        f = modrm(FAM_ATOMIC, nm, sz, 1, 2, 0x0f, (uint8_t)(0xc0 + w), 0, -1, 0);
        f->pfx[f->npfx++] = 0xf0;
        snprintf(nm, sizeof nm, "lock cmpxchg m%s, r%s", szname(sz), szname(sz));
        f = modrm(FAM_ATOMIC, nm, sz, 1, 2, 0x0f, (uint8_t)(0xb0 + w), 0, -1, 0);
        f->pfx[f->npfx++] = 0xf0;
        f->special = SP_CMPXCHG; f->reserved = 1u << EAX;
      }
    }
  {
    Form *f;
    f = add_form(FAM_ATOMIC, "xchg eax, r32 (short form)", K_OPREG, 32, 0); set_op(f, 1, 0x90, 0, 0);
    f = add_form(FAM_ATOMIC, "xchg ax, r16 (short form)", K_OPREG, 16, 0); set_op(f, 1, 0x90, 0, 0);
    f = modrm(FAM_ATOMIC, "cmpxchg8b m64", 32, 1, 2, 0x0f, 0xc7, 0, 1, 0);
    f->special = SP_CMPXCHG8B; f->reserved = 0xf;
    f = modrm(FAM_ATOMIC, "lock cmpxchg8b m64", 32, 1, 2, 0x0f, 0xc7, 0, 1, 0);
    f->pfx[f->npfx++] = 0xf0; f->special = SP_CMPXCHG8B; f->reserved = 0xf;
  }

  // flag instructions and BCD adjustments
  {
    static const struct { const char *n; uint8_t op; uint32_t undef; } fl[] = {
      {"lahf", 0x9f, 0}, {"sahf", 0x9e, 0}, {"cmc", 0xf5, 0}, {"clc", 0xf8, 0}, {"stc", 0xf9, 0},
      {"cld", 0xfc, 0}, {"std", 0xfd, 0},
      {"daa", 0x27, F_OF}, {"das", 0x2f, F_OF},                                  // SDM DAA/DAS
      {"aaa", 0x37, F_OF | F_SF | F_ZF | F_PF}, {"aas", 0x3f, F_OF | F_SF | F_ZF | F_PF}, // SDM AAA/AAS
    };
    for (int i = 0; i < (int)(sizeof fl / sizeof fl[0]); i++) {
      Form *f = add_form(FAM_FLAGS, fl[i].n, K_PLAIN, 32, 0);
      set_op(f, 1, fl[i].op, 0, 0);
      f->undef = fl[i].undef;
    }
    Form *f = add_form(FAM_FLAGS, "aam imm8", K_PLAIN, 32, 0); // SDM AAM/AAD: OF AF CF undefined
    set_op(f, 1, 0xd4, 0, 0); f->imm = 1; f->special = SP_AAM; f->undef = F_OF | F_AF | F_CF;
    f = add_form(FAM_FLAGS, "aad imm8", K_PLAIN, 32, 0);
    set_op(f, 1, 0xd5, 0, 0); f->imm = 1; f->undef = F_OF | F_AF | F_CF;
  }

  // string instructions, with and without rep, both directions (DF is random)
  {
    static const struct { const char *n; uint8_t op; int rep; } so[] = {
      {"movs", 0xa4, 0xf3}, {"stos", 0xaa, 0xf3}, {"lods", 0xac, 0xf3}, {"cmps", 0xa6, 0xf3},
      {"scas", 0xae, 0xf3}, {"cmps", 0xa6, 0xf2}, {"scas", 0xae, 0xf2}};
    for (int i = 0; i < 7; i++)
      for (int s = 0; s < 3; s++)
        for (int rep = 0; rep < 2; rep++) {
          int sz = sizes[s];
          if (i >= 5 && !rep) continue;
          snprintf(nm, sizeof nm, "%s%s%c", rep ? (so[i].rep == 0xf2 ? "repne " : (i == 3 || i == 4) ? "repe " : "rep ") : "",
                   so[i].n, sz == 8 ? 'b' : sz == 16 ? 'w' : 'd');
          Form *f = add_form(FAM_STRING, nm, K_PLAIN, sz, 0);
          if (rep) f->pfx[f->npfx++] = so[i].rep;
          set_op(f, 1, (uint8_t)(so[i].op + (sz != 8)), 0, 0);
          f->special = SP_STRING;
        }
  }

  // stack and address computation
  {
    Form *f;
    f = add_form(FAM_STACK, "push r32", K_OPREG, 32, 0); set_op(f, 1, 0x50, 0, 0); f->special = SP_STACK;
    f = add_form(FAM_STACK, "push r16", K_OPREG, 16, 0); set_op(f, 1, 0x50, 0, 0); f->special = SP_STACK;
    f = add_form(FAM_STACK, "pop r32", K_OPREG, 32, 0); set_op(f, 1, 0x58, 0, 0); f->special = SP_STACK;
    f = add_form(FAM_STACK, "pop r16", K_OPREG, 16, 0); set_op(f, 1, 0x58, 0, 0); f->special = SP_STACK;
    f = add_form(FAM_STACK, "push imm8", K_PLAIN, 32, 0); set_op(f, 1, 0x6a, 0, 0); f->imm = 1; f->special = SP_STACK;
    f = add_form(FAM_STACK, "push imm32", K_PLAIN, 32, 0); set_op(f, 1, 0x68, 0, 0); f->imm = 4; f->special = SP_STACK;
    f = add_form(FAM_STACK, "push imm16", K_PLAIN, 16, 0); set_op(f, 1, 0x68, 0, 0); f->imm = 2; f->special = SP_STACK;
    f = modrm(FAM_STACK, "push m32", 32, 1, 1, 0xff, 0, 0, 6, 0); f->special = SP_STACK; f->reserved = 1u << ESP;
    f = modrm(FAM_STACK, "pop m32", 32, 1, 1, 0x8f, 0, 0, 0, 0); f->special = SP_STACK; f->reserved = 1u << ESP;
    f = add_form(FAM_STACK, "pushad", K_PLAIN, 32, 0); set_op(f, 1, 0x60, 0, 0); f->special = SP_STACK;
    f = add_form(FAM_STACK, "popad", K_PLAIN, 32, 0); set_op(f, 1, 0x61, 0, 0); f->special = SP_STACK;
    f = add_form(FAM_STACK, "pushfd", K_PLAIN, 32, 0); set_op(f, 1, 0x9c, 0, 0); f->special = SP_STACK;
    f = add_form(FAM_STACK, "leave", K_PLAIN, 32, 0); set_op(f, 1, 0xc9, 0, 0); f->special = SP_LEAVE;
    f = add_form(FAM_STACK, "enter imm16, imm8 (levels 0-2)", K_PLAIN, 32, 0); set_op(f, 1, 0xc8, 0, 0);
    f->imm = 3; f->special = SP_LEAVE;
    f = add_form(FAM_STACK, "xlat", K_PLAIN, 32, 0); set_op(f, 1, 0xd7, 0, 0); f->special = SP_XLAT;
    f = add_form(FAM_STACK, "lea r32, m (32-bit addressing)", K_LEA, 32, 0); set_op(f, 1, 0x8d, 0, 0);
    f = add_form(FAM_STACK, "lea r16, m (32-bit addressing)", K_LEA, 16, 0); set_op(f, 1, 0x8d, 0, 0);
    f = add_form(FAM_STACK, "lea r32, m (16-bit addressing)", K_LEA, 32, 0); set_op(f, 1, 0x8d, 0, 0);
    f->pfx[f->npfx++] = 0x67;
    f = add_form(FAM_STACK, "lea r16, m (16-bit addressing)", K_LEA, 16, 0); set_op(f, 1, 0x8d, 0, 0);
    f->pfx[f->npfx++] = 0x67;
  }

  // memory operands through 16-bit addressing (a 0x67 prefix in 32-bit code; real mode's native form)
  {
    static const struct { const char *n; int size; uint8_t op; int digit; int imm; uint32_t undef; } a16[] = {
      {"add m32, r32", 32, 0x01, -1, 0, 0}, {"add r8, m8", 8, 0x02, -1, 0, 0}, {"sub m16, r16", 16, 0x29, -1, 0, 0},
      {"xor r32, m32", 32, 0x33, -1, 0, F_AF}, {"cmp m8, imm8", 8, 0x80, 7, 1, 0}, {"mov r32, m32", 32, 0x8b, -1, 0, 0},
      {"mov m16, r16", 16, 0x89, -1, 0, 0}, {"inc m32", 32, 0xff, 0, 0, 0}, {"neg m16", 16, 0xf7, 3, 0, 0},
      {"shl m32, 1", 32, 0xd1, 4, 0, 0}, {"xchg m32, r32", 32, 0x87, -1, 0, 0}, {"test m8, r8", 8, 0x84, -1, 0, F_AF}};
    for (int i = 0; i < (int)(sizeof a16 / sizeof a16[0]); i++) {
      snprintf(nm, sizeof nm, "%s [16-bit addressing]", a16[i].n);
      Form *f = modrm(FAM_ADDR16, nm, a16[i].size, 1, 1, a16[i].op, 0, 0, a16[i].digit, a16[i].imm);
      f->pfx[f->npfx++] = 0x67;
      f->addr16 = 1;
      f->undef = a16[i].undef;
      if (a16[i].op == 0xd1) f->rule = R_SHIFT;
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: vecgen OUTDIR\n");
    return 2;
  }
  code_page = mmap((void *)(uintptr_t)CODE_BASE, 0x2000, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  void *data = mmap((void *)(uintptr_t)DATA_BASE, DATA_SIZE, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  void *low = mmap((void *)(uintptr_t)LOW_BASE, LOW_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (code_page != (void *)(uintptr_t)CODE_BASE || data != (void *)(uintptr_t)DATA_BASE ||
      low != (void *)(uintptr_t)LOW_BASE) {
    fprintf(stderr, "vecgen: cannot map the fixed code/data regions\n");
    return 1;
  }
  build_forms();
  int total = 0;
  for (int fam = 0; fam < FAM_COUNT; fam++) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.bin", argv[1], FAMILIES[fam]);
    FILE *o = fopen(path, "wb");
    if (!o) { perror(path); return 1; }
    int n = 0;
    for (int i = 0; i < nforms; i++) n += forms[i].family == fam;
    put(o, "KSIMVEC1", 8);
    put32(o, TEST_EIP);
    put32(o, (uint32_t)n);
    for (int i = 0; i < nforms; i++) {
      Form *f = &forms[i];
      if (f->family != fam) continue;
      seed_from(f->name);
      put8(o, (uint8_t)strlen(f->name));
      put(o, f->name, strlen(f->name));
      put32(o, CASES_PER_FORM);
      g_hostF3 = f->hostF3;
      for (int k = 0; k < CASES_PER_FORM; k++) {
        Case c;
        int tries = 0;
        while (!make_case(f, &c)) {
          if (++tries > 100000) { fprintf(stderr, "vecgen: cannot make a case for %s\n", f->name); return 1; }
        }
        run_on_host(&c);
        write_case(o, &c);
      }
      total++;
    }
    fclose(o);
  }
  fprintf(stderr, "vecgen: %d forms x %d cases\n", total, CASES_PER_FORM);
  return 0;
}
