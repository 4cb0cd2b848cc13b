/* Sv32 page tables (RISC-V Privileged v1.12, 4.3): two levels of 1024 PTEs, 4 MiB megapages at
 * level 1. The kernel identity-maps RAM and the devices with global megapages; every process's
 * root copies the kernel's level-1 entries, and user mappings live only in [0, USER_TOP).
 * A and D are set in every leaf so a hart that does not update them never faults on them. */
#include "kernel.h"

pte_t *kernel_root;

#define VPN1(va) ((va) >> 22)
#define VPN0(va) (((va) >> 12) & 0x3FF)
#define PTE_PA(pte) (((pte) >> 10) << 12)
#define PA_PTE(pa) (((pa) >> 12) << 10)

static void map_mega(uint32_t va, uint32_t pa, uint32_t flags) {
  kernel_root[VPN1(va)] = PA_PTE(pa) | flags | PTE_V | PTE_A | PTE_D | PTE_G;
}

static void map_region(uint32_t base, uint32_t size, uint32_t flags) {
  for (uint32_t a = ALIGN_DOWN(base, MEGA_SIZE); a < base + size && a >= ALIGN_DOWN(base, MEGA_SIZE);
       a += MEGA_SIZE)
    map_mega(a, a, flags);
}

static pte_t *walk(pte_t *root, uint32_t va, int alloc) {
  pte_t *l1 = &root[VPN1(va)];
  if (*l1 & PTE_V) {
    if (*l1 & (PTE_R | PTE_W | PTE_X)) return NULL; /* megapage */
  } else {
    if (!alloc) return NULL;
    pte_t *t = (pte_t *)page_alloc();
    if (!t) return NULL;
    *l1 = PA_PTE((uint32_t)(uintptr_t)t) | PTE_V;
  }
  return &((pte_t *)(uintptr_t)PTE_PA(*l1))[VPN0(va)];
}

int vm_map_page(pte_t *root, uint32_t va, uint32_t pa, uint32_t flags) {
  pte_t *pte = walk(root, va, 1);
  if (!pte) return -E_NOMEM;
  *pte = PA_PTE(pa) | flags | PTE_V | PTE_A | PTE_D;
  return 0;
}

pte_t *vm_lookup(pte_t *root, uint32_t va) {
  pte_t *pte = walk(root, va, 0);
  return pte && (*pte & PTE_V) ? pte : NULL;
}

uint32_t vm_translate(pte_t *root, uint32_t va) {
  pte_t l1 = root[VPN1(va)];
  if ((l1 & PTE_V) && (l1 & (PTE_R | PTE_W | PTE_X))) return PTE_PA(l1) + (va & (MEGA_SIZE - 1));
  pte_t *pte = vm_lookup(root, va);
  return pte ? PTE_PA(*pte) | (va & (PAGE_SIZE - 1)) : 0;
}

void vm_enable(pte_t *root) {
  __asm__ volatile("sfence.vma" ::: "memory");
  csr_write(satp, SATP_MODE_SV32 | ((uint32_t)(uintptr_t)root >> 12));
  __asm__ volatile("sfence.vma" ::: "memory");
}

void vm_init(void) {
  kernel_root = (pte_t *)page_alloc();
  if (!kernel_root) panic("vm_init: out of memory");
  map_region(board.ram_base, board.ram_size, PTE_R | PTE_W | PTE_X);
  if (board.uart) map_region(board.uart, PAGE_SIZE, PTE_R | PTE_W);
  if (board.plic) map_region(board.plic, board.plic_size, PTE_R | PTE_W);
  for (int i = 0; i < board.nvirtio; i++) map_region(board.virtio[i], PAGE_SIZE, PTE_R | PTE_W);
  for (uint32_t i = 0; i < VPN1(USER_TOP); i++)
    if (kernel_root[i]) panic("vm_init: a device at %p overlaps user space", (void *)(i << 22));
}

pte_t *vm_new_user_root(void) {
  pte_t *root = (pte_t *)page_alloc();
  if (root) memcpy(root, kernel_root, PAGE_SIZE);
  return root;
}

void vm_free_user(pte_t *root) {
  for (uint32_t i = 0; i < VPN1(USER_TOP); i++) {
    if (!(root[i] & PTE_V)) continue;
    pte_t *t = (pte_t *)(uintptr_t)PTE_PA(root[i]);
    for (uint32_t j = 0; j < 1024; j++)
      if ((t[j] & PTE_V) && (t[j] & PTE_U)) page_free((void *)(uintptr_t)PTE_PA(t[j]));
    page_free(t);
  }
  page_free(root);
}
