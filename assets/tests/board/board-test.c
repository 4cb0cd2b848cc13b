/* board-test: an S-mode program that exercises the platform through SBI v2.0 (BASE probes, HSM
 * status, error codes, IPI to itself, TIME), PLIC-routed interrupts (UART0 receive, source 10)
 * and, when the DTB has one, the host disk controller (write + read back by DMA, completion
 * interrupt on its PLIC source). Interrupts wake WFI with sstatus.SIE off and are handled by
 * polling sip, claim and complete. Prints only values every conforming platform agrees on. */
#include "csr.h"
#include "fdt.h"
#include "lib.h"
#include "sbi.h"

struct sbiret { long error, value; };

static struct sbiret sbi(uint32_t eid, uint32_t fid, uint32_t a0, uint32_t a1, uint32_t a2) {
  register uint32_t r0 __asm__("a0") = a0, r1 __asm__("a1") = a1, r2 __asm__("a2") = a2;
  register uint32_t r6 __asm__("a6") = fid, r7 __asm__("a7") = eid;
  __asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
  return (struct sbiret){(long)r0, (long)r1};
}

static char line[200];

static void print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void print(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnfmt(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n > (int)sizeof line - 1) n = sizeof line - 1;
  sbi(SBI_EXT_DBCN, SBI_DBCN_WRITE, (uint32_t)n, (uint32_t)(uintptr_t)line, 0);
}

static uint64_t now(void) {
  uint32_t hi, lo;
  do {
    hi = csr_read(timeh);
    lo = csr_read(time);
  } while (hi != csr_read(timeh));
  return ((uint64_t)hi << 32) | lo;
}

/* Sleeps until one of `bits` is pending in sip (sie enables the wake-up, SIE stays off). */
static uint32_t wait_sip(uint32_t bits) {
  csr_write(sie, bits);
  uint32_t p;
  while (!((p = csr_read(sip)) & bits)) __asm__ volatile("wfi");
  return p;
}

static void check_sbi(uint32_t hart) {
  static const uint32_t exts[] = {SBI_EXT_LEGACY_PUTCHAR, SBI_EXT_BASE, SBI_EXT_TIME, SBI_EXT_IPI,
                                  SBI_EXT_RFENCE, SBI_EXT_HSM, SBI_EXT_SRST, SBI_EXT_DBCN, 0x12345678};
  print("board-test: hart %u, SBI spec 0x%08lx\n", hart, sbi(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0).value);
  for (uint32_t i = 0; i < ARRAY_LEN(exts); i++)
    print("probe 0x%08x = %ld\n", exts[i], sbi(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, exts[i], 0, 0).value);
  struct sbiret s = sbi(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, hart, 0, 0);
  print("hsm status self = %ld/%ld\n", s.error, s.value);
  print("hsm status 99 = %ld\n", sbi(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, 99, 0, 0).error);
  print("hsm suspend type 2 = %ld\n", sbi(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, 2, 0, 0).error);
  print("unknown extension = %ld\n", sbi(0x0abcdef0, 0, 0, 0, 0).error);
  print("dbcn write above 4 GiB = %ld\n", sbi(SBI_EXT_DBCN, SBI_DBCN_WRITE, 1, (uint32_t)(uintptr_t)line, 1).error);
  print("srst reserved type = %ld\n", sbi(SBI_EXT_SRST, 0, 5, 0, 0).error);
  print("rfence sfence.vma all = %ld\n", sbi(SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA, 0, 0xffffffffu, 0).error);
  print("ipi self = %ld", sbi(SBI_EXT_IPI, 0, 1u << hart, 0, 0).error);
  wait_sip(MIP_SSIP);
  csr_clear(sip, MIP_SSIP);
  print(", SSIP seen\n");
  print("set_timer +1 ms = %ld", sbi(SBI_EXT_TIME, 0, (uint32_t)(now() + 10000), (uint32_t)((now() + 10000) >> 32), 0).error);
  wait_sip(MIP_STIP);
  sbi(SBI_EXT_TIME, 0, 0xffffffffu, 0xffffffffu, 0);
  print(", STIP seen, cleared = %u\n", (csr_read(sip) & MIP_STIP) == 0);
}

static uintptr_t node_reg(const void *dtb, const char *compat, uint32_t *irq) {
  int n = fdt_find_compatible(dtb, -1, compat);
  uint64_t a, s;
  if (n < 0 || fdt_reg(dtb, n, 0, &a, &s)) return 0;
  if (irq) *irq = fdt_prop_u32(dtb, n, "interrupts", 0);
  return (uintptr_t)a;
}

#define REG(base, off) (*(volatile uint32_t *)((base) + (off)))
#define REG8(base, off) (*(volatile uint8_t *)((base) + (off)))

