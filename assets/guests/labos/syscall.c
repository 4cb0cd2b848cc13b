/* System call dispatch (numbers in syscall_nr.h). Every user pointer is checked with
 * user_range_ok() (present or demand-pageable, U=1, and writable when written) before the kernel
 * touches it; a bad pointer gives -E_FAULT, never a kernel fault. */
#include "kernel.h"

typedef int (*syscall_fn)(uint32_t a0, uint32_t a1, uint32_t a2);

/* Disk requests sleep until the device's interrupt, so another process may run meanwhile: one
 * process at a time in the file system and the disk driver (their buffers are shared). */
static int disk_busy;

static void disk_lock(void) {
  while (disk_busy) sleep_on(&disk_busy);
  disk_busy = 1;
}

static int disk_unlock(int r) {
  disk_busy = 0;
  wakeup(&disk_busy);
  return r;
}

static int copy_in_str(uint32_t uaddr, char *dst, uint32_t max) {
  struct proc *p = myproc();
  for (uint32_t i = 0; i < max; i++) {
    if ((i == 0 || ((uaddr + i) & (PAGE_SIZE - 1)) == 0) && !user_range_ok(p, uaddr + i, 1, 0))
      return -E_FAULT;
    dst[i] = ((const char *)(uintptr_t)uaddr)[i];
    if (!dst[i]) return (int)i;
  }
  return -E_NAMETOOLONG;
}

static int ucheck(uint32_t uaddr, uint32_t len, int write) {
  return len == 0 || user_range_ok(myproc(), uaddr, len, write);
}

static int sys_exit(uint32_t code, uint32_t b, uint32_t c) {
  (void)b, (void)c;
  proc_exit((int)code);
}

static int sys_write(uint32_t fd, uint32_t buf, uint32_t len) {
  if (fd != 1 && fd != 2) return -E_INVAL;
  if (!ucheck(buf, len, 0)) return -E_FAULT;
  kputs_n((const char *)(uintptr_t)buf, len);
  return (int)len;
}

static int sys_read(uint32_t fd, uint32_t buf, uint32_t max) {
  static char line[256];
  if (fd != 0) return -E_INVAL;
  if (!ucheck(buf, max, 1)) return -E_FAULT;
  int n = console_read_line(line, max < sizeof line ? max : sizeof line);
  if (n > 0) memcpy((void *)(uintptr_t)buf, line, (uint32_t)n);
  return n;
}

static int sys_spawn(uint32_t name, uint32_t arg, uint32_t c) {
  (void)c;
  char kname[16], karg[256];
  int r = copy_in_str(name, kname, sizeof kname);
  if (r < 0) return r;
  if (arg) {
    r = copy_in_str(arg, karg, sizeof karg);
    if (r < 0) return r;
  } else {
    karg[0] = 0;
  }
  return proc_spawn(kname, karg, myproc()->pid);
}

static int sys_wait(uint32_t pid, uint32_t status_ptr, uint32_t c) {
  (void)c;
  int status = 0;
  if (status_ptr && !ucheck(status_ptr, 4, 1)) return -E_FAULT; /* 0: status not wanted */
  int r = proc_wait((int)pid, &status);
  if (r >= 0 && status_ptr) *(int *)(uintptr_t)status_ptr = status;
  return r;
}

static int sys_sbrk(uint32_t incr, uint32_t b, uint32_t c) {
  (void)b, (void)c;
  struct proc *p = myproc();
  uint32_t old = p->brk, n = old + incr;
  if ((int32_t)incr < 0 ? n < p->brk_base || n > old : n > HEAP_LIMIT || n < old) return -E_NOMEM;
  for (uint32_t pg = ALIGN_UP(n, PAGE_SIZE); pg < old; pg += PAGE_SIZE) {
    pte_t *pte = vm_lookup(p->root, pg); /* shrinking: give the pages back */
    if (pte) page_free((void *)(uintptr_t)vm_translate(p->root, pg)), *pte = 0;
  }
  if (n < old) __asm__ volatile("sfence.vma" ::: "memory");
  p->brk = n;
  return (int)old;
}

static int sys_uptime(uint32_t a, uint32_t b, uint32_t c) {
  (void)a, (void)b, (void)c;
  return (int)(uint32_t)uptime_ms();
}

static int sys_sleep(uint32_t ms, uint32_t b, uint32_t c) {
  (void)b, (void)c;
  if (ms > 600000) return -E_INVAL;
  uint64_t until = uptime_ms() + ms;
  while (uptime_ms() < until) sleep_on((const void *)&ticks);
  return 0;
}

static int sys_fs_list(uint32_t index, uint32_t st, uint32_t c) {
  (void)c;
  struct fs_stat ks;
  if (!ucheck(st, sizeof ks, 1)) return -E_FAULT;
  disk_lock();
  int r = disk_unlock(fs_list(index, &ks));
  if (r == 0) memcpy((void *)(uintptr_t)st, &ks, sizeof ks);
  return r;
}

static int sys_fs_read(uint32_t name, uint32_t buf, uint32_t max) {
  char kname[FS_NAME_MAX + 2];
  int r = copy_in_str(name, kname, sizeof kname);
  if (r < 0) return r;
  if (!ucheck(buf, max, 1)) return -E_FAULT;
  disk_lock();
  return disk_unlock(fs_read(kname, (void *)(uintptr_t)buf, max));
}

