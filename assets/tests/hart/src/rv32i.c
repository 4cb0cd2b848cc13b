/* RV32I base integer instructions (unpriv spec chapter 2): every ALU op on corner operands,
   every branch, JAL/JALR link values and target LSB clearing, LUI/AUIPC, loads with sign/zero
   extension, stores of each width, and writes to x0 being discarded. */
#include "rt.h"

static const u32 vals[] = {0,          1,          2,          0xffffffff, 0x7fffffff, 0x80000000,
                           0x12345678, 0xfedcba98, 0x0000001f, 0x00000020, 0x00000021, 0x80000001};
#define NV (sizeof vals / sizeof vals[0])

#define RR(name)                                                            \
  static u32 f_##name(u32 a, u32 b) {                                       \
    u32 r;                                                                  \
    asm volatile(#name " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));          \
    return r;                                                               \
  }
RR(add) RR(sub) RR(sll) RR(slt) RR(sltu) RR(xor) RR(srl) RR(sra) RR(or) RR(and)

struct rr { const char *name; u32 (*fn)(u32, u32); };
static const struct rr rrs[] = {{"add", f_add}, {"sub", f_sub}, {"sll", f_sll}, {"slt", f_slt},
                                {"sltu", f_sltu}, {"xor", f_xor}, {"srl", f_srl}, {"sra", f_sra},
                                {"or", f_or}, {"and", f_and}};

#define RI(name, imm)                                                        \
  {                                                                          \
    u32 r;                                                                   \
    asm volatile(#name " %0, %1, " #imm : "=r"(r) : "r"(a));                \
    puts_(#name " " #imm " ");                                               \
    puthex(a);                                                               \
    putc_(' ');                                                              \
    puthex(r);                                                               \
    putc_('\n');                                                             \
  }

static void imm_ops(u32 a) {
  RI(addi, 0) RI(addi, -1) RI(addi, 2047) RI(addi, -2048)
  RI(slti, -1) RI(slti, 1) RI(sltiu, -1) RI(sltiu, 1)
  RI(xori, -1) RI(xori, 0x555) RI(ori, -2048) RI(ori, 0x7ff) RI(andi, -16) RI(andi, 0x7ff)
  RI(slli, 0) RI(slli, 1) RI(slli, 31) RI(srli, 0) RI(srli, 1) RI(srli, 31)
  RI(srai, 0) RI(srai, 1) RI(srai, 31)
}

#define BR(name, bitn)                                                        \
  asm volatile(#name " %1, %2, 1f\n j 2f\n1: ori %0, %0, " #bitn "\n2:"      \
               : "+r"(m) : "r"(a), "r"(b));

static u32 branches(u32 a, u32 b) {
  u32 m = 0;
  BR(beq, 1) BR(bne, 2) BR(blt, 4) BR(bge, 8) BR(bltu, 16) BR(bgeu, 32)
  return m;
}

static u32 buf[8] __attribute__((aligned(16)));

static void loads(void) {
  static const u32 init[4] = {0x8081f2f3, 0x7f017ffe, 0x00ff8000, 0xdeadbeef};
  for (int i = 0; i < 4; i++) buf[i] = init[i];
  for (int off = 0; off < 16; off++) {
    u32 r;
    char *p = (char *)buf + off;
    asm volatile("lb %0, 0(%1)" : "=r"(r) : "r"(p));
    puts_("lb ");
    putdec((u32)off);
    putc_(' ');
    puthex(r);
    asm volatile("lbu %0, 0(%1)" : "=r"(r) : "r"(p));
    puts_(" lbu ");
    puthex(r);
    if ((off & 1) == 0) {
      asm volatile("lh %0, 0(%1)" : "=r"(r) : "r"(p));
      puts_(" lh ");
      puthex(r);
      asm volatile("lhu %0, 0(%1)" : "=r"(r) : "r"(p));
      puts_(" lhu ");
      puthex(r);
    }
    if ((off & 3) == 0) {
      asm volatile("lw %0, 0(%1)" : "=r"(r) : "r"(p));
      puts_(" lw ");
      puthex(r);
    }
    putc_('\n');
  }
  /* negative and positive 12-bit offsets */
  u32 r1, r2;
  asm volatile("lw %0, -4(%2)\n lw %1, 2044(%3)" : "=&r"(r1), "=&r"(r2) : "r"((char *)buf + 8),
               "r"((u32)buf - 2044 + 12));
  show("lw -4", r1);
  show("lw 2044", r2);
}

static void stores(void) {
  for (int i = 0; i < 8; i++) buf[i] = 0x11111111u * (u32)i;
  u32 v = 0xa5b6c7d8;
  asm volatile("sb %0, 1(%1)\n sh %0, 6(%1)\n sw %0, 8(%1)\n sb %0, 15(%1)\n sh %0, -2(%2)"
               :: "r"(v), "r"(buf), "r"((char *)buf + 20) : "memory");
  for (int i = 0; i < 6; i++) show("st", buf[i]);
}

static void x0_writes(void) {
  u32 r;
  buf[0] = 0x12345678;
  asm volatile("addi x0, x0, 5\n add x0, %1, %1\n lw x0, 0(%2)\n lui x0, 0x12345\n"
               "jal x0, 1f\n1: mv %0, x0"
               : "=r"(r) : "r"(7), "r"(buf));
  show("x0", r);
}

static void jumps(void) {
  u32 link, base, t;
  asm volatile("1: jal %0, 2f\n nop\n2: la %1, 1b" : "=r"(link), "=r"(base));
  show("jal link-off", link - base);
  /* JALR clears bit 0 of the target (unpriv 2.5): aim at label+1 */
  asm volatile("la %1, 3f\n addi %1, %1, 1\n li %2, 0\n jalr %0, 0(%1)\n li %2, 9\n3: "
               : "=r"(link), "=&r"(base), "=&r"(t));
  show("jalr lsb skip", t);
  /* jalr with rd == rs1: the target uses the old rs1 */
  asm volatile("la %0, 4f\n jalr %0, 0(%0)\n nop\n4: la %1, 4b" : "=&r"(link), "=r"(base));
  show("jalr rd=rs1 link-off", base - link);
  /* negative offset */
  asm volatile("la %1, 6f\n addi %1, %1, 16\n jalr %0, -16(%1)\n nop\n6: " : "=r"(link), "=&r"(base));
  show("jalr neg ok", 1);
}

static void upper(void) {
  u32 r, a, b;
  asm volatile("lui %0, 0xfffff" : "=r"(r));
  show("lui fffff", r);
  asm volatile("lui %0, 0x80000" : "=r"(r));
  show("lui 80000", r);
  asm volatile("1: auipc %0, 0x12345\n la %1, 1b" : "=r"(a), "=r"(b));
  show("auipc 12345 rel", a - b);
  asm volatile("1: auipc %0, 0xfffff\n la %1, 1b" : "=r"(a), "=r"(b));
  show("auipc fffff rel", a - b);
}

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
  for (unsigned i = 0; i < NV; i++) imm_ops(vals[i]);
  for (unsigned i = 0; i < NV; i++) {
    puts_("br");
    for (unsigned j = 0; j < NV; j++) {
      putc_(' ');
      puthex(branches(vals[i], vals[j]));
    }
    putc_('\n');
  }
  loads();
  stores();
  x0_writes();
  jumps();
  upper();
  asm volatile("fence\n fence rw, rw\n fence.tso" ::: "memory");
  show_trap("fences");
  return 0;
}
