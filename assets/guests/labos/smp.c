/* Secondary harts: started through SBI HSM hart_start (SBI v2.0 ch. 9) at secondary_start with
 * satp = 0. They join the kernel's address space and trap vector and then idle in wfi: the
 * scheduler runs user processes on the boot hart only. */
#include "kernel.h"

extern char secondary_start[];
static volatile uint32_t online_mask;
static volatile uint32_t ipi_count[NCPU];

uint32_t smp_online(void) { return (uint32_t)__builtin_popcount(online_mask); }

void secondary_entry(uint32_t hart) {
  vm_enable(kernel_root);
  trap_init_hart();
  csr_clear(sie, MIP_STIP | MIP_SEIP);
  __atomic_fetch_or(&online_mask, 1u << hart, __ATOMIC_RELEASE);
  for (;;) {
    __asm__ volatile("wfi");
    if (csr_read(sip) & MIP_SSIP) {
      csr_clear(sip, MIP_SSIP);
      __atomic_fetch_add(&ipi_count[hart], 1, __ATOMIC_RELEASE);
    }
  }
}

void smp_boot_secondaries(void) {
  online_mask = 1u << board.boot_hart;
  for (uint32_t h = 0; h < NCPU; h++) {
    if (h == board.boot_hart || !((board.hart_mask >> h) & 1)) continue;
    struct sbiret r = sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, h,
                               (uint32_t)(uintptr_t)secondary_start, 0);
    if (r.error) {
      kprintf("smp: hart %u did not start: %s\n", h, sbi_strerror(r.error));
      continue;
    }
    uint64_t deadline = read_time64() + board.timebase; /* one second */
    while (!((online_mask >> h) & 1) && read_time64() < deadline) {
    }
    if ((online_mask >> h) & 1) kprintf("smp: hart %u online (idle)\n", h);
    else kprintf("smp: hart %u started but did not come online\n", h);
  }
  if (board.nharts > 1) kprintf("smp: %u of %u harts online\n", smp_online(), board.nharts);
}

/* Sends an IPI and a remote sfence.vma to every other online hart and waits (1 s at most)
 * for each to count the IPI. Returns the number of harts that answered, or -1 on an SBI error. */
int smp_ping(void) {
  uint32_t others = online_mask & ~(1u << hart_id()), before[NCPU];
  for (uint32_t h = 0; h < NCPU; h++) before[h] = ipi_count[h];
  if (!others) return 0;
  if (sbi_call(SBI_EXT_IPI, 0, others, 0, 0).error) return -1;
  if (sbi_call(SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA, others, 0, 0).error) return -1;
  uint64_t deadline = read_time64() + board.timebase; /* generous: QEMU vCPUs are host threads */
  int answered = 0;
  for (uint32_t h = 0; h < NCPU; h++) {
    if (!((others >> h) & 1)) continue;
    while (ipi_count[h] == before[h] && read_time64() < deadline) {
    }
    answered += ipi_count[h] != before[h];
  }
  return answered;
}
