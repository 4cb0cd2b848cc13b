/* Randomised Sv32 permission checks (priv 1.12 section 4.3.2, 4.3.1 A/D, 3.1.6.3 SUM/MXR):
   64 test pages with random PTE flags (reserved encodings included) onto 8 frames, re-drawn four
   times; 2048 random loads, stores and fetches from S and U with random SUM/MXR; every outcome
   (value, or cause and tval) is hashed, and each PTE's final A/D bits too. */
#include "rt.h"

#define V 1u
#define R 2u
#define W 4u
#define X 8u
#define U 16u
#define A 64u
#define D 128u
#define PTE(pa, f) ((((u32)(pa) >> 12) << 10) | (f))
#define TVA 0x40000000u
#define NP 64

static u32 root[1024] __attribute__((aligned(4096)));
static u32 l0_ram[1024] __attribute__((aligned(4096)));
static u32 l0_test[1024] __attribute__((aligned(4096)));
extern char __user_start[], __user_end[];

static u32 seed = 0x2545f491;
static u32 rnd(void) {
  seed = seed * 1664525u + 1013904223u;
  return seed ^ (seed >> 13);
}

static u32 ld(u32 a) {
  u32 v;
  asm volatile("lw %0, 0(%1)" : "=r"(v) : "r"(a) : "memory");
  return v;
}
static u32 st(u32 a) {
  asm volatile("sw %0, 0(%1)" ::"r"(0x00008067), "r"(a) : "memory");
  return 1;
}
static u32 ex(u32 a) {
  asm volatile("jalr ra, 0(%0)\n" LABEL(r_ex_back) ::"r"(a) : "ra", "memory");
  return 2;
}
USER static u32 ld_u(u32 a) {
  u32 v;
  asm volatile("lw %0, 0(%1)" : "=r"(v) : "r"(a) : "memory");
  return v;
}
USER static u32 st_u(u32 a) {
  asm volatile("sw %0, 0(%1)" ::"r"(0x00008067), "r"(a) : "memory");
  return 1;
}
u32 ex_u(u32 a);
asm(".pushsection .user.text, \"ax\"\n"
    ".globl ex_u\n"
    "ex_u: mv t1, ra\n"
    " jalr ra, 0(a0)\n" LABEL(ru_ex_back) " mv ra, t1\n"
    " li a0, 2\n"
    " ret\n"
    ".popsection");

static void draw(void) {
  for (u32 i = 0; i < NP; i++) {
    u32 f = rnd() & 0xdf; /* V R W X U A D, never G */
    if ((rnd() & 3) != 0) f |= V;
    l0_test[i] = PTE(SCRATCH + (rnd() & 7) * 4096, f);
  }
  asm volatile("sfence.vma" ::: "memory");
}

static u32 mix(u32 h, u32 v) {
  h ^= v;
  return (h << 5 | h >> 27) * 16777619u;
}

int main(void) {
  clear_trap();
  extern char r_ex_back[], ru_ex_back[];
  for (u32 i = 0; i < 1024; i++) {
    u32 pa = 0x80000000u + i * 4096;
    u32 f = V | R | W | X | A | D;
    if (pa >= (u32)__user_start && pa < (u32)__user_end) f |= U;
    l0_ram[i] = PTE(pa, f);
  }
  root[0x80000000u >> 22] = PTE(l0_ram, V);
  root[0x000] = PTE(0x00000000, V | R | W | A | D);
  root[0x008] = PTE(0x02000000, V | R | W | A | D);
  root[0x040] = PTE(0x10000000, V | R | W | A | D);
  root[TVA >> 22] = PTE(l0_test, V);
  for (u32 i = 0; i < 8 * 1024; i++) *(volatile u32 *)(SCRATCH + i * 4) = 0x00008067; /* ret */
  asm volatile("fence.i");
  csr_write(satp, (1u << 31) | ((u32)root >> 12));
  u32 h = 0x811c9dc5u;
  for (int round = 0; round < 4; round++) {
    draw();
    for (int i = 0; i < 512; i++) {
      u32 r = rnd();
      u32 va = TVA + (r % NP) * 4096 + ((r >> 8) & 0xffc);
      int user = (r >> 20) & 1;
      u32 op = (r >> 21) % 3;
      csr_clear(mstatus, MSTATUS_SUM | MSTATUS_MXR);
      csr_set(mstatus, ((r >> 23) & 1 ? MSTATUS_SUM : 0) | ((r >> 24) & 1 ? MSTATUS_MXR : 0));
      clear_trap();
      u32 v;
      if (user) {
        if (op == 2) resume_pc = (u32)ru_ex_back;
        v = run_mode_user(MODE_U, op == 0 ? ld_u : op == 1 ? st_u : ex_u, va);
      } else {
        if (op == 2) resume_pc = (u32)r_ex_back;
        v = run_mode(MODE_S, op == 0 ? ld : op == 1 ? st : ex, va);
      }
      resume_pc = 0;
      h = mix(h, last_trap.n ? (last_trap.cause << 24) ^ last_trap.tval : v);
    }
    u32 ad = 0;
    for (u32 i = 0; i < NP; i++) ad = mix(ad, l0_test[i] & (A | D));
    puts_("round ");
    putdec((u32)round);
    show(" outcomes", h);
    show("A/D bits", ad);
  }
  csr_clear(mstatus, MSTATUS_SUM | MSTATUS_MXR);
  csr_write(satp, 0);
  asm volatile("sfence.vma");
  return 0;
}
