/* virtio-rng (Virtual I/O Device 1.1, 5.4 entropy device): one device-writable buffer per
 * request; the device fills some or all of it. Used, if present, as a second entropy source for
 * the secret next to /chosen/rng-seed. */
#include "kernel.h"
#include "virtio.h"

static struct virtq vq;
static struct virtio_dev dev;
static uint8_t pool[64] __attribute__((aligned(64)));

/* Fills out[0..len) from the device; returns the byte count obtained (0 if no device). */
uint32_t vrng_read(uint8_t *out, uint32_t len) {
  static int probed;
  if (!probed) {
    probed = 1;
    int i = virtio_find(VIRTIO_ID_ENTROPY, -1);
    uint32_t features = 0;
    if (i >= 0 && virtio_init(&dev, i, &vq, &features) != 0) virtio_fail(&dev);
  }
  uint32_t got = 0;
  for (int tries = 0; dev.base && got < len && tries < 16; tries++) {
    uint32_t want = len - got < sizeof pool ? len - got : sizeof pool;
    const struct virtq_desc d = {(uint32_t)(uintptr_t)pool, want, VIRTQ_DESC_F_WRITE, 0};
    int r = virtio_run(&dev, &d, 1);
    if (r < 0) break;
    uint32_t n = (uint32_t)r < want ? (uint32_t)r : want;
    memcpy(out + got, pool, n);
    got += n;
  }
  memset(pool, 0, sizeof pool);
  return got;
}
