/* Reads the board from the DTB (Devicetree Specification v0.4; bindings: memory, cpus with
 * riscv,cpu-intc, ns16550a, riscv,plic0 with interrupts-extended, virtio,mmio, /chosen/rng-seed).
 * The rng-seed is copied out and zeroed in the DTB, as Linux does, so it is used exactly once. */
#include "fdt.h"
#include "kernel.h"

struct board board;

static uintptr_t reg0(const void *dtb, int node, uint32_t *size) {
  uint64_t a, s;
  if (node < 0 || fdt_reg(dtb, node, 0, &a, &s) || a > 0xFFFFFFFFu) return 0;
  if (size) *size = (uint32_t)s;
  return (uintptr_t)a;
}

static void read_harts(const void *dtb) {
  int cpus = fdt_subnode(dtb, fdt_root(dtb), "cpus"), depth = 0;
  if (cpus < 0) return;
  board.timebase = fdt_prop_u32(dtb, cpus, "timebase-frequency", 0);
  for (int n = fdt_next_node(dtb, cpus, &depth); n >= 0 && depth > 0;
       n = fdt_next_node(dtb, n, &depth)) {
    const char *dt = (const char *)fdt_getprop(dtb, n, "device_type", NULL);
    uint32_t id = fdt_prop_u32(dtb, n, "reg", 0xFFFFFFFFu);
    if (depth == 1 && dt && !strcmp(dt, "cpu") && id < NCPU && fdt_node_okay(dtb, n)) {
      board.hart_mask |= 1u << id;
      board.nharts++;
    }
  }
}

/* Hart id owning the interrupt controller with this phandle, or -1. */
static int hart_of_intc(const void *dtb, uint32_t phandle) {
  int intc = fdt_find_phandle(dtb, phandle);
  int cpu = intc >= 0 ? fdt_parent(dtb, intc) : -1;
  uint32_t id = cpu >= 0 ? fdt_prop_u32(dtb, cpu, "reg", 0xFFFFFFFFu) : 0xFFFFFFFFu;
  return id < NCPU ? (int)id : -1;
}

static void read_plic(const void *dtb) {
  int n = fdt_find_compatible(dtb, -1, "riscv,plic0");
  if (n < 0) n = fdt_find_compatible(dtb, -1, "sifive,plic-1.0.0");
  board.plic = reg0(dtb, n, &board.plic_size);
  for (int i = 0; i < NCPU; i++) board.plic_ctx[i] = -1;
  int len;
  const uint8_t *ie = (const uint8_t *)(n >= 0 ? fdt_getprop(dtb, n, "interrupts-extended", &len) : NULL);
  for (int ctx = 0; ie && (ctx + 1) * 8 <= len; ctx++) {
    int hart = hart_of_intc(dtb, be32(ie + ctx * 8));
    if (hart >= 0 && be32(ie + ctx * 8 + 4) == IRQ_S_EXT) board.plic_ctx[hart] = ctx;
  }
}

static void read_devices(const void *dtb) {
  int n = fdt_find_compatible(dtb, -1, "ns16550a");
  board.uart = reg0(dtb, n, NULL);
  if (n >= 0) {
    board.uart_shift = fdt_prop_u32(dtb, n, "reg-shift", 0);
    board.uart_irq = fdt_prop_u32(dtb, n, "interrupts", 0);
  }
  /* QEMU lists virtio-mmio nodes from the highest address down; probe in address order. */
  for (n = fdt_find_compatible(dtb, -1, "virtio,mmio"); n >= 0 && board.nvirtio < MAX_VIRTIO;
       n = fdt_find_compatible(dtb, n, "virtio,mmio")) {
    uintptr_t a = reg0(dtb, n, NULL);
    uint32_t irq = fdt_prop_u32(dtb, n, "interrupts", 0);
    int i = board.nvirtio++;
    while (i > 0 && board.virtio[i - 1] > a) {
      board.virtio[i] = board.virtio[i - 1], board.virtio_irq[i] = board.virtio_irq[i - 1];
      i--;
    }
    board.virtio[i] = a, board.virtio_irq[i] = irq;
  }
}

static void read_chosen(const void *dtb) {
  int chosen = fdt_subnode(dtb, fdt_root(dtb), "chosen"), len;
  uint8_t *seed = (uint8_t *)(chosen >= 0 ? fdt_getprop(dtb, chosen, "rng-seed", &len) : NULL);
  if (!seed || len <= 0) return;
  board.rng_len = (uint32_t)len < sizeof board.rng_seed ? (uint32_t)len : sizeof board.rng_seed;
  memcpy(board.rng_seed, seed, board.rng_len);
  memset(seed, 0, (uint32_t)len);
}

void board_init(uint32_t hart, const void *dtb) {
  board.boot_hart = hart;
  if (fdt_check(dtb) != 0) panic("no valid device tree at a1 = %p", dtb);
  board.dtb = dtb;
  board.dtb_addr = (uint32_t)(uintptr_t)dtb;
  board.dtb_size = fdt_total_size(dtb);
  int mem = fdt_subnode(dtb, fdt_root(dtb), "memory");
  uint64_t base, size;
  if (mem < 0 || fdt_reg(dtb, mem, 0, &base, &size) || !size || base >= KEY_VA)
    panic("device tree has no usable /memory node below 0x%08x", KEY_VA);
  /* Sv32 identity map: RAM must end below the kernel's own mappings at KEY_VA. */
  if (size > KEY_VA - base) {
    kprintf("mem: using %u MiB of the %u MiB the DTB lists (Sv32 layout limit)\n",
            (uint32_t)((KEY_VA - base) >> 20), (uint32_t)(size >> 20));
    size = KEY_VA - base;
  }
  board.ram_base = (uint32_t)base, board.ram_size = (uint32_t)size;
  read_harts(dtb);
  if (!board.timebase) panic("device tree has no /cpus/timebase-frequency");
  read_plic(dtb);
  read_devices(dtb);
  read_chosen(dtb);
}
