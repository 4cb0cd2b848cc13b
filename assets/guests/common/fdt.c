/* Flattened device tree walker (Devicetree Specification v0.4, ch. 5). Offsets are relative to
 * the structure block; any out-of-bounds token ends the walk instead of reading past the blob. */
#include "fdt.h"

#define TOK_BEGIN 1u
#define TOK_END 2u
#define TOK_PROP 3u
#define TOK_NOP 4u
#define TOK_DONE 9u

struct hdr {
  const uint8_t *base, *strct, *strs;
  uint32_t strct_size, strs_size;
};

static int hdr_of(const void *fdt, struct hdr *h) {
  const uint8_t *b = (const uint8_t *)fdt;
  if (!b || be32(b) != FDT_MAGIC) return -1;
  uint32_t total = be32(b + 4), off_s = be32(b + 8), off_str = be32(b + 12);
  uint32_t ver = be32(b + 20), str_size = be32(b + 32), st_size = be32(b + 36);
  if (ver < 17 || off_s >= total || off_str >= total || st_size > total - off_s ||
      str_size > total - off_str)
    return -1;
  h->base = b, h->strct = b + off_s, h->strs = b + off_str;
  h->strct_size = st_size, h->strs_size = str_size;
  return 0;
}

int fdt_check(const void *fdt) {
  struct hdr h;
  return hdr_of(fdt, &h);
}

uint32_t fdt_total_size(const void *fdt) { return be32((const uint8_t *)fdt + 4); }

static uint32_t tok_at(const struct hdr *h, int off) {
  if (off < 0 || (uint32_t)off + 4 > h->strct_size) return TOK_DONE;
  return be32(h->strct + off);
}

/* Offset just after the token at `off` (which must be BEGIN, PROP, NOP or END). */
static int skip_token(const struct hdr *h, int off) {
  uint32_t t = tok_at(h, off);
  if (t == TOK_BEGIN) {
    const char *name = (const char *)h->strct + off + 4;
    size_t n = strnlen(name, h->strct_size - (uint32_t)off - 4);
    return off + 4 + (int)ALIGN_UP(n + 1, 4);
  }
  if (t == TOK_PROP) {
    uint32_t len = be32(h->strct + off + 4);
    if (len > h->strct_size) return -1;
    return off + 12 + (int)ALIGN_UP(len, 4);
  }
  if (t == TOK_NOP || t == TOK_END) return off + 4;
  return -1;
}

int fdt_root(const void *fdt) {
  struct hdr h;
  if (hdr_of(fdt, &h)) return -1;
  int off = 0;
  while (tok_at(&h, off) == TOK_NOP) off += 4;
  return tok_at(&h, off) == TOK_BEGIN ? off : -1;
}

int fdt_next_node(const void *fdt, int node, int *depth) {
  struct hdr h;
  if (hdr_of(fdt, &h) || node < 0) return -1;
  int off = skip_token(&h, node);
  (*depth)++;
  while (off >= 0) {
    uint32_t t = tok_at(&h, off);
    if (t == TOK_BEGIN) return off;
    if (t == TOK_END) (*depth)--;
    if (t == TOK_DONE) return -1;
    off = skip_token(&h, off);
  }
  return -1;
}

const char *fdt_node_name(const void *fdt, int node) {
  struct hdr h;
  if (hdr_of(fdt, &h) || tok_at(&h, node) != TOK_BEGIN) return "";
  return (const char *)h.strct + node + 4;
}

const void *fdt_getprop(const void *fdt, int node, const char *name, int *len) {
  struct hdr h;
  if (hdr_of(fdt, &h) || tok_at(&h, node) != TOK_BEGIN) return NULL;
  int off = skip_token(&h, node);
  while (off >= 0) {
    uint32_t t = tok_at(&h, off);
    if (t == TOK_PROP) {
      uint32_t plen = be32(h.strct + off + 4), nameoff = be32(h.strct + off + 8);
      if (nameoff < h.strs_size && (uint32_t)off + 12 + plen <= h.strct_size &&
          !strcmp((const char *)h.strs + nameoff, name)) {
        if (len) *len = (int)plen;
        return h.strct + off + 12;
      }
    } else if (t != TOK_NOP) {
      return NULL; /* properties precede subnodes */
    }
    off = skip_token(&h, off);
  }
  return NULL;
}

