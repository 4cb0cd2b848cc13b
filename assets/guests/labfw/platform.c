/* Platform discovery from the DTB (UART "ns16550a", CLINT "riscv,clint0"/"sifive,clint0", test
 * finisher "sifive,test0", /memory, /cpus), the polled NS16550A console and the CLINT registers
 * (SiFive CLINT layout: msip at +4*hart, mtimecmp at +0x4000+8*hart, mtime at +0xBFF8). */
#include "csr.h"
#include "fdt.h"
#include "fw.h"

struct fw_platform fw_plat;

#define UART_THR 0
#define UART_RBR 0
#define UART_IER 1
#define UART_LCR 3
#define UART_LSR 5
#define LSR_DR 0x01
#define LSR_THRE 0x20

static volatile uint8_t *uart_reg(uint32_t r) {
  return (volatile uint8_t *)(fw_plat.uart + (r << fw_plat.uart_shift));
}

static uintptr_t reg0(const void *dtb, int node) {
  uint64_t a, s;
  if (node < 0 || fdt_reg(dtb, node, 0, &a, &s) || a > 0xFFFFFFFFu) return 0;
  return (uintptr_t)a;
}

static void find_harts(const void *dtb) {
  int cpus = fdt_subnode(dtb, fdt_root(dtb), "cpus"), depth = 0;
  if (cpus < 0) return;
  for (int n = fdt_next_node(dtb, cpus, &depth); n >= 0 && depth > 0;
       n = fdt_next_node(dtb, n, &depth)) {
    const char *dt = (const char *)fdt_getprop(dtb, n, "device_type", NULL);
    uint32_t id = fdt_prop_u32(dtb, n, "reg", 0xFFFFFFFFu);
    if (depth == 1 && dt && !strcmp(dt, "cpu") && id < FW_MAX_HARTS && fdt_node_okay(dtb, n)) {
      fw_plat.hart_mask |= 1u << id;
      fw_plat.nharts++;
    }
  }
}

void platform_init(const void *dtb) {
  /* Defaults are QEMU virt's; everything is overridden from a valid DTB. */
  fw_plat.uart = 0x10000000, fw_plat.clint = 0x02000000, fw_plat.finisher = 0x100000;
  fw_plat.ram_base = FW_BASE, fw_plat.ram_size = 0x08000000;
  fw_plat.hart_mask = 1, fw_plat.nharts = 1;
  if (fdt_check(dtb) == 0) {
    fw_plat.dtb = dtb;
    int n = fdt_find_compatible(dtb, -1, "ns16550a");
    if (reg0(dtb, n)) fw_plat.uart = reg0(dtb, n);
    fw_plat.uart_shift = n >= 0 ? fdt_prop_u32(dtb, n, "reg-shift", 0) : 0;
    n = fdt_find_compatible(dtb, -1, "riscv,clint0");
    if (n < 0) n = fdt_find_compatible(dtb, -1, "sifive,clint0");
    if (reg0(dtb, n)) fw_plat.clint = reg0(dtb, n);
    n = fdt_find_compatible(dtb, -1, "sifive,test0");
    fw_plat.finisher = reg0(dtb, n);
    uint64_t a, s;
    n = fdt_subnode(dtb, fdt_root(dtb), "memory");
    if (n >= 0 && !fdt_reg(dtb, n, 0, &a, &s)) fw_plat.ram_base = a, fw_plat.ram_size = s;
    fw_plat.hart_mask = 0, fw_plat.nharts = 0;
    find_harts(dtb);
    if (!fw_plat.hart_mask) fw_plat.hart_mask = 1, fw_plat.nharts = 1;
  }
  *uart_reg(UART_IER) = 0;
  *uart_reg(UART_LCR) = 0x03; /* 8N1 */
}

void fw_putc(char c) {
  if (c == '\n') fw_putc('\r');
  while (!(*uart_reg(UART_LSR) & LSR_THRE)) {
  }
  *uart_reg(UART_THR) = (uint8_t)c;
}

int fw_getc(void) { return (*uart_reg(UART_LSR) & LSR_DR) ? *uart_reg(UART_RBR) : -1; }

static void put_adapter(void *ctx, char c) {
  (void)ctx;
  fw_putc(c);
}

void fw_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfmt(put_adapter, NULL, fmt, ap);
  va_end(ap);
}

uint64_t clint_time(void) {
  volatile uint32_t *mtime = (volatile uint32_t *)(fw_plat.clint + 0xBFF8);
  uint32_t hi, lo;
  do {
    hi = mtime[1];
    lo = mtime[0];
  } while (hi != mtime[1]);
  return ((uint64_t)hi << 32) | lo;
}

void clint_set_timecmp(uint32_t hart, uint64_t when) {
  volatile uint32_t *cmp = (volatile uint32_t *)(fw_plat.clint + 0x4000 + 8 * hart);
  cmp[1] = 0xFFFFFFFFu; /* no spurious match while the halves are inconsistent */
  cmp[0] = (uint32_t)when;
  cmp[1] = (uint32_t)(when >> 32);
}

void clint_set_msip(uint32_t hart, uint32_t v) {
  ((volatile uint32_t *)fw_plat.clint)[hart] = v;
}
