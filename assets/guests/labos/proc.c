/* User processes: creation from the embedded ELF images (ELF-32 PT_LOAD segments, System V gABI),
 * a preemptive round-robin scheduler on the boot hart (the timer tick preempts user code),
 * sleep/wakeup on channels, exit/wait, demand paging of heap and stack, and killing faulting
 * processes. The kernel is not preemptible: it runs with interrupts off except when idle. */
#include "kernel.h"

#define KSTACK_SIZE 8192
#define TF_SLOT 16 /* bytes above the user trap frame: the saved hart id (entry.S) */

extern const uint8_t user_shell_start[], user_shell_end[], user_crash_start[], user_crash_end[];
extern const uint8_t user_spin_start[], user_spin_end[];

static const struct {
  const char *name;
  const uint8_t *start, *end;
} programs[] = {
    {"shell", user_shell_start, user_shell_end},
    {"crash", user_crash_start, user_crash_end},
    {"spin", user_spin_start, user_spin_end},
};

static struct proc procs[NPROC];
static uint8_t kstacks[NPROC][KSTACK_SIZE] __attribute__((aligned(16)));
static struct proc *current;
static struct context sched_ctx;
static int next_pid = 1;

struct proc *myproc(void) { return current; }

void proc_init(void) {
  for (int i = 0; i < NPROC; i++) procs[i].kstack = kstacks[i];
}

static int load_segment(struct proc *p, const uint8_t *img, uint32_t size, const uint8_t *ph) {
  uint32_t off = le32(ph + 4), va = le32(ph + 8), filesz = le32(ph + 16), memsz = le32(ph + 20);
  uint32_t pflags = le32(ph + 24);
  if (memsz < filesz || off > size || filesz > size - off || va < USER_BASE || memsz > HEAP_LIMIT ||
      va > HEAP_LIMIT - memsz)
    return -E_INVAL;
  uint32_t flags = PTE_U | ((pflags & 4) ? PTE_R : 0) | ((pflags & 2) ? PTE_W : 0) |
                   ((pflags & 1) ? PTE_X : 0);
  for (uint32_t pg = ALIGN_DOWN(va, PAGE_SIZE); pg < va + memsz; pg += PAGE_SIZE) {
    pte_t *pte = vm_lookup(p->root, pg);
    uint8_t *page;
    if (pte) {
      page = (uint8_t *)(uintptr_t)vm_translate(p->root, pg);
      *pte |= flags;
    } else {
      page = (uint8_t *)page_alloc();
      if (!page || vm_map_page(p->root, pg, (uint32_t)(uintptr_t)page, flags)) return -E_NOMEM;
    }
    for (uint32_t a = pg < va ? va : pg; a < pg + PAGE_SIZE && a < va + filesz; a++)
      page[a - pg] = img[off + (a - va)];
  }
  if (ALIGN_UP(va + memsz, PAGE_SIZE) > p->brk_base) p->brk_base = ALIGN_UP(va + memsz, PAGE_SIZE);
  return 0;
}

static int load_elf(struct proc *p, const uint8_t *img, uint32_t size, uint32_t *entry) {
  if (size < 52 || memcmp(img, "\177ELF\1\1\1", 7) || (img[16] | img[17] << 8) != 2 ||
      (img[18] | img[19] << 8) != 0xF3)
    return -E_INVAL;
  uint32_t phoff = le32(img + 28), phnum = img[44] | img[45] << 8;
  if (phoff > size || phnum > (size - phoff) / 32) return -E_INVAL;
  for (uint32_t i = 0; i < phnum; i++) {
    const uint8_t *ph = img + phoff + 32 * i;
    if (le32(ph) != 1) continue; /* PT_LOAD */
    int r = load_segment(p, img, size, ph);
    if (r) return r;
  }
  *entry = le32(img + 24);
  return 0;
}

static void proc_free(struct proc *p) {
  if (p->root) vm_free_user(p->root);
  p->root = NULL;
  p->state = P_UNUSED;
}

