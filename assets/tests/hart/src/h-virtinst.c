/* Virtual-instruction exceptions (priv 1.12 section 8.6.1) against illegal instruction: from VS
   and VU, hypervisor instructions (HFENCE, HLV/HLVX/HSV), hypervisor/VS/supervisor/machine CSRs,
   SRET, WFI and SFENCE.VMA/satp, under hstatus.VTSR/VTW/VTVM and mstatus.TW/TVM/TSR. The
   instructions use fixed registers, so mtval/htval-free tval (the instruction bits) is stable. */
#include "rt.h"

extern char s_trap_entry[], vs_trap_entry[], lower_return_stub[];
static volatile u32 word = 0x5a5a5a5a;

#define FN(name, text)                                                          \
  static u32 name(u32 x) {                                                      \
    register u32 a1 asm("a1") = (u32)&word;                                     \
    asm volatile(text ::"r"(a1) : "a0", "memory");                             \
    return x;                                                                   \
  }
FN(f_hfence_vvma, "hfence.vvma zero, zero")
FN(f_hfence_gvma, "hfence.gvma zero, zero")
FN(f_hlv_w, "hlv.w a0, (a1)")
FN(f_hlvx_hu, "hlvx.hu a0, (a1)")
FN(f_hsv_w, "hsv.w a0, (a1)")
FN(f_hstatus, "csrr a0, hstatus")
FN(f_hgatp, "csrr a0, hgatp")
FN(f_hvip, "csrr a0, hvip")
FN(f_vsstatus, "csrr a0, vsstatus")
FN(f_sstatus, "csrr a0, sstatus")
FN(f_sstatus_w, "csrs sstatus, zero")
FN(f_satp, "csrr a0, satp")
FN(f_mstatus, "csrr a0, mstatus")
FN(f_sret, "sret")
FN(f_mret, "mret")
FN(f_wfi, "wfi")
FN(f_sfence, "sfence.vma zero, zero")

struct op { const char *name; u32 (*fn)(u32); };
static const struct op ops[] = {
    {"hfence.vvma", f_hfence_vvma}, {"hfence.gvma", f_hfence_gvma}, {"hlv.w", f_hlv_w},
    {"hlvx.hu", f_hlvx_hu},         {"hsv.w", f_hsv_w},             {"csrr hstatus", f_hstatus},
    {"csrr hgatp", f_hgatp},        {"csrr hvip", f_hvip},          {"csrr vsstatus", f_vsstatus},
    {"csrr sstatus", f_sstatus},    {"csrs sstatus", f_sstatus_w},  {"csrr satp", f_satp},
    {"csrr mstatus", f_mstatus},    {"sret", f_sret},               {"mret", f_mret},
    {"wfi", f_wfi},                 {"sfence.vma", f_sfence},
};

static void try_op(const char *cfg, const struct op *o, int mode) {
  clear_trap();
  /* a successful SRET in VS returns (vsstatus.SPP=1) to the runtime's return stub */
  csr_write(vsepc, lower_return_stub);
  csr_set(vsstatus, MSTATUS_SPP);
  /* a WFI that is allowed must be woken: VSSIP pending, enabled in vsie, masked by
     vsstatus.SIE=0 (VU: VS interrupts would be taken, so only in VS) */
  if (o->fn == f_wfi && mode == MODE_VS) {
    csr_clear(vsstatus, MSTATUS_SIE);
    csr_write(vsie, 1u << 1);
    csr_set(hvip, 1u << 2);
  }
  run_mode(mode, o->fn, 0);
  csr_clear(hvip, 1u << 2);
  puts_(cfg);
  puts_(mode == MODE_VS ? " VS " : " VU ");
  puts_(o->name);
  if (last_trap.n == 0) {
    puts_(": ok\n");
  } else {
    puts_(": ");
    putc_((char)last_trap.level);
    puts_(" c=");
    puthex(last_trap.cause);
    puts_(" v=");
    puthex(last_trap.tval);
    putc_('\n');
  }
  clear_trap();
}

static void matrix(const char *cfg, u32 hst, u32 mst) {
  csr_clear(hstatus, HSTATUS_VTSR | HSTATUS_VTW | HSTATUS_VTVM);
  csr_set(hstatus, hst);
  csr_clear(mstatus, MSTATUS_TSR | MSTATUS_TW | MSTATUS_TVM);
  csr_set(mstatus, mst);
  for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++) {
    if (ops[i].fn == f_wfi && (hst & HSTATUS_VTW) == 0 && (mst & MSTATUS_TW) == 0) {
      try_op(cfg, &ops[i], MODE_VS);
      continue; /* in VU an allowed-looking WFI could wait forever: covered with TW/VTW */
    }
    try_op(cfg, &ops[i], MODE_VS);
    try_op(cfg, &ops[i], MODE_VU);
  }
  csr_clear(hstatus, HSTATUS_VTSR | HSTATUS_VTW | HSTATUS_VTVM);
  csr_clear(mstatus, MSTATUS_TSR | MSTATUS_TW | MSTATUS_TVM);
}

int main(void) {
  clear_trap();
  csr_write(stvec, s_trap_entry);
  csr_write(vstvec, vs_trap_entry);
  csr_write(hideleg, 1u << 2);
  csr_write(vsie, 1u << 1);
  matrix("plain", 0, 0);
  matrix("VTSR", HSTATUS_VTSR, 0);
  matrix("VTW", HSTATUS_VTW, 0);
  matrix("VTVM", HSTATUS_VTVM, 0);
  matrix("TW", 0, MSTATUS_TW);
  matrix("TVM", 0, MSTATUS_TVM);
  matrix("TSR", 0, MSTATUS_TSR);
  /* delegated to HS: the virtual-instruction exception lands in HS with htval=0, htinst=0 */
  csr_write(medeleg, (1u << 22) | (1u << 2));
  run_mode(MODE_VS, f_hstatus, 0);
  last_trap.epc = 0;
  show_trap("csrr hstatus from VS, to HS");
  csr_write(medeleg, 0);
  csr_write(hideleg, 0);
  return 0;
}
