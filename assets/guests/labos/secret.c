/* The guest's secret: a 32-byte key made at first boot from DTB-provided entropy
 * (/chosen/rng-seed, and a virtio-rng device if there is one) mixed with the timer, stored in /secret, and held in kernel memory on a
 * page of its own mapped at KEY_VA. Once a second (from the timer tick) the kernel computes
 * HMAC-SHA256(key, counter as 8 big-endian bytes), so the key is live in memory and registers;
 * the first 8 bytes of the latest MAC are the fingerprint `secret` prints. */
#include "kernel.h"

#define KEY_LEN 32

static uint8_t *key = (uint8_t *)KEY_VA;
static uint32_t key_pa;
static uint64_t counter;
static uint8_t fingerprint[8];
static const char *store = "memory", *source = "none";
static int key_ready;

static void make_key(void) {
  struct sha256 s;
  uint8_t dev[32];
  uint64_t t = read_time64();
  uint32_t ndev = vrng_read(dev, sizeof dev);
  sha256_init(&s);
  sha256_update(&s, "labos-secret-v1", 15);
  sha256_update(&s, board.rng_seed, board.rng_len);
  sha256_update(&s, dev, ndev);
  sha256_update(&s, &t, sizeof t);
  sha256_final(&s, key);
  memset(board.rng_seed, 0, sizeof board.rng_seed), memset(dev, 0, sizeof dev);
  if (board.rng_len && ndev == sizeof dev) source = "rng-seed and virtio-rng";
  else if (board.rng_len) source = "rng-seed";
  else if (ndev == sizeof dev) source = "virtio-rng";
  else source = "timer (weak: no rng-seed in the DTB, no virtio-rng)";
}

static void update_fingerprint(void) {
  uint8_t msg[8], mac[32];
  for (int i = 0; i < 8; i++) msg[i] = (uint8_t)(counter >> (56 - 8 * i));
  hmac_sha256(key, KEY_LEN, msg, sizeof msg, mac);
  memcpy(fingerprint, mac, sizeof fingerprint);
  memset(mac, 0, sizeof mac);
}

void secret_init(void) {
  void *page = page_alloc();
  if (!page || vm_map_page(kernel_root, KEY_VA, (uint32_t)(uintptr_t)page, PTE_R | PTE_W | PTE_G))
    panic("secret: cannot allocate the key page");
  key_pa = (uint32_t)(uintptr_t)page;
  __asm__ volatile("sfence.vma" ::: "memory");
  int r = fs_mounted() ? fs_read("secret", key, KEY_LEN) : -E_NODEV;
  if (r == KEY_LEN) {
    store = "disk", source = "/secret";
    kprintf("secret: key loaded from /secret\n");
  } else {
    make_key();
    if (r == -E_NOENT && fs_write("secret", key, KEY_LEN) == KEY_LEN) {
      store = "disk";
      kprintf("secret: new key from %s, stored in /secret\n", source);
    } else if (r == -E_NODEV) {
      kprintf("secret: new key from %s, kept in memory only (no file system)\n", source);
    } else {
      kprintf("secret: /secret is unusable (%s); new key from %s kept in memory only\n",
              r == -E_CORRUPT ? "checksum mismatch" : r >= 0 ? "wrong size" : "disk error", source);
    }
  }
  key_ready = 1;
  update_fingerprint();
}

void secret_tick(void) {
  if (!key_ready) return;
  counter++;
  update_fingerprint();
}

int secret_info(char *buf, uint32_t max, int where) {
  if (where)
    return snfmt(buf, max, "SECRET where va 0x%08x pa 0x%08x len %u\n", KEY_VA, key_pa, KEY_LEN);
  char hex[17];
  for (int i = 0; i < 8; i++) snfmt(hex + 2 * i, 3, "%02x", fingerprint[i]);
  return snfmt(buf, max, "SECRET fingerprint %s counter %u store %s\n", hex, (uint32_t)counter, store);
}

/* 0: /secret matches the key in memory; 1: nothing to compare (memory only); <0: mismatch. */
int secret_verify(char *what, uint32_t max) {
  static uint8_t disk[64];
  if (strcmp(store, "disk")) return 1;
  int r = fs_read("secret", disk, sizeof disk);
  int ok = r == KEY_LEN && !memcmp(disk, key, KEY_LEN);
  memset(disk, 0, sizeof disk);
  if (ok) return 0;
  snfmt(what, max, r < 0 ? "secret-file-unreadable" : "secret-mismatch");
  return -E_CORRUPT;
}