static void first_run(void) { user_return(current->tf); }

/* Copies the argument string to the top of the new stack; returns the user sp or 0. */
static uint32_t setup_stack(struct proc *p, const char *arg) {
  uint8_t *top = (uint8_t *)page_alloc();
  if (!top || vm_map_page(p->root, USTACK_TOP - PAGE_SIZE, (uint32_t)(uintptr_t)top, PTE_U | PTE_R | PTE_W))
    return 0;
  uint32_t n = arg ? (uint32_t)strnlen(arg, 255) : 0;
  top[PAGE_SIZE - 1] = 0;
  memcpy(top + PAGE_SIZE - 1 - n, arg ? arg : "", n);
  p->tf->x[10] = USTACK_TOP - 1 - n;
  return ALIGN_DOWN(USTACK_TOP - 1 - n, 16) - 16;
}

int proc_spawn(const char *prog, const char *arg, int parent) {
  uint32_t i = 0, entry;
  while (i < ARRAY_LEN(programs) && strcmp(programs[i].name, prog)) i++;
  if (i == ARRAY_LEN(programs)) return -E_NOENT;
  struct proc *p = NULL;
  for (int k = 0; k < NPROC; k++)
    if (procs[k].state == P_UNUSED) p = &procs[k];
  if (!p) return -E_NOMEM;
  uint8_t *kstack = p->kstack;
  memset(p, 0, sizeof *p);
  p->kstack = kstack;
  p->tf = (struct trapframe *)(kstack + KSTACK_SIZE - TF_SLOT - sizeof(struct trapframe));
  memset(p->tf, 0, sizeof *p->tf);
  p->root = vm_new_user_root();
  p->state = P_ZOMBIE; /* not runnable until fully built; proc_free resets it on failure */
  int r = p->root ? load_elf(p, programs[i].start, (uint32_t)(programs[i].end - programs[i].start), &entry) : -E_NOMEM;
  uint32_t sp = r ? 0 : setup_stack(p, arg);
  if (!sp) {
    proc_free(p);
    return r ? r : -E_NOMEM;
  }
  p->brk = p->brk_base;
  p->tf->x[2] = sp;
  p->tf->sepc = entry;
  p->tf->sstatus = SSTATUS_SPIE | SSTATUS_SUM; /* SPP = 0: user mode, interrupts on */
  p->ctx.ra = (uint32_t)(uintptr_t)first_run;
  p->ctx.sp = (uint32_t)(uintptr_t)p->tf;
  p->pid = next_pid++;
  p->parent = parent;
  memcpy(p->name, programs[i].name, strlen(programs[i].name) + 1);
  p->state = P_RUNNABLE;
  return p->pid;
}

static struct proc *find_pid(int pid) {
  for (int i = 0; i < NPROC; i++)
    if (procs[i].state != P_UNUSED && procs[i].pid == pid) return &procs[i];
  return NULL;
}

/* Frees zombies nobody will wait for; brings the shell back if it died. */
static void reap_orphans(void) {
  for (int i = 0; i < NPROC; i++) {
    struct proc *p = &procs[i];
    if (p->state != P_ZOMBIE || (p->parent && find_pid(p->parent))) continue;
    int was_shell = !strcmp(p->name, "shell");
    proc_free(p);
    if (was_shell) {
      kprintf("labos: the shell exited; starting a new one\n");
      if (proc_spawn("shell", "", 0) < 0) panic("cannot restart the shell");
    }
  }
}

void scheduler(void) {
  int last = NPROC - 1;
  for (;;) {
    vm_enable(kernel_root);
    reap_orphans();
    struct proc *p = NULL;
    for (int k = 1; k <= NPROC && !p; k++) {
      int i = (last + k) % NPROC;
      if (procs[i].state == P_RUNNABLE) p = &procs[i], last = i;
    }
    if (!p) {
      __asm__ volatile("wfi");
      csr_set(sstatus, SSTATUS_SIE); /* take the interrupt that woke us */
      csr_clear(sstatus, SSTATUS_SIE);
      continue;
    }
    p->state = P_RUNNING;
    current = p;
    vm_enable(p->root);
    swtch(&sched_ctx, &p->ctx);
    current = NULL;
  }
}