/* /secret belongs to the kernel: user programs may read it but never replace or remove it. */
static int kernel_owned(const char *name) { return !strcmp(name[0] == '/' ? name + 1 : name, "secret"); }

static int sys_fs_write(uint32_t name, uint32_t buf, uint32_t len) {
  char kname[FS_NAME_MAX + 2];
  int r = copy_in_str(name, kname, sizeof kname);
  if (r < 0) return r;
  if (kernel_owned(kname)) return -E_PERM;
  if (!ucheck(buf, len, 0)) return -E_FAULT;
  disk_lock();
  return disk_unlock(fs_write(kname, (const void *)(uintptr_t)buf, len));
}

static int sys_fs_remove(uint32_t name, uint32_t b, uint32_t c) {
  (void)b, (void)c;
  char kname[FS_NAME_MAX + 2];
  int r = copy_in_str(name, kname, sizeof kname);
  if (r < 0) return r;
  if (kernel_owned(kname)) return -E_PERM;
  disk_lock();
  return disk_unlock(fs_remove(kname));
}

static int sys_secret(uint32_t where, uint32_t buf, uint32_t max) {
  static char out[256];
  if (!ucheck(buf, max, 1)) return -E_FAULT;
  int n = secret_info(out, sizeof out, (int)where);
  if (n < 0) return n;
  if ((uint32_t)n + 1 > max) return -E_2BIG;
  memcpy((void *)(uintptr_t)buf, out, (uint32_t)n + 1);
  return n;
}

static int sys_selftest(uint32_t buf, uint32_t max, uint32_t c) {
  (void)c;
  static char out[1024];
  if (!ucheck(buf, max, 1)) return -E_FAULT;
  disk_lock();
  int n = disk_unlock(selftest_run(out, sizeof out));
  if ((uint32_t)n + 1 > max) return -E_2BIG;
  memcpy((void *)(uintptr_t)buf, out, (uint32_t)n + 1);
  return n;
}

/* out[0] = operations done, out[1..2] = instret delta, out[3..4] = time delta (ticks). */
static int sys_bench(uint32_t kind, uint32_t n, uint32_t out) {
  uint32_t res[5];
  if (!ucheck(out, sizeof res, 1)) return -E_FAULT;
  int r = -E_INVAL;
  if (kind == BENCH_EXIT) r = bench_exit(n, res);
  if (kind == BENCH_DISK) disk_lock(), r = disk_unlock(bench_disk(n, res));
  if (r == 0) memcpy((void *)(uintptr_t)out, res, sizeof res);
  return r;
}

static int sys_halt(uint32_t a, uint32_t b, uint32_t c) {
  (void)a, (void)b, (void)c;
  kprintf("labos: halting\n");
  sbi_shutdown(0);
}

static int sys_reboot(uint32_t a, uint32_t b, uint32_t c) {
  (void)a, (void)b, (void)c;
  kprintf("labos: rebooting\n");
  sbi_reboot();
}

static int sys_getpid(uint32_t a, uint32_t b, uint32_t c) {
  (void)a, (void)b, (void)c;
  return myproc()->pid;
}

/* out: ram bytes, free pages, total pages, harts online, harts listed. */
static int sys_sysinfo(uint32_t out, uint32_t b, uint32_t c) {
  (void)b, (void)c;
  if (!ucheck(out, 20, 1)) return -E_FAULT;
  uint32_t v[5] = {board.ram_size, mm_free_pages(), mm_total_pages(), smp_online(), board.nharts};
  memcpy((void *)(uintptr_t)out, v, sizeof v);
  return 0;
}

static int sys_timebase(uint32_t a, uint32_t b, uint32_t c) {
  (void)a, (void)b, (void)c;
  return (int)board.timebase;
}

static int sys_yield(uint32_t a, uint32_t b, uint32_t c) {
  (void)a, (void)b, (void)c;
  yield();
  return 0;
}

static const syscall_fn table[NSYSCALLS] = {
    [SYS_EXIT] = sys_exit,         [SYS_WRITE] = sys_write,       [SYS_READ] = sys_read,
    [SYS_SPAWN] = sys_spawn,       [SYS_WAIT] = sys_wait,         [SYS_SBRK] = sys_sbrk,
    [SYS_UPTIME] = sys_uptime,     [SYS_FS_LIST] = sys_fs_list,   [SYS_FS_READ] = sys_fs_read,
    [SYS_FS_WRITE] = sys_fs_write, [SYS_FS_REMOVE] = sys_fs_remove, [SYS_SECRET] = sys_secret,
    [SYS_SELFTEST] = sys_selftest, [SYS_BENCH] = sys_bench,       [SYS_HALT] = sys_halt,
    [SYS_REBOOT] = sys_reboot,     [SYS_GETPID] = sys_getpid,     [SYS_SYSINFO] = sys_sysinfo,
    [SYS_TIMEBASE] = sys_timebase, [SYS_YIELD] = sys_yield,       [SYS_SLEEP] = sys_sleep,
};

void syscall_dispatch(struct trapframe *tf) {
  uint32_t nr = tf->x[17];
  int r = nr < NSYSCALLS && table[nr] ? table[nr](tf->x[10], tf->x[11], tf->x[12]) : -E_NOSYS;
  tf->x[10] = (uint32_t)r;
}
