/* Kernel-side benchmarks: exit-heavy (SBI calls, each a trap to M-mode or, under a hypervisor,
 * a VM exit) and disk (sequential then random 4 KiB writes and reads on free blocks of the file
 * system, with the data verified). Results: operations, instret delta, time delta (timer ticks). */
#include "kernel.h"

static uint64_t instret64(void) {
  uint32_t hi, lo, hi2;
  do {
    hi = csr_read(instreth);
    lo = csr_read(instret);
    hi2 = csr_read(instreth);
  } while (hi != hi2);
  return ((uint64_t)hi << 32) | lo;
}

static void result(uint32_t *out, uint32_t ops, uint64_t i0, uint64_t t0) {
  uint64_t di = instret64() - i0, dt = read_time64() - t0;
  out[0] = ops;
  out[1] = (uint32_t)di, out[2] = (uint32_t)(di >> 32);
  out[3] = (uint32_t)dt, out[4] = (uint32_t)(dt >> 32);
}

int bench_exit(uint32_t n, uint32_t *out) {
  if (n == 0 || n > 10000000) return -E_INVAL;
  uint64_t t0 = read_time64(), i0 = instret64();
  for (uint32_t i = 0; i < n; i++) {
    struct sbiret r = sbi_call(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0);
    if (r.error) return -E_IO;
  }
  result(out, n, i0, t0);
  return 0;
}

static uint8_t buf[4096] __attribute__((aligned(4)));

static void fill(uint32_t block, uint32_t round) {
  for (uint32_t w = 0; w < 1024; w++) ((uint32_t *)buf)[w] = block * 0x9E3779B9u ^ w ^ round;
}

static int check(uint32_t block, uint32_t round) {
  for (uint32_t w = 0; w < 1024; w++)
    if (((uint32_t *)buf)[w] != (block * 0x9E3779B9u ^ w ^ round)) return -E_IO;
  return 0;
}

/* Sequential write, sequential read (verified), random write, random read (verified). */
int bench_disk(uint32_t nblocks, uint32_t *out) {
  uint32_t start, seed = 12345;
  if (nblocks == 0 || nblocks > 4096) return -E_INVAL;
  int r = fs_scratch_extent(nblocks, &start);
  if (r) return r;
  uint64_t t0 = read_time64(), i0 = instret64();
  for (uint32_t b = 0; b < nblocks && !r; b++) fill(b, 1), r = vblk_rw(start + b, buf, 1);
  for (uint32_t b = 0; b < nblocks && !r; b++)
    if (!(r = vblk_rw(start + b, buf, 0))) r = check(b, 1);
  for (uint32_t k = 0; k < nblocks && !r; k++) {
    seed = seed * 1103515245u + 12345u;
    uint32_t b = (seed >> 8) % nblocks;
    fill(b, 1), r = vblk_rw(start + b, buf, 1);
  }
  for (uint32_t k = 0; k < nblocks && !r; k++) {
    seed = seed * 1103515245u + 12345u;
    uint32_t b = (seed >> 8) % nblocks;
    if (!(r = vblk_rw(start + b, buf, 0))) r = check(b, 1);
  }
  if (r) return r;
  result(out, 4 * nblocks, i0, t0);
  return 0;
}
