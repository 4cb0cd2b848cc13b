/* A user program that faults on purpose, to show that the kernel kills it and survives.
 * Argument: null (store to address 0, the default), kernel (load from kernel memory),
 * illegal (an illegal instruction), exec (jump to a non-executable data page), or badptr
 * (system calls with kernel, unmapped or read-only pointers, which must all be refused). */
#include "ulib.h"

static uint32_t data_word = 0x00000013; /* a nop, but on a page without execute permission */

/* Each call hands the kernel a pointer it must not use; all must fail with the listed error. */
static int bad_pointers(void) {
  const uint32_t kernel = 0x80200000u, key = 0xF0000000u, text = 0x10000u, unmapped = 0x08000000u;
  struct {
    int nr;
    uint32_t a0, a1, a2;
    int expect;
  } calls[] = {
      {SYS_WRITE, 1, kernel, 16, -E_FAULT},          {SYS_WRITE, 1, key, 32, -E_FAULT},
      {SYS_WRITE, 1, unmapped, 4, -E_FAULT},         {SYS_READ, 0, kernel, 16, -E_FAULT},
      {SYS_READ, 0, text, 16, -E_FAULT},             {SYS_FS_READ, kernel, text, 16, -E_FAULT},
      {SYS_FS_WRITE, key, text, 4, -E_FAULT},        {SYS_SECRET, 0, key, 256, -E_FAULT},
      {SYS_SECRET, 1, text, 256, -E_FAULT},          {SYS_SELFTEST, kernel, 1024, 0, -E_FAULT},
      {SYS_SPAWN, 0, 0, 0, -E_FAULT},                {SYS_SYSINFO, text, 0, 0, -E_FAULT},
      {SYS_FS_LIST, 0, unmapped - 4096 * 16, 0, -E_FAULT}, {SYS_WAIT, 1, 0, 0, -E_CHILD},
      {SYS_BENCH, 0, 1, kernel, -E_FAULT},           {SYS_SBRK, 0x7FFFFFFFu, 0, 0, -E_NOMEM},
      {999, 0, 0, 0, -E_NOSYS},
  };
  int refused = 0;
  for (uint32_t i = 0; i < ARRAY_LEN(calls); i++) {
    int r = syscall(calls[i].nr, calls[i].a0, calls[i].a1, calls[i].a2);
    if (r == calls[i].expect) refused++;
    else printf("crash: system call %d with a bad pointer returned %d, expected %d\n", calls[i].nr, r, calls[i].expect);
  }
  printf("crash: %d of %d bad system calls refused\n", refused, (int)ARRAY_LEN(calls));
  return refused == (int)ARRAY_LEN(calls) ? 0 : 1;
}

int main(const char *arg) {
  if (!strcmp(arg, "badptr")) return bad_pointers();
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
    printf("crash: unknown mode '%s' (null, kernel, illegal, exec, badptr)\n", arg);
    return 2;
  }
  printf("crash: still alive, which is wrong\n");
  return 1;
}
