/* Hypervisor virtual-machine loads and stores (priv 1.12 section 8.3.2 HLV/HLVX/HSV, 8.2.1
   hstatus.SPVP/HU, 8.5 two-stage translation) and M-mode MPRV with MPV=1 (3.1.6.3): VS-level vs
   VU-level permission (SPVP), vsstatus.SUM/MXR, HLVX needing execute permission, sign/zero
   extension, HU letting U-mode use them, and VS-stage and G-stage faults they raise (cause,
   tval = guest virtual address, htval/mtval2, htinst/mtinst, GVA), taken in M and in HS. */
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

static u32 groot[4096] __attribute__((aligned(16384)));
static u32 gl0[1024] __attribute__((aligned(4096)));
static u32 vroot[1024] __attribute__((aligned(4096)));
static u32 vl0[1024] __attribute__((aligned(4096)));
extern char s_trap_entry[];

static const u32 vflags[] = {
    V | R | A | D,         /* 0 supervisor read-only */
    V | R | U | A | D,     /* 1 user read-only */
    V | X | A,             /* 2 supervisor execute-only */
    0,                     /* 3 invalid */
    V | R | W | A | D,     /* 4 supervisor read-write */
    V | R | W | A | D,     /* 5 read-write, G-stage invalid */
    V | R | W | U | A | D, /* 6 user read-write */
};
#define NV (sizeof vflags / sizeof vflags[0])

static void build(void) {
  groot[0x80000000u >> 22] = PTE(0x80000000, V | R | W | X | U | A | D);
  groot[0x000] = PTE(0x00000000, V | R | W | U | A | D);
  groot[0x008] = PTE(0x02000000, V | R | W | U | A | D);
  groot[0x040] = PTE(0x10000000, V | R | W | U | A | D);
  for (u32 i = 0; i < NV; i++) gl0[i] = i == 5 ? 0 : PTE(SCRATCH + i * 4096, V | R | W | X | U | A | D);
  groot[GPA_WIN >> 22] = PTE(gl0, V);
  vroot[0x80000000u >> 22] = PTE(0x80000000, V | R | W | X | A | D);
  vroot[0x040] = PTE(0x10000000, V | R | W | A | D);
  for (u32 i = 0; i < NV; i++) vl0[i] = vflags[i] ? PTE(GPA_WIN + i * 4096, vflags[i]) : 0;
  vroot[VA_WIN >> 22] = PTE(vl0, V);
  for (u32 i = 0; i < NV; i++) {
    *(volatile u32 *)(SCRATCH + i * 4096 + 8) = 0x8081f2f3 + i;
    *(volatile u32 *)(SCRATCH + i * 4096 + 12) = 0x00008067;
  }
}

/* fixed registers: hlv.w a0,(a1) / hsv.w a0,(a1) and friends */
#define LOADFN(name, insn)                                                  \
  static u32 name(u32 va) {                                                 \
    register u32 a0 asm("a0");                                              \
    register u32 a1 asm("a1") = va;                                         \
    asm volatile(insn " a0, (a1)" : "=r"(a0) : "r"(a1) : "memory");         \
    return a0;                                                              \
  }
LOADFN(f_hlv_w, "hlv.w")
LOADFN(f_hlv_b, "hlv.b")
LOADFN(f_hlv_bu, "hlv.bu")
LOADFN(f_hlv_h, "hlv.h")
LOADFN(f_hlv_hu, "hlv.hu")
LOADFN(f_hlvx_hu, "hlvx.hu")
LOADFN(f_hlvx_wu, "hlvx.wu")
static u32 f_hsv_w(u32 va) {
  register u32 a0 asm("a0") = 0x13572468;
  register u32 a1 asm("a1") = va;
  asm volatile("hsv.w a0, (a1)" ::"r"(a0), "r"(a1) : "memory");
  return 0;
}
static u32 f_hsv_b(u32 va) {
  register u32 a0 asm("a0") = 0xa5;
  register u32 a1 asm("a1") = va;
  asm volatile("hsv.b a0, (a1)" ::"r"(a0), "r"(a1) : "memory");
  return 0;
}

struct op { const char *name; u32 (*fn)(u32); };
static const struct op ops[] = {
    {"hlv.w", f_hlv_w},   {"hlv.b", f_hlv_b},     {"hlv.bu", f_hlv_bu},   {"hlv.h", f_hlv_h},
    {"hlv.hu", f_hlv_hu}, {"hlvx.hu", f_hlvx_hu}, {"hlvx.wu", f_hlvx_wu}, {"hsv.w", f_hsv_w},
    {"hsv.b", f_hsv_b},
};

/* Each probe starts from the frame's initial word; after an HSV the word is printed instead of
   the (meaningless) return value, so every line stands alone. */
