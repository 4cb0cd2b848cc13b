/* The shell's `bench` command. cpu and mem run here in user mode (hashing, sorting and a small
 * matrix product; touching fresh demand-paged memory); disk and exit run in the kernel through
 * SYS_BENCH. Each benchmark prints exactly one line:
 *   BENCH <name> <units> <value> instret <retired instructions> time_us <microseconds>
 * or "BENCH <name> FAIL <reason>" / "BENCH <name> skipped <reason>". */
#include "ulib.h"

#define SORT_N 2048
#define MAT_N 16
#define HASH_BYTES 16384

static uint32_t sort_buf[SORT_N];
static uint8_t hash_buf[HASH_BYTES];
static int32_t ma[MAT_N][MAT_N], mb[MAT_N][MAT_N], mc[MAT_N][MAT_N];

static void report(const char *name, const char *units, uint64_t amount, uint64_t di, uint64_t dt) {
  uint64_t tb = (uint64_t)(uint32_t)syscall(SYS_TIMEBASE, 0, 0, 0);
  if (dt == 0) dt = 1;
  printf("BENCH %s %s %llu instret %llu time_us %llu\n", name, units, amount * tb / dt, di,
         dt * 1000000 / tb);
}

static void heap_sort(uint32_t *a, int n) {
  for (int start = n / 2 - 1, end = n - 1; end > 0;) {
    int root = start >= 0 ? start : 0;
    if (start < 0) {
      uint32_t t = a[0];
      a[0] = a[end], a[end] = t;
      end--;
    }
    for (int child; (child = 2 * root + 1) <= (start >= 0 ? n - 1 : end); root = child) {
      if (child + 1 <= (start >= 0 ? n - 1 : end) && a[child] < a[child + 1]) child++;
      if (a[root] >= a[child]) break;
      uint32_t t = a[root];
      a[root] = a[child], a[child] = t;
    }
    if (start >= 0) start--;
  }
}

/* One round: SHA-256 of 16 KiB, heap sort of 2048 words, a 16x16 integer matrix product.
 * Returns a checksum that must be the same every round (the inputs are the same). */
static uint32_t cpu_round(int *sorted) {
  uint8_t d[32];
  uint32_t seed = 1, sum = 0;
  for (uint32_t i = 0; i < HASH_BYTES; i++) hash_buf[i] = (uint8_t)(i * 7 + (i >> 5));
  sha256(hash_buf, HASH_BYTES, d);
  for (int i = 0; i < SORT_N; i++) seed = seed * 1664525u + 1013904223u, sort_buf[i] = seed;
  heap_sort(sort_buf, SORT_N);
  for (int i = 1; i < SORT_N; i++)
    if (sort_buf[i - 1] > sort_buf[i]) *sorted = 0;
  for (int i = 0; i < MAT_N; i++)
    for (int j = 0; j < MAT_N; j++) ma[i][j] = i - j, mb[i][j] = i * j + 1;
  for (int i = 0; i < MAT_N; i++)
    for (int j = 0; j < MAT_N; j++) {
      int32_t acc = 0;
      for (int k = 0; k < MAT_N; k++) acc += ma[i][k] * mb[k][j];
      mc[i][j] = acc;
      sum = sum * 31 + (uint32_t)acc;
    }
  return sum ^ le32(d) ^ sort_buf[SORT_N / 2];
}

static void bench_cpu(uint32_t rounds) {
  int sorted = 1;
  uint64_t t0 = rd_time(), i0 = rd_instret();
  uint32_t first = cpu_round(&sorted);
  for (uint32_t r = 1; r < rounds; r++)
    if (cpu_round(&sorted) != first) sorted = 0;
  uint64_t di = rd_instret() - i0, dt = rd_time() - t0;
  if (!sorted) printf("BENCH cpu FAIL results-differ\n");
  else report("cpu", "rounds/s", rounds, di, dt);
}

static void bench_mem(uint32_t mib) {
  uint32_t bytes = mib << 20;
  uint64_t t0 = rd_time(), i0 = rd_instret();
  uint8_t *p = (uint8_t *)sbrk((int32_t)bytes);
  if (!p) {
    printf("BENCH mem FAIL out-of-memory\n");
    return;
  }
  for (uint32_t off = 0; off < bytes; off += 4096) *(volatile uint32_t *)(p + off) = off ^ 0x5A5A5A5Au;
  int ok = 1;
  for (uint32_t off = 0; off < bytes; off += 4096)
    if (*(volatile uint32_t *)(p + off) != (off ^ 0x5A5A5A5Au)) ok = 0;
  sbrk(-(int32_t)bytes);
  uint64_t di = rd_instret() - i0, dt = rd_time() - t0;
  if (!ok) printf("BENCH mem FAIL pattern\n");
  else report("mem", "KiB/s", (uint64_t)mib * 1024, di, dt);
}

static void bench_kernel(const char *name, uint32_t kind, uint32_t n, const char *units, uint32_t scale) {
  uint32_t res[5];
  int r = syscall(SYS_BENCH, kind, n, (uint32_t)(uintptr_t)res);
  if (r == -E_NODEV) printf("BENCH %s skipped no-file-system\n", name);
  else if (r < 0) printf("BENCH %s FAIL %s\n", name, strerror(-r));
  else report(name, units, (uint64_t)res[0] * scale, res[1] | (uint64_t)res[2] << 32, res[3] | (uint64_t)res[4] << 32);
}

void cmd_bench(int argc, char **argv, const char *rest) {
  (void)rest;
  uint32_t n = 0;
  const char *kind = argv[1];
  int all = !strcmp(kind, "all");
  if (argc > 2 && (parse_u32(argv[2], &n) || n == 0 || n > 1000000)) {
    printf("bench: N must be a number from 1 to 1000000\n");
    return;
  }
  if (all && argc > 2) {
    printf("usage: bench all (no N)\n");
    return;
  }
  int known = all || !strcmp(kind, "cpu") || !strcmp(kind, "mem") || !strcmp(kind, "disk") || !strcmp(kind, "exit");
  if (!known) {
    printf("usage: bench cpu|mem|disk|exit|all [N]\n");
    return;
  }
  if (!strcmp(kind, "mem") && n > 32) {
    printf("bench: mem takes at most 32 (MiB)\n");
    return;
  }
  if (!strcmp(kind, "disk") && n > 4096) {
    printf("bench: disk takes at most 4096 (blocks)\n");
    return;
  }
  if (all || !strcmp(kind, "cpu")) bench_cpu(n ? n : 10);
  if (all || !strcmp(kind, "mem")) bench_mem(n ? n : 4);
  if (all || !strcmp(kind, "disk")) bench_kernel("disk", BENCH_DISK, n ? n : 64, "KiB/s", 4);
  if (all || !strcmp(kind, "exit")) bench_kernel("exit", BENCH_EXIT, n ? n : 2000, "calls/s", 1);
}
