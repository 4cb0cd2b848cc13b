/* Smoke test of the runtime itself: UART print, trap record, each mode's round trip. */
#include "rt.h"
static u32 id(u32 x) { return x + 1; }
int main(void) {
  clear_trap();
  show("hello", 0x12345678);
  show("u", run_mode(MODE_U, id, 1));
  show("s", run_mode(MODE_S, id, 2));
  show("vs", run_mode(MODE_VS, id, 3));
  show("vu", run_mode(MODE_VU, id, 4));
  asm volatile(".word 0");
  show_trap("illegal");
  return 0;
}
