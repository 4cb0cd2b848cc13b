/* Interrupts (priv 1.12 sections 3.1.9 mip/mie, 3.3.3 WFI, 4.1.3 sip/sie, 8.2.3-8.2.4 hvip/hip/
   hideleg, 9 "Sstc"): CLINT MSIP and MTIP, supervisor software/timer interrupts through mideleg,
   Sstc stimecmp/vstimecmp, VS interrupts injected through hvip and routed to VS (hideleg) or HS,
   global enables per privilege, priority among simultaneous interrupts, and WFI waking with
   interrupts globally disabled. Only the order of traps is printed, never a time value. */
#include "rt.h"

extern char s_trap_entry[], vs_trap_entry[];

#define TIME_LO() read_mtime()

static void arm_mtimer(u32 delta) {
  u32 now = read_mtime();
  CLINT_MTIMECMP[1] = 0xffffffff;
  CLINT_MTIMECMP[0] = now + delta;
  CLINT_MTIMECMP[1] = *(volatile u32 *)0x0200bffc + ((now + delta) < now);
}

/* Lower-mode waiter: spins until a trap has been recorded, for at most 2 s of the time CSR (QEMU
   delivers its timers late when the host is busy). No WFI: it is illegal in U. */
static u32 spin(u32 x) {
  u32 t0, t;
  asm volatile("rdtime %0" : "=r"(t0));
  do {
    if (last_trap.n) return 1;
    asm volatile("rdtime %0" : "=r"(t));
  } while (t - t0 < 20000000u);
  return x;
}

/* Short waiter for cases where no interrupt may come: one already pending is taken at once. */
static u32 spin_short(u32 x) {
  for (volatile u32 i = 0; i < 1000; i++)
    if (last_trap.n) return 1;
  return x;
}

static u32 spin_short_sie(u32 x) {
  csr_set(sstatus, MSTATUS_SIE);
  u32 r = spin_short(x);
  csr_clear(sstatus, MSTATUS_SIE);
  return r;
}

/* S-mode waiter with SIE set (S-level interrupts are enabled only if sstatus.SIE in S). */
static u32 spin_sie(u32 x) {
  csr_set(sstatus, MSTATUS_SIE);
  u32 r = spin(x);
  csr_clear(sstatus, MSTATUS_SIE);
  return r;
}

static u32 set_ssip_sie(u32 x) {
  csr_set(sip, 1u << 1);
  return spin_sie(x);
}

static u32 set_ssip_nosie(u32 x) {
  csr_set(sip, 1u << 1);
  asm volatile("wfi"); /* pending and enabled in sie: WFI must return (priv 3.3.3) */
  u32 before = last_trap.n;
  csr_set(sstatus, MSTATUS_SIE);
  spin(0);
  csr_clear(sstatus, MSTATUS_SIE);
  return before;
}

/* SIE is opened before the timer is armed: QEMU 7.2 may not re-evaluate an interrupt that became
   pending while masked when a later CSR write unmasks it, so this order keeps its run deterministic. */
static u32 arm_stimecmp(u32 delta) {
  u32 t;
  csr_set(sstatus, MSTATUS_SIE);
  asm volatile("rdtime %0" : "=r"(t));
  /* due now (delta 0): STIP follows the compare as soon as stimecmp is written (Sstc 9.x) */
  csr_write(CSR_STIMECMPH, 0xffffffff);
  csr_write(CSR_STIMECMP, t - delta);
  csr_write(CSR_STIMECMPH, 0);
  return spin_sie(0);
}

