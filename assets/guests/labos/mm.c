/* Physical page allocator: a free list of 4 KiB pages over RAM above the kernel image, minus
 * reserved ranges (the DTB). Pages are zeroed on allocation, so no stale data crosses owners. */
#include "kernel.h"

struct free_page {
  struct free_page *next;
};

static struct free_page *free_list;
static uint32_t nfree, ntotal;
static uint32_t resv_start[4], resv_end[4], nresv;

void mm_reserve(uint32_t start, uint32_t end) {
  if (nresv < ARRAY_LEN(resv_start))
    resv_start[nresv] = ALIGN_DOWN(start, PAGE_SIZE), resv_end[nresv++] = ALIGN_UP(end, PAGE_SIZE);
}

static int reserved(uint32_t pa) {
  for (uint32_t i = 0; i < nresv; i++)
    if (pa >= resv_start[i] && pa < resv_end[i]) return 1;
  return 0;
}

void mm_init(uint32_t start, uint32_t end) {
  /* Highest pages first on the list would hand out the top of RAM; push from the top down so
   * allocation starts just above the kernel and addresses stay small and reproducible. */
  for (uint32_t pa = ALIGN_DOWN(end, PAGE_SIZE); pa > ALIGN_UP(start, PAGE_SIZE);) {
    pa -= PAGE_SIZE;
    if (reserved(pa)) continue;
    struct free_page *p = (struct free_page *)(uintptr_t)pa;
    p->next = free_list;
    free_list = p;
    nfree++, ntotal++;
  }
}

void *page_alloc(void) {
  struct free_page *p = free_list;
  if (!p) return NULL;
  free_list = p->next;
  nfree--;
  memset(p, 0, PAGE_SIZE);
  return p;
}

void page_free(void *page) {
  uint32_t pa = (uint32_t)(uintptr_t)page;
  if (pa & (PAGE_SIZE - 1) || pa < (uint32_t)(uintptr_t)_kernel_end)
    panic("page_free: bad page %p", page);
  struct free_page *p = (struct free_page *)page;
  p->next = free_list;
  free_list = p;
  nfree++;
}

uint32_t mm_free_pages(void) { return nfree; }
uint32_t mm_total_pages(void) { return ntotal; }
