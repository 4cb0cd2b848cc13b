/* Sv32 virtual memory (priv 1.12 sections 4.3, 4.1.11 satp, 4.2.1 SFENCE.VMA, 3.1.6.3 MPRV/SUM/
   MXR): 4 KiB pages and 4 MiB superpages, R/W/X/U permission checks from S and U, SUM and MXR,
   the reserved W-without-R encoding, misaligned superpages, non-leaf last-level PTEs, A/D
   handling, page faults 12/13/15 with their tval, SFENCE.VMA after a PTE change, and MPRV. */
#include "rt.h"

#define V 1u
#define R 2u
#define W 4u
#define X 8u
#define U 16u
#define A 64u
#define D 128u
#define PTE(pa, f) ((((u32)(pa) >> 12) << 10) | (f))
#define TVA 0x40000000u /* test window: 4 KiB pages over SCRATCH frames */

static u32 root[1024] __attribute__((aligned(4096)));
static u32 l0_ram[1024] __attribute__((aligned(4096)));
static u32 l0_test[1024] __attribute__((aligned(4096)));
extern char __user_start[], __user_end[];

static const u32 flags[] = {
    V | R | A,             /* 0 read-only */
    V | R | W | A | D,     /* 1 read-write */
    V | X | A,             /* 2 execute-only */
    0,                     /* 3 invalid */
    V | R | W | X | U | A | D, /* 4 user RWX */
    V | W | A | D,         /* 5 W without R: reserved */
    V | R | W | X,         /* 6 A=0, D=0 */
    V | R | W | A,         /* 7 A=1, D=0 */
    V,                     /* 8 non-leaf at level 0 */
    V | R | U | A,         /* 9 user read-only */
    V | R | W | X | A | D | (3u << 8), /* 10 RSW bits set: ignored by hardware */
};
#define NPAGES (sizeof flags / sizeof flags[0])

static void build(void) {
  for (u32 i = 0; i < 1024; i++) {
    u32 pa = 0x80000000u + i * 4096;
    u32 f = V | R | W | X | A | D;
    if (pa >= (u32)__user_start && pa < (u32)__user_end) f |= U;
    l0_ram[i] = PTE(pa, f);
  }
  root[0x80000000u >> 22] = PTE(l0_ram, V);
  /* devices, identity superpages: finisher (0x00000000), CLINT (0x02000000), UART (0x10000000) */
  root[0x000] = PTE(0x00000000, V | R | W | A | D);
  root[0x008] = PTE(0x02000000, V | R | W | A | D);
  root[0x040] = PTE(0x10000000, V | R | W | A | D);
  for (u32 i = 0; i < NPAGES; i++) l0_test[i] = PTE(SCRATCH + i * 4096, flags[i]);
  /* page 11: a valid leaf onto a physical hole: access fault (not page fault), tval = VA */
  l0_test[11] = PTE(0xf0000000u, V | R | W | X | A | D);
  root[TVA >> 22] = PTE(l0_test, V);
  /* 0x40400000: misaligned superpage (PPN[0] != 0); 0x40800000: superpage onto RAM, R+X */
  root[(TVA >> 22) + 1] = PTE(0x80001000, V | R | A);
  root[(TVA >> 22) + 2] = PTE(0x80000000, V | R | X | A);
  /* 0x40c00000: superpage with U=1 onto SCRATCH's 4 MiB region */
  root[(TVA >> 22) + 3] = PTE(0x80000000, V | R | W | U | A | D);
  for (u32 i = 0; i < NPAGES; i++) *(volatile u32 *)(SCRATCH + i * 4096) = 0x00008067; /* ret */
  asm volatile("fence.i");
}

static u32 ld(u32 a) {
  u32 v;
  asm volatile("lw %0, 0(%1)" : "=r"(v) : "r"(a) : "memory");
  return v;
}
static u32 st(u32 a) {
  asm volatile("sw %0, 0(%1)" ::"r"(0x00008067), "r"(a) : "memory");
  return 0;
}
static u32 ex(u32 a) {
  asm volatile("jalr ra, 0(%0)\n" LABEL(s_ex_back) ::"r"(a) : "ra", "memory");
  return 0;
}
USER static u32 ld_u(u32 a) {
  u32 v;
  asm volatile("lw %0, 0(%1)" : "=r"(v) : "r"(a) : "memory");
  return v;
}
USER static u32 st_u(u32 a) {
  asm volatile("sw %0, 0(%1)" ::"r"(0x00008067), "r"(a) : "memory");
  return 0;
}
/* U code may touch no S page, not even the stack: keep ra in t1 across the probe call. */
u32 ex_u(u32 a);
asm(".pushsection .user.text, \"ax\"\n"
    ".globl ex_u\n"
    "ex_u: mv t1, ra\n"
    " jalr ra, 0(a0)\n" LABEL(u_ex_back) " mv ra, t1\n"
    " li a0, 0\n"
    " ret\n"
    ".popsection");

static void probe(const char *what, int mode, u32 va) {
  extern char s_ex_back[], u_ex_back[];
  u32 (*const sf[])(u32) = {ld, st, ex};
  u32 (*const uf[])(u32) = {ld_u, st_u, ex_u};
  static const char *const k[] = {"r", "w", "x"};
  puts_(what);
  puts_(mode == MODE_U ? " U" : " S");
  for (int f = 0; f < 3; f++) {
    clear_trap();
    if (f == 2) resume_pc = mode == MODE_U ? (u32)u_ex_back : (u32)s_ex_back;
    u32 v = mode == MODE_U ? run_mode_user(MODE_U, uf[f], va) : run_mode(mode, sf[f], va);
    resume_pc = 0;
    putc_(' ');
    puts_(k[f]);
    putc_('=');
    if (last_trap.n == 0) {
      puts_("ok");
      if (f == 0 && v != 0x00008067) {
        putc_(':');
        puthex(v);
      }
    } else {
      puthex(last_trap.cause);
      putc_('@');
      puthex(last_trap.tval);
    }
  }
  putc_('\n');
  clear_trap();
}

