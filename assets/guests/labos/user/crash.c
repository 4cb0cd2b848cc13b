/* A user program that faults on purpose, to show that the kernel kills it and survives.
 * Argument: null (store to address 0, the default), kernel (load from kernel memory),
 * illegal (an illegal instruction), or exec (jump to a non-executable data page). */
#include "ulib.h"

static uint32_t data_word = 0x00000013; /* a nop, but on a page without execute permission */

int main(const char *arg) {
  if (!arg[0] || !strcmp(arg, "null")) {
    printf("crash: storing to address 0\n");
    *(volatile uint32_t *)0 = 1;
  } else if (!strcmp(arg, "kernel")) {
    printf("crash: reading kernel memory at 0x80200000\n");
    printf("crash: read 0x%08x\n", *(volatile uint32_t *)0x80200000u);
  } else if (!strcmp(arg, "illegal")) {
    printf("crash: executing an illegal instruction\n");
    __asm__ volatile(".word 0");
  } else if (!strcmp(arg, "exec")) {
    printf("crash: jumping to a data page\n");
    ((void (*)(void))(uintptr_t)&data_word)();
  } else {
    printf("crash: unknown mode '%s' (null, kernel, illegal, exec)\n", arg);
    return 2;
  }
  printf("crash: still alive, which is wrong\n");
  return 1;
}
