/* virtio-blk (Virtual I/O Device 1.1, 5.2): 4 KiB block reads and writes as three-descriptor
 * requests (header, data through a bounce buffer, status byte) on the shared virtio-mmio
 * transport. A read-only device (VIRTIO_BLK_F_RO) refuses writes with -E_IO. Callers serialise
 * requests (syscall.c's disk lock; boot code runs alone). */
#include "kernel.h"
#include "virtio.h"

#define F_BLK_RO 5
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1

static struct virtq vq;
static struct virtio_dev dev;
static struct {
  uint32_t type, reserved;
  uint64_t sector;
} req_hdr;
static volatile uint8_t req_status;
static uint8_t bounce[4096] __attribute__((aligned(4096)));
static uint32_t nblocks, readonly;

int vblk_init(void) {
  for (int i = virtio_find(VIRTIO_ID_BLOCK, -1); i >= 0; i = virtio_find(VIRTIO_ID_BLOCK, i)) {
    uint32_t features = 1u << F_BLK_RO;
    int r = virtio_init(&dev, i, &vq, &features);
    if (r == 0) {
      readonly = (features >> F_BLK_RO) & 1;
      uint64_t sectors = virtio_config32(&dev, 0) | ((uint64_t)virtio_config32(&dev, 4) << 32);
      nblocks = sectors / 8 > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)(sectors / 8);
      return 0;
    }
    kprintf("disk: virtio-blk at 0x%08x unusable (setup step %d failed)\n", (uint32_t)board.virtio[i], -r);
    virtio_fail(&dev);
  }
  return -1;
}

int vblk_present(void) { return dev.base != 0; }
int vblk_readonly(void) { return dev.base != 0 && readonly; }
uint32_t vblk_blocks(void) { return nblocks; }

int vblk_rw(uint32_t block, void *buf, int write) {
  if (!dev.base) return -E_NODEV;
  if (block >= nblocks) return -E_INVAL;
  if (write && readonly) return -E_IO;
  req_hdr.type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
  req_hdr.reserved = 0, req_hdr.sector = (uint64_t)block * 8;
  req_status = 0xFF;
  if (write) memcpy(bounce, buf, sizeof bounce);
  const struct virtq_desc chain[3] = {
      {(uint32_t)(uintptr_t)&req_hdr, sizeof req_hdr, 0, 0},
      {(uint32_t)(uintptr_t)bounce, sizeof bounce, (uint16_t)(write ? 0 : VIRTQ_DESC_F_WRITE), 0},
      {(uint32_t)(uintptr_t)&req_status, 1, VIRTQ_DESC_F_WRITE, 0},
  };
  int r = virtio_run(&dev, chain, 3);
  if (r >= 0 && req_status != 0) r = -E_IO;
  if (r >= 0 && !write) memcpy(buf, bounce, sizeof bounce);
  memset(bounce, 0, sizeof bounce); /* no stray copy of file data (the key) stays behind */
  return r < 0 ? r : 0;
}
