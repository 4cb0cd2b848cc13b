/* The user-side library of labOS programs: system call wrappers, console output and the error
 * messages for the kernel's error codes. */
#ifndef LABOS_ULIB_H
#define LABOS_ULIB_H
#include "../syscall_nr.h"
#include "hash.h"
#include "lib.h"

struct fs_stat {
  char name[40];
  uint32_t size;
};

int syscall(int nr, uint32_t a0, uint32_t a1, uint32_t a2);
void exit(int code) __attribute__((noreturn));
int write(int fd, const void *buf, uint32_t len);
int read_line(char *buf, uint32_t max);
int spawn(const char *prog, const char *arg);
int wait(int pid, int *status);
void *sbrk(int32_t incr);
uint32_t uptime_ms(void);
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void puts_raw(const char *s, uint32_t n);
const char *strerror(int err); /* err is the positive error code */
uint64_t rd_instret(void);
uint64_t rd_time(void);
#endif
