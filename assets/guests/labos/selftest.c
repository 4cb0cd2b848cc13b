/* selftest: known-answer tests of the kernel's hashes (FIPS 180-4 "abc", RFC 4231 HMAC-SHA256
 * cases 1, 2 and 6, CRC-32 check value), every file's checksums, /secret against the key in
 * memory, and a memory pattern region written at boot. Ends with one machine-readable line:
 * "SELFTEST ok" or "SELFTEST FAIL <what>". Checks that cannot run (no disk) say so and pass. */
#include "kernel.h"

#define PATTERN_PAGES 16
static uint32_t *pattern_pages[PATTERN_PAGES];

static uint32_t pattern_word(uint32_t addr) { return (addr * 2654435761u) ^ 0xA5C3F00Du; }

void mempattern_init(void) {
  for (int i = 0; i < PATTERN_PAGES; i++) {
    uint32_t *p = (uint32_t *)page_alloc();
    if (!p) panic("selftest: no memory for the pattern region");
    for (uint32_t w = 0; w < PAGE_SIZE / 4; w++) p[w] = pattern_word((uint32_t)(uintptr_t)&p[w]);
    pattern_pages[i] = p;
  }
}

int mempattern_check(void) {
  for (int i = 0; i < PATTERN_PAGES; i++)
    for (uint32_t w = 0; w < PAGE_SIZE / 4; w++)
      if (pattern_pages[i][w] != pattern_word((uint32_t)(uintptr_t)&pattern_pages[i][w])) return -1;
  return 0;
}

static int hex_eq(const uint8_t *got, const char *hex) {
  for (int i = 0; i < 32; i++) {
    char b[3];
    snfmt(b, sizeof b, "%02x", got[i]);
    if (b[0] != hex[2 * i] || b[1] != hex[2 * i + 1]) return 0;
  }
  return 1;
}

static int crypto_ok(void) {
  static uint8_t k6[131];
  uint8_t out[32], k1[20];
  memset(k1, 0x0b, sizeof k1);
  memset(k6, 0xaa, sizeof k6);
  sha256("abc", 3, out);
  if (!hex_eq(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")) return 0;
  hmac_sha256(k1, sizeof k1, "Hi There", 8, out);
  if (!hex_eq(out, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")) return 0;
  hmac_sha256((const uint8_t *)"Jefe", 4, "what do ya want for nothing?", 28, out);
  if (!hex_eq(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")) return 0;
  hmac_sha256(k6, sizeof k6, "Test Using Larger Than Block-Size Key - Hash Key First", 54, out);
  if (!hex_eq(out, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")) return 0;
  return crc32("123456789", 9) == 0xCBF43926u;
}

/* The SBI as labOS uses it: version 2.0 or later, the extensions it needs, and refusals that
 * any implementation must make (labfw, or a hypervisor's SBI when labOS runs in VS-mode). */
static int sbi_ok(void) {
  static const uint32_t need[] = {SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE, SBI_EXT_HSM, SBI_EXT_SRST, SBI_EXT_DBCN};
  struct sbiret r = sbi_call(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0);
  if (r.error || r.value < SBI_SPEC_VERSION_2_0) return 0;
  for (uint32_t i = 0; i < ARRAY_LEN(need); i++)
    if (sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, need[i], 0, 0).value != 1) return 0;
  if (sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, 0x0ABCDEF0u, 0, 0).value != 0) return 0;
  r = sbi_call(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, hart_id(), 0, 0);
  if (r.error || r.value != SBI_HSM_STARTED) return 0;
  if (sbi_call(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, 31, 0, 0).error != SBI_ERR_INVALID_PARAM) return 0;
  if (sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, hart_id(), board.ram_base + 0x200000, 0).error !=
      SBI_ERR_ALREADY_AVAILABLE)
    return 0;
  /* DBCN must refuse a buffer that is not RAM: the page below RAM (true of any SBI, firmware
   * or hypervisor; past the end is not safe, labOS may use less RAM than the DTB lists). */
  if (sbi_call(SBI_EXT_DBCN, SBI_DBCN_WRITE, 4, board.ram_base - PAGE_SIZE, 0).error !=
      SBI_ERR_INVALID_PARAM)
    return 0;
  return sbi_call(0x0ABCDEF0u, 0, 0, 0, 0).error == SBI_ERR_NOT_SUPPORTED;
}

static void note(char *what, uint32_t max, const char *w) {
  if (!what[0]) snfmt(what, max, "%s", w);
}

int selftest_run(char *out, uint32_t max) {
  char what[64] = "", w[64] = "";
  uint32_t n = 0;
#define EMIT(...) n += (uint32_t)snfmt(out + n, n < max ? max - n : 0, __VA_ARGS__)
  if (crypto_ok()) EMIT("selftest: crypto: SHA-256, HMAC-SHA256 (RFC 4231), CRC-32 ok\n");
  else note(what, sizeof what, "crypto-vectors");
  if (sbi_ok()) EMIT("selftest: sbi: v2.0 with TIME IPI RFENCE HSM SRST DBCN, refusals ok\n");
  else note(what, sizeof what, "sbi");
  int pinged = smp_ping();
  if (pinged < 0 || (uint32_t)pinged + 1 < smp_online()) note(what, sizeof what, "smp-ipi");
  else if (pinged) EMIT("selftest: smp: IPI and remote fence answered by %d other hart(s)\n", pinged);
  if (!vblk_present()) EMIT("selftest: fs: skipped (no disk)\n");
  else if (!fs_mounted()) EMIT("selftest: fs: %s\n", fs_state()), note(what, sizeof what, "fs-mount");
  else if (fs_verify(w, sizeof w) == 0) EMIT("selftest: fs: all file checksums ok\n");
  else note(what, sizeof what, w);
  int s = secret_verify(w, sizeof w);
  if (s == 0) EMIT("selftest: secret: /secret matches the key in memory\n");
  else if (s > 0) EMIT("selftest: secret: skipped (key kept in memory only)\n");
  else note(what, sizeof what, w);
  if (mempattern_check() == 0)
    EMIT("selftest: memory: %u KiB pattern region ok\n", PATTERN_PAGES * PAGE_SIZE / 1024);
  else note(what, sizeof what, "memory-pattern");
  if (what[0]) EMIT("SELFTEST FAIL %s\n", what);
  else EMIT("SELFTEST ok\n");
#undef EMIT
  return (int)(n < max ? n : max - 1);
}
