/* virtio-mmio version 2 transport (Virtual I/O Device 1.1, 4.2.2 and 3.1.1) and split virtqueue
 * requests (2.7). Memory is identity-mapped, so the kernel's addresses are the device's DMA
 * addresses (guest-physical when labOS runs under a hypervisor). Used-buffer interrupts come
 * through the PLIC to the boot hart and wake the process waiting on the device. */
#include "kernel.h"
#include "virtio.h"

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

static volatile uint32_t *reg(uintptr_t base, uint32_t off) { return (volatile uint32_t *)(base + off); }

static struct virtio_dev *devices[MAX_VIRTIO]; /* by board.virtio[] index, for interrupts */

int virtio_find(uint32_t device_id, int after) {
  for (int i = after + 1; i < board.nvirtio; i++) {
    uintptr_t b = board.virtio[i];
    if (*reg(b, R_MAGIC) == VIRTIO_MAGIC && *reg(b, R_DEVICE_ID) == device_id) return i;
  }
  return -1;
}

int virtio_irq(uint32_t irq) {
  for (int i = 0; i < board.nvirtio; i++) {
    struct virtio_dev *d = devices[i];
    if (!d || !d->base || d->irq != irq) continue;
    *reg(d->base, R_INT_ACK) = *reg(d->base, R_INT_STATUS);
    wakeup(d);
    return 1;
  }
  return 0;
}

int virtio_init(struct virtio_dev *d, int index, struct virtq *q, uint32_t *features) {
  uintptr_t base = board.virtio[index];
  d->base = base, d->q = q, d->last_used = 0;
  d->irq = board.plic ? board.virtio_irq[index] : 0;
  memset(q, 0, sizeof *q);
  if (*reg(base, R_MAGIC) != VIRTIO_MAGIC || *reg(base, R_VERSION) != 2) return -1;
  *reg(base, R_STATUS) = 0;
  *reg(base, R_STATUS) = ST_ACK;
  *reg(base, R_STATUS) = ST_ACK | ST_DRIVER;
  *reg(base, R_DEV_FEATURES_SEL) = 1;
  if (!(*reg(base, R_DEV_FEATURES) & 1)) return -2; /* VIRTIO_F_VERSION_1 is required */
  *reg(base, R_DEV_FEATURES_SEL) = 0;
  *features &= *reg(base, R_DEV_FEATURES);
  *reg(base, R_DRV_FEATURES_SEL) = 0;
  *reg(base, R_DRV_FEATURES) = *features;
  *reg(base, R_DRV_FEATURES_SEL) = 1;
  *reg(base, R_DRV_FEATURES) = 1;
  *reg(base, R_STATUS) = ST_ACK | ST_DRIVER | ST_FEATURES_OK;
  if (!(*reg(base, R_STATUS) & ST_FEATURES_OK)) return -3;
  *reg(base, R_QUEUE_SEL) = 0;
  if (*reg(base, R_QUEUE_NUM_MAX) < VIRTIO_QSIZE) return -4;
  *reg(base, R_QUEUE_NUM) = VIRTIO_QSIZE;
  *reg(base, R_QUEUE_DESC) = (uint32_t)(uintptr_t)q->desc, *reg(base, R_QUEUE_DESC + 4) = 0;
  *reg(base, R_QUEUE_DRIVER) = (uint32_t)(uintptr_t)&q->avail, *reg(base, R_QUEUE_DRIVER + 4) = 0;
  *reg(base, R_QUEUE_DEVICE) = (uint32_t)(uintptr_t)&q->used, *reg(base, R_QUEUE_DEVICE + 4) = 0;
  *reg(base, R_QUEUE_READY) = 1;
  *reg(base, R_STATUS) = ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK;
  devices[index] = d;
  if (d->irq) plic_enable(board.boot_hart, d->irq);
  return 0;
}

void virtio_fail(struct virtio_dev *d) {
  if (d->base) *reg(d->base, R_STATUS) = ST_FAILED;
  d->base = 0;
}

uint32_t virtio_config32(const struct virtio_dev *d, uint32_t off) { return *reg(d->base, R_CONFIG + off); }

int virtio_run(struct virtio_dev *d, const struct virtq_desc *chain, int n) {
  struct virtq *q = d->q;
  if (!d->base || n < 1 || n > VIRTIO_QSIZE) return -E_NODEV;
  for (int i = 0; i < n; i++) {
    q->desc[i] = chain[i];
    q->desc[i].flags = (uint16_t)((chain[i].flags & VIRTQ_DESC_F_WRITE) | (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
    q->desc[i].next = (uint16_t)(i + 1 < n ? i + 1 : 0);
  }
  q->avail.ring[q->avail.idx % VIRTIO_QSIZE] = 0;
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  q->avail.idx++;
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  *reg(d->base, R_QUEUE_NOTIFY) = 0;
  uint64_t deadline = read_time64() + (uint64_t)board.timebase * 10;
  int can_sleep = d->irq && myproc();
  /* Polling reads the clock only now and then: on QEMU each time-CSR read takes the global I/O
   * lock, which slows down the very device we are waiting for. */
  for (uint32_t spins = 0; *(volatile uint16_t *)&q->used.idx == d->last_used; spins++) {
    if (can_sleep) {
      uint64_t now = read_time64();
      if (now > deadline) return -E_IO;
      sleep_until(d, now + board.timebase / TICK_HZ);
    } else if ((spins & 0xFFF) == 0xFFF && read_time64() > deadline) {
      return -E_IO;
    }
  }
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  uint32_t len = q->used.ring[d->last_used % VIRTIO_QSIZE].len;
  d->last_used++;
  *reg(d->base, R_INT_ACK) = *reg(d->base, R_INT_STATUS);
  return (int)len;
}