static void one(const char *cfg, int mode, const struct op *o, u32 va) {
  volatile u32 *frame = (volatile u32 *)(SCRATCH + ((va - VA_WIN) >> 12) * 4096 + 8);
  u32 idx = (va - VA_WIN) >> 12;
  *frame = 0x8081f2f3 + idx;
  clear_trap();
  u32 v = run_mode(mode, o->fn, va);
  if (o->fn == f_hsv_w || o->fn == f_hsv_b) v = *frame;
  puts_(cfg);
  putc_(' ');
  puts_(o->name);
  putc_(' ');
  puthex(va);
  if (last_trap.n == 0) {
    puts_(" = ");
    puthex(v);
    putc_('\n');
  } else {
    last_trap.epc = 0;
    show_trap("");
  }
}

static void pages(const char *cfg, int mode) {
  for (u32 p = 0; p < NV; p++)
    for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++) {
      u32 off = (i == 1 || i == 2) ? 11 : (i == 3 || i == 4) ? 10 : 8;
      one(cfg, mode, &ops[i], VA_WIN + p * 4096 + off);
    }
}

static u32 mprv_load(u32 va) {
  register u32 a0 asm("a0");
  register u32 a1 asm("a1") = va;
  asm volatile("csrs mstatus, %2\n lw a0, 0(a1)\n csrc mstatus, %2" : "=r"(a0) : "r"(a1), "r"(MSTATUS_MPRV) : "memory");
  return a0;
}

int main(void) {
  clear_trap();
  build();
  csr_write(stvec, s_trap_entry);
  csr_write(hgatp, (1u << 31) | ((u32)groot >> 12));
  csr_write(vsatp, (1u << 31) | ((u32)vroot >> 12));
  asm volatile("hfence.gvma\n hfence.vvma");

  csr_set(hstatus, HSTATUS_SPVP);
  pages("HS SPVP=1", MODE_S);
  csr_clear(hstatus, HSTATUS_SPVP);
  pages("HS SPVP=0", MODE_S);
  /* vsstatus.SUM / MXR govern the VS stage of HLV (priv 8.3.2: "as though V=1") */
  csr_set(hstatus, HSTATUS_SPVP);
  csr_set(vsstatus, MSTATUS_SUM | MSTATUS_MXR);
  one("SUM+MXR", MODE_S, &ops[0], VA_WIN + 1 * 4096 + 8);
  one("SUM+MXR", MODE_S, &ops[0], VA_WIN + 2 * 4096 + 8);
  one("SUM+MXR", MODE_S, &ops[7], VA_WIN + 6 * 4096 + 8);
  csr_clear(vsstatus, MSTATUS_SUM | MSTATUS_MXR);
  /* U-mode: HLV is illegal unless hstatus.HU=1 */
  one("U HU=0", MODE_U, &ops[0], VA_WIN + 8);
  csr_set(hstatus, HSTATUS_HU);
  one("U HU=1", MODE_U, &ops[0], VA_WIN + 8);
  one("U HU=1", MODE_U, &ops[7], VA_WIN + 4 * 4096 + 8);
  one("U HU=1", MODE_U, &ops[0], VA_WIN + 4 * 4096 + 8);
  csr_clear(hstatus, HSTATUS_HU);
  /* faults taken in HS instead of M */
  csr_write(medeleg, (1u << 13) | (1u << 15) | (1u << 21) | (1u << 23) | (1u << 2));
  one("to HS", MODE_S, &ops[0], VA_WIN + 3 * 4096 + 8);
  one("to HS", MODE_S, &ops[0], VA_WIN + 5 * 4096 + 8);
  one("to HS", MODE_S, &ops[7], VA_WIN + 5 * 4096 + 8);
  one("to HS", MODE_S, &ops[7], VA_WIN + 0 * 4096 + 8);
  one("to HS", MODE_S, &ops[5], VA_WIN + 0 * 4096 + 8);
  csr_write(medeleg, 0);
  /* M-mode MPRV with MPP=S, MPV=1: loads translate through both stages as VS */
  csr_clear(mstatus, MSTATUS_MPP);
  csr_set(mstatus, 1u << 11);
  csr_set(mstatush, MSTATUSH_MPV);
  static const u32 mv[] = {0, 3, 5, 6};
  for (int i = 0; i < 4; i++) {
    clear_trap();
    u32 v = mprv_load(VA_WIN + mv[i] * 4096 + 8);
    puts_("MPRV MPV=1 lw ");
    puthex(VA_WIN + mv[i] * 4096 + 8);
    if (last_trap.n == 0) {
      puts_(" = ");
      puthex(v);
      putc_('\n');
    } else {
      last_trap.epc = 0;
      show_trap("");
    }
    csr_clear(mstatus, MSTATUS_MPP);
    csr_set(mstatus, 1u << 11);
    csr_set(mstatush, MSTATUSH_MPV);
  }
  csr_clear(mstatush, MSTATUSH_MPV);
  csr_write(vsatp, 0);
  csr_write(hgatp, 0);
  return 0;
}
