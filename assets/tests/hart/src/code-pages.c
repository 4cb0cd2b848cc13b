/* Code and address translation (priv 1.12 sections 4.3.2, unpriv chapter 3 Zifencei): straight-line
   code running off the end of a mapped page takes an instruction page fault at the next page
   (the instructions before it have retired); code patched through a writable alias of its
   physical page is seen through the executable alias after FENCE.I in S-mode; the same physical
   code runs identically at two virtual addresses. */
#include "rt.h"

#define V 1u
#define R 2u
#define W 4u
#define X 8u
#define A 64u
#define D 128u
#define PTE(pa, f) ((((u32)(pa) >> 12) << 10) | (f))
#define TVA 0x40000000u

static u32 root[1024] __attribute__((aligned(4096)));
static u32 l0[1024] __attribute__((aligned(4096)));

#define ADDI_A0_1 0x00150513u /* addi a0, a0, 1 */
#define RET 0x00008067u
static u32 li_a0(u32 imm) { return (imm << 20) | (10u << 7) | 0x13u; }

/* In S: a0 = arg, call target; report a0 after return or after the fault's resume. */
static __attribute__((noinline)) u32 call_s(u32 target) {
  register u32 a0 asm("a0") = 100;
  register u32 t asm("t0") = target;
  asm volatile("jalr ra, 0(t0)\n" LABEL(cp_back) : "+r"(a0) : "r"(t) : "ra", "memory");
  return a0;
}

/* In S: store a new first instruction through the writable alias, FENCE.I, call the code. */
static u32 patch_and_call(u32 imm) {
  *(volatile u32 *)(TVA + 0x3000) = li_a0(imm);
  asm volatile("fence.i" ::: "memory");
  return call_s(TVA + 0x2000);
}

int main(void) {
  clear_trap();
  extern char cp_back[];
  root[0x80000000u >> 22] = PTE(0x80000000, V | R | W | X | A | D);
  root[0x040] = PTE(0x10000000, V | R | W | A | D);
  root[0x000] = PTE(0x00000000, V | R | W | A | D);
  root[TVA >> 22] = PTE(l0, V);
  /* VA page 0: code at its last two words, page 1 unmapped */
  l0[0] = PTE(SCRATCH, V | R | X | A);
  volatile u32 *f0 = (volatile u32 *)SCRATCH;
  f0[1022] = ADDI_A0_1;
  f0[1023] = ADDI_A0_1;
  /* VA pages 2 (R+X) and 3 (R+W) both map frame 1; VA page 4 (R+X) maps it again */
  l0[2] = PTE(SCRATCH + 0x1000, V | R | X | A);
  l0[3] = PTE(SCRATCH + 0x1000, V | R | W | A | D);
  l0[4] = PTE(SCRATCH + 0x1000, V | R | X | A);
  volatile u32 *f1 = (volatile u32 *)(SCRATCH + 0x1000);
  f1[0] = li_a0(5);
  f1[1] = ADDI_A0_1;
  f1[2] = RET;
  asm volatile("fence.i" ::: "memory");
  csr_write(satp, (1u << 31) | ((u32)root >> 12));
  asm volatile("sfence.vma" ::: "memory");

  resume_pc = (u32)cp_back;
  show("a0 after running off the page", run_mode(MODE_S, call_s, TVA + 0xff8));
  show_trap("fetch from the unmapped next page");
  show("code via page 2", run_mode(MODE_S, call_s, TVA + 0x2000));
  show("same code via page 4", run_mode(MODE_S, call_s, TVA + 0x4000));
  show("patched via page 3, run via 2", run_mode(MODE_S, patch_and_call, 40));
  show("and via page 4", run_mode(MODE_S, call_s, TVA + 0x4000));
  show("patched again", run_mode(MODE_S, patch_and_call, 77));
  show_trap("no traps");
  csr_write(satp, 0);
  asm volatile("sfence.vma" ::: "memory");
  return 0;
}
