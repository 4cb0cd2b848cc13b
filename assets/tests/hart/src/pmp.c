/* Physical memory protection (priv 1.12 section 3.7): TOR, NA4 and NAPOT regions, R/W/X
   checks for S and U, lowest-numbered-match priority, default deny for S/U when no entry
   matches, M-mode exemption unless locked, the lock bit (M checked, entry frozen), MPRV applying
   U's permissions to M's data accesses, and pmpaddr/pmpcfg read-back. */
#include "rt.h"

#define R 1u
#define W 2u
#define X 4u
#define A_TOR (1u << 3)
#define A_NA4 (2u << 3)
#define A_NAPOT (3u << 3)
#define L (1u << 7)

#define BASE SCRATCH /* 0x80040000: test pages live here, outside the image */

static void set_addr(int i, u32 v) {
  switch (i) {
    case 0: csr_write(pmpaddr0, v); break;
    case 1: csr_write(pmpaddr1, v); break;
    case 2: csr_write(pmpaddr2, v); break;
    case 3: csr_write(pmpaddr3, v); break;
    case 4: csr_write(pmpaddr4, v); break;
    case 5: csr_write(pmpaddr5, v); break;
    case 6: csr_write(pmpaddr6, v); break;
    case 7: csr_write(pmpaddr7, v); break;
    case 14: csr_write(pmpaddr14, v); break;
    case 15: csr_write(pmpaddr15, v); break;
    default: break;
  }
}

static u32 get_addr(int i) {
  switch (i) {
    case 0: return csr_read(pmpaddr0);
    case 1: return csr_read(pmpaddr1);
    case 6: return csr_read(pmpaddr6);
    case 7: return csr_read(pmpaddr7);
    case 15: return csr_read(pmpaddr15);
    default: return 0xdeadbeef;
  }
}

static u32 get_cfg(int r) {
  switch (r) {
    case 0: return csr_read(pmpcfg0);
    case 1: return csr_read(pmpcfg1);
    case 2: return csr_read(pmpcfg2);
    default: return csr_read(pmpcfg3);
  }
}

static void put_cfg(int r, u32 v) {
  switch (r) {
    case 0: csr_write(pmpcfg0, v); break;
    case 1: csr_write(pmpcfg1, v); break;
    case 2: csr_write(pmpcfg2, v); break;
    default: csr_write(pmpcfg3, v); break;
  }
}

static void set_cfg(int i, u32 c) {
  int r = i / 4, sh = (i % 4) * 8;
  put_cfg(r, (get_cfg(r) & ~(0xffu << sh)) | (c << sh));
}

static u32 napot(u32 base, u32 size) { return (base >> 2) | ((size - 1) >> 3); }

static u32 ld(u32 a) {
  u32 v;
  asm volatile("lw %0, 0(%1)" : "=r"(v) : "r"(a) : "memory");
  return v;
}
/* stores the "ret" that is already there, so execute probes keep working */
static u32 st(u32 a) {
  asm volatile("sw %0, 0(%1)" ::"r"(0x00008067), "r"(a) : "memory");
  return 0;
}
static u32 ex(u32 a) {
  extern char ex_back[];
  resume_pc = (u32)ex_back;
  asm volatile("jalr ra, 0(%0)\n" LABEL(ex_back) ::"r"(a) : "ra", "memory");
  resume_pc = 0;
  return 0;
}

static const char *const mname[] = {"U", "S", "?", "M", "VU", "VS"};

static void probe(const char *what, int mode, u32 addr) {
  clear_trap();
  u32 (*const fns[])(u32) = {ld, st, ex};
  static const char *const k[] = {"r", "w", "x"};
  puts_(what);
  putc_(' ');
  puts_(mname[mode]);
  for (int f = 0; f < 3; f++) {
    clear_trap();
    resume_pc = 0;
    run_mode(mode, fns[f], addr);
    putc_(' ');
    puts_(k[f]);
    putc_('=');
    if (last_trap.n == 0) {
      puts_("ok");
    } else {
      puthex(last_trap.cause);
      putc_('@');
      puthex(last_trap.tval);
    }
  }
  putc_('\n');
  clear_trap();
}

