/* CPU-bound RV32 benchmark for the hart: integer, memory and branch heavy kernels (CRC32,
   a sieve, an insertion sort of pseudo-random words, a small matrix multiply) run in S-mode
   with Sv32 on. Prints a checksum on the UART and exits through the SiFive test finisher.
   `bench_iterations` is a patchable word so the same ELF runs at several sizes. */
typedef unsigned int u32;

#define UART ((volatile unsigned char *)0x10000000)
#define FINISHER ((volatile u32 *)0x100000)

volatile u32 bench_iterations = 40;
u32 root_table[1024] __attribute__((aligned(4096)));

static unsigned char buffer[8192];
static unsigned char sieve[32768];
static u32 sort_data[512];
static u32 mat_a[16 * 16], mat_b[16 * 16], mat_c[16 * 16];

void build_page_table(u32 *root) {
  /* PTE = ppn << 10 | D A X W R V; megapages need ppn[0] = 0. */
  for (u32 i = 0; i < 1024; i++) root[i] = 0;
  root[0] = (0u << 20) | 0xcf;             /* 0x00000000: test finisher */
  root[0x10000000u >> 22] = (0x10000u << 10) | 0xcf; /* 0x10000000: UART */
  for (u32 mb = 0; mb < 32; mb++) {        /* 0x80000000..0x88000000: RAM */
    u32 va = 0x80000000u + (mb << 22);
    root[va >> 22] = ((va >> 12) << 10) | 0xcf;
  }
}

static void putc_(char c) { *UART = (unsigned char)c; }
static void puthex(u32 v) {
  for (int i = 28; i >= 0; i -= 4) putc_("0123456789abcdef"[(v >> i) & 15]);
}

static u32 rng_state = 12345;
static u32 rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

static u32 crc32(const unsigned char *p, u32 n) {
  u32 crc = 0xffffffffu;
  for (u32 i = 0; i < n; i++) {
    crc ^= p[i];
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
  }
  return ~crc;
}

static u32 primes(void) {
  u32 n = sizeof sieve, count = 0;
  for (u32 i = 0; i < n; i++) sieve[i] = 1;
  for (u32 i = 2; i * i < n; i++)
    if (sieve[i])
      for (u32 j = i * i; j < n; j += i) sieve[j] = 0;
  for (u32 i = 2; i < n; i++) count += sieve[i];
  return count;
}

static u32 sort(void) {
  u32 n = sizeof sort_data / sizeof sort_data[0];
  for (u32 i = 0; i < n; i++) sort_data[i] = rng();
  for (u32 i = 1; i < n; i++) {
    u32 v = sort_data[i], j = i;
    while (j > 0 && sort_data[j - 1] > v) {
      sort_data[j] = sort_data[j - 1];
      j--;
    }
    sort_data[j] = v;
  }
  return sort_data[0] ^ sort_data[n / 2] ^ sort_data[n - 1];
}

static u32 matmul(void) {
  for (u32 i = 0; i < 256; i++) {
    mat_a[i] = rng() & 0xffff;
    mat_b[i] = rng() & 0xffff;
  }
  for (u32 i = 0; i < 16; i++)
    for (u32 j = 0; j < 16; j++) {
      u32 s = 0;
      for (u32 k = 0; k < 16; k++) s += mat_a[i * 16 + k] * mat_b[k * 16 + j];
      mat_c[i * 16 + j] = s;
    }
  u32 h = 0;
  for (u32 i = 0; i < 256; i++) h = h * 31 + mat_c[i];
  return h;
}

void bench_main(void) {
  u32 sum = 0;
  u32 iterations = bench_iterations;
  for (u32 it = 0; it < iterations; it++) {
    for (u32 i = 0; i < sizeof buffer; i++) buffer[i] = (unsigned char)(rng() >> 24);
    sum = sum * 33 + crc32(buffer, sizeof buffer);
    sum = sum * 33 + primes();
    sum = sum * 33 + sort();
    sum = sum * 33 + matmul();
  }
  putc_('b'); putc_('e'); putc_('n'); putc_('c'); putc_('h'); putc_(' ');
  puthex(sum);
  putc_('\n');
  *FINISHER = 0x5555;
  for (;;) {
  }
}
