/* labfw boot and machine trap handling (RISC-V Privileged v1.12: 3.1.8 medeleg/mideleg, 3.7 PMP,
 * 3.1.11 mcounteren). The boot hart discovers the platform, copies the S-mode payload to
 * PAYLOAD_ADDR and enters it with a0 = hartid, a1 = DTB. Traps that reach M-mode are SBI calls,
 * machine timer/software interrupts, time-CSR emulation, or are redirected to S-mode. */
#include "csr.h"
#include "fw.h"
#include "sbi.h"

extern const uint8_t payload_start[], payload_end[];

/* Exceptions S-mode handles itself. Illegal instruction stays in M for time-CSR emulation. */
#define MEDELEG_BITS                                                                              \
  ((1u << CAUSE_MISALIGNED_FETCH) | (1u << CAUSE_FETCH_ACCESS) | (1u << CAUSE_BREAKPOINT) |       \
   (1u << CAUSE_MISALIGNED_LOAD) | (1u << CAUSE_LOAD_ACCESS) | (1u << CAUSE_MISALIGNED_STORE) |   \
   (1u << CAUSE_STORE_ACCESS) | (1u << CAUSE_USER_ECALL) | (1u << CAUSE_VS_ECALL) |               \
   (1u << CAUSE_FETCH_PAGE_FAULT) | (1u << CAUSE_LOAD_PAGE_FAULT) |                               \
   (1u << CAUSE_STORE_PAGE_FAULT) | (1u << CAUSE_FETCH_GUEST_PAGE_FAULT) |                        \
   (1u << CAUSE_LOAD_GUEST_PAGE_FAULT) | (1u << CAUSE_VIRTUAL_INSTRUCTION) |                      \
   (1u << CAUSE_STORE_GUEST_PAGE_FAULT))

/* PMP entry 0: the firmware's 2 MiB (NAPOT, no permissions, so S/U cannot touch it);
 * entry 1: everything else (NAPOT all-ones, RWX). */
#define PMP_NAPOT 0x18u
#define PMP_RWX 0x07u

void fw_hart_setup(void) {
  csr_write(pmpaddr0, (FW_BASE >> 2) | ((FW_SIZE >> 3) - 1));
  csr_write(pmpaddr1, 0xFFFFFFFFu);
  csr_write(pmpcfg0, ((PMP_NAPOT | PMP_RWX) << 8) | PMP_NAPOT);
  csr_write(medeleg, MEDELEG_BITS);
  csr_write(mideleg, MIP_SSIP | MIP_STIP | MIP_SEIP);
  csr_write(mcounteren, 7); /* CY, TM, IR readable from S (and, if S allows, from U) */
  csr_write(scounteren, 0);
  clint_set_timecmp(csr_read(mhartid), 0xFFFFFFFFFFFFFFFFull);
  __asm__ volatile("sfence.vma" ::: "memory");
}

void fw_boot_main(uint32_t hart, const void *dtb) {
  platform_init(dtb);
  uint32_t size = (uint32_t)(payload_end - payload_start);
  fw_printf("labfw: SBI v2.0 firmware, %u hart(s), RAM %u MiB at 0x%08x\n", fw_plat.nharts,
            (uint32_t)(fw_plat.ram_size >> 20), (uint32_t)fw_plat.ram_base);
  if (!fw_plat.dtb) fw_printf("labfw: warning: no valid device tree at a1, using QEMU virt defaults\n");
  hsm_init(hart);
  fw_hart_setup();
  csr_set(mie, MIP_MSIP);
  memcpy((void *)PAYLOAD_ADDR, payload_start, size);
  __asm__ volatile("fence.i" ::: "memory");
  __atomic_store_n(&fw_ready, 1, __ATOMIC_RELEASE);
  fw_printf("labfw: starting S-mode payload at 0x%08x (%u bytes) on hart %u\n", PAYLOAD_ADDR, size,
            hart);
  fw_enter_smode(hart, (uint32_t)(uintptr_t)dtb, PAYLOAD_ADDR);
}

/* Forwards an exception to S-mode as if medeleg had delegated it (Privileged 4.1.1), for traps
 * from V=0 (fw_trap refuses V=1: the payload is a plain S-mode kernel, not a hypervisor). */
static void redirect_to_s(uint32_t cause, uint32_t tval) {
  uint32_t ms = csr_read(mstatus);
  csr_write(scause, cause);
  csr_write(stval, tval);
  csr_write(sepc, csr_read(mepc));
  ms &= ~(MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE | MSTATUS_MPP);
  if (((csr_read(mstatus) & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) == 1) ms |= MSTATUS_SPP;
  if (csr_read(mstatus) & MSTATUS_SIE) ms |= MSTATUS_SPIE;
  ms |= 1u << MSTATUS_MPP_SHIFT;
  csr_write(mstatus, ms);
  csr_write(mepc, csr_read(stvec) & ~3u);
}

/* csrrs rd, time/timeh, x0 (rdtime/rdtimeh) on a hart without a time CSR: read CLINT mtime. */
static int emulate_time(struct mregs *r, uint32_t insn) {
  uint32_t rd = (insn >> 7) & 31;
  uint64_t t;
  if ((insn & 0xFFFFF07Fu) == 0xC0102073u) t = clint_time();
  else if ((insn & 0xFFFFF07Fu) == 0xC8102073u) t = clint_time() >> 32;
  else return 0;
  if (rd) r->x[rd] = (uint32_t)t;
  csr_write(mepc, csr_read(mepc) + 4);
  return 1;
}

static void fatal(const char *what, uint32_t cause) {
  fw_printf("labfw: fatal: %s (mcause 0x%08x mepc 0x%08x mtval 0x%08x)\n", what, cause,
            csr_read(mepc), csr_read(mtval));
  for (;;) __asm__ volatile("wfi");
}

void fw_trap(struct mregs *r) {
  uint32_t cause = csr_read(mcause), hart = csr_read(mhartid);
  if (cause & CAUSE_INTERRUPT) {
    uint32_t irq = cause & ~CAUSE_INTERRUPT;
    if (irq == IRQ_M_TIMER) {
      csr_clear(mie, MIP_MTIP);
      csr_set(mip, MIP_STIP);
    } else if (irq == IRQ_M_SOFT) {
      hsm_handle_msip(hart);
    } else {
      fatal("unexpected interrupt", cause);
    }
    return;
  }
  if (((csr_read(mstatus) & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) == 3) fatal("trap from M-mode", cause);
  if (cause == CAUSE_SUPERVISOR_ECALL) {
    sbi_dispatch(r, hart);
    csr_write(mepc, csr_read(mepc) + 4);
    return;
  }
  if (cause == CAUSE_ILLEGAL_INSTRUCTION && emulate_time(r, csr_read(mtval))) return;
  if (csr_read(mstatush) & (1u << 7)) fatal("exception from V=1 (labfw forwards only to a plain S-mode payload)", cause);
  redirect_to_s(cause, csr_read(mtval));
}