static uintptr_t plic;
static uint32_t plic_ctx;

static void plic_enable(uint32_t irq) {
  REG(plic, 4 * irq) = 1;
  REG(plic, 0x2000 + 0x80 * plic_ctx + 4 * (irq / 32)) |= 1u << (irq % 32);
}

/* Waits for the next external interrupt and claims it; the caller completes it. */
static uint32_t claim_next(void) {
  for (;;) {
    wait_sip(MIP_SEIP);
    uint32_t irq = REG(plic, 0x200000 + 0x1000 * plic_ctx + 4);
    if (irq) return irq;
  }
}

static void complete(uint32_t irq) { REG(plic, 0x200000 + 0x1000 * plic_ctx + 4) = irq; }

static void check_uart(uintptr_t uart, uint32_t uart_irq) {
  plic_enable(uart_irq);
  REG8(uart, 1) = 1; /* IER: received data available */
  print("uart irq %u: type a line\n", uart_irq);
  char got[32];
  uint32_t n = 0, irqs = 0;
  while (n == 0 || got[n - 1] != '\n') {
    uint32_t irq = claim_next();
    irqs += irq == uart_irq;
    while (irq == uart_irq && (REG8(uart, 5) & 1) && n < sizeof got - 1) got[n++] = (char)REG8(uart, 0);
    complete(irq);
  }
  REG8(uart, 1) = 0;
  got[n - 1] = 0;
  print("uart: got \"%s\" through %s\n", got, irqs ? "PLIC interrupts" : "no interrupt");
}

struct disk_entry { uint8_t op, status; uint16_t flags; uint32_t count, sector_lo, sector_hi, buf, buf_hi, tag, bytes; };
static struct disk_entry ring[4] __attribute__((aligned(32)));
static uint8_t wbuf[512] __attribute__((aligned(512))), rbuf[512] __attribute__((aligned(512)));

static int disk_request(uintptr_t disk, uint32_t irq, uint32_t slot, uint8_t op, uint8_t *buf) {
  ring[slot] = (struct disk_entry){op, 0, 0, 1, 1, 0, (uint32_t)(uintptr_t)buf, 0, 0x7a00 + slot, 0};
  __asm__ volatile("fence" ::: "memory");
  REG(disk, 0x30) = slot + 1; /* doorbell: entries HEAD..slot */
  uint32_t got = claim_next();
  REG(disk, 0x38) = REG(disk, 0x38); /* acknowledge */
  complete(got);
  return got == irq && ring[slot].status == 1 && ring[slot].bytes == 512 ? 0 : -1;
}

static void check_disk(const void *dtb) {
  uint32_t irq = 0;
  uintptr_t disk = node_reg(dtb, "cloudvisor-lab,host-disk", &irq);
  if (!disk) {
    print("disk: none in the DTB\n");
    return;
  }
  print("disk: magic 0x%08x, %u sectors of %u bytes, irq %u\n", REG(disk, 0), REG(disk, 8), REG(disk, 0x10), irq);
  plic_enable(irq);
  REG(disk, 0x20) = (uint32_t)(uintptr_t)ring;
  REG(disk, 0x28) = ARRAY_LEN(ring);
  REG(disk, 0x2c) = 1;
  REG(disk, 0x3c) = 3;
  for (uint32_t i = 0; i < sizeof wbuf; i++) wbuf[i] = (uint8_t)(i * 7 + 1);
  int w = disk_request(disk, irq, 0, 2, wbuf);
  int r = disk_request(disk, irq, 1, 1, rbuf);
  print("disk: write %s, read %s, data %s, completed %u\n", w ? "FAILED" : "ok", r ? "FAILED" : "ok",
        memcmp(wbuf, rbuf, sizeof wbuf) ? "DIFFERS" : "matches", REG(disk, 0x44));
}

void board_main(uint32_t hart, const void *dtb) {
  check_sbi(hart);
  uint32_t uart_irq = 0;
  uintptr_t uart = fdt_check(dtb) == 0 ? node_reg(dtb, "ns16550a", &uart_irq) : 0;
  plic = node_reg(dtb, "riscv,plic0", 0);
  plic_ctx = 2 * hart + 1; /* virt boards: context 2h is hart h's M-mode, 2h+1 its S-mode */
  if (!uart || !plic) {
    print("board-test: no UART or PLIC in the DTB\n");
  } else {
    REG(plic, 0x200000 + 0x1000 * plic_ctx) = 0; /* threshold */
    check_uart(uart, uart_irq);
    check_disk(dtb);
  }
  print("board-test: done\n");
  sbi(SBI_EXT_SRST, 0, SBI_SRST_SHUTDOWN, SBI_SRST_REASON_NONE, 0);
}
