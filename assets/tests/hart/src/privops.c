/* Privileged instructions and their traps (priv 1.12 sections 3.1.6.5 TVM/TW/TSR, 3.3.2 xRET,
   3.3.3 WFI, 4.2.1 SFENCE.VMA, 2.1 CSR privilege): MRET/SRET state changes, MRET clearing MPRV,
   xRET/WFI/SFENCE.VMA/satp/hfence/hgatp from every non-virtual privilege with TW, TSR and TVM
   set and clear. Instructions are emitted as fixed words so mtval (the instruction) is stable. */
#include "rt.h"

extern char s_trap_entry[];

#define W_MRET 0x30200073
#define W_SRET 0x10200073
#define W_WFI 0x10500073
#define W_SFENCE 0x12000073
#define W_HFENCE_GVMA 0x62000073
#define W_HFENCE_VVMA 0x22000073
#define W_CSRR_SATP 0x18002573    /* csrr a0, satp */
#define W_CSRW_SATP 0x18001073    /* csrw satp, zero */
#define W_CSRR_HGATP 0x68002573   /* csrr a0, hgatp */
#define W_CSRR_MSTATUS 0x30002573 /* csrr a0, mstatus */
#define W_CSRR_SSTATUS 0x10002573 /* csrr a0, sstatus */
#define W_CSRR_HSTATUS 0x60002573 /* csrr a0, hstatus */

#define FN(name, word)                         \
  static u32 name(u32 x) {                     \
    asm volatile(".word " STR(word) ::: "a0", "memory"); \
    return x;                                  \
  }
FN(f_mret, W_MRET)
FN(f_sret, W_SRET)
FN(f_wfi, W_WFI)
FN(f_sfence, W_SFENCE)
FN(f_hfence_gvma, W_HFENCE_GVMA)
FN(f_hfence_vvma, W_HFENCE_VVMA)
FN(f_rd_satp, W_CSRR_SATP)
FN(f_wr_satp, W_CSRW_SATP)
FN(f_rd_hgatp, W_CSRR_HGATP)
FN(f_rd_mstatus, W_CSRR_MSTATUS)
FN(f_rd_sstatus, W_CSRR_SSTATUS)
FN(f_rd_hstatus, W_CSRR_HSTATUS)

struct op { const char *name; u32 (*fn)(u32); };
static const struct op ops[] = {
    {"mret", f_mret},           {"sret", f_sret},           {"wfi", f_wfi},
    {"sfence.vma", f_sfence},   {"hfence.gvma", f_hfence_gvma}, {"hfence.vvma", f_hfence_vvma},
    {"csrr satp", f_rd_satp},   {"csrw satp", f_wr_satp},   {"csrr hgatp", f_rd_hgatp},
    {"csrr mstatus", f_rd_mstatus}, {"csrr sstatus", f_rd_sstatus}, {"csrr hstatus", f_rd_hstatus},
};

static const char *title_;

static void try_op(const struct op *o, int mode) {
  clear_trap();
  run_mode(mode, o->fn, 0);
  puts_(title_);
  putc_(' ');
  puts_(o->name);
  puts_(mode == MODE_S ? " S: " : " U: ");
  if (last_trap.n == 0) {
    puts_("ok\n");
  } else {
    putc_((char)last_trap.level);
    puts_(" c=");
    puthex(last_trap.cause);
    puts_(" v=");
    puthex(last_trap.tval);
    putc_('\n');
  }
  clear_trap();
}

static void matrix(const char *title, u32 bits) {
  csr_clear(mstatus, MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR);
  csr_set(mstatus, bits);
  title_ = title;
  for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++) {
    /* WFI in S with TW=0 must be woken: an S software interrupt pending and enabled in sie,
       but masked by sstatus.SIE=0, wakes it without a trap (priv 3.3.3). */
    if (ops[i].fn == f_wfi) {
      csr_set(sip, 1u << 1);
      csr_set(sie, 1u << 1);
      csr_clear(sstatus, MSTATUS_SIE);
    }
    /* xRET that succeeds leaves for sepc/mepc: aim both at the runtime's return stub */
    extern char lower_return_stub[];
    csr_write(sepc, lower_return_stub);
    csr_clear(sstatus, MSTATUS_SPP);
    try_op(&ops[i], MODE_S);
    csr_write(sepc, lower_return_stub);
    /* (no S interrupt may be pending in U: with TSR the S handler could not SRET) */
    csr_clear(sip, 1u << 1);
    try_op(&ops[i], MODE_U);
  }
  csr_clear(sip, 1u << 1);
  csr_clear(mstatus, MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR);
}

/* In S: sret to a label in S with SPP=S, SPIE=1, SIE=0, then report sstatus. */
static u32 sret_in_s(u32 x) {
  (void)x;
  u32 st;
  asm volatile(
      "csrsi sstatus, 0\n"
      "li t0, 0x120\n csrs sstatus, t0\n" /* SPP=1, SPIE=1 */
      "csrci sstatus, 2\n"                /* SIE=0 */
      "la t0, 1f\n csrw sepc, t0\n"
      "sret\n"
      "1: csrr %0, sstatus\n"
      : "=r"(st) :: "t0");
  csr_clear(sstatus, MSTATUS_SIE);
  return st & 0x122;
}

int main(void) {
  clear_trap();
  csr_write(stvec, s_trap_entry);
  csr_write(mideleg, 1u << 1);

  /* MRET in M: MIE <- MPIE, MPIE <- 1, MPP <- U, stays in M (MPP was M) */
  u32 st;
  csr_clear(mstatus, MSTATUS_MPP | MSTATUS_MIE);
  csr_set(mstatus, MSTATUS_MPP | MSTATUS_MPIE);
  asm volatile("la t0, 1f\n csrw mepc, t0\n mret\n1: csrr %0, mstatus" : "=r"(st) :: "t0");
  show("after mret M->M", st & (MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV));
  csr_clear(mstatus, MSTATUS_MIE);
  /* MRET with MPP=M ignores MPV (stays in M, V=0); report what MPV reads afterwards */
  csr_set(mstatus, MSTATUS_MPP);
  csr_set(mstatush, MSTATUSH_MPV);
  asm volatile("la t0, 1f\n csrw mepc, t0\n mret\n1: csrr %0, mstatush" : "=r"(st) :: "t0");
  show("mstatush.MPV after mret M->M", (st & MSTATUSH_MPV) != 0);
  show("still M (mscratch readable)", csr_read(mscratch) != 0);
  csr_clear(mstatush, MSTATUSH_MPV);
  /* MRET to S clears MPRV (priv 3.1.6.3) */
  csr_set(mstatus, MSTATUS_MPRV);
  run_mode(MODE_S, f_sfence, 0);
  show("MPRV after mret to S", (csr_read(mstatus) & MSTATUS_MPRV) != 0);
  csr_set(mstatus, MSTATUS_MPRV | MSTATUS_MPP);
  asm volatile("la t0, 1f\n csrw mepc, t0\n mret\n1:" ::: "t0");
  show("MPRV after mret to M", (csr_read(mstatus) & MSTATUS_MPRV) != 0);
  csr_clear(mstatus, MSTATUS_MPRV);
  /* SRET in S */
  show("sstatus after sret S->S", run_mode(MODE_S, sret_in_s, 0));
  show_trap("sret S->S");

  matrix("plain", 0);
  matrix("TW", MSTATUS_TW);
  matrix("TSR", MSTATUS_TSR);
  matrix("TVM", MSTATUS_TVM);
  csr_write(mideleg, 0);
  return 0;
}
