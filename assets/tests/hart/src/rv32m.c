/* RV32M (unpriv spec chapter 7): MUL/MULH/MULHSU/MULHU on corner values, DIV/DIVU/REM/REMU
   including division by zero (quotient all ones, remainder = dividend) and the signed overflow
   case -2^31 / -1 (quotient -2^31, remainder 0). */
#include "rt.h"

static const u32 vals[] = {0,          1,          2,          3,          0xffffffff, 0xfffffffe,
                           0x7fffffff, 0x80000000, 0x80000001, 0x12345678, 0xfedcba98, 0x0000ffff,
                           0x00010000, 0xffff0000};
#define NV (sizeof vals / sizeof vals[0])

#define RR(name)                                                            \
  static u32 f_##name(u32 a, u32 b) {                                       \
    u32 r;                                                                  \
    asm volatile(#name " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));          \
    return r;                                                               \
  }
RR(mul) RR(mulh) RR(mulhsu) RR(mulhu) RR(div) RR(divu) RR(rem) RR(remu)

struct rr { const char *name; u32 (*fn)(u32, u32); };
static const struct rr rrs[] = {{"mul", f_mul},   {"mulh", f_mulh}, {"mulhsu", f_mulhsu},
                                {"mulhu", f_mulhu}, {"div", f_div},  {"divu", f_divu},
                                {"rem", f_rem},   {"remu", f_remu}};

int main(void) {
  clear_trap();
  for (unsigned k = 0; k < sizeof rrs / sizeof rrs[0]; k++)
    for (unsigned i = 0; i < NV; i++) {
      puts_(rrs[k].name);
      for (unsigned j = 0; j < NV; j++) {
        putc_(' ');
        puthex(rrs[k].fn(vals[i], vals[j]));
      }
      putc_('\n');
    }
  /* rd aliasing a source, and x0 as destination */
  u32 a = 7, z;
  asm volatile("mul %0, %0, %0\n div x0, %0, %0\n mv %1, x0" : "+r"(a), "=r"(z));
  show("mul rd=rs", a);
  show("div x0", z);
  show_trap("no traps");
  return 0;
}
