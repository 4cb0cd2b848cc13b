/* H extension two-stage translation (priv 1.12 sections 8.5 "Two-Stage Address Translation",
   8.6.3 "Transformed Instruction or Pseudoinstruction for mtinst or htinst", 8.2.x htval/htinst,
   3.1.x mtval2/mtinst, GVA): guest-page faults 20/21/23 from VS and VU with the guest physical
   address (>>2) in mtval2/htval, the transformed load/store or pseudoinstruction in mtinst/htinst,
   GVA and MPV/SPV, taken in M (medeleg=0) and in HS (medeleg bits 20/21/23); VS-stage faults; and
   G-stage faults on the implicit VS-stage page-table walk and A/D update. */
#include "rt.h"

#define V 1u
#define R 2u
#define W 4u
#define X 8u
#define U 16u
#define A 64u
#define D 128u
#define PTE(pa, f) ((((u32)(pa) >> 12) << 10) | (f))
#define GPA_WIN 0xc0000000u /* guest-physical test window, G-stage maps it onto SCRATCH frames */
#define VA_WIN 0x40000000u  /* VS-stage test window */

static u32 groot[4096] __attribute__((aligned(16384)));
static u32 gl0[1024] __attribute__((aligned(4096)));
static u32 vroot[1024] __attribute__((aligned(4096)));
static u32 vl0[1024] __attribute__((aligned(4096)));
static u32 vl1[1024] __attribute__((aligned(4096)));

extern char s_trap_entry[];

static const u32 gflags[] = {
    V | R | U | A,         /* 0 read-only */
    V | R | W | U | A | D, /* 1 read-write */
    V | X | U | A,         /* 2 execute-only */
    0,                     /* 3 invalid */
    V | R | W | X | A | D, /* 4 U=0: every G-stage access fails */
    V | R | W | X | U | A | D, /* 5 RWX */
};
#define NG (sizeof gflags / sizeof gflags[0])

static void build(void) {
  /* G-stage: identity for RAM and devices (leaves need U=1: priv 8.5.1) */
  groot[0x80000000u >> 22] = PTE(0x80000000, V | R | W | X | U | A | D);
  groot[0x000] = PTE(0x00000000, V | R | W | U | A | D);
  groot[0x008] = PTE(0x02000000, V | R | W | U | A | D);
  groot[0x040] = PTE(0x10000000, V | R | W | U | A | D);
  for (u32 i = 0; i < NG; i++) gl0[i] = PTE(SCRATCH + i * 4096, gflags[i]);
  groot[GPA_WIN >> 22] = PTE(gl0, V);
  /* VS-stage: identity for RAM and devices; VA_WIN pages onto the GPA window */
  vroot[0x80000000u >> 22] = PTE(0x80000000, V | R | W | X | A | D);
  vroot[0x000] = PTE(0x00000000, V | R | W | A | D);
  vroot[0x008] = PTE(0x02000000, V | R | W | A | D);
  vroot[0x040] = PTE(0x10000000, V | R | W | A | D);
  for (u32 i = 0; i < NG; i++) vl0[i] = PTE(GPA_WIN + i * 4096, V | R | W | X | A | D);
  vl0[NG] = 0; /* VS-invalid page at VA_WIN + NG*4096 */
  vroot[VA_WIN >> 22] = PTE(vl0, V);
  /* VA_WIN+4 MiB: its level-0 table sits at a G-invalid GPA (implicit-access fault) */
  vroot[(VA_WIN >> 22) + 1] = PTE(GPA_WIN + 3 * 4096, V);
  /* VA_WIN+8 MiB: level-0 table in the G-read-only frame; entry 1 has A=0 so the walk must
     write it (or fault): the G-stage forbids that write */
  vroot[(VA_WIN >> 22) + 2] = PTE(GPA_WIN, V);
  *(volatile u32 *)(SCRATCH + 4) = PTE(GPA_WIN + 4096, V | R | W | X);
  /* a "ret" where the execute probes land (offset 8 of each frame) */
  for (u32 i = 0; i < NG; i++) *(volatile u32 *)(SCRATCH + i * 4096 + 8) = 0x00008067;
  /* Sv32x4 details, reached through VA_WIN+12 MiB (VS level-0 table vl1):
     page 0 -> GPA 0x2_c004_0000 (above 4 GiB: G root index 0xb00, a 4 MiB leaf onto RAM);
     page 1 -> GPA 0x3_0000_0000 (no G mapping); page 2 -> GPA 0xc040_0000 (misaligned G
     superpage); page 3 -> GPA 0xc080_0000 (G leaf with A=0, D=0). PPNs are 22 bits: GPA >> 12. */
  vroot[(VA_WIN >> 22) + 3] = PTE(vl1, V);
  vl1[0] = (0x2c0040u << 10) | V | R | W | X | A | D;
  vl1[1] = (0x300000u << 10) | V | R | W | X | A | D;
  vl1[2] = (0x0c0400u << 10) | V | R | W | X | A | D;
  vl1[3] = (0x0c0800u << 10) | V | R | W | X | A | D;
  groot[0xb00] = PTE(0x80000000, V | R | W | X | U | A | D);
  groot[0x301] = PTE(0x80001000, V | R | W | X | U | A | D);
  groot[0x302] = PTE(0x80000000, V | R | W | X | U);
  /* page 4 -> GPA 0xc0c00000: a G-stage leaf onto a physical hole (access fault, not GPF) */
  vl1[4] = (0x0c0c00u << 10) | V | R | W | X | A | D;
  groot[0x303] = PTE(0xf0000000u, V | R | W | X | U | A | D);
  asm volatile("fence.i");
}

