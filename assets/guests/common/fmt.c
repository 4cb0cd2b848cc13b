/* printf engine shared by firmware, kernel and user programs (see lib.h for the conversions).
 * 64-bit conversions use libgcc's __udivdi3/__umoddi3. */
#include "lib.h"

static void put_num(fmt_put_fn put, void *ctx, uint64_t v, unsigned base, int neg, int width,
                    char pad, int left) {
  char tmp[24];
  int n = 0;
  do {
    unsigned d = (unsigned)(v % base);
    tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    v /= base;
  } while (v);
  if (neg) {
    if (pad == '0') put(ctx, '-'), width--;
    else tmp[n++] = '-';
  }
  if (!left)
    for (int i = n; i < width; i++) put(ctx, pad);
  while (n) put(ctx, tmp[--n]), width--;
  if (left)
    for (; width > 0; width--) put(ctx, ' ');
}

static void put_str(fmt_put_fn put, void *ctx, const char *s, int width, int left) {
  int n = (int)strlen(s);
  if (!left)
    for (int i = n; i < width; i++) put(ctx, ' ');
  while (*s) put(ctx, *s++);
  if (left)
    for (int i = n; i < width; i++) put(ctx, ' ');
}

void vfmt(fmt_put_fn put, void *ctx, const char *fmt, va_list ap) {
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      put(ctx, *fmt);
      continue;
    }
    fmt++;
    int left = 0, width = 0, lng = 0;
    char pad = ' ';
    if (*fmt == '-') left = 1, fmt++;
    if (*fmt == '0') pad = '0', fmt++;
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l') lng++, fmt++;
    if (*fmt == 'z') fmt++;
    switch (*fmt) {
    case 'd': {
      int64_t v = lng >= 2 ? va_arg(ap, int64_t) : (int64_t)va_arg(ap, int32_t);
      put_num(put, ctx, (uint64_t)(v < 0 ? -v : v), 10, v < 0, width, pad, left);
      break;
    }
    case 'u':
    case 'x': {
      uint64_t v = lng >= 2 ? va_arg(ap, uint64_t) : (uint64_t)va_arg(ap, uint32_t);
      put_num(put, ctx, v, *fmt == 'u' ? 10 : 16, 0, width, pad, left);
      break;
    }
    case 'p':
      put(ctx, '0'), put(ctx, 'x');
      put_num(put, ctx, (uintptr_t)va_arg(ap, void *), 16, 0, 8, '0', 0);
      break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      put_str(put, ctx, s ? s : "(null)", width, left);
      break;
    }
    case 'c':
      put(ctx, (char)va_arg(ap, int));
      break;
    case '%':
      put(ctx, '%');
      break;
    default: /* unknown conversion: print it verbatim so the bug is visible */
      put(ctx, '%');
      if (*fmt) put(ctx, *fmt);
      else fmt--;
    }
  }
}

struct sbuf {
  char *buf;
  size_t size, len;
};

static void sbuf_put(void *ctx, char c) {
  struct sbuf *b = (struct sbuf *)ctx;
  if (b->len + 1 < b->size) b->buf[b->len] = c;
  b->len++;
}

int vsnfmt(char *buf, size_t size, const char *fmt, va_list ap) {
  struct sbuf b = {buf, size, 0};
  vfmt(sbuf_put, &b, fmt, ap);
  if (size) buf[b.len < size ? b.len : size - 1] = 0;
  return (int)b.len;
}

int snfmt(char *buf, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnfmt(buf, size, fmt, ap);
  va_end(ap);
  return n;
}
