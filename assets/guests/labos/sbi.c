/* SBI calls from S-mode (SBI v2.0 ch. 3 calling convention: a7 = EID, a6 = FID, error in a0,
 * value in a1): timer, shutdown/reboot through SRST with the legacy shutdown as fallback. */
#include "kernel.h"

struct sbiret sbi_call(uint32_t eid, uint32_t fid, uint32_t a0, uint32_t a1, uint32_t a2) {
  register uint32_t r0 __asm__("a0") = a0;
  register uint32_t r1 __asm__("a1") = a1;
  register uint32_t r2 __asm__("a2") = a2;
  register uint32_t r6 __asm__("a6") = fid;
  register uint32_t r7 __asm__("a7") = eid;
  __asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
  struct sbiret r = {(long)r0, (long)r1};
  return r;
}

void sbi_set_timer(uint64_t when) {
  sbi_call(SBI_EXT_TIME, 0, (uint32_t)when, (uint32_t)(when >> 32), 0);
}

void sbi_shutdown(int failure) {
  sbi_call(SBI_EXT_SRST, 0, SBI_SRST_SHUTDOWN, failure ? SBI_SRST_REASON_FAILURE : 0, 0);
  sbi_call(SBI_EXT_LEGACY_SHUTDOWN, 0, 0, 0, 0);
  panic("shutdown: SBI SRST and legacy shutdown both failed");
}

void sbi_reboot(void) {
  struct sbiret r = sbi_call(SBI_EXT_SRST, 0, SBI_SRST_COLD_REBOOT, 0, 0);
  panic("reboot: SBI SRST failed (%s)", sbi_strerror(r.error));
}

const char *sbi_strerror(long err) {
  static const char *const names[] = {"success", "failed", "not supported", "invalid parameter",
                                      "denied", "invalid address", "already available",
                                      "already started", "already stopped"};
  return err <= 0 && err >= -8 ? names[-err] : "unknown error";
}
