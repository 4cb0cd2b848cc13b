/* Zifencei (unpriv chapter 3): code written by stores becomes fetchable after FENCE.I, both in a
   data buffer and over an instruction of the running program; FENCE.I from S and U. Values seen
   without the fence are implementation-defined and are not printed. */
#include "rt.h"

static u32 code[8] __attribute__((aligned(64)));

/* li a0, imm (addi a0, zero, imm) */
static u32 li_a0(u32 imm) { return (imm << 20) | (10u << 7) | 0x13u; }

typedef u32 (*fn_t)(void);

static __attribute__((noinline)) u32 patched(void) {
  u32 r;
  asm volatile(LABEL(patch_site) "li %0, 7" : "=r"(r));
  return r;
}

static u32 fence_i(u32 x) {
  asm volatile("fence.i");
  return x + 1;
}

int main(void) {
  clear_trap();
  fn_t f = (fn_t)(void *)code;
  for (u32 i = 1; i <= 5; i++) {
    code[0] = li_a0(i * 11);
    code[1] = 0x00008067; /* ret */
    asm volatile("fence.i" ::: "memory");
    show("buffer returns", f());
  }
  /* a longer routine: a0 = a0 + a0 four times */
  code[0] = li_a0(3);
  for (int i = 1; i <= 4; i++) code[i] = 0x00a50533; /* add a0, a0, a0 */
  code[5] = 0x00008067;
  asm volatile("fence.i" ::: "memory");
  show("doubling", f());
  /* patch an instruction of the program's own text after it has run */
  show("before patch", patched());
  extern char patch_site[];
  volatile u32 *site = (volatile u32 *)patch_site;
  u32 orig = *site;
  *site = (orig & 0x000fffffu) | (42u << 20); /* same rd, imm 42 */
  asm volatile("fence.i" ::: "memory");
  show("after patch", patched());
  *site = orig;
  asm volatile("fence.i" ::: "memory");
  show("restored", patched());
  show("fence.i in S", run_mode(MODE_S, fence_i, 1));
  show("fence.i in U", run_mode(MODE_U, fence_i, 2));
  show("fence.i in VS", run_mode(MODE_VS, fence_i, 3));
  show_trap("fence.i traps");
  return 0;
}