static void sched(void) { swtch(&current->ctx, &sched_ctx); }

void yield(void) {
  current->state = P_RUNNABLE;
  sched();
}

void sleep_on(const void *chan) {
  current->chan = chan;
  current->state = P_SLEEPING;
  sched();
  current->chan = NULL;
}

void sleep_until(const void *chan, uint64_t deadline) {
  current->wake_at = deadline;
  sleep_on(chan);
  current->wake_at = 0;
}

void wakeup_expired(uint64_t now) {
  for (int i = 0; i < NPROC; i++)
    if (procs[i].state == P_SLEEPING && procs[i].wake_at && procs[i].wake_at <= now) procs[i].state = P_RUNNABLE;
}

void wakeup(const void *chan) {
  for (int i = 0; i < NPROC; i++)
    if (procs[i].state == P_SLEEPING && procs[i].chan == chan) procs[i].state = P_RUNNABLE;
}

void proc_exit(int status) {
  struct proc *p = current;
  p->exit_status = status;
  p->state = P_ZOMBIE;
  struct proc *parent = find_pid(p->parent);
  if (parent) wakeup(parent);
  sched();
  panic("a zombie ran");
}

int proc_wait(int pid, int *status) {
  struct proc *c = find_pid(pid);
  if (!c || c->parent != current->pid) return -E_CHILD;
  while (c->state != P_ZOMBIE) sleep_on(current);
  *status = c->exit_status;
  proc_free(c);
  return pid;
}

void proc_kill_current(const char *why, uint32_t pc, uint32_t addr) {
  kprintf("labos: killed pid %d (%s): %s at pc 0x%08x, address 0x%08x\n", current->pid,
          current->name, why, pc, addr);
  current->killed = 1;
}

/* Ctrl-C: every process but the shell is killed when it next traps from user mode (the timer
 * guarantees that it will). */
void proc_interrupt(void) {
  for (int i = 0; i < NPROC; i++) {
    struct proc *p = &procs[i];
    if (p->state == P_UNUSED || p->state == P_ZOMBIE || !strcmp(p->name, "shell")) continue;
    p->killed = 1;
    if (p->state == P_SLEEPING) p->state = P_RUNNABLE;
  }
}

static int in_demand_region(struct proc *p, uint32_t va) {
  return (va >= p->brk_base && va < p->brk) || (va >= USTACK_TOP - USTACK_SIZE && va < USTACK_TOP);
}

int vm_user_fault(struct proc *p, uint32_t va, int write) {
  (void)write;
  if (!in_demand_region(p, va) || vm_lookup(p->root, va)) return -E_FAULT;
  void *page = page_alloc();
  if (!page) return -E_NOMEM;
  if (vm_map_page(p->root, ALIGN_DOWN(va, PAGE_SIZE), (uint32_t)(uintptr_t)page, PTE_U | PTE_R | PTE_W)) {
    page_free(page);
    return -E_NOMEM;
  }
  return 0;
}

int user_range_ok(struct proc *p, uint32_t va, uint32_t len, int write) {
  if (va < USER_BASE || va >= USER_TOP || len > USER_TOP - va) return 0;
  for (uint32_t pg = ALIGN_DOWN(va, PAGE_SIZE); pg < va + len; pg += PAGE_SIZE) {
    pte_t *pte = vm_lookup(p->root, pg);
    if (!pte && vm_user_fault(p, pg, write) == 0) pte = vm_lookup(p->root, pg);
    if (!pte || !(*pte & PTE_U) || !(*pte & (write ? PTE_W : PTE_R))) return 0;
  }
  return 1;
}
