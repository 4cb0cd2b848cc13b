/* Hart state management and inter-hart work (SBI v2.0 ch. 9 HSM, ch. 7 IPI, ch. 8 RFENCE).
 * States follow the HSM state machine; a hart leaves STOPPED only through START_PENDING, set by
 * hsm_start with a compare-and-swap. Cross-hart work is a bit set in hart_pending[] plus the
 * target's CLINT msip; the target clears the bits after doing the work, which is what fence
 * requesters wait for (while serving their own pending work, so two harts cannot deadlock). */
#include "csr.h"
#include "fw.h"
#include "sbi.h"

static volatile uint32_t hart_state[FW_MAX_HARTS];
static volatile uint32_t hart_start_addr[FW_MAX_HARTS], hart_opaque[FW_MAX_HARTS];
static volatile uint32_t hart_pending[FW_MAX_HARTS];

int hsm_valid(uint32_t hart) { return hart < FW_MAX_HARTS && (fw_plat.hart_mask >> hart) & 1; }

void hsm_init(uint32_t boot_hart) {
  for (uint32_t h = 0; h < FW_MAX_HARTS; h++) hart_state[h] = SBI_HSM_STOPPED;
  hart_state[boot_hart] = SBI_HSM_STARTED;
}

static int addr_ok(uint32_t addr) {
  uint64_t end = fw_plat.ram_base + fw_plat.ram_size;
  return addr >= fw_plat.ram_base && addr < end && !(addr >= FW_BASE && addr < FW_BASE + FW_SIZE) &&
         (addr & 3) == 0;
}

long hsm_start(uint32_t hart, uint32_t addr, uint32_t opaque) {
  if (!hsm_valid(hart)) return SBI_ERR_INVALID_PARAM;
  if (!addr_ok(addr)) return SBI_ERR_INVALID_ADDRESS;
  uint32_t expected = SBI_HSM_STOPPED;
  if (!__atomic_compare_exchange_n(&hart_state[hart], &expected, SBI_HSM_START_PENDING, 0,
                                   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    return SBI_ERR_ALREADY_AVAILABLE;
  hart_start_addr[hart] = addr;
  hart_opaque[hart] = opaque;
  __atomic_thread_fence(__ATOMIC_RELEASE);
  clint_set_msip(hart, 1);
  return SBI_SUCCESS;
}

long hsm_status(uint32_t hart) {
  if (!hsm_valid(hart)) return SBI_ERR_INVALID_PARAM;
  return hart_state[hart];
}

long hsm_suspend(uint32_t type) {
  if (type == 0) { /* default retentive suspend: resume after the next interrupt */
    __asm__ volatile("wfi");
    return SBI_SUCCESS;
  }
  if (type == 0x80000000u) return SBI_ERR_NOT_SUPPORTED; /* default non-retentive */
  return SBI_ERR_INVALID_PARAM;
}

void hsm_stop(uint32_t self) {
  csr_clear(mie, MIP_MTIP);
  csr_clear(mip, MIP_STIP | MIP_SSIP);
  hart_state[self] = SBI_HSM_STOPPED;
  fw_repark(self);
}

/* Entry of every non-boot hart and of stopped harts: wait for hart_start, then enter S-mode. */
void fw_park(uint32_t hart) {
  fw_hart_setup();
  csr_set(mie, MIP_MSIP);
  while (__atomic_load_n(&hart_state[hart], __ATOMIC_ACQUIRE) != SBI_HSM_START_PENDING)
    __asm__ volatile("wfi");
  clint_set_msip(hart, 0);
  hart_pending[hart] = 0;
  uint32_t addr = hart_start_addr[hart], opaque = hart_opaque[hart];
  hart_state[hart] = SBI_HSM_STARTED;
  fw_enter_smode(hart, opaque, addr);
}

static void do_work(uint32_t work) {
  if (work & PEND_IPI) csr_set(mip, MIP_SSIP);
  if (work & PEND_FENCE_I) __asm__ volatile("fence.i" ::: "memory");
  if (work & PEND_SFENCE) __asm__ volatile("sfence.vma" ::: "memory");
  if (work & PEND_HFENCE)
    __asm__ volatile(".option push\n.option arch,+h\nhfence.gvma\nhfence.vvma\n.option pop" ::: "memory");
}

void hsm_handle_msip(uint32_t self) {
  clint_set_msip(self, 0);
  uint32_t work = __atomic_load_n(&hart_pending[self], __ATOMIC_ACQUIRE);
  do_work(work);
  __atomic_fetch_and(&hart_pending[self], ~work, __ATOMIC_RELEASE);
}

long hsm_send(uint32_t self, uint32_t mask, uint32_t base, uint32_t work) {
  uint32_t targets = 0;
  if (base == 0xFFFFFFFFu) {
    targets = fw_plat.hart_mask;
  } else {
    for (uint32_t i = 0; i < 32; i++) {
      if (!((mask >> i) & 1)) continue;
      if (base + i < base || !hsm_valid(base + i)) return SBI_ERR_INVALID_PARAM;
      targets |= 1u << (base + i);
    }
  }
  for (uint32_t h = 0; h < FW_MAX_HARTS; h++) {
    if (!((targets >> h) & 1) || hart_state[h] != SBI_HSM_STARTED) continue;
    if (h == self) {
      do_work(work);
      continue;
    }
    __atomic_fetch_or(&hart_pending[h], work, __ATOMIC_RELEASE);
    clint_set_msip(h, 1);
  }
  uint32_t fences = work & ~PEND_IPI;
  for (uint32_t h = 0; fences && h < FW_MAX_HARTS; h++) {
    if (h == self || !((targets >> h) & 1)) continue;
    while ((__atomic_load_n(&hart_pending[h], __ATOMIC_ACQUIRE) & fences) &&
           hart_state[h] == SBI_HSM_STARTED)
      if (csr_read(mip) & MIP_MSIP) hsm_handle_msip(self);
  }
  return SBI_SUCCESS;
}
