/* virtio-blk over virtio-mmio version 2 (Virtual I/O Device 1.1: 4.2.2 MMIO registers, 3.1.1
 * driver initialisation, 2.7 split virtqueues, 5.2 block device). One request at a time, three
 * descriptors (header, 4 KiB data through a bounce buffer, status), completion polled on the used
 * ring with a time limit so that a dead device gives an error instead of a hang. */
#include "kernel.h"

#define VIRTIO_MAGIC 0x74726976u
#define R_MAGIC 0x000
#define R_VERSION 0x004
#define R_DEVICE_ID 0x008
#define R_DEV_FEATURES 0x010
#define R_DEV_FEATURES_SEL 0x014
#define R_DRV_FEATURES 0x020
#define R_DRV_FEATURES_SEL 0x024
#define R_QUEUE_SEL 0x030
#define R_QUEUE_NUM_MAX 0x034
#define R_QUEUE_NUM 0x038
#define R_QUEUE_READY 0x044
#define R_QUEUE_NOTIFY 0x050
#define R_INT_STATUS 0x060
#define R_INT_ACK 0x064
#define R_STATUS 0x070
#define R_QUEUE_DESC 0x080
#define R_QUEUE_DRIVER 0x090
#define R_QUEUE_DEVICE 0x0a0
#define R_CONFIG 0x100
#define ST_ACK 1
#define ST_DRIVER 2
#define ST_DRIVER_OK 4
#define ST_FEATURES_OK 8
#define ST_FAILED 128
#define F_BLK_RO 5
#define QSIZE 8
#define DESC_F_NEXT 1
#define DESC_F_WRITE 2

struct vq_desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags, next;
};

static struct {
  struct vq_desc desc[QSIZE];
  struct {
    uint16_t flags, idx, ring[QSIZE], used_event;
  } avail;
  uint8_t pad[4096 - QSIZE * 16 - (4 + 2 * QSIZE + 2)];
  struct {
    uint16_t flags, idx;
    struct {
      uint32_t id, len;
    } ring[QSIZE];
    uint16_t avail_event;
  } used;
} vq __attribute__((aligned(4096)));

static struct {
  uint32_t type, reserved;
  uint64_t sector;
} req_hdr;
static volatile uint8_t req_status;
static uint8_t bounce[4096] __attribute__((aligned(4096)));
static uintptr_t base;
static uint32_t nblocks, readonly;
static uint16_t last_used;

static volatile uint32_t *reg(uint32_t off) { return (volatile uint32_t *)(base + off); }

static int setup(uintptr_t b) {
  base = b;
  if (*reg(R_MAGIC) != VIRTIO_MAGIC || *reg(R_VERSION) != 2 || *reg(R_DEVICE_ID) != 2) return -1;
  *reg(R_STATUS) = 0;
  *reg(R_STATUS) = ST_ACK;
  *reg(R_STATUS) = ST_ACK | ST_DRIVER;
  *reg(R_DEV_FEATURES_SEL) = 1;
  if (!(*reg(R_DEV_FEATURES) & 1)) return -2; /* VIRTIO_F_VERSION_1 is required */
  *reg(R_DEV_FEATURES_SEL) = 0;
  readonly = (*reg(R_DEV_FEATURES) >> F_BLK_RO) & 1;
  *reg(R_DRV_FEATURES_SEL) = 0;
  *reg(R_DRV_FEATURES) = readonly << F_BLK_RO;
  *reg(R_DRV_FEATURES_SEL) = 1;
  *reg(R_DRV_FEATURES) = 1;
  *reg(R_STATUS) = ST_ACK | ST_DRIVER | ST_FEATURES_OK;
  if (!(*reg(R_STATUS) & ST_FEATURES_OK)) return -3;
  *reg(R_QUEUE_SEL) = 0;
  if (*reg(R_QUEUE_NUM_MAX) < QSIZE) return -4;
  *reg(R_QUEUE_NUM) = QSIZE;
  uint32_t d = (uint32_t)(uintptr_t)vq.desc, a = (uint32_t)(uintptr_t)&vq.avail;
  uint32_t u = (uint32_t)(uintptr_t)&vq.used;
  *reg(R_QUEUE_DESC) = d, *reg(R_QUEUE_DESC + 4) = 0;
  *reg(R_QUEUE_DRIVER) = a, *reg(R_QUEUE_DRIVER + 4) = 0;
  *reg(R_QUEUE_DEVICE) = u, *reg(R_QUEUE_DEVICE + 4) = 0;
  *reg(R_QUEUE_READY) = 1;
  uint64_t sectors = *reg(R_CONFIG) | ((uint64_t)*reg(R_CONFIG + 4) << 32);
  nblocks = sectors / 8 > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)(sectors / 8);
  *reg(R_STATUS) = ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK;
  return 0;
}

int vblk_init(void) {
  for (int i = 0; i < board.nvirtio; i++) {
    uintptr_t b = board.virtio[i];
    if (*(volatile uint32_t *)(b + R_DEVICE_ID) != 2) continue; /* 0 = empty slot */
    int r = setup(b);
    if (r == 0) return 0;
    kprintf("disk: virtio-blk at 0x%08x unusable (setup step %d failed)\n", (uint32_t)b, -r);
    *reg(R_STATUS) = ST_FAILED;
    base = 0;
  }
  return -1;
}

int vblk_present(void) { return base != 0; }
uint32_t vblk_blocks(void) { return nblocks; }

int vblk_rw(uint32_t block, void *buf, int write) {
  if (!base) return -E_NODEV;
  if (block >= nblocks) return -E_INVAL;
  if (write && readonly) return -E_IO; /* the device offered VIRTIO_BLK_F_RO */
  req_hdr.type = write ? 1 : 0, req_hdr.reserved = 0, req_hdr.sector = (uint64_t)block * 8;
  req_status = 0xFF;
  if (write) memcpy(bounce, buf, 4096);
  vq.desc[0] = (struct vq_desc){(uint32_t)(uintptr_t)&req_hdr, sizeof req_hdr, DESC_F_NEXT, 1};
  vq.desc[1] = (struct vq_desc){(uint32_t)(uintptr_t)bounce, 4096,
                                (uint16_t)(DESC_F_NEXT | (write ? 0 : DESC_F_WRITE)), 2};
  vq.desc[2] = (struct vq_desc){(uint32_t)(uintptr_t)&req_status, 1, DESC_F_WRITE, 0};
  vq.avail.ring[vq.avail.idx % QSIZE] = 0;
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  vq.avail.idx++;
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  *reg(R_QUEUE_NOTIFY) = 0;
  uint64_t deadline = read_time64() + (uint64_t)board.timebase * 10;
  while (*(volatile uint16_t *)&vq.used.idx == last_used)
    if (read_time64() > deadline) return -E_IO;
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  last_used++;
  *reg(R_INT_ACK) = *reg(R_INT_STATUS);
  if (req_status != 0) return -E_IO;
  if (!write) memcpy(buf, bounce, 4096);
  return 0;
}
