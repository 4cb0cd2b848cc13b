/* Trap delegation and trap vectors (priv 1.12 sections 3.1.7 mtvec, 3.1.8 medeleg/mideleg,
   4.1.2 stvec, 8.2.2 hedeleg/hideleg, 8.6.4 "Trap Entry"): which level takes each exception
   from U/S/M/VU/VS for given medeleg/hedeleg, the xPP/SPV/MPV bits it records, and the slot
   a vectored xtvec enters (base for exceptions, base+4*cause for interrupts). */
#include "rt.h"

extern char m_trap_entry[], s_trap_entry[], vs_trap_entry[];
extern char m_vec_table[], s_vec_table[], vs_vec_table[];

static u32 ill(u32 x) {
  asm volatile(".word 0xffffffff");
  return x;
}
static u32 brk(u32 x) {
  asm volatile("ebreak");
  return x;
}
static u32 ecl(u32 x) {
  register u32 a0 asm("a0") = x;
  register u32 a7 asm("a7") = 1;
  asm volatile("ecall" : "+r"(a0) : "r"(a7));
  return a0;
}
static u32 ld_hole(u32 x) {
  u32 v;
  asm volatile("lw %0, 0(%1)" : "=r"(v) : "r"(0xf0000000u));
  return x + v;
}

static const char *const mname[] = {"U", "S", "?", "M", "VU", "VS"};

static void one(const char *what, u32 (*fn)(u32), int mode) {
  clear_trap();
  run_mode(mode, fn, 0);
  puts_(what);
  puts_(" from ");
  puts_(mname[mode]);
  putc_(':');
  last_trap.epc = 0; /* layout-dependent */
  last_trap.tval = last_trap.tval != 0;
  show_trap("");
}

static void matrix(const char *title) {
  static const int modes[] = {MODE_U, MODE_S, MODE_M, MODE_VU, MODE_VS};
  puts_(title);
  puts_(" medeleg=");
  puthex(csr_read(medeleg));
  puts_(" hedeleg=");
  puthex(csr_read(hedeleg));
  putc_('\n');
  for (unsigned i = 0; i < 5; i++) {
    one("illegal", ill, modes[i]);
    one("ebreak", brk, modes[i]);
    one("ecall", ecl, modes[i]);
    one("load-fault", ld_hole, modes[i]);
  }
}

int main(void) {
  clear_trap();
  csr_write(stvec, s_trap_entry);
  csr_write(vstvec, vs_trap_entry);
  matrix("none");
  csr_write(medeleg, (1u << 2) | (1u << 3) | (1u << 8) | (1u << 5));
  matrix("to HS");
  csr_write(hedeleg, (1u << 2) | (1u << 8) | (1u << 5));
  matrix("to VS");
  /* hedeleg without medeleg: the trap never reaches HS, so VS cannot get it */
  csr_write(medeleg, 1u << 3);
  matrix("hedeleg only");
  /* never bit 9: the runtime's return-to-M ecall from HS must reach M */
  csr_write(medeleg, (1u << 2) | (1u << 3) | (1u << 8) | (1u << 10));
  csr_write(hedeleg, 0);
  matrix("ecall VS to HS");
  csr_write(medeleg, 0);
  csr_write(hedeleg, 0);

  /* vectored mtvec: exceptions use the base, interrupts base + 4*cause (priv 3.1.7) */
  csr_write(mtvec, (u32)m_vec_table | 1);
  clear_trap();
  asm volatile("ebreak");
  last_trap.epc = 0;
  last_trap.tval = 0;
  show_trap("M vectored ebreak");
  csr_set(mie, 1u << 3);
  *CLINT_MSIP = 1;
  csr_set(mstatus, MSTATUS_MIE);
  wait_trap();
  csr_clear(mstatus, MSTATUS_MIE);
  last_trap.epc = 0;
  show_trap("M vectored MSI");
  show("mtvec", csr_read(mtvec) == ((u32)m_vec_table | 1));
  csr_write(mtvec, m_trap_entry);

  /* vectored stvec with a delegated supervisor software interrupt raised from S */
  csr_write(stvec, (u32)s_vec_table | 1);
  csr_write(medeleg, 1u << 3);
  csr_write(mideleg, 1u << 1);
  csr_set(sie, 1u << 1);
  clear_trap();
  run_mode(MODE_U, brk, 0);
  last_trap.epc = 0;
  last_trap.tval = 0;
  show_trap("S vectored ebreak");
  csr_set(sip, 1u << 1);
  run_mode(MODE_U, ill, 0); /* U: S-level interrupts are enabled regardless of SIE */
  show_log("S vectored SSI from U");
  csr_write(stvec, s_trap_entry);

  /* vectored vstvec: VS software interrupt injected through hvip */
  csr_write(vstvec, (u32)vs_vec_table | 1);
  csr_write(hedeleg, 1u << 3);
  csr_write(hideleg, 1u << 2);
  csr_write(vsie, 1u << 1);
  clear_trap();
  run_mode(MODE_VU, brk, 0);
  last_trap.epc = 0;
  last_trap.tval = 0;
  show_trap("VS vectored ebreak");
  csr_set(hvip, 1u << 2);
  clear_trap();
  run_mode(MODE_VU, ill, 0);
  show("vs vec slot", vec_hit);
  show_log("VS vectored VSSI from VU");
  csr_clear(hvip, 1u << 2);
  csr_write(vstvec, vs_trap_entry);
  csr_write(medeleg, 0);
  csr_write(mideleg, 0);
  csr_write(hedeleg, 0);
  csr_write(hideleg, 0);
  return 0;
}
