/* H-extension CSR behaviour (priv 1.12 sections 8.2 and 8.6.4, Sstc chapter): VS-mode's s* CSR
   accesses landing on the vs* registers, SRET from HS entering VS through hstatus.SPV, the time
   CSR in VS offset by htimedelta (printed as a relation), and the Sstc access rules for stimecmp
   and vstimecmp (menvcfg.STCE, henvcfg.STCE, mcounteren.TM, hcounteren.TM; mip.STIP writability). */
#include "rt.h"

extern char lower_return_stub[];

/* In VS: read the supervisor CSRs; each must be the vs* copy written from M. */
static u32 vs_reads(u32 which) {
  switch (which) {
    case 0: return csr_read(sscratch);
    case 1: return csr_read(sepc);
    case 2: return csr_read(scause);
    case 3: return csr_read(stval);
    case 4: return csr_read(stvec);
    case 5: return csr_read(satp);
    case 6: return csr_read(sstatus) & (MSTATUS_SUM | MSTATUS_MXR | MSTATUS_SPP);
    default: return csr_read(sie);
  }
}

/* In VS: write sscratch (that is, vsscratch) and read it back. (The runtime resets both scratch
   registers when it returns to M, so M cannot inspect them afterwards.) */
static u32 vs_write(u32 v) {
  csr_write(sscratch, v);
  return csr_read(sscratch);
}

/* In HS: SRET with hstatus.SPV=1 and SPP=1 enters VS at vs_body, which reports sstatus (that is,
   vsstatus) and returns to M through the runtime stub. */
u32 hs_sret_to_vs(u32 x);
asm(".globl hs_sret_to_vs\n"
    "hs_sret_to_vs:\n"
    " li t0, 0x80\n csrs hstatus, t0\n"  /* SPV */
    " li t0, 0x100\n csrs sstatus, t0\n" /* SPP = S */
    " la t0, vs_body\n csrw sepc, t0\n"
    " sret\n"
    "vs_body:\n"
    " csrr a0, sstatus\n"
    " j lower_return_stub\n");

/* In VS: SRET (vsstatus.SPP=0) into VU at vu_body; VU does an ecall (delegated to VS by hedeleg,
   handled and skipped), then reads... nothing privileged: it returns through the runtime stub. */
u32 vs_sret_to_vu(u32 x);
asm(".globl vs_sret_to_vu\n"
    "vs_sret_to_vu:\n"
    " li t0, 0x100\n csrc sstatus, t0\n" /* SPP = U */
    " la t0, vu_body\n csrw sepc, t0\n"
    " sret\n"
    "vu_body:\n"
    " li a7, 1\n ecall\n"
    " li a0, 0x600d\n"
    " j lower_return_stub\n");

static u32 rd_time(u32 x) {
  (void)x;
  u32 v;
  asm volatile("rdtime %0" : "=r"(v));
  return v;
}
static u32 rd_stimecmp(u32 x) {
  (void)x;
  return csr_read(CSR_STIMECMP);
}
static u32 wr_stimecmp(u32 v) {
  csr_write(CSR_STIMECMP, v);
  return 0;
}

static void gate(const char *what, int mode, u32 (*fn)(u32), u32 arg) {
  clear_trap();
  u32 v = run_mode(mode, fn, arg);
  puts_(what);
  if (last_trap.n == 0) {
    puts_(": ok ");
    puthex(v);
    putc_('\n');
  } else {
    puts_(": trap ");
    puthex(last_trap.cause);
    putc_('\n');
  }
  clear_trap();
}