static void machine_level(void) {
  csr_set(mie, 1u << 3);
  csr_set(mstatus, MSTATUS_MIE);
  *CLINT_MSIP = 1;
  wait_trap();
  show_log("MSI in M");
  show("msip cleared", *CLINT_MSIP);

  csr_set(mie, 1u << 7);
  arm_mtimer(100);
  wait_trap();
  show_log("MTI in M");
  csr_clear(mstatus, MSTATUS_MIE);

  /* lower privilege: M interrupts are taken whatever mstatus.MIE (priv 3.1.6.1) */
  csr_set(mie, 1u << 7);
  arm_mtimer(0); /* already due: pending at the MRET into U, no host-timer race in QEMU */
  clear_trap();
  run_mode(MODE_U, spin, 0);
  show_log("MTI in U with MIE=0");
  csr_set(mie, 1u << 3);
  *CLINT_MSIP = 1;
  run_mode(MODE_S, spin, 0);
  show_log("MSI in S with MIE=0");

  /* M with MIE=0: pending+enabled interrupts wait; WFI still returns (priv 3.3.3) */
  csr_set(mie, 1u << 3);
  *CLINT_MSIP = 1;
  clear_trap();
  asm volatile("wfi");
  show("wfi returned, traps", last_trap.n);
  /* priority: MSI > MTI > SSI (priv 3.1.9), all pending before MIE opens */
  csr_set(mie, (1u << 7) | (1u << 1));
  CLINT_MTIMECMP[1] = 0;
  CLINT_MTIMECMP[0] = 0;
  csr_set(mip, 1u << 1);
  for (volatile int i = 0; i < 10; i++) {
  }
  clear_trap();
  csr_set(mstatus, MSTATUS_MIE);
  for (volatile int i = 0; i < 10; i++) {
  }
  csr_clear(mstatus, MSTATUS_MIE);
  show_log("priority MSI MTI SSI");
  csr_clear(mip, 1u << 1);
  csr_write(mie, 0);
}

static void supervisor_level(void) {
  csr_write(mideleg, (1u << 1) | (1u << 5));
  csr_set(sie, (1u << 1) | (1u << 5));
  clear_trap();
  run_mode(MODE_S, set_ssip_sie, 0);
  show_log("SSI in S, SIE=1");
  csr_set(sie, 1u << 1);
  show("wfi, traps before SIE", run_mode(MODE_S, set_ssip_nosie, 0));
  show_log("SSI in S after SIE");
  /* delegated interrupts are never taken in M */
  csr_set(sie, 1u << 1);
  csr_set(mip, 1u << 1);
  csr_set(mstatus, MSTATUS_MIE | MSTATUS_SIE);
  spin_short(0);
  csr_clear(mstatus, MSTATUS_MIE | MSTATUS_SIE);
  show_log("SSI pending in M");
  run_mode(MODE_U, spin, 0);
  show_log("SSI taken in U");
  /* STIP written by M (no Sstc enable) */
  csr_set(sie, 1u << 5);
  csr_set(mip, 1u << 5);
  run_mode(MODE_U, spin, 0);
  csr_clear(mip, 1u << 5);
  show_log("STI (mip.STIP) in U");
  /* not delegated: the same interrupt goes to M */
  csr_write(mideleg, 0);
  csr_set(mie, 1u << 5);
  csr_set(mip, 1u << 5);
  run_mode(MODE_S, spin, 0);
  csr_clear(mip, 1u << 5);
  show_log("STI undelegated in S");
  csr_write(mie, 0);
  /* SEIP is writable by M (priv 3.1.9): a software-injected S external interrupt */
  csr_write(mideleg, 1u << 9);
  csr_set(sie, 1u << 9);
  csr_set(mip, 1u << 9);
  run_mode(MODE_U, spin, 0);
  csr_clear(mip, 1u << 9);
  show_log("SEI (mip.SEIP) in U");
  csr_write(mideleg, 0);
  csr_set(mie, 1u << 9);
  csr_set(mip, 1u << 9);
  run_mode(MODE_S, spin, 0);
  csr_clear(mip, 1u << 9);
  show_log("SEI undelegated in S");
  csr_write(mie, 0);
  /* Sstc: stimecmp drives STIP when menvcfg.STCE=1 */
  csr_write(mideleg, 1u << 5);
  csr_write(mcounteren, 7);
  csr_set(CSR_MENVCFGH, 1u << 31);
  show("menvcfgh.STCE", csr_read(CSR_MENVCFGH) >> 31);
  csr_set(sie, 1u << 5);
  run_mode(MODE_S, arm_stimecmp, 0);
  show_log("Sstc STI in S");
  show("stip after", (csr_read(mip) >> 5) & 1);
  csr_write(CSR_STIMECMPH, 0xffffffff);
  csr_write(CSR_STIMECMP, 0xffffffff);
  show("stip after rearm", (csr_read(mip) >> 5) & 1);
  csr_clear(CSR_MENVCFGH, 1u << 31);
  csr_write(mideleg, 0);
}

