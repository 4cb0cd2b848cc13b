/* Freestanding C library shared by labfw (M-mode), labOS (S-mode) and labOS user programs:
 * fixed-width types, memory/string helpers and a small printf engine (%d %u %x %s %c %p,
 * with width, zero padding, '-' and the 'l'/'ll' length modifiers). No allocation, no globals. */
#ifndef LAB_LIB_H
#define LAB_LIB_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((a) - 1))

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
/* Parses a decimal or 0x-prefixed unsigned number; returns 0 and sets *out on success. */
int parse_u32(const char *s, uint32_t *out);

/* Formats into a sink: put(ctx, c) is called for every output character. */
typedef void (*fmt_put_fn)(void *ctx, char c);
void vfmt(fmt_put_fn put, void *ctx, const char *fmt, va_list ap);
/* snprintf-like: always NUL-terminates when size > 0, returns the untruncated length. */
int vsnfmt(char *buf, size_t size, const char *fmt, va_list ap);
int snfmt(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static inline uint32_t be32(const void *p) {
  const uint8_t *b = (const uint8_t *)p;
  return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}
static inline uint32_t le32(const void *p) {
  const uint8_t *b = (const uint8_t *)p;
  return ((uint32_t)b[3] << 24) | ((uint32_t)b[2] << 16) | ((uint32_t)b[1] << 8) | b[0];
}
static inline void put_le32(void *p, uint32_t v) {
  uint8_t *b = (uint8_t *)p;
  b[0] = (uint8_t)v; b[1] = (uint8_t)(v >> 8); b[2] = (uint8_t)(v >> 16); b[3] = (uint8_t)(v >> 24);
}
#endif