static void all_pages(int mode) {
  static const char *const names[] = {"ro", "rw", "xo", "invalid", "user", "w-only", "A=0", "D=0",
                                      "nonleaf-l0", "user-ro", "rsw"};
  for (u32 i = 0; i < NPAGES; i++) {
    if (i == 6 || i == 7) continue; /* A/D pages are probed once, below */
    probe(names[i], mode, TVA + i * 4096);
  }
  probe("mis-superpage", mode, TVA + 0x400000 + 0x10);
  probe("superpage", mode, TVA + 0x800000 + 0x40000 + 0x1000 * 4);
  probe("user-superpage", mode, TVA + 0xc00000 + 0x40000 + 0x1000 * 4);
  probe("unmapped", mode, 0x30000000);
  probe("pa hole", mode, TVA + 11 * 4096);
}

int main(void) {
  clear_trap();
  build();
  csr_write(satp, (1u << 31) | ((u32)root >> 12));
  asm volatile("sfence.vma");
  show("satp", csr_read(satp) == ((1u << 31) | ((u32)root >> 12)));
  all_pages(MODE_S);
  all_pages(MODE_U);
  csr_set(mstatus, MSTATUS_SUM);
  puts_("SUM=1\n");
  probe("user", MODE_S, TVA + 4 * 4096);
  probe("user-ro", MODE_S, TVA + 9 * 4096);
  csr_clear(mstatus, MSTATUS_SUM);
  csr_set(mstatus, MSTATUS_MXR);
  puts_("MXR=1\n");
  probe("xo", MODE_S, TVA + 2 * 4096);
  probe("xo", MODE_U, TVA + 2 * 4096);
  csr_clear(mstatus, MSTATUS_MXR);
  /* A/D: QEMU sets them in hardware (allowed: priv 4.3.1 lets either fault or update) */
  probe("A=0", MODE_S, TVA + 6 * 4096);
  show("pte A=0 after", l0_test[6] & 0xff);
  probe("D=0", MODE_S, TVA + 7 * 4096);
  show("pte D=0 after", l0_test[7] & 0xff);
  /* SFENCE.VMA: remap the read-only page onto the read-write page's frame */
  *(volatile u32 *)(SCRATCH + 0x1000) = 0x11223344;
  l0_test[0] = PTE(SCRATCH + 0x1000, V | R | A);
  asm volatile("sfence.vma %0, zero" ::"r"(TVA));
  probe("ro remapped", MODE_S, TVA);
  l0_test[0] = PTE(SCRATCH, V | R | A);
  asm volatile("sfence.vma");
  /* misaligned accesses crossing into a page that faults: tval is the address of the portion
     that faulted (priv 3.1.16); the execute probe is a misaligned jump (cause 0) */
  probe("cross rw->xo", MODE_S, TVA + 0x1ffe);
  probe("cross ro->rw", MODE_S, TVA + 0x0ffe);
  probe("cross xo->invalid", MODE_S, TVA + 0x2ffe);
  probe("cross user->w-only", MODE_U, TVA + 0x4ffe);
  /* MPRV: M data accesses translated as MPP (S), fetches not */
  csr_clear(mstatus, MSTATUS_MPP);
  csr_set(mstatus, 1u << 11);
  MARK(mprv_ld);
  csr_set(mstatus, MSTATUS_MPRV);
  u32 v;
  asm volatile(LABEL(mprv_ld) "lw %0, 0(%1)" : "=r"(v) : "r"(TVA + 4096));
  csr_clear(mstatus, MSTATUS_MPRV);
  show("MPRV S load", v);
  show_trap("MPRV S load");
  MARK(mprv_st);
  csr_set(mstatus, MSTATUS_MPRV);
  asm volatile(LABEL(mprv_st) "sw %0, 0(%1)" ::"r"(v), "r"(TVA));
  csr_clear(mstatus, MSTATUS_MPRV);
  show_trap("MPRV S store ro");
  MARK(mprv_u);
  csr_clear(mstatus, MSTATUS_MPP);
  csr_set(mstatus, MSTATUS_MPRV);
  asm volatile(LABEL(mprv_u) "lw %0, 0(%1)" : "=r"(v) : "r"(TVA + 4096));
  csr_clear(mstatus, MSTATUS_MPRV);
  show_trap("MPRV U load S page");
  /* the implicit page-table read itself hits a hole: access fault of the original type (4.3.2) */
  csr_write(satp, (1u << 31) | (0xf0000000u >> 12));
  asm volatile("sfence.vma");
  csr_clear(mstatus, MSTATUS_MPP);
  csr_set(mstatus, 1u << 11);
  MARK(mprv_hole_ld);
  csr_set(mstatus, MSTATUS_MPRV);
  asm volatile(LABEL(mprv_hole_ld) "lw %0, 0(%1)" : "=r"(v) : "r"(TVA));
  csr_clear(mstatus, MSTATUS_MPRV);
  show_trap("walk in hole, load");
  MARK(mprv_hole_st);
  csr_set(mstatus, MSTATUS_MPRV);
  asm volatile(LABEL(mprv_hole_st) "sw %0, 0(%1)" ::"r"(v), "r"(TVA));
  csr_clear(mstatus, MSTATUS_MPRV);
  show_trap("walk in hole, store");
  csr_write(satp, 0);
  asm volatile("sfence.vma");
  return 0;
}
