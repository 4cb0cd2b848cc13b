/* Freestanding memory, string and number-parsing helpers (see lib.h). gcc may emit calls to
 * memset/memcpy/memmove/memcmp for struct copies, so these exact names are required. */
#include "lib.h"

void *memset(void *d, int c, size_t n) {
  uint8_t *p = (uint8_t *)d;
  if ((((uintptr_t)p | n) & 3) == 0) { /* whole words: page clearing is most of it */
    uint32_t w = 0x01010101u * (uint8_t)c;
    for (uint32_t *q = (uint32_t *)p, *end = (uint32_t *)(p + n); q < end; q += 4) {
      if (end - q < 4) {
        while (q < end) *q++ = w;
        break;
      }
      q[0] = w, q[1] = w, q[2] = w, q[3] = w;
    }
    return d;
  }
  while (n--) *p++ = (uint8_t)c;
  return d;
}

void *memcpy(void *d, const void *s, size_t n) {
  uint8_t *o = (uint8_t *)d;
  const uint8_t *i = (const uint8_t *)s;
  if ((((uintptr_t)o | (uintptr_t)i | n) & 3) == 0) {
    for (; n; n -= 4, o += 4, i += 4) *(uint32_t *)o = *(const uint32_t *)i;
    return d;
  }
  while (n--) *o++ = *i++;
  return d;
}

void *memmove(void *d, const void *s, size_t n) {
  uint8_t *o = (uint8_t *)d;
  const uint8_t *i = (const uint8_t *)s;
  if (o <= i || o >= i + n) return memcpy(d, s, n);
  while (n--) o[n] = i[n];
  return d;
}

int memcmp(const void *a, const void *b, size_t n) {
  const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
  for (size_t i = 0; i < n; i++)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

size_t strnlen(const char *s, size_t max) {
  size_t n = 0;
  while (n < max && s[n]) n++;
  return n;
}

int strcmp(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return (uint8_t)*a - (uint8_t)*b;
}

int strncmp(const char *a, const char *b, size_t n) {
  for (; n; n--, a++, b++) {
    if (*a != *b) return (uint8_t)*a - (uint8_t)*b;
    if (!*a) return 0;
  }
  return 0;
}

char *strchr(const char *s, int c) {
  for (; *s; s++)
    if (*s == (char)c) return (char *)s;
  return c ? NULL : (char *)s;
}

int parse_u32(const char *s, uint32_t *out) {
  uint32_t base = 10, v = 0;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16, s += 2;
  if (!*s) return -1;
  for (; *s; s++) {
    uint32_t d;
    if (*s >= '0' && *s <= '9') d = (uint32_t)(*s - '0');
    else if (base == 16 && *s >= 'a' && *s <= 'f') d = (uint32_t)(*s - 'a' + 10);
    else if (base == 16 && *s >= 'A' && *s <= 'F') d = (uint32_t)(*s - 'A' + 10);
    else return -1;
    if (v > (0xFFFFFFFFu - d) / base) return -1; /* overflow */
    v = v * base + d;
  }
  *out = v;
  return 0;
}
