/* Zicsr (unpriv chapter 9) and CSR rules (priv 1.12 sections 2.1-2.4, 3.1, 8.2): all six CSR
   instructions, rd/rs1 = x0 forms, read-only CSR writes trapping, privilege checks, WARL
   read-back of the main M/S/H CSRs, and the counter gating through mcounteren, scounteren and
   hcounteren (illegal vs virtual instruction). Counter values are printed only as relations. */
#include "rt.h"

static void forms(void) {
  u32 old;
  csr_write(sscratch, 0x0f0f0f0f);
  asm volatile("csrrw %0, sscratch, %1" : "=r"(old) : "r"(0x12345678));
  show("csrrw old", old);
  show("csrrw new", csr_read(sscratch));
  asm volatile("csrrs %0, sscratch, %1" : "=r"(old) : "r"(0x80000001));
  show("csrrs old", old);
  show("csrrs new", csr_read(sscratch));
  asm volatile("csrrc %0, sscratch, %1" : "=r"(old) : "r"(0x00000678));
  show("csrrc old", old);
  show("csrrc new", csr_read(sscratch));
  asm volatile("csrrwi %0, sscratch, 31" : "=r"(old));
  show("csrrwi old", old);
  show("csrrwi new", csr_read(sscratch));
  asm volatile("csrrsi %0, sscratch, 0x10" : "=r"(old));
  asm volatile("csrrsi %0, sscratch, 0x0" : "=r"(old));
  show("csrrsi new", csr_read(sscratch));
  asm volatile("csrrci %0, sscratch, 0x3" : "=r"(old));
  show("csrrci old", old);
  show("csrrci new", csr_read(sscratch));
  asm volatile("csrrw x0, sscratch, %0\n csrrs %0, sscratch, x0" : "+r"(old));
  show("csrrw rd=x0 then read", old);
  /* rd == rs1: the old value lands in rd, the write uses the register's old contents */
  u32 r = 0x55;
  asm volatile("csrrw %0, sscratch, %0" : "+r"(r));
  show("csrrw rd=rs1 rd", r);
  show("csrrw rd=rs1 csr", csr_read(sscratch));
  /* the S trap handler finds its stack through sscratch */
  extern char s_stack_top[];
  csr_write(sscratch, (u32)s_stack_top);
}

/* Writes to read-only CSRs (number bits 11:10 == 3) raise illegal instruction; pure reads
   (csrrs/csrrc with rs1=x0, csrrsi/csrrci with uimm=0) do not (priv 2.1, unpriv 9.1). */
static void read_only(void) {
  u32 v, z = 0;
  asm volatile("csrrs %0, mhartid, x0" : "=r"(v));
  show_trap("csrrs ro x0");
  asm volatile("csrrci %0, mhartid, 0" : "=r"(v));
  show_trap("csrrci ro 0");
  MARK(ro_w);
  asm volatile(LABEL(ro_w) "csrw mvendorid, %0" :: "r"(1));
  show_trap("csrw mvendorid");
  MARK(ro_wi);
  asm volatile(LABEL(ro_wi) "csrrwi %0, mhartid, 0" : "=r"(v));
  show_trap("csrrwi mhartid");
  MARK(ro_si);
  asm volatile(LABEL(ro_si) "csrrsi %0, mimpid, 1" : "=r"(v));
  show_trap("csrrsi mimpid 1");
  MARK(ro_cyc);
  asm volatile(LABEL(ro_cyc) "csrw cycle, %0" :: "r"(1));
  show_trap("csrw cycle");
  /* a non-x0 rs1 that holds zero still counts as a write attempt (unpriv 9.1) */
  MARK(ro_zero);
  register u32 zr asm("t1") = z;
  register u32 vr asm("t2");
  asm volatile(LABEL(ro_zero) "csrrs t2, mhartid, t1" : "=r"(vr) : "r"(zr));
  (void)vr;
  show_trap("csrrs ro rs1=zero-reg");
  MARK(unimpl);
  asm volatile(LABEL(unimpl) "csrr %0, 0x800" : "=r"(v));
  show_trap("csrr 0x800 unimplemented");
  show("mhartid", csr_read(mhartid));
  show("misa", csr_read(misa));
  show("mvendorid", csr_read(mvendorid));
}

/* WARL read-back: write all ones (or, for the trap vectors, the largest legal pattern: MODE 1),
   read back, write zero, read back. Bits the spec leaves to the implementation and that our
   board does not provide are masked out of the print: LCOFI (bit 13, Sscofpmf is not part of
   IMA+H+S+U) and the hpmcounter enables (bits 3..31: no HPM counters on our board). */
