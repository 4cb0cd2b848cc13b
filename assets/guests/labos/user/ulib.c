/* User library: system call wrappers over the `syscall` stub in start.S, buffered printf to the
 * console, and the text of each kernel error code. */
#include "ulib.h"

void exit(int code) {
  syscall(SYS_EXIT, (uint32_t)code, 0, 0);
  for (;;) {
  }
}

int write(int fd, const void *buf, uint32_t len) {
  return syscall(SYS_WRITE, (uint32_t)fd, (uint32_t)(uintptr_t)buf, len);
}

int read_line(char *buf, uint32_t max) { return syscall(SYS_READ, 0, (uint32_t)(uintptr_t)buf, max); }

int spawn(const char *prog, const char *arg) {
  return syscall(SYS_SPAWN, (uint32_t)(uintptr_t)prog, (uint32_t)(uintptr_t)arg, 0);
}

int wait(int pid, int *status) { return syscall(SYS_WAIT, (uint32_t)pid, (uint32_t)(uintptr_t)status, 0); }

void *sbrk(int32_t incr) {
  int r = syscall(SYS_SBRK, (uint32_t)incr, 0, 0);
  return r < 0 && r > -4096 ? NULL : (void *)(uintptr_t)(uint32_t)r;
}

uint32_t uptime_ms(void) { return (uint32_t)syscall(SYS_UPTIME, 0, 0, 0); }

struct obuf {
  char buf[128];
  uint32_t n;
};

static void flush(struct obuf *o) {
  if (o->n) write(1, o->buf, o->n);
  o->n = 0;
}

static void oput(void *ctx, char c) {
  struct obuf *o = (struct obuf *)ctx;
  o->buf[o->n++] = c;
  if (o->n == sizeof o->buf) flush(o);
}

void printf(const char *fmt, ...) {
  struct obuf o;
  o.n = 0;
  va_list ap;
  va_start(ap, fmt);
  vfmt(oput, &o, fmt, ap);
  va_end(ap);
  flush(&o);
}

void puts_raw(const char *s, uint32_t n) { write(1, s, n); }

const char *strerror(int err) {
  switch (err) {
  case E_PERM: return "not permitted (the key file belongs to the kernel)";
  case E_NOENT: return "no such file";
  case E_IO: return "disk I/O error";
  case E_2BIG: return "too large";
  case E_NOMEM: return "out of memory";
  case E_FAULT: return "bad address";
  case E_INVAL: return "invalid argument";
  case E_NOSPC: return "no space left on the disk";
  case E_NOSYS: return "no such system call";
  case E_NAMETOOLONG: return "name too long (at most 39 characters)";
  case E_CORRUPT: return "checksum mismatch: the data is corrupted";
  case E_NODEV: return "no file system (no disk, or the disk failed to mount)";
  case E_CHILD: return "no such child process";
  default: return "unknown error";
  }
}

uint64_t rd_instret(void) {
  uint32_t hi, lo, hi2;
  do {
    __asm__ volatile("csrr %0, instreth" : "=r"(hi));
    __asm__ volatile("csrr %0, instret" : "=r"(lo));
    __asm__ volatile("csrr %0, instreth" : "=r"(hi2));
  } while (hi != hi2);
  return ((uint64_t)hi << 32) | lo;
}

uint64_t rd_time(void) {
  uint32_t hi, lo, hi2;
  do {
    __asm__ volatile("csrr %0, timeh" : "=r"(hi));
    __asm__ volatile("csrr %0, time" : "=r"(lo));
    __asm__ volatile("csrr %0, timeh" : "=r"(hi2));
  } while (hi != hi2);
  return ((uint64_t)hi << 32) | lo;
}
