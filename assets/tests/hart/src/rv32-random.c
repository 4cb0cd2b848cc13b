/* Randomised RV32IM arithmetic (unpriv chapters 2 and 7): 4096 operand pairs from a fixed LCG
   (with a bias towards corner values), every register-register ALU and M instruction, and a
   rotating hash of the results per instruction, so any single wrong result changes a line. */
#include "rt.h"

static u32 seed = 0x12345678;
static u32 rnd(void) {
  seed = seed * 1664525u + 1013904223u;
  u32 r = seed;
  switch (r >> 29) { /* one in four draws is a corner value */
    case 0: return 0x80000000u ^ (r & 3);
    case 1: return 0xffffffffu - (r & 3);
    default: return r ^ (r << 7) ^ (r >> 11);
  }
}

#define OP(name)                                                            \
  static u32 f_##name(u32 a, u32 b) {                                       \
    u32 r;                                                                  \
    asm volatile(#name " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));          \
    return r;                                                               \
  }
OP(add) OP(sub) OP(sll) OP(slt) OP(sltu) OP(xor) OP(srl) OP(sra) OP(or) OP(and)
OP(mul) OP(mulh) OP(mulhsu) OP(mulhu) OP(div) OP(divu) OP(rem) OP(remu)

struct op { const char *name; u32 (*fn)(u32, u32); };
static const struct op ops[] = {
    {"add", f_add},   {"sub", f_sub},       {"sll", f_sll},     {"slt", f_slt},   {"sltu", f_sltu},
    {"xor", f_xor},   {"srl", f_srl},       {"sra", f_sra},     {"or", f_or},     {"and", f_and},
    {"mul", f_mul},   {"mulh", f_mulh},     {"mulhsu", f_mulhsu}, {"mulhu", f_mulhu},
    {"div", f_div},   {"divu", f_divu},     {"rem", f_rem},     {"remu", f_remu},
};
#define NOPS (sizeof ops / sizeof ops[0])

int main(void) {
  clear_trap();
  u32 hash[NOPS];
  for (unsigned k = 0; k < NOPS; k++) hash[k] = 0x811c9dc5u;
  for (int i = 0; i < 4096; i++) {
    u32 a = rnd(), b = rnd();
    for (unsigned k = 0; k < NOPS; k++) {
      u32 h = hash[k] ^ ops[k].fn(a, b);
      hash[k] = (h << 5 | h >> 27) * 16777619u;
    }
  }
  for (unsigned k = 0; k < NOPS; k++) show(ops[k].name, hash[k]);
  show("seed", seed);
  return 0;
}