int main(void) {
  clear_trap();
  /* a "ret" at the start of each test page so execute probes can return */
  for (u32 p = 0; p < 8; p++) *(volatile u32 *)(BASE + p * 0x1000) = 0x00008067;
  *(volatile u32 *)(BASE + 0x2004) = 0x00008067;
  asm volatile("fence.i");
  /* background: entry 15 = image (first 256 KiB of RAM) RWX, plus the devices via entry 14 */
  set_addr(15, napot(0x80000000, 0x40000));
  set_cfg(15, A_NAPOT | R | W | X);
  set_addr(14, napot(0x00000000, 0x80000000));
  set_cfg(14, A_NAPOT | R | W);
  set_cfg(0, 0);
  show("pmpaddr15", get_addr(15));
  show("pmpcfg3", get_cfg(3));

  /* TOR [BASE, BASE+0x1000) read-only, entry 0 = bottom (OFF), entry 1 = TOR */
  set_addr(0, BASE >> 2);
  set_addr(1, (BASE + 0x1000) >> 2);
  set_cfg(1, A_TOR | R);
  /* NA4 at BASE+0x2000: execute only (one word: the ret) */
  set_addr(2, (BASE + 0x2000) >> 2);
  set_cfg(2, A_NA4 | X);
  /* NAPOT 8 KiB at BASE+0x4000: RW, but entry 3 (NAPOT 4 KiB at BASE+0x4000, no access) wins */
  set_addr(3, napot(BASE + 0x4000, 0x1000));
  set_cfg(3, A_NAPOT);
  set_addr(4, napot(BASE + 0x4000, 0x2000));
  set_cfg(4, A_NAPOT | R | W);
  show("pmpcfg0", get_cfg(0));
  show("pmpcfg1", get_cfg(1));

  /* V=1 is checked like its nominal privilege: VS as S, VU as U (priv 3.7.1, 8.5) */
  static const int modes[] = {MODE_U, MODE_S, MODE_M, MODE_VU, MODE_VS};
  for (unsigned k = 0; k < 5; k++) {
    int m = modes[k];
    probe("TOR r", m, BASE);
    probe("TOR end", m, BASE + 0xffc);
    probe("past TOR", m, BASE + 0x1000);
    probe("NA4 x", m, BASE + 0x2000);
    probe("NA4 next", m, BASE + 0x2004);
    probe("NAPOT none", m, BASE + 0x4000);
    probe("NAPOT rw", m, BASE + 0x5000);
    probe("no match", m, BASE + 0x7000);
  }
  /* PMP changes after code has run: grant X on the NAPOT RW region, run there from S, revoke it
     and SFENCE.VMA (priv 3.7.2): the same code must now fault */
  set_cfg(4, A_NAPOT | R | W | X);
  asm volatile("sfence.vma" ::: "memory");
  probe("NAPOT rwx", MODE_S, BASE + 0x5000);
  set_cfg(4, A_NAPOT | R | W);
  asm volatile("sfence.vma" ::: "memory");
  probe("NAPOT x revoked", MODE_S, BASE + 0x5000);
  /* and the reverse: a region that was denied becomes readable */
  set_cfg(4, A_NAPOT);
  asm volatile("sfence.vma" ::: "memory");
  probe("NAPOT all revoked", MODE_U, BASE + 0x5000);
  set_cfg(4, A_NAPOT | R | W);
  asm volatile("sfence.vma" ::: "memory");
  probe("NAPOT rw again", MODE_U, BASE + 0x5000);

  /* MPRV: M's loads/stores checked with MPP's (U's) permissions; fetches are not */
  u32 v = 0;
  MARK(mprv_ld);
  csr_clear(mstatus, MSTATUS_MPP);
  csr_set(mstatus, MSTATUS_MPRV);
  asm volatile(LABEL(mprv_ld) "lw %0, 0(%1)" : "=r"(v) : "r"(BASE + 0x4000));
  csr_clear(mstatus, MSTATUS_MPRV);
  show_trap("MPRV U load NAPOT none");
  MARK(mprv_st);
  csr_clear(mstatus, MSTATUS_MPP);
  csr_set(mstatus, MSTATUS_MPRV);
  asm volatile(LABEL(mprv_st) "sw %0, 0(%1)" ::"r"(v), "r"(BASE));
  csr_clear(mstatus, MSTATUS_MPRV);
  show_trap("MPRV U store TOR r");
  csr_set(mstatus, MSTATUS_MPRV | MSTATUS_MPP);
  asm volatile("sw %0, 0(%1)" ::"r"(v), "r"(BASE + 0x4000));
  csr_clear(mstatus, MSTATUS_MPRV);
  show_trap("MPRV M store NAPOT none");

  /* Lock: entry 5 NAPOT 4 KiB at BASE+0x6000, R only, locked: M is now checked */
  set_addr(5, napot(BASE + 0x6000, 0x1000));
  set_cfg(5, A_NAPOT | R | L);
  probe("locked R", 3, BASE + 0x6000);
  probe("locked R", 1, BASE + 0x6000);
  /* writes to a locked entry's cfg and addr are ignored */
  set_cfg(5, A_NAPOT | R | W | X);
  set_addr(5, 0x12345678);
  show("locked cfg1", get_cfg(1));
  show("locked addr ok", csr_read(pmpaddr5) == napot(BASE + 0x6000, 0x1000));
  /* TOR above a locked entry i locks pmpaddr(i-1)?: entry 7 TOR locked freezes pmpaddr6 */
  set_addr(6, (BASE + 0x7000) >> 2);
  set_addr(7, (BASE + 0x7800) >> 2);
  set_cfg(7, A_TOR | L);
  set_addr(6, 0x1111);
  show("pmpaddr6 under locked TOR", get_addr(6));
  probe("locked TOR none", 3, BASE + 0x7000);
  probe("above locked TOR", 3, BASE + 0x7800);
  return 0;
}
