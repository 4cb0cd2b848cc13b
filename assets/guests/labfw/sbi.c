/* SBI v2.0 call dispatch (SBI spec ch. 3: a7 = EID, a6 = FID, a0..a5 arguments, error in a0
 * and value in a1; legacy extensions ch. 5 return in a0 only). Implemented: BASE, TIME, IPI,
 * RFENCE, HSM, SRST, DBCN and legacy set_timer/putchar/getchar/shutdown. */
#include "csr.h"
#include "fw.h"
#include "sbi.h"

#define LABFW_IMPL_ID 0x4C4142u /* "LAB": not a registered implementation ID */
#define LABFW_IMPL_VERSION 0x00010000u

struct sbiret {
  long error, value;
};

static const uint32_t supported_ext[] = {
    SBI_EXT_LEGACY_SET_TIMER, SBI_EXT_LEGACY_PUTCHAR, SBI_EXT_LEGACY_GETCHAR, SBI_EXT_LEGACY_SHUTDOWN,
    SBI_EXT_BASE, SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE, SBI_EXT_HSM, SBI_EXT_SRST, SBI_EXT_DBCN};

static void set_timer(uint32_t hart, uint64_t when) {
  clint_set_timecmp(hart, when);
  csr_clear(mip, MIP_STIP);
  csr_set(mie, MIP_MTIP);
}

static void system_reset(uint32_t type, uint32_t reason) {
  volatile uint32_t *fin = (volatile uint32_t *)fw_plat.finisher;
  if (type == SBI_SRST_SHUTDOWN) *fin = reason == SBI_SRST_REASON_NONE ? 0x5555 : (1u << 16) | 0x3333;
  else *fin = 0x7777;
  for (;;) __asm__ volatile("wfi");
}

static struct sbiret base_call(uint32_t fid, uint32_t a0) {
  struct sbiret r = {SBI_SUCCESS, 0};
  switch (fid) {
  case SBI_BASE_GET_SPEC_VERSION: r.value = SBI_SPEC_VERSION_2_0; break;
  case SBI_BASE_GET_IMPL_ID: r.value = LABFW_IMPL_ID; break;
  case SBI_BASE_GET_IMPL_VERSION: r.value = LABFW_IMPL_VERSION; break;
  case SBI_BASE_PROBE_EXT:
    for (uint32_t i = 0; i < ARRAY_LEN(supported_ext); i++)
      if (supported_ext[i] == a0) r.value = 1;
    break;
  case SBI_BASE_GET_MVENDORID: r.value = (long)csr_read(mvendorid); break;
  case SBI_BASE_GET_MARCHID: r.value = (long)csr_read(marchid); break;
  case SBI_BASE_GET_MIMPID: r.value = (long)csr_read(mimpid); break;
  default: r.error = SBI_ERR_NOT_SUPPORTED;
  }
  return r;
}

/* A DBCN buffer must be in RAM, outside the firmware, and below 4 GiB (base_hi == 0). */
static int dbcn_range_ok(uint32_t n, uint32_t lo, uint32_t hi) {
  uint64_t end = (uint64_t)lo + n;
  return hi == 0 && lo >= fw_plat.ram_base && end <= fw_plat.ram_base + fw_plat.ram_size &&
         (lo >= FW_BASE + FW_SIZE || end <= FW_BASE);
}

static struct sbiret dbcn_call(uint32_t fid, const uint32_t *a) {
  struct sbiret r = {SBI_SUCCESS, 0};
  if (fid == SBI_DBCN_WRITE_BYTE) {
    fw_putc((char)a[0]);
  } else if (fid == SBI_DBCN_WRITE || fid == SBI_DBCN_READ) {
    if (!dbcn_range_ok(a[0], a[1], a[2])) {
      r.error = SBI_ERR_INVALID_PARAM;
      return r;
    }
    uint8_t *p = (uint8_t *)(uintptr_t)a[1];
    uint32_t i = 0;
    for (; i < a[0]; i++) {
      if (fid == SBI_DBCN_WRITE) {
        fw_putc((char)p[i]);
      } else {
        int c = fw_getc();
        if (c < 0) break;
        p[i] = (uint8_t)c;
      }
    }
    r.value = (long)i;
  } else {
    r.error = SBI_ERR_NOT_SUPPORTED;
  }
  return r;
}

