/* A CPU-bound user program for the preemptive scheduler: spins for N milliseconds (default 200)
 * without ever yielding; other processes keep running because the timer preempts it. */
#include "ulib.h"

int main(const char *arg) {
  uint32_t ms = 200, n = 0;
  if (arg[0] && parse_u32(arg, &ms)) {
    printf("spin: bad duration '%s'\n", arg);
    return 2;
  }
  uint32_t start = uptime_ms();
  while (uptime_ms() - start < ms) n++;
  printf("spin: done after %u ms\n", ms);
  return 0;
}
