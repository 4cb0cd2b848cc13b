/* Address-translation fences under the H extension (priv 1.12 sections 8.3.1 HFENCE.VVMA/GVMA,
   4.2.1 SFENCE.VMA in VS-mode): after a G-stage or VS-stage PTE changes, the matching fence
   (all-address and single-address forms, from HS and M, and SFENCE.VMA inside VS) makes the new
   translation visible to VS loads. Values before a fence are implementation-defined: not printed. */
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
#define GRW (V | R | W | U | A | D)
#define VRW (V | R | W | A | D)

static u32 groot[4096] __attribute__((aligned(16384)));
static u32 gl0[1024] __attribute__((aligned(4096)));
static u32 vroot[1024] __attribute__((aligned(4096)));
static u32 vl0[1024] __attribute__((aligned(4096)));

static u32 ld(u32 va) { return *(volatile u32 *)va; }
static u32 ld_sfence(u32 va) {
  asm volatile("sfence.vma" ::: "memory");
  return *(volatile u32 *)va;
}
static u32 ld_sfence_addr(u32 va) {
  asm volatile("sfence.vma %0, zero" ::"r"(va) : "memory");
  return *(volatile u32 *)va;
}
/* call the code at va (a "ret" word) */
static u32 run_at(u32 va) {
  asm volatile("jalr ra, 0(%0)\n" LABEL(hf_back) ::"r"(va) : "ra", "memory");
  return 0x600d;
}

static u32 hfence_gvma_all(u32 x) {
  asm volatile("hfence.gvma zero, zero" ::: "memory");
  return x;
}
static u32 hfence_gvma_addr(u32 gpa) {
  asm volatile("hfence.gvma %0, zero" ::"r"(gpa >> 2) : "memory");
  return gpa;
}
static u32 hfence_vvma_all(u32 x) {
  asm volatile("hfence.vvma zero, zero" ::: "memory");
  return x;
}
static u32 hfence_vvma_addr(u32 va) {
  asm volatile("hfence.vvma %0, zero" ::"r"(va) : "memory");
  return va;
}