static struct sbiret hsm_call(uint32_t fid, const uint32_t *a, uint32_t hart) {
  struct sbiret r = {SBI_SUCCESS, 0};
  switch (fid) {
  case SBI_HSM_HART_START: r.error = hsm_start(a[0], a[1], a[2]); break;
  case SBI_HSM_HART_STOP: hsm_stop(hart);
  case SBI_HSM_HART_GET_STATUS: {
    long s = hsm_status(a[0]);
    if (s < 0) r.error = s;
    else r.value = s;
    break;
  }
  case SBI_HSM_HART_SUSPEND: r.error = hsm_suspend(a[0]); break;
  default: r.error = SBI_ERR_NOT_SUPPORTED;
  }
  return r;
}

static const uint32_t rfence_work[] = {PEND_FENCE_I, PEND_SFENCE, PEND_SFENCE, PEND_HFENCE,
                                       PEND_HFENCE, PEND_HFENCE, PEND_HFENCE};

static struct sbiret ext_call(uint32_t eid, uint32_t fid, const uint32_t *a, uint32_t hart) {
  struct sbiret r = {SBI_SUCCESS, 0};
  switch (eid) {
  case SBI_EXT_BASE: return base_call(fid, a[0]);
  case SBI_EXT_TIME:
    if (fid != 0) r.error = SBI_ERR_NOT_SUPPORTED;
    else set_timer(hart, ((uint64_t)a[1] << 32) | a[0]);
    return r;
  case SBI_EXT_IPI:
    r.error = fid ? SBI_ERR_NOT_SUPPORTED : hsm_send(hart, a[0], a[1], PEND_IPI);
    return r;
  case SBI_EXT_RFENCE:
    /* Address ranges and ASIDs are honoured by over-fencing: a full flush is always correct. */
    r.error = fid < ARRAY_LEN(rfence_work) ? hsm_send(hart, a[0], a[1], rfence_work[fid])
                                           : SBI_ERR_NOT_SUPPORTED;
    return r;
  case SBI_EXT_HSM: return hsm_call(fid, a, hart);
  case SBI_EXT_SRST:
    if (fid != 0) r.error = SBI_ERR_NOT_SUPPORTED;
    else if (a[0] > SBI_SRST_WARM_REBOOT || a[1] > SBI_SRST_REASON_FAILURE) r.error = SBI_ERR_INVALID_PARAM;
    else if (!fw_plat.finisher) r.error = SBI_ERR_NOT_SUPPORTED;
    else system_reset(a[0], a[1]);
    return r;
  case SBI_EXT_DBCN: return dbcn_call(fid, a);
  default: r.error = SBI_ERR_NOT_SUPPORTED; return r;
  }
}

void sbi_dispatch(struct mregs *regs, uint32_t hart) {
  uint32_t *x = regs->x, eid = x[17], fid = x[16];
  const uint32_t *a = &x[10];
  switch (eid) {
  case SBI_EXT_LEGACY_SET_TIMER: set_timer(hart, ((uint64_t)a[1] << 32) | a[0]); x[10] = 0; return;
  case SBI_EXT_LEGACY_PUTCHAR: fw_putc((char)a[0]); x[10] = 0; return;
  case SBI_EXT_LEGACY_GETCHAR: x[10] = (uint32_t)fw_getc(); return;
  case SBI_EXT_LEGACY_SHUTDOWN:
    if (fw_plat.finisher) system_reset(SBI_SRST_SHUTDOWN, SBI_SRST_REASON_NONE);
    x[10] = (uint32_t)SBI_ERR_NOT_SUPPORTED;
    return;
  default: {
    uint32_t args[6];
    memcpy(args, a, sizeof args);
    struct sbiret r = ext_call(eid, fid, args, hart);
    x[10] = (uint32_t)r.error;
    x[11] = (uint32_t)r.value;
  }
  }
}
