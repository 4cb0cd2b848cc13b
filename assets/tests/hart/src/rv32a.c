/* RV32A (unpriv spec chapter 8): LR/SC success and failure (no reservation, reservation lost to
   an SC, different address), SC writing 0/1 to rd, every AMO*.W returning the old value and
   storing the new one, with signed and unsigned MIN/MAX on values that disagree in sign. */
#include "rt.h"

static volatile u32 mem[4] __attribute__((aligned(16)));

#define AMO(name, mn)                                                             \
  static u32 f_##name(u32 old, u32 src) {                                     \
    u32 r;                                                                    \
    mem[0] = old;                                                             \
    asm volatile(mn " %0, %1, (%2)" : "=r"(r) : "r"(src), "r"(mem) : "memory"); \
    puts_(mn " ");                                                         \
    puthex(old);                                                              \
    putc_(' ');                                                               \
    puthex(src);                                                              \
    putc_(' ');                                                               \
    puthex(r);                                                                \
    putc_(' ');                                                               \
    puthex(mem[0]);                                                           \
    putc_('\n');                                                              \
    return r;                                                                 \
  }
AMO(amoswap_w, "amoswap.w") AMO(amoadd_w, "amoadd.w") AMO(amoxor_w, "amoxor.w") AMO(amoand_w, "amoand.w") AMO(amoor_w, "amoor.w") AMO(amomin_w, "amomin.w")
AMO(amomax_w, "amomax.w") AMO(amominu_w, "amominu.w") AMO(amomaxu_w, "amomaxu.w") AMO(amoadd_w_aq, "amoadd.w.aq") AMO(amoswap_w_aqrl, "amoswap.w.aqrl")

static const u32 pairs[][2] = {{5, 3},          {3, 5},          {0xffffffff, 1}, {1, 0xffffffff},
                               {0x80000000, 0x7fffffff}, {0x7fffffff, 0x80000000},
                               {0xfffffffe, 0xffffffff}, {0, 0}};

int main(void) {
  clear_trap();
  for (unsigned i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
    u32 o = pairs[i][0], s = pairs[i][1];
    f_amoswap_w(o, s);
    f_amoadd_w(o, s);
    f_amoxor_w(o, s);
    f_amoand_w(o, s);
    f_amoor_w(o, s);
    f_amomin_w(o, s);
    f_amomax_w(o, s);
    f_amominu_w(o, s);
    f_amomaxu_w(o, s);
  }
  f_amoadd_w_aq(10, 20);
  f_amoswap_w_aqrl(1, 2);
  u32 v, sc;
  /* success: lr then sc to the same address */
  mem[0] = 0x11;
  asm volatile("lr.w %0, (%2)\n addi %0, %0, 1\n sc.w %1, %0, (%2)" : "=&r"(v), "=&r"(sc) : "r"(mem) : "memory");
  show("lr/sc ok sc", sc);
  show("lr/sc ok mem", mem[0]);
  /* a second sc without a new lr fails: the first sc consumed the reservation */
  asm volatile("sc.w %0, %1, (%2)" : "=r"(sc) : "r"(0x99), "r"(mem) : "memory");
  show("sc again", sc != 0);
  show("sc again mem", mem[0]);
  /* sc to a different address from the reserved one fails (we only rely on the spec's
     guarantee that an sc without a matching reservation fails: reserve mem[0], sc mem[2]
     after an intervening sc) */
  asm volatile("lr.w %0, (%2)\n sc.w %1, %0, (%2)\n sc.w %1, %0, (%3)"
               : "=&r"(v), "=&r"(sc) : "r"(mem), "r"(mem + 2) : "memory");
  show("sc other", sc != 0);
  show("sc other mem", mem[2]);
  /* a trap between lr and sc: xRET clears the reservation? No: priv 3.3.2 lets xRET leave it;
     only a failed/successful SC and the spec's "trap" rule apply. Use an explicit SC in the
     handler-free path: lr, sc (ok), sc fails is covered above. lr.aq/sc.rl forms: */
  mem[1] = 5;
  asm volatile("lr.w.aq %0, (%2)\n sc.w.rl %1, %0, (%2)" : "=&r"(v), "=&r"(sc) : "r"(mem + 1) : "memory");
  show("lr.aq/sc.rl sc", sc);
  show("lr.aq value", v);
  /* Misaligned LR/SC/AMO must raise an address-misaligned (or access) exception (unpriv 8.2,
     8.4): LR is a load (cause 4), SC and AMOs are store/AMO (cause 6). */
  volatile u32 *scr = (volatile u32 *)SCRATCH;
  MARK(amo_mis);
  asm volatile(LABEL(amo_mis) "amoadd.w %0, %1, (%2)" : "=r"(v) : "r"(1), "r"((u32)scr + 2) : "memory");
  show_trap("amo misaligned");
  MARK(lr_mis);
  asm volatile(LABEL(lr_mis) "lr.w %0, (%1)" : "=r"(v) : "r"((u32)scr + 1) : "memory");
  show_trap("lr misaligned");
  MARK(sc_mis);
  asm volatile(LABEL(sc_mis) "sc.w %0, %1, (%2)" : "=r"(v) : "r"(1), "r"((u32)scr + 2) : "memory");
  show_trap("sc misaligned");
  return 0;
}
