/* Randomised two-stage permission checks (priv 1.12 section 8.5, 4.3.2): 32 VS-stage pages with
   random V/R/W/X/U flags onto 16 guest-physical pages whose G-stage leaves have random
   V/R/W/X/U flags (A and D always set, so QEMU 7.2's A/D departures stay out), re-drawn four
   times; 2048 random loads, stores and fetches from VS and VU with random vsstatus.SUM.
   Each outcome (value, or cause, tval and mtval2) is hashed; htinst and GVA are checked by
   h-gstage line by line instead, since QEMU 7.2 gets them wrong. */
#include "rt.h"

#define V 1u
#define R 2u
#define W 4u
#define X 8u
#define U 16u
#define A 64u
#define D 128u
#define PTE(pa, f) ((((u32)(pa) >> 12) << 10) | (f))
#define GPA_WIN 0xc0000000u
#define VA_WIN 0x40000000u
#define NV 32
#define NG 16

static u32 groot[4096] __attribute__((aligned(16384)));
static u32 gl0[1024] __attribute__((aligned(4096)));
static u32 vroot[1024] __attribute__((aligned(4096)));
static u32 vl0_ram[1024] __attribute__((aligned(4096)));
static u32 vl0[1024] __attribute__((aligned(4096)));
extern char __user_start[], __user_end[];

static u32 seed = 0x6c078965;
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
  asm volatile("jalr ra, 0(%0)\n" LABEL(hr_ex_back) ::"r"(a) : "ra", "memory");
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
u32 hex_u(u32 a);
asm(".pushsection .user.text, \"ax\"\n"
    ".globl hex_u\n"
    "hex_u: mv t1, ra\n"
    " jalr ra, 0(a0)\n" LABEL(hru_ex_back) " mv ra, t1\n"
    " li a0, 2\n"
    " ret\n"
    ".popsection");

static void draw(void) {
  for (u32 i = 0; i < NV; i++) {
    u32 f = (rnd() & (R | W | X | U)) | A | D;
    if ((rnd() & 7) != 0) f |= V;
    vl0[i] = PTE(GPA_WIN + (rnd() % NG) * 4096, f);
  }
  for (u32 i = 0; i < NG; i++) {
    u32 f = (rnd() & (R | W | X | U)) | A | D;
    if ((rnd() & 7) != 0) f |= V;
    gl0[i] = PTE(SCRATCH + (i & 7) * 4096, f);
  }
  asm volatile("hfence.gvma\n hfence.vvma" ::: "memory");
}

static u32 mix(u32 h, u32 v) {
  h ^= v;
  return (h << 5 | h >> 27) * 16777619u;
}

int main(void) {
  clear_trap();
  extern char hr_ex_back[], hru_ex_back[];
  groot[0x80000000u >> 22] = PTE(0x80000000, V | R | W | X | U | A | D);
  groot[0x000] = PTE(0x00000000, V | R | W | U | A | D);
  groot[0x040] = PTE(0x10000000, V | R | W | U | A | D);
  groot[GPA_WIN >> 22] = PTE(gl0, V);
  for (u32 i = 0; i < 1024; i++) {
    u32 pa = 0x80000000u + i * 4096;
    u32 f = V | R | W | X | A | D;
    if (pa >= (u32)__user_start && pa < (u32)__user_end) f |= U;
    vl0_ram[i] = PTE(pa, f);
  }
  vroot[0x80000000u >> 22] = PTE(vl0_ram, V);
  vroot[0x000] = PTE(0x00000000, V | R | W | A | D);
  vroot[0x040] = PTE(0x10000000, V | R | W | A | D);
  vroot[VA_WIN >> 22] = PTE(vl0, V);
  for (u32 i = 0; i < 8 * 1024; i++) *(volatile u32 *)(SCRATCH + i * 4) = 0x00008067; /* ret */
  asm volatile("fence.i");
  csr_write(hgatp, (1u << 31) | ((u32)groot >> 12));
  csr_write(vsatp, (1u << 31) | ((u32)vroot >> 12));
  u32 h = 0x811c9dc5u;
  for (int round = 0; round < 4; round++) {
    draw();
    for (int i = 0; i < 512; i++) {
      u32 r = rnd();
      u32 va = VA_WIN + (r % NV) * 4096 + ((r >> 8) & 0xffc);
      int user = (r >> 20) & 1;
      u32 op = (r >> 21) % 3;
      /* MXR stays 0: QEMU 7.2 wrongly lets vsstatus.MXR act on the G-stage (h-gstage checks it) */
      csr_write(vsstatus, (r >> 23) & 1 ? MSTATUS_SUM : 0);
      clear_trap();
      u32 v;
      if (user) {
        if (op == 2) resume_pc = (u32)hru_ex_back;
        v = run_mode_user(MODE_VU, op == 0 ? ld_u : op == 1 ? st_u : hex_u, va);
      } else {
        if (op == 2) resume_pc = (u32)hr_ex_back;
        v = run_mode(MODE_VS, op == 0 ? ld : op == 1 ? st : ex, va);
      }
      resume_pc = 0;
      h = mix(h, last_trap.n ? (last_trap.cause << 24) ^ last_trap.tval ^ last_trap.tval2 : v);
    }
    puts_("round ");
    putdec((u32)round);
    show(" outcomes", h);
  }
  csr_write(vsstatus, 0);
  csr_write(vsatp, 0);
  csr_write(hgatp, 0);
  return 0;
}
