/* The SiFive test finisher's FAIL encoding ((code << 16) | 0x3333): the run must end with this
   program's own exit code, so the harness's exit-code comparison is itself exercised. */
#include "rt.h"

int main(void) {
  clear_trap();
  show("about to exit with", 7);
  return 7;
}