int main(void) {
  clear_trap();
  csr_write(vsscratch, 0x11111111);
  csr_write(vsepc, 0x22222220);
  csr_write(vscause, 0x0000000d);
  csr_write(vstval, 0x44444444);
  csr_write(vstvec, 0x55555500);
  csr_write(vsatp, 0x00012345);
  csr_write(vsstatus, MSTATUS_SUM | MSTATUS_SPP);
  csr_write(hideleg, 0x444);
  csr_write(vsie, 0x222);
  for (u32 i = 0; i < 8; i++) {
    static const char *const n[] = {"sscratch", "sepc", "scause", "stval", "stvec", "satp", "sstatus", "sie"};
    puts_("VS reads ");
    show(n[i], run_mode(MODE_VS, vs_reads, i));
  }
  csr_write(vsatp, 0);
  show("VS sscratch write+read", run_mode(MODE_VS, vs_write, 0x77777777));

  /* SRET from HS into VS */
  csr_write(vsstatus, MSTATUS_MXR);
  csr_clear(hstatus, HSTATUS_SPV);
  show("vsstatus seen after sret", run_mode(MODE_S, hs_sret_to_vs, 0) & (MSTATUS_MXR | MSTATUS_SUM));
  show("hstatus.SPV after sret", (csr_read(hstatus) & HSTATUS_SPV) != 0);
  csr_write(vsstatus, 0);
  csr_write(hideleg, 0);
  /* VS kernel entering its VU process with SRET; the process's ecall comes back to VS */
  extern char vs_trap_entry[];
  csr_write(vstvec, vs_trap_entry);
  csr_write(medeleg, 1u << 8);
  csr_write(hedeleg, 1u << 8);
  clear_trap();
  show("VU process returned", run_mode(MODE_VS, vs_sret_to_vu, 0));
  last_trap.epc = 0;
  show_trap("VU ecall");
  csr_write(medeleg, 0);
  csr_write(hedeleg, 0);

  /* time in VS = time + htimedelta */
  csr_write(mcounteren, 7);
  csr_write(hcounteren, 7);
  csr_write(htimedelta, 0x40000000);
  csr_write(htimedeltah, 0);
  u32 t0 = rd_time(0);
  u32 tv = run_mode(MODE_VS, rd_time, 0);
  u32 t1 = rd_time(0);
  show("VS time - M time >= delta", tv - t0 >= 0x40000000u);
  show("VS time - delta <= M time after", tv - 0x40000000u <= t1);
  /* vstimecmp compares with time + htimedelta (Sstc, priv 8.2.x): with a large delta, a compare
     value that is still far ahead of time is already due for the guest */
  csr_write(CSR_MENVCFGH, 1u << 31);
  csr_write(CSR_HENVCFGH, 1u << 31);
  csr_write(htimedelta, 0x40000000);
  u32 now = rd_time(0);
  csr_write(CSR_VSTIMECMPH, 0);
  csr_write(CSR_VSTIMECMP, now + 0x20000000);
  show("VSTIP: cmp = time + delta/2", (csr_read(hip) >> 6) & 1);
  csr_write(CSR_VSTIMECMP, now + 0x60000000);
  show("VSTIP: cmp = time + 1.5 delta", (csr_read(hip) >> 6) & 1);
  csr_write(htimedelta, 0x70000000);
  show("VSTIP after delta grows", (csr_read(hip) >> 6) & 1);
  csr_write(CSR_VSTIMECMPH, 0xffffffff);
  csr_write(CSR_VSTIMECMP, 0xffffffff);
  csr_write(CSR_HENVCFGH, 0);
  csr_write(CSR_MENVCFGH, 0);
  csr_write(htimedelta, 0);

  /* Sstc gating */
  csr_write(CSR_MENVCFGH, 0);
  csr_write(CSR_HENVCFGH, 0);
  gate("S stimecmp STCE=0", MODE_S, rd_stimecmp, 0);
  csr_set(mip, 1u << 5);
  show("mip.STIP writable with STCE=0", (csr_read(mip) >> 5) & 1);
  csr_clear(mip, 1u << 5);
  csr_write(CSR_MENVCFGH, 1u << 31);
  csr_write(CSR_STIMECMPH, 0xffffffff);
  csr_write(CSR_STIMECMP, 0xffffffff);
  csr_set(mip, 1u << 5);
  show("mip.STIP writable with STCE=1", (csr_read(mip) >> 5) & 1);
  csr_write(mcounteren, 5); /* TM clear */
  gate("S stimecmp STCE=1 TM=0", MODE_S, rd_stimecmp, 0);
  csr_write(mcounteren, 7);
  gate("S stimecmp STCE=1 TM=1", MODE_S, rd_stimecmp, 0);
  gate("S write stimecmp", MODE_S, wr_stimecmp, 0x12345678);
  show("stimecmp", csr_read(CSR_STIMECMP));
  gate("U stimecmp", MODE_U, rd_stimecmp, 0);
  csr_write(CSR_VSTIMECMPH, 0xffffffff);
  csr_write(CSR_VSTIMECMP, 0x0badcafe);
  gate("VS stimecmp henvcfg.STCE=0", MODE_VS, rd_stimecmp, 0);
  csr_write(CSR_HENVCFGH, 1u << 31);
  gate("VS stimecmp henvcfg.STCE=1", MODE_VS, rd_stimecmp, 0);
  csr_write(hcounteren, 5);
  gate("VS stimecmp hcounteren.TM=0", MODE_VS, rd_stimecmp, 0);
  csr_write(hcounteren, 7);
  gate("VS write stimecmp", MODE_VS, wr_stimecmp, 0x0abcdef0);
  show("vstimecmp", csr_read(CSR_VSTIMECMP));
  show("stimecmp unchanged", csr_read(CSR_STIMECMP));
  gate("VU stimecmp", MODE_VU, rd_stimecmp, 0);
  csr_write(CSR_MENVCFGH, 0);
  gate("VS stimecmp menvcfg.STCE=0", MODE_VS, rd_stimecmp, 0);
  csr_write(CSR_HENVCFGH, 0);
  csr_write(CSR_VSTIMECMPH, 0xffffffff);
  csr_write(CSR_STIMECMPH, 0xffffffff);
  /* Only STCE and FIOM are printed: QEMU 7.2 also implements Zicbom/Zicboz/Svpbmt (CBIE, CBCFE,
     CBZE, PBMTE), which cannot be switched off there and are not part of this board. */
  csr_write(CSR_MENVCFGH, 0xffffffff);
  show("menvcfgh.STCE ones", csr_read(CSR_MENVCFGH) & 0x80000000u);
  csr_write(CSR_HENVCFGH, 0xffffffff);
  show("henvcfgh.STCE ones", csr_read(CSR_HENVCFGH) & 0x80000000u);
  csr_write(CSR_MENVCFGH, 0);
  csr_write(CSR_HENVCFGH, 0);
  csr_write(CSR_MENVCFG, 0xffffffff);
  show("menvcfg.FIOM ones", csr_read(CSR_MENVCFG) & 1);
  csr_write(CSR_HENVCFG, 0xffffffff);
  show("henvcfg.FIOM ones", csr_read(CSR_HENVCFG) & 1);
  csr_write(CSR_MENVCFG, 0);
  csr_write(CSR_HENVCFG, 0);
  return 0;
}
