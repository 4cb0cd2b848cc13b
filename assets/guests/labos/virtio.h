/* virtio-mmio version 2 transport shared by the block and entropy drivers (Virtual I/O Device
 * 1.1: 4.2.2 registers, 3.1.1 initialisation, 2.7 split virtqueues). One queue of QSIZE
 * descriptors per device, one request in flight, completion polled with a time limit. */
#ifndef LABOS_VIRTIO_H
#define LABOS_VIRTIO_H
#include "lib.h"

#define VIRTIO_QSIZE 8
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_ENTROPY 4

struct virtq_desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags, next;
};

struct virtq {
  struct virtq_desc desc[VIRTIO_QSIZE];
  struct {
    uint16_t flags, idx, ring[VIRTIO_QSIZE], used_event;
  } avail;
  uint8_t pad[4096 - VIRTIO_QSIZE * 16 - (4 + 2 * VIRTIO_QSIZE + 2)];
  struct {
    uint16_t flags, idx;
    struct {
      uint32_t id, len;
    } ring[VIRTIO_QSIZE];
    uint16_t avail_event;
  } used;
} __attribute__((aligned(4096)));

struct virtio_dev {
  uintptr_t base;
  struct virtq *q;
  uint32_t irq; /* PLIC source, 0 if none: then completion is polled */
  uint16_t last_used;
};

/* The index in board.virtio[] of the first device of this type after index `after` (-1 = from
 * the start), or -1. */
int virtio_find(uint32_t device_id, int after);
/* Resets and initialises device `index` with queue 0 = q and routes its interrupt to the boot
 * hart. *features (low 32 bits) holds the device-specific features wanted on entry and those
 * accepted on return. 0 or -step. */
int virtio_init(struct virtio_dev *d, int index, struct virtq *q, uint32_t *features);
/* Runs one descriptor chain (descriptors 0..n-1 are filled in by the caller's list) and waits
 * for it: a process sleeps until the device's interrupt (or the next tick, should the interrupt
 * never come); boot code, with no process, polls. Returns the number of bytes the device wrote,
 * or a negative error after 10 s without an answer. */
int virtio_run(struct virtio_dev *d, const struct virtq_desc *chain, int n);
uint32_t virtio_config32(const struct virtio_dev *d, uint32_t off);
void virtio_fail(struct virtio_dev *d);
#endif