static u32 vs_wait(u32 x) {
  csr_set(sstatus, MSTATUS_SIE); /* vsstatus.SIE */
  u32 r = spin(x);
  csr_clear(sstatus, MSTATUS_SIE);
  return r;
}

static void virtual_level(void) {
  csr_write(hideleg, 0x444);
  csr_write(vsie, 0x222);
  static const u32 bits[] = {1u << 2, 1u << 6, 1u << 10};
  static const char *const names[] = {"VSSI", "VSTI", "VSEI"};
  for (int i = 0; i < 3; i++) {
    clear_trap();
    csr_write(vsie, 0x222);
    csr_set(hvip, bits[i]);
    puts_(names[i]);
    show(" hip", csr_read(hip));
    puts_(names[i]);
    show(" vsip", csr_read(vsip));
    run_mode(MODE_VS, vs_wait, 0);
    puts_(names[i]);
    putc_(' ');
    show_log("to VS");
    /* in VU, VS-level interrupts are enabled whatever vsstatus.SIE (priv 8.6.x / 3.1.6.1) */
    csr_write(vsie, 0x222);
    run_mode(MODE_VU, spin, 0);
    puts_(names[i]);
    putc_(' ');
    show_log("to VS from VU");
    /* VS-level interrupts are never taken with V=0 */
    csr_write(vsie, 0x222);
    run_mode(MODE_U, spin_short, 0);
    run_mode(MODE_S, spin_short_sie, 0);
    puts_(names[i]);
    putc_(' ');
    show_log("with V=0");
    csr_clear(hvip, bits[i]);
  }
  /* not delegated through hideleg: taken in HS with the VS cause numbers */
  csr_write(hideleg, 0);
  for (int i = 0; i < 3; i++) {
    csr_write(hie, 0x444);
    csr_set(hvip, bits[i]);
    run_mode(MODE_VS, spin, 0);
    csr_clear(hvip, bits[i]);
    puts_(names[i]);
    putc_(' ');
    show_log("to HS");
    /* not delegated to VS, they are HS-level interrupts: taken in HS itself (V=0) with SIE */
    csr_write(hie, 0x444);
    csr_set(hvip, bits[i]);
    run_mode(MODE_S, spin_sie, 0);
    run_mode(MODE_U, spin_short, 0);
    csr_clear(hvip, bits[i]);
    puts_(names[i]);
    putc_(' ');
    show_log("in HS and U, V=0");
  }
  csr_write(hie, 0);
  /* HS-level before VS-level: an SSI delegated to HS and a VSSI delegated to VS, both pending
     while in VS with SIE set: the HS interrupt is taken first (priv 3.1.9, 8.6.x) */
  csr_write(mideleg, 1u << 1);
  csr_write(hideleg, 1u << 2);
  csr_set(sie, 1u << 1);
  csr_write(vsie, 1u << 1);
  csr_set(sip, 1u << 1);
  csr_set(hvip, 1u << 2);
  csr_set(vsstatus, MSTATUS_SIE); /* both deliverable the moment VS is entered */
  clear_trap();
  run_mode(MODE_VS, spin, 0);
  csr_clear(vsstatus, MSTATUS_SIE);
  csr_clear(sip, 1u << 1);
  csr_clear(hvip, 1u << 2);
  show_log("SSI(HS) and VSSI(VS) pending in VS");
  csr_write(mideleg, 0);
  /* vstimecmp (Sstc with henvcfg.STCE) raises VSTIP */
  csr_write(hideleg, 0x444);
  csr_set(CSR_MENVCFGH, 1u << 31);
  csr_set(CSR_HENVCFGH, 1u << 31);
  csr_write(htimedelta, 0);
  csr_write(htimedeltah, 0);
  csr_write(vsie, 0x20);
  u32 t = read_mtime();
  csr_write(CSR_VSTIMECMPH, 0xffffffff);
  csr_write(CSR_VSTIMECMP, t);
  csr_write(CSR_VSTIMECMPH, 0);
  clear_trap();
  run_mode(MODE_VS, vs_wait, 0);
  show_log("vstimecmp VSTI");
  show("hip.VSTIP", (csr_read(hip) >> 6) & 1);
  csr_write(CSR_VSTIMECMPH, 0xffffffff);
  show("hip.VSTIP rearmed", (csr_read(hip) >> 6) & 1);
  csr_write(hideleg, 0);
  csr_write(CSR_HENVCFGH, 0);
  csr_write(CSR_MENVCFGH, 0);
}