int main(void) {
  clear_trap();
  for (u32 i = 0; i < 8; i++)
    for (u32 k = 0; k < 4; k++) *(volatile u32 *)(SCRATCH + i * 4096 + 4 * k) = 0x1000 + i + 0x100 * k;
  groot[0x80000000u >> 22] = PTE(0x80000000, V | R | W | X | U | A | D);
  groot[0x040] = PTE(0x10000000, GRW);
  groot[0x000] = PTE(0x00000000, GRW);
  for (u32 i = 0; i < 4; i++) gl0[i] = PTE(SCRATCH + i * 4096, GRW);
  groot[GPA_WIN >> 22] = PTE(gl0, V);
  vroot[0x80000000u >> 22] = PTE(0x80000000, V | R | W | X | A | D);
  vroot[0x040] = PTE(0x10000000, VRW);
  vroot[0x000] = PTE(0x00000000, VRW);
  for (u32 i = 0; i < 4; i++) vl0[i] = PTE(GPA_WIN + i * 4096, VRW);
  vroot[VA_WIN >> 22] = PTE(vl0, V);
  csr_write(hgatp, (1u << 31) | ((u32)groot >> 12));
  csr_write(vsatp, (1u << 31) | ((u32)vroot >> 12));
  asm volatile("hfence.gvma\n hfence.vvma");
  show("VS page0", run_mode(MODE_VS, ld, VA_WIN));
  show("VS page1", run_mode(MODE_VS, ld, VA_WIN + 0x1000));
  /* a VS-stage 4 MiB superpage over G-stage 4 KiB pages: each 4 KiB of it lands on its own frame */
  vroot[(VA_WIN >> 22) + 1] = PTE(GPA_WIN, V | R | W | X | A | D);
  asm volatile("hfence.vvma" ::: "memory");
  for (u32 i = 0; i < 4; i++) {
    puts_("VS superpage +");
    putdec(i);
    show(" KiB*4", run_mode(MODE_VS, ld, VA_WIN + 0x400000 + i * 0x1000 + 4 * i));
  }

  /* G-stage change: GPA page 0 -> frame 4; HFENCE.GVMA (all) from M */
  gl0[0] = PTE(SCRATCH + 4 * 4096, GRW);
  asm volatile("hfence.gvma zero, zero" ::: "memory");
  show("after gvma all (M)", run_mode(MODE_VS, ld, VA_WIN));
  /* single-address form from HS: GPA page 1 -> frame 5 */
  gl0[1] = PTE(SCRATCH + 5 * 4096, GRW);
  run_mode(MODE_S, hfence_gvma_addr, GPA_WIN + 0x1000);
  show("after gvma addr (HS)", run_mode(MODE_VS, ld, VA_WIN + 0x1000));
  /* all form from HS */
  gl0[1] = PTE(SCRATCH + 6 * 4096, GRW);
  run_mode(MODE_S, hfence_gvma_all, 0);
  show("after gvma all (HS)", run_mode(MODE_VS, ld, VA_WIN + 0x1000));

  /* VS-stage change: VA page 2 -> GPA page 0 (frame 4); HFENCE.VVMA from HS */
  vl0[2] = PTE(GPA_WIN, VRW);
  run_mode(MODE_S, hfence_vvma_addr, VA_WIN + 0x2000);
  show("after vvma addr (HS)", run_mode(MODE_VS, ld, VA_WIN + 0x2000));
  vl0[2] = PTE(GPA_WIN + 0x3000, VRW);
  run_mode(MODE_S, hfence_vvma_all, 0);
  show("after vvma all (HS)", run_mode(MODE_VS, ld, VA_WIN + 0x2000));
  /* SFENCE.VMA executed in VS-mode flushes VS-stage translations */
  vl0[3] = PTE(GPA_WIN + 0x1000, VRW);
  show("after sfence in VS", run_mode(MODE_VS, ld_sfence, VA_WIN + 0x3000));
  vl0[3] = PTE(GPA_WIN, VRW);
  show("after sfence addr in VS", run_mode(MODE_VS, ld_sfence_addr, VA_WIN + 0x3000));
  show_trap("fences");

  /* execute permission changes after the code has run: G-stage X revoked + HFENCE.GVMA, then
     VS-stage X revoked + HFENCE.VVMA; each must take effect (priv 8.3.1) */
  extern char hf_back[];
  *(volatile u32 *)(SCRATCH + 7 * 4096) = 0x00008067;
  asm volatile("fence.i" ::: "memory");
  gl0[3] = PTE(SCRATCH + 7 * 4096, V | R | X | U | A | D);
  vl0[3] = PTE(GPA_WIN + 0x3000, V | R | X | A | D);
  asm volatile("hfence.gvma\n hfence.vvma" ::: "memory");
  show("exec page 3", run_mode(MODE_VS, run_at, VA_WIN + 0x3000));
  gl0[3] = PTE(SCRATCH + 7 * 4096, V | R | U | A | D);
  asm volatile("hfence.gvma zero, zero" ::: "memory");
  resume_pc = (u32)hf_back;
  run_mode(MODE_VS, run_at, VA_WIN + 0x3000);
  show_trap("exec after G-stage X revoked");
  gl0[3] = PTE(SCRATCH + 7 * 4096, V | R | X | U | A | D);
  asm volatile("hfence.gvma zero, zero" ::: "memory");
  show("exec with G-stage X back", run_mode(MODE_VS, run_at, VA_WIN + 0x3000));
  vl0[3] = PTE(GPA_WIN + 0x3000, V | R | A | D);
  run_mode(MODE_S, hfence_vvma_all, 0);
  resume_pc = (u32)hf_back;
  run_mode(MODE_VS, run_at, VA_WIN + 0x3000);
  show_trap("exec after VS-stage X revoked");
  csr_write(vsatp, 0);
  csr_write(hgatp, 0);
  return 0;
}