uint32_t fdt_prop_u32(const void *fdt, int node, const char *name, uint32_t dflt) {
  int len;
  const void *p = fdt_getprop(fdt, node, name, &len);
  return p && len == 4 ? be32(p) : dflt;
}

static int name_matches(const char *node_name, const char *name) {
  size_t n = strlen(name);
  return !strncmp(node_name, name, n) && (node_name[n] == 0 || node_name[n] == '@');
}

int fdt_subnode(const void *fdt, int parent, const char *name) {
  int depth = 0;
  for (int n = fdt_next_node(fdt, parent, &depth); n >= 0 && depth > 0;
       n = fdt_next_node(fdt, n, &depth))
    if (depth == 1 && name_matches(fdt_node_name(fdt, n), name)) return n;
  return -1;
}

int fdt_parent(const void *fdt, int node) {
  int stack[16], depth = 0;
  int n = fdt_root(fdt);
  stack[0] = n;
  while (n >= 0 && n != node) {
    n = fdt_next_node(fdt, n, &depth);
    if (depth < 0 || depth >= 16) return -1;
    stack[depth] = n;
  }
  return n == node && depth > 0 ? stack[depth - 1] : -1;
}

int fdt_is_compatible(const void *fdt, int node, const char *compat) {
  int len;
  const char *p = (const char *)fdt_getprop(fdt, node, "compatible", &len);
  if (!p) return 0;
  for (int i = 0; i < len;) {
    if (!strcmp(p + i, compat)) return 1;
    i += (int)strnlen(p + i, (size_t)(len - i)) + 1;
  }
  return 0;
}

int fdt_find_compatible(const void *fdt, int start, const char *compat) {
  int depth = 0;
  int n = start < 0 ? fdt_root(fdt) : fdt_next_node(fdt, start, &depth);
  for (; n >= 0; n = fdt_next_node(fdt, n, &depth))
    if (fdt_is_compatible(fdt, n, compat)) return n;
  return -1;
}

int fdt_find_phandle(const void *fdt, uint32_t phandle) {
  int depth = 0;
  for (int n = fdt_root(fdt); n >= 0; n = fdt_next_node(fdt, n, &depth))
    if (fdt_prop_u32(fdt, n, "phandle", 0) == phandle) return n;
  return -1;
}

static uint64_t read_cells(const uint8_t *p, uint32_t cells) {
  uint64_t v = 0;
  for (uint32_t i = 0; i < cells; i++) v = (v << 32) | be32(p + 4 * i);
  return v;
}

int fdt_reg(const void *fdt, int node, int idx, uint64_t *addr, uint64_t *size) {
  int parent = fdt_parent(fdt, node), len;
  if (parent < 0) return -1;
  uint32_t ac = fdt_prop_u32(fdt, parent, "#address-cells", 2);
  uint32_t sc = fdt_prop_u32(fdt, parent, "#size-cells", 1);
  const uint8_t *p = (const uint8_t *)fdt_getprop(fdt, node, "reg", &len);
  if (!p || ac > 2 || sc > 2 || ac == 0) return -1;
  uint32_t stride = 4 * (ac + sc);
  if ((uint32_t)(idx + 1) * stride > (uint32_t)len) return -1;
  p += (uint32_t)idx * stride;
  *addr = read_cells(p, ac);
  *size = read_cells(p + 4 * ac, sc);
  return 0;
}

int fdt_node_okay(const void *fdt, int node) {
  int len;
  const char *s = (const char *)fdt_getprop(fdt, node, "status", &len);
  return !s || !strcmp(s, "okay") || !strcmp(s, "ok");
}
