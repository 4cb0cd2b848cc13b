/* Read-only flattened device tree (DTB) walker, following the Devicetree Specification v0.4,
 * chapter 5 (structure block tokens, big-endian cells). Nodes are named by their offset in the
 * structure block; every accessor bounds-checks against the header's sizes. */
#ifndef LAB_FDT_H
#define LAB_FDT_H
#include "lib.h"

#define FDT_MAGIC 0xd00dfeedu

/* 0 if the blob has a valid header, negative otherwise. */
int fdt_check(const void *fdt);
uint32_t fdt_total_size(const void *fdt);
/* Offset of the root node. */
int fdt_root(const void *fdt);
/* Next node in document order after `node`; depth is adjusted by the nesting change (it may go
 * negative when the walk leaves the starting node's parent). -1 at the end of the tree. */
int fdt_next_node(const void *fdt, int node, int *depth);
const char *fdt_node_name(const void *fdt, int node);
const void *fdt_getprop(const void *fdt, int node, const char *name, int *len);
/* Reads a one-cell (u32) property; returns dflt if absent or malformed. */
uint32_t fdt_prop_u32(const void *fdt, int node, const char *name, uint32_t dflt);
/* Direct child whose name matches `name` exactly or up to its '@unit-address'; -1 if none. */
int fdt_subnode(const void *fdt, int parent, const char *name);
int fdt_parent(const void *fdt, int node);
/* 1 if the node's "compatible" string list contains `compat`. */
int fdt_is_compatible(const void *fdt, int node, const char *compat);
/* First node after `start` (-1 = from the beginning) compatible with `compat`; -1 if none. */
int fdt_find_compatible(const void *fdt, int start, const char *compat);
int fdt_find_phandle(const void *fdt, uint32_t phandle);
/* Entry `idx` of the node's "reg", decoded with the parent's #address-cells/#size-cells.
 * Returns 0 on success, -1 if absent or if a value does not fit in 32 bits' worth of address. */
int fdt_reg(const void *fdt, int node, int idx, uint64_t *addr, uint64_t *size);
/* 1 if the node has no "status" or its status is "okay"/"ok". */
int fdt_node_okay(const void *fdt, int node);
#endif
