/* Randomised loads, stores and AMOs (unpriv chapters 2.6 and 8.4): 8192 operations from a fixed
   LCG on a 256-byte buffer, at any offset (misaligned ones included: QEMU and our board perform
   them), with every width and sign; loaded values and the final buffer are hashed. */
#include "rt.h"

static u32 seed = 0x9e3779b9;
static u32 rnd(void) {
  seed = seed * 1664525u + 1013904223u;
  return seed ^ (seed >> 15);
}

static volatile unsigned char buf[256] __attribute__((aligned(64)));

static u32 mix(u32 h, u32 v) {
  h ^= v;
  return (h << 5 | h >> 27) * 16777619u;
}

int main(void) {
  clear_trap();
  for (int i = 0; i < 256; i++) buf[i] = (unsigned char)(i * 37 + 11);
  u32 h = 0x811c9dc5u;
  for (int i = 0; i < 8192; i++) {
    u32 r = rnd();
    u32 op = r & 15;
    u32 off = (r >> 4) & 0xfc;       /* word-aligned base */
    u32 mis = (r >> 12) & 3;         /* plus a misalignment */
    u32 v = rnd();
    volatile unsigned char *p = buf + (off > 248 ? 248 : off) + mis;
    u32 x = 0;
    switch (op) {
      case 0: asm volatile("sb %0, 0(%1)" ::"r"(v), "r"(p) : "memory"); break;
      case 1: asm volatile("sh %0, 0(%1)" ::"r"(v), "r"(p) : "memory"); break;
      case 2: asm volatile("sw %0, 0(%1)" ::"r"(v), "r"(p) : "memory"); break;
      case 3: asm volatile("lb %0, 0(%1)" : "=r"(x) : "r"(p) : "memory"); break;
      case 4: asm volatile("lbu %0, 0(%1)" : "=r"(x) : "r"(p) : "memory"); break;
      case 5: asm volatile("lh %0, 0(%1)" : "=r"(x) : "r"(p) : "memory"); break;
      case 6: asm volatile("lhu %0, 0(%1)" : "=r"(x) : "r"(p) : "memory"); break;
      case 7: asm volatile("lw %0, 0(%1)" : "=r"(x) : "r"(p) : "memory"); break;
      default: {
        /* AMOs need natural alignment */
        volatile u32 *w = (volatile u32 *)(buf + (off > 252 ? 252 : off));
        switch (op) {
          case 8: asm volatile("amoadd.w %0, %1, (%2)" : "=r"(x) : "r"(v), "r"(w) : "memory"); break;
          case 9: asm volatile("amoxor.w %0, %1, (%2)" : "=r"(x) : "r"(v), "r"(w) : "memory"); break;
          case 10: asm volatile("amomin.w %0, %1, (%2)" : "=r"(x) : "r"(v), "r"(w) : "memory"); break;
          case 11: asm volatile("amomaxu.w %0, %1, (%2)" : "=r"(x) : "r"(v), "r"(w) : "memory"); break;
          case 12: asm volatile("amoswap.w %0, %1, (%2)" : "=r"(x) : "r"(v), "r"(w) : "memory"); break;
          case 13: asm volatile("amoand.w %0, %1, (%2)" : "=r"(x) : "r"(v), "r"(w) : "memory"); break;
          case 14: asm volatile("amoor.w %0, %1, (%2)" : "=r"(x) : "r"(v), "r"(w) : "memory"); break;
          default: asm volatile("amominu.w %0, %1, (%2)" : "=r"(x) : "r"(v), "r"(w) : "memory"); break;
        }
      }
    }
    h = mix(h, x);
    if ((i & 1023) == 1023) show("loads hash", h);
  }
  u32 b = 0x811c9dc5u;
  for (int i = 0; i < 256; i += 4) b = mix(b, *(volatile u32 *)(buf + i));
  show("buffer hash", b);
  show_trap("no traps");
  return 0;
}
