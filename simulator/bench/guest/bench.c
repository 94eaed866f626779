/* A CPU-bound workload for `npm run bench`: integer ALU work, loops, memory traffic, calls.
 * Freestanding (no libc); prints its checksums on COM1 so ksim's and QEMU's runs can be compared. */

typedef unsigned int u32;
typedef unsigned char u8;

static inline void outb(unsigned short port, u8 v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline u8 inb(unsigned short port) { u8 v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static void putc(char c) {
	while (!(inb(0x3fd) & 0x20)) { }
	outb(0x3f8, (u8)c);
}
static void puts(const char *s) { while (*s) putc(*s++); }
static void puthex(u32 v) {
	for (int i = 28; i >= 0; i -= 4) putc("0123456789abcdef"[(v >> i) & 15]);
}

#define N_SIEVE 65536
static u8 sieve[N_SIEVE];
#define N_SORT 4096
static u32 arr[N_SORT];
#define N_MAT 24
static int ma[N_MAT][N_MAT], mb[N_MAT][N_MAT], mc[N_MAT][N_MAT];
static u32 crc_table[256];
static u8 buf[16384];

static u32 rng_state = 12345;
static u32 rng(void) { rng_state ^= rng_state << 13; rng_state ^= rng_state >> 17; rng_state ^= rng_state << 5; return rng_state; }

static u32 do_sieve(void) {
	u32 count = 0;
	for (u32 i = 0; i < N_SIEVE; i++) sieve[i] = 1;
	sieve[0] = sieve[1] = 0;
	for (u32 i = 2; i * i < N_SIEVE; i++)
		if (sieve[i])
			for (u32 j = i * i; j < N_SIEVE; j += i) sieve[j] = 0;
	for (u32 i = 0; i < N_SIEVE; i++) count += sieve[i];
	return count;
}

static void quicksort(u32 *a, int lo, int hi) {
	while (lo < hi) {
		u32 p = a[(lo + hi) / 2];
		int i = lo, j = hi;
		while (i <= j) {
			while (a[i] < p) i++;
			while (a[j] > p) j--;
			if (i <= j) { u32 t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
		}
		if (j - lo < hi - i) { quicksort(a, lo, j); lo = i; }
		else { quicksort(a, i, hi); hi = j; }
	}
}

static u32 do_sort(void) {
	for (int i = 0; i < N_SORT; i++) arr[i] = rng();
	quicksort(arr, 0, N_SORT - 1);
	u32 h = 0;
	for (int i = 0; i < N_SORT; i++) { h = h * 31 + arr[i]; if (i && arr[i - 1] > arr[i]) h ^= 0xdeadbeef; }
	return h;
}

static u32 do_matrix(void) {
	for (int i = 0; i < N_MAT; i++)
		for (int j = 0; j < N_MAT; j++) { ma[i][j] = (int)(rng() & 0xff) - 128; mb[i][j] = (int)(rng() & 0xff) - 128; }
	for (int i = 0; i < N_MAT; i++)
		for (int j = 0; j < N_MAT; j++) {
			int s = 0;
			for (int k = 0; k < N_MAT; k++) s += ma[i][k] * mb[k][j];
			mc[i][j] = s;
		}
	u32 h = 0;
	for (int i = 0; i < N_MAT; i++) for (int j = 0; j < N_MAT; j++) h = (h << 5) ^ (h >> 27) ^ (u32)mc[i][j];
	return h;
}

static u32 do_crc(void) {
	for (u32 i = 0; i < 256; i++) {
		u32 c = i;
		for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
	for (u32 i = 0; i < sizeof buf; i++) buf[i] = (u8)rng();
	u32 crc = 0xffffffffu;
	for (u32 i = 0; i < sizeof buf; i++) crc = crc_table[(crc ^ buf[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static u32 do_strings(void) {
	/* memcpy/memset-style loops the compiler turns into rep movs/stos at -O2 */
	static u32 src[2048], dst[2048];
	for (int i = 0; i < 2048; i++) src[i] = rng();
	__builtin_memcpy(dst, src, sizeof dst);
	__builtin_memset(src, 0, sizeof src);
	u32 h = 0;
	for (int i = 0; i < 2048; i++) h += dst[i] ^ src[i];
	return h;
}

u32 bench_main(void) {
	u32 h = 0;
	puts("ksim bench guest\n");
	for (int round = 0; round < 140; round++) {
		h ^= do_sieve();
		h = h * 33 + do_sort();
		h ^= do_matrix();
		h += do_crc();
		h ^= do_strings();
	}
	puts("checksum ");
	puthex(h);
	putc('\n');
	return 0;
}

/* gcc may emit calls to these for the __builtin_ versions */
void *memcpy(void *d, const void *s, unsigned long n) { u8 *dd = d; const u8 *ss = s; while (n--) *dd++ = *ss++; return d; }
void *memset(void *d, int c, unsigned long n) { u8 *dd = d; while (n--) *dd++ = (u8)c; return d; }