/* Writing mtime moves every comparison at once: MTIP (mtimecmp) and, with Sstc, STIP (stimecmp)
   follow time >= compare continuously (priv 3.2.1, Sstc). Run last: it moves time forward. */
static void mtime_jump(void) {
  volatile u32 *mtime = CLINT_MTIME;
  u32 now = mtime[0];
  CLINT_MTIMECMP[1] = 0xffffffff;
  CLINT_MTIMECMP[0] = now + 0x20000000;
  CLINT_MTIMECMP[1] = mtime[1];
  csr_write(CSR_MENVCFGH, 1u << 31);
  csr_write(CSR_STIMECMPH, 0xffffffff);
  csr_write(CSR_STIMECMP, now + 0x20000000);
  csr_write(CSR_STIMECMPH, mtime[1]);
  csr_write(CSR_HENVCFGH, 1u << 31);
  csr_write(htimedelta, 0);
  csr_write(CSR_VSTIMECMPH, 0xffffffff);
  csr_write(CSR_VSTIMECMP, now + 0x20000000);
  csr_write(CSR_VSTIMECMPH, mtime[1]);
  show("MTIP before jump", (csr_read(mip) >> 7) & 1);
  show("VSTIP before jump", (csr_read(hip) >> 6) & 1);
  show("STIP before jump", (csr_read(mip) >> 5) & 1);
  mtime[0] = now + 0x40000000;
  show("MTIP after mtime jump", (csr_read(mip) >> 7) & 1);
  show("STIP after mtime jump", (csr_read(mip) >> 5) & 1);
  show("VSTIP after mtime jump", (csr_read(hip) >> 6) & 1);
  csr_write(CSR_VSTIMECMPH, 0xffffffff);
  csr_write(CSR_HENVCFGH, 0);
  /* and back: mtime below the compares again clears MTIP (and STIP) at once */
  mtime[0] = now;
  show("MTIP after mtime back", (csr_read(mip) >> 7) & 1);
  show("STIP after mtime back", (csr_read(mip) >> 5) & 1);
  /* mtimecmp writes: due at once, then not due */
  CLINT_MTIMECMP[0] = 0;
  CLINT_MTIMECMP[1] = 0;
  show("MTIP mtimecmp=0", (csr_read(mip) >> 7) & 1);
  CLINT_MTIMECMP[1] = 0xffffffff;
  show("MTIP mtimecmp=max", (csr_read(mip) >> 7) & 1);
  csr_write(CSR_STIMECMPH, 0xffffffff);
  csr_write(CSR_MENVCFGH, 0);
}

int main(void) {
  clear_trap();
  csr_write(mcounteren, 7);
  csr_write(scounteren, 7);
  csr_write(hcounteren, 7);
  csr_write(stvec, s_trap_entry);
  csr_write(vstvec, vs_trap_entry);
  machine_level();
  supervisor_level();
  virtual_level();
  mtime_jump();
  return 0;
}