#define WARLV(c, ones, mask)                        \
  {                                                 \
    u32 o = csr_swap(c, ones);                      \
    show(#c " ones", csr_swap(c, 0) & (mask));      \
    show(#c " zero", csr_read(c) & (mask));         \
    csr_write(c, o);                                \
  }
#define WARL(c) WARLV(c, 0xffffffff, 0xffffffff)
#define NOLCOFI (~(1u << 13))

static void warl(void) {
  WARL(mstatus) WARL(mstatush) WARLV(mie, ~0u, NOLCOFI) WARLV(mip, ~0u, NOLCOFI) WARL(medeleg)
  WARLV(mideleg, ~0u, NOLCOFI) WARLV(mcounteren, ~0u, 7) WARL(sstatus) WARL(sie) WARL(sip)
  WARLV(scounteren, ~0u, 7) WARL(satp) WARLV(stvec, 0xfffffffd, ~0u) WARL(sepc) WARL(hstatus)
  WARL(hedeleg) WARL(hideleg) WARL(hie) WARL(hip) WARL(hvip) WARLV(hcounteren, ~0u, 7) WARL(hgeie)
  WARL(hgatp) WARL(vsstatus) WARL(vsie) WARL(vsip) WARL(vsatp) WARLV(vstvec, 0xfffffffd, ~0u)
  WARL(mepc) WARL(vsepc) WARL(mscratch) WARL(vsscratch) WARL(htval) WARL(CSR_MTVAL2)
  WARL(CSR_MTINST) WARL(htinst) WARL(mtval) WARL(stval) WARL(vstval)
  /* mideleg delegates S-level interrupts: sie/sip then expose them */
  csr_write(mideleg, 0x222);
  WARL(sie) WARL(sip)
  csr_write(hideleg, 0x444);
  WARL(vsie) WARL(vsip) WARL(hvip)
  csr_write(hideleg, 0);
  csr_write(mideleg, 0);
  show_trap("warl");
}

static u32 rd_cycle(u32 x) {
  (void)x;
  u32 v;
  asm volatile("rdcycle %0" : "=r"(v));
  return v;
}
static u32 rd_time(u32 x) {
  (void)x;
  u32 v;
  asm volatile("rdtime %0" : "=r"(v));
  return v;
}
static u32 rd_instret(u32 x) {
  (void)x;
  u32 v;
  asm volatile("rdinstret %0" : "=r"(v));
  return v;
}
static u32 rd_cycleh(u32 x) {
  (void)x;
  u32 v;
  asm volatile("rdcycleh %0" : "=r"(v));
  return v;
}

static const char *const modes[] = {"U", "S", "?", "M", "VU", "VS"};

static void gate(const char *what, u32 (*fn)(u32), int mode) {
  clear_trap();
  run_mode(mode, fn, 0);
  puts_(what);
  putc_(' ');
  puts_(modes[mode]);
  putc_(' ');
  if (last_trap.n == 0) {
    puts_("ok\n");
  } else {
    puts_("trap ");
    puthex(last_trap.cause);
    putc_('\n');
  }
  clear_trap();
}

static void gating(void) {
  static const u32 combos[][3] = {{0, 0, 0}, {7, 0, 0}, {7, 7, 0}, {7, 0, 7}, {7, 7, 7},
                                  {5, 7, 7}, {2, 2, 2}, {1, 1, 1}};
  static u32 (*const fns[])(u32) = {rd_cycle, rd_time, rd_instret, rd_cycleh};
  static const char *const names[] = {"cycle", "time", "instret", "cycleh"};
  static const int ms[] = {MODE_S, MODE_U, MODE_VS, MODE_VU};
  for (unsigned c = 0; c < sizeof combos / sizeof combos[0]; c++) {
    csr_write(mcounteren, combos[c][0]);
    csr_write(scounteren, combos[c][1]);
    csr_write(hcounteren, combos[c][2]);
    puts_("counteren m/s/h ");
    puthex(combos[c][0]);
    putc_(' ');
    puthex(combos[c][1]);
    putc_(' ');
    puthex(combos[c][2]);
    putc_('\n');
    for (unsigned f = 0; f < 4; f++)
      for (unsigned m = 0; m < 4; m++) gate(names[f], fns[f], ms[m]);
  }
  /* counters advance: compare two reads in M */
  u32 a = rd_cycle(0), b = rd_instret(0);
  for (volatile int i = 0; i < 100; i++) {
  }
  show("cycle advanced", rd_cycle(0) != a);
  show("instret advanced", rd_instret(0) - b >= 100);
}

/* CSRs every priv-1.12 hart has, even if only as read-only zero: the HPM counters and event
   selectors, mcountinhibit, mconfigptr (priv 3.1.10-3.1.12, 3.1.17). */
#define PROBE(c)                          \
  do {                                    \
    clear_trap();                         \
    u32 v = csr_read(c);                  \
    puts_("csr " #c);                     \
    if (last_trap.n) {                    \
      puts_(" trap ");                    \
      puthex(last_trap.cause);            \
    } else {                              \
      puts_(" = ");                       \
      puthex(v);                          \
    }                                     \
    putc_('\n');                          \
    clear_trap();                         \
  } while (0)

static void optional_csrs(void) {
  PROBE(mhpmcounter3);
  PROBE(mhpmcounter31);
  PROBE(mhpmcounter3h);
  PROBE(mhpmevent3);
  PROBE(mhpmevent31);
  PROBE(hpmcounter3);
  PROBE(0x320); /* mcountinhibit */
  PROBE(0xf15); /* mconfigptr */
}

/* sstatus/sie/sip are views of mstatus/mie/mip (priv 4.1.1, 4.1.3): writes through either side
   show on the other, restricted to the supervisor fields and to mideleg's bits. */
static void views(void) {
  u32 ms = csr_read(mstatus);
  csr_write(mstatus, (ms & ~0x000c0122u) | MSTATUS_SUM | MSTATUS_SIE);
  show("sstatus after mstatus write", csr_read(sstatus) & 0x000c0122u);
  csr_write(sstatus, MSTATUS_MXR | MSTATUS_SPP | MSTATUS_MPRV);
  show("mstatus after sstatus write", csr_read(mstatus) & 0x000e0122u);
  csr_write(mstatus, ms);
  csr_write(mideleg, 1u << 5);
  csr_write(mie, 0x2a2);
  show("sie with mideleg=STI", csr_read(sie));
  csr_write(sie, 0x222);
  show("mie after sie write", csr_read(mie));
  csr_write(mie, 0);
  csr_write(mideleg, 1u << 1);
  csr_write(sip, 2);
  show("mip after sip write", csr_read(mip));
  csr_write(sip, 0);
  csr_write(mideleg, 0);
}

int main(void) {
  clear_trap();
  views();
  optional_csrs();
  forms();
  read_only();
  warl();
  gating();
  return 0;
}
