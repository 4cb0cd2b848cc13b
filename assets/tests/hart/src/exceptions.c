/* Synchronous exceptions taken into M-mode (priv 1.12 section 3.1.15, table 3.6): instruction
   address misaligned (JALR/JAL/branch), instruction/load/store access faults, illegal
   instruction (unknown and reserved encodings), breakpoint, ecall from U/S/M/VU/VS; and
   misaligned loads/stores, which QEMU performs (the spec allows performing them). */
#include "rt.h"

#define HOLE 0xf0000000u /* nothing is mapped here on QEMU virt or our board */

static void misaligned_fetch(void) {
  u32 t;
  MARKV(mf_jalr);
  asm volatile("la %0, " "1f" "+2\n" LABEL(mf_jalr) "jalr ra, 0(%0)\n j 1f\n nop\n1:" : "=&r"(t) :: "ra");
  show_trap("jalr to +2");
  MARKV(mf_jal);
  /* jal with offset +6: 4-byte aligned jump targets are the only legal ones without C */
  asm volatile(LABEL(mf_jal) ".word 0x006000ef\n j 1f\n nop\n nop\n1:" ::: "ra");
  show_trap("jal +6");
  MARKV(mf_beq);
  asm volatile(LABEL(mf_beq) ".word 0x00000363\n j 1f\n nop\n nop\n1:"); /* beq x0,x0,+6 */
  show_trap("beq taken +6");
  MARK(mf_bne);
  asm volatile(LABEL(mf_bne) ".word 0x00001363\n nop\n nop\n nop"); /* bne x0,x0,+6: not taken */
  show_trap("bne not taken +6");
}

static void access_faults(void) {
  extern char af_fetch_back[];
  u32 v = 0;
  resume_pc = (u32)af_fetch_back;
  asm volatile("li t0, %0\n" LABEL(af_fetch) "jalr ra, 0(t0)\n" LABEL(af_fetch_back) :: "i"(HOLE) : "t0", "ra");
  show_trap("fetch hole");
  MARK(af_load);
  asm volatile(LABEL(af_load) "lw %0, 0(%1)" : "=r"(v) : "r"(HOLE + 8));
  show_trap("load hole");
  MARK(af_lb);
  asm volatile(LABEL(af_lb) "lbu %0, 3(%1)" : "=r"(v) : "r"(HOLE));
  show_trap("lbu hole");
  MARK(af_store);
  asm volatile(LABEL(af_store) "sw %0, 4(%1)" :: "r"(v), "r"(HOLE));
  show_trap("store hole");
  MARK(af_amo);
  asm volatile(LABEL(af_amo) "amoor.w %0, %0, (%1)" : "+r"(v) : "r"(HOLE));
  show_trap("amo hole");
  MARK(af_lr);
  asm volatile(LABEL(af_lr) "lr.w %0, (%1)" : "=r"(v) : "r"(HOLE));
  show_trap("lr hole");
}

#define ILL(name, word)                                  \
  do {                                                   \
    MARK(ill_##name);                                    \
    asm volatile(LABEL(ill_##name) ".word " #word);      \
    show_trap("illegal " #name " " #word);               \
  } while (0)

static void illegal(void) {
  ILL(zero, 0x00000000);
  ILL(ones, 0xffffffff);
  ILL(custom0, 0x0000000b);
  ILL(slli_shamt5, 0x02001013);
  ILL(srai_bad_funct7, 0x60005013);
  ILL(add_bad_funct7, 0x04000033);
  ILL(branch_f3_2, 0x00002063);
  ILL(load_f3_3, 0x00003003);
  ILL(load_f3_7, 0x00007003);
  ILL(store_f3_3, 0x00003023);
  ILL(jalr_f3_1, 0x00001067);
  ILL(amo_f5_5, 0x2800202f);
  ILL(amo_width_d, 0x0000302f);
  ILL(flw, 0x00002007);
  ILL(fadd, 0x00000053);
  ILL(system_f3_4, 0x00004073);
  ILL(ecall_rs1, 0x00008073);
  ILL(op_imm32, 0x0000001b);
}

static u32 do_ecall(u32 x) {
  register u32 a0 asm("a0") = x;
  register u32 a7 asm("a7") = 0x1234;
  asm volatile("ecall" : "+r"(a0) : "r"(a7));
  return a0;
}

static u32 do_ebreak(u32 x) {
  asm volatile("ebreak");
  return x;
}

static void ecalls(void) {
  static const char *const names[] = {"U", "S", "?", "M", "VU", "VS"};
  static const int modes[] = {MODE_M, MODE_S, MODE_U, MODE_VS, MODE_VU};
  for (unsigned i = 0; i < 5; i++) {
    run_mode(modes[i], do_ecall, 0);
    puts_("ecall from ");
    puts_(names[modes[i]]);
    putc_('\n');
    last_trap.epc = 0; /* the ecall's address is layout-dependent: print the cause only */
    show_trap("ecall");
    run_mode(modes[i], do_ebreak, 0);
    puts_("ebreak from ");
    puts_(names[modes[i]]);
    putc_('\n');
    last_trap.epc = 0;
    last_trap.tval = last_trap.tval != 0;
    show_trap("ebreak (v = nonzero)");
  }
  MARK(brk);
  asm volatile(LABEL(brk) "ebreak");
  show_trap("ebreak tval");
}

static void misaligned_data(void) {
  static volatile u32 buf[4] __attribute__((aligned(16)));
  buf[0] = 0x03020100;
  buf[1] = 0x07060504;
  buf[2] = 0x0b0a0908;
  u32 v;
  for (int off = 1; off < 4; off++) {
    asm volatile("lw %0, 0(%1)" : "=r"(v) : "r"((char *)buf + off));
    show("lw mis", v);
  }
  asm volatile("lh %0, 0(%1)" : "=r"(v) : "r"((char *)buf + 3));
  show("lh mis", v);
  asm volatile("lhu %0, 0(%1)" : "=r"(v) : "r"((char *)buf + 7));
  show("lhu mis", v);
  asm volatile("sw %0, 0(%1)" :: "r"(0xa1b2c3d4), "r"((char *)buf + 2) : "memory");
  asm volatile("sh %0, 0(%1)" :: "r"(0xe5f6), "r"((char *)buf + 7) : "memory");
  show("buf0", buf[0]);
  show("buf1", buf[1]);
  show("buf2", buf[2]);
  show_trap("misaligned data");
}

int main(void) {
  clear_trap();
  misaligned_fetch();
  access_faults();
  illegal();
  ecalls();
  misaligned_data();
  return 0;
}