/* Fixed registers so the transformed instruction in mtinst/htinst is a known constant:
   lw a0,0(a1) = 0x0005a503 -> 0x00002503; sw a0,0(a1) = 0x00a5a023 -> 0x00a02023;
   amoadd.w a0,a0,(a1) = 0x00a5a52f -> 0x00a0252f. */
static u32 ld(u32 a) {
  register u32 a0 asm("a0");
  register u32 a1 asm("a1") = a;
  asm volatile("lw a0, 0(a1)" : "=r"(a0) : "r"(a1) : "memory");
  return a0;
}
static u32 st(u32 a) {
  register u32 a0 asm("a0") = 0x00008067;
  register u32 a1 asm("a1") = a;
  asm volatile("sw a0, 0(a1)" ::"r"(a0), "r"(a1) : "memory");
  return 0;
}
static u32 amo(u32 a) {
  register u32 a0 asm("a0") = 0;
  register u32 a1 asm("a1") = a;
  asm volatile("amoadd.w a0, a0, (a1)" : "+r"(a0) : "r"(a1) : "memory");
  return a0;
}
static u32 ex(u32 a) {
  asm volatile("jalr ra, 0(%0)\n" LABEL(g_ex_back) ::"r"(a) : "ra", "memory");
  return 0;
}

static u32 illegal_vs(u32 x) {
  asm volatile(".word 0xffffffff");
  return x;
}

static void probe(const char *what, int mode, u32 va) {
  extern char g_ex_back[];
  u32 (*const fns[])(u32) = {ld, st, amo, ex};
  static const char *const k[] = {"r", "w", "amo", "x"};
  for (int f = 0; f < 4; f++) {
    clear_trap();
    if (f == 3) resume_pc = (u32)g_ex_back;
    run_mode(mode, fns[f], va);
    resume_pc = 0;
    puts_(what);
    puts_(mode == MODE_VU ? " VU " : " VS ");
    puts_(k[f]);
    if (last_trap.n == 0) {
      puts_(" ok\n");
      continue;
    }
    /* for data probes epc is the probe instruction's address: layout-dependent, not printed */
    if (f != 3) last_trap.epc = 0;
    show_trap("");
  }
  clear_trap();
}

static void window(int mode) {
  static const char *const gn[] = {"g-ro", "g-rw", "g-xo", "g-invalid", "g-nonuser", "g-rwx"};
  for (u32 i = 0; i < NG; i++) probe(gn[i], mode, VA_WIN + i * 4096 + 8);
}

