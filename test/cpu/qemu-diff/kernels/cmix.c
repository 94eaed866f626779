/* cmix — what gcc -m32 -O2 emits for ordinary kernel-style C: loops, arrays, structs, switch jump tables,
 * function pointers, signed/unsigned division, 64-bit arithmetic through libgcc (__udivdi3, __divdi3,
 * __umoddi3, __moddi3: real library code, starting with endbr32), builtins that become rep bsf / bsr /
 * bswap / rep stos / rep movs, cmov and setcc, variable shifts and 64-bit shifts (shld/shrd).
 * Entered from cmix-entry.asm after the common boot; returns a checksum (left in `result`). */

typedef unsigned int u32;
typedef int s32;
typedef unsigned long long u64;
typedef long long s64;

static u32 seed = 0x12345678;
static u32 rnd(void) {
  seed ^= seed << 13;
  seed ^= seed >> 17;
  seed ^= seed << 5;
  return seed;
}

struct item { u32 key; s32 value; unsigned char tag; unsigned short weight; };
static struct item items[64];
static u32 table[256];
static char text[128];

static void *kmemset(void *d, int c, u32 n) { return __builtin_memset(d, c, n); }
static void *kmemcpy(void *d, const void *s, u32 n) { return __builtin_memcpy(d, s, n); }

static void sort_items(struct item *a, int n) {           /* insertion sort: branches, struct copies */
  for (int i = 1; i < n; i++) {
    struct item t = a[i];
    int j = i - 1;
    while (j >= 0 && (a[j].key > t.key || (a[j].key == t.key && a[j].value > t.value))) { a[j + 1] = a[j]; j--; }
    a[j + 1] = t;
  }
}

static u32 crc32(const unsigned char *p, u32 n) {          /* bitwise CRC: shifts, xor, conditional masks */
  u32 c = 0xffffffffu;
  while (n--) {
    c ^= *p++;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1));
  }
  return ~c;
}

static int format_u64(char *out, u64 v, u32 base) {         /* libgcc 64-bit division and modulo */
  char tmp[24];
  int n = 0;
  do { u32 d = (u32)(v % base); tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10); v /= base; } while (v);
  for (int i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
  out[n] = 0;
  return n;
}

static s64 mix64(s64 a, s64 b) {
  s64 q = b ? a / b : a;                                   /* __divdi3 */
  s64 r = b ? a % b : 0;                                   /* __moddi3 */
  return (q << (b & 31)) ^ (r >> 3) ^ (a * 0x9e3779b97f4a7c15ll);
}

static u32 classify(u32 x) {                               /* a switch that becomes a jump table */
  switch (x & 15) {
  case 0: return x + 1;
  case 1: return x ^ 0x55;
  case 2: return x << 3;
  case 3: return x >> 2;
  case 4: return (u32)((s32)x >> 5);
  case 5: return x * 7;
  case 6: return ~x;
  case 7: return x - 99;
  case 8: return __builtin_bswap32(x);
  case 9: return x ? (u32)__builtin_ctz(x) : 32;
  case 10: return x ? (u32)__builtin_clz(x) : 32;
  case 11: return (u32)__builtin_popcount(x);
  default: return x / 3;
  }
}

typedef u32 (*op_fn)(u32, u32);
static u32 op_add(u32 a, u32 b) { return a + b; }
static u32 op_div(u32 a, u32 b) { return b ? a / b : a; }
static u32 op_sdiv(u32 a, u32 b) { return (s32)b > 0 ? (u32)((s32)a / (s32)b) : a; }
static u32 op_rot(u32 a, u32 b) { return (a << (b & 31)) | (a >> ((32 - b) & 31)); }
static u32 op_min(u32 a, u32 b) { return (s32)a < (s32)b ? a : b; }
static op_fn const ops[] = {op_add, op_div, op_sdiv, op_rot, op_min};

u32 cmain(void) {
  u32 sum = 0;
  for (int round = 0; round < 4; round++) {
    for (int i = 0; i < 64; i++) {
      items[i].key = rnd() & 0x3ff;
      items[i].value = (s32)rnd() >> 7;
      items[i].tag = (unsigned char)rnd();
      items[i].weight = (unsigned short)(rnd() >> 9);
    }
    sort_items(items, 64);
    for (int i = 1; i < 64; i++) sum += items[i].key >= items[i - 1].key;
    for (int i = 0; i < 256; i++) table[i] = classify(rnd()) + ops[i % 5](rnd(), rnd() & 0xffff);
    sum ^= crc32((const unsigned char *)table, 256);
    u64 big = ((u64)rnd() << 32) | rnd();
    int n = format_u64(text, big, 10 + (rnd() % 7));
    kmemset(text + n, '.', 20);
    kmemcpy(text + 64, text, 40);
    sum += crc32((const unsigned char *)text, 104);
    s64 m = mix64((s64)big, (s64)(s32)(rnd() | 1));
    sum += (u32)m ^ (u32)(m >> 32);
    u64 w = (u64)sum * rnd();
    sum ^= (u32)(w >> 29) + (u32)(big >> (rnd() & 63));
  }
  return sum;
}
