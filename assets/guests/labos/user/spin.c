/* A CPU-bound user program for the preemptive scheduler. `spin N` spins for N ms (default 200)
 * without yielding. `spin pair` starts a second spinner and then spins itself for 300 ms: the
 * child's exit status is the uptime at which it first ran, and since the parent never gives up
 * the CPU, a child start inside the parent's busy interval proves the timer preempted it. */
#include "ulib.h"

static void busy(uint32_t ms) {
  uint32_t start = uptime_ms();
  while (uptime_ms() - start < ms) {
  }
}

int main(const char *arg) {
  uint32_t ms = 200;
  if (!strcmp(arg, "child")) {
    uint32_t started = uptime_ms();
    busy(50);
    return (int)started;
  }
  if (!strcmp(arg, "pair")) {
    uint32_t t0 = uptime_ms(); /* before the spawn: the child may run as soon as it exists */
    int status = 0, pid = spawn("spin", "child");
    if (pid < 0) {
      printf("spin: cannot start a second process: %s\n", strerror(-pid));
      return 1;
    }
    busy(300);
    uint32_t t1 = uptime_ms();
    if (wait(pid, &status) < 0) return 1;
    if ((uint32_t)status >= t0 && (uint32_t)status < t1)
      printf("spin: the second process ran while this one was busy: preempted by the timer\n");
    else printf("spin: the second process ran only after this one: no preemption\n");
    return (uint32_t)status >= t0 && (uint32_t)status < t1 ? 0 : 1;
  }
  if (arg[0] && parse_u32(arg, &ms)) {
    printf("spin: bad duration '%s' (a number of ms, or pair)\n", arg);
    return 2;
  }
  printf("spin: spinning for %u ms\n", ms);
  busy(ms);
  printf("spin: done after %u ms\n", ms);
  return 0;
}