int main(void) {
  clear_trap();
  build();
  csr_write(stvec, s_trap_entry);
  csr_write(hgatp, (1u << 31) | ((u32)groot >> 12));
  asm volatile("hfence.gvma");
  show("hgatp ok", csr_read(hgatp) == ((1u << 31) | ((u32)groot >> 12)));

  /* VS-stage bare: guest virtual = guest physical */
  puts_("vsatp=0, traps to M\n");
  for (u32 i = 0; i < NG; i++) {
    static const char *const gn[] = {"g-ro", "g-rw", "g-xo", "g-invalid", "g-nonuser", "g-rwx"};
    probe(gn[i], MODE_VS, GPA_WIN + i * 4096 + 8);
  }
  probe("g-rw", MODE_VU, GPA_WIN + 4096 + 8);
  probe("g-invalid", MODE_VU, GPA_WIN + 3 * 4096 + 8);
  probe("unmapped gpa", MODE_VS, 0x30000000);
  /* misaligned accesses crossing into a G-stage page that faults: stval and htval name the
     faulting portion (priv 3.1.16, 8.2.x htval) */
  probe("cross g-rw->g-xo", MODE_VS, GPA_WIN + 0x1ffe);
  probe("cross g-ro->g-rw", MODE_VS, GPA_WIN + 0x0ffe);

  puts_("vsatp=0, traps to HS\n");
  csr_write(medeleg, (1u << 20) | (1u << 21) | (1u << 23) | (1u << 12) | (1u << 13) | (1u << 15));
  probe("g-ro", MODE_VS, GPA_WIN + 8);
  probe("g-invalid", MODE_VU, GPA_WIN + 3 * 4096 + 8);
  probe("g-xo", MODE_VS, GPA_WIN + 2 * 4096 + 8);

  puts_("vsatp=Sv32, traps to HS\n");
  csr_write(vsatp, (1u << 31) | ((u32)vroot >> 12));
  window(MODE_VS);
  probe("vs-invalid", MODE_VS, VA_WIN + NG * 4096 + 8);
  probe("walk g-invalid", MODE_VS, VA_WIN + 0x400000 + 8);
  probe("A update g-ro", MODE_VS, VA_WIN + 0x801000 + 8);
  show("A update pte", *(volatile u32 *)(SCRATCH + 4) & 0xff);
  probe("gpa above 4G", MODE_VS, VA_WIN + 0xc00000 + 8);
  probe("gpa unmapped above 4G", MODE_VS, VA_WIN + 0xc01000 + 8);
  probe("g misaligned superpage", MODE_VS, VA_WIN + 0xc02000 + 8);
  probe("g leaf A=0", MODE_VS, VA_WIN + 0xc03000 + 8);
  show("g leaf A/D after", groot[0x302] & 0xff);
  probe("g leaf onto hole", MODE_VS, VA_WIN + 0xc04000 + 8);

  /* MXR: vsstatus.MXR opens execute-only pages of the VS stage only; the HS-level
     sstatus.MXR opens them in both stages (priv 8.2.11, 8.5) */
  csr_set(vsstatus, MSTATUS_MXR);
  probe("vsstatus.MXR g-xo", MODE_VS, VA_WIN + 2 * 4096 + 8);
  csr_clear(vsstatus, MSTATUS_MXR);
  csr_set(mstatus, MSTATUS_MXR);
  probe("sstatus.MXR g-xo", MODE_VS, VA_WIN + 2 * 4096 + 8);
  csr_clear(mstatus, MSTATUS_MXR);

  puts_("vsatp=Sv32, traps to M\n");
  csr_write(medeleg, 0);
  probe("g-ro", MODE_VS, VA_WIN + 8);
  probe("vs-invalid", MODE_VS, VA_WIN + NG * 4096 + 8);
  probe("walk g-invalid", MODE_VS, VA_WIN + 0x400000 + 8);
  /* traps after a guest-page fault: mtval2/mtinst must be zero again (priv 3.1.x mtval2) */
  probe("g-ro", MODE_VS, VA_WIN + 8);
  run_mode(MODE_VS, illegal_vs, 0);
  last_trap.epc = 0;
  show_trap("illegal from VS after gpf");
  probe("g-ro", MODE_VS, VA_WIN + 8);
  asm volatile("ebreak");
  last_trap.epc = 0;
  show_trap("ebreak after gpf");

  csr_write(vsatp, 0);
  csr_write(hgatp, 0);
  return 0;
}
