/* labOS kernel-wide declarations: the board description read from the DTB, and the interfaces
 * between the kernel's modules (console, memory, paging, traps, processes, drivers, file system,
 * secret, self-test, benchmarks, SMP). One header keeps this small kernel easy to follow. */
#ifndef LABOS_KERNEL_H
#define LABOS_KERNEL_H
#include "csr.h"
#include "hash.h"
#include "lib.h"
#include "sbi.h"
#include "syscall_nr.h"

#define PAGE_SIZE 4096u
#define MEGA_SIZE 0x400000u
#define NCPU 8
#define NPROC 8
#define MAX_VIRTIO 8
#define KEY_VA 0xF0000000u        /* the secret key's own page (kernel-only mapping) */
#define USER_BASE 0x00010000u
#define USER_TOP 0x0C000000u      /* user space is [USER_BASE, USER_TOP) */
#define USTACK_TOP 0x0B000000u
#define USTACK_SIZE 0x00010000u
#define HEAP_LIMIT 0x0A000000u
#define TICK_HZ 100

struct board {
  const void *dtb;
  uint32_t dtb_addr, dtb_size;
  uint32_t ram_base, ram_size;
  uint32_t timebase;
  uintptr_t uart;
  uint32_t uart_shift, uart_irq;
  uintptr_t plic;
  uint32_t plic_size;
  int plic_ctx[NCPU]; /* S-mode PLIC context of each hart, -1 if none */
  uintptr_t virtio[MAX_VIRTIO];
  uint32_t virtio_irq[MAX_VIRTIO];
  int nvirtio;
  uint32_t hart_mask, nharts, boot_hart;
  uint8_t rng_seed[64];
  uint32_t rng_len;
};
extern struct board board;

/* console.c */
void console_early(void);
void uart_init(void);
void uart_intr(void);
void kputc(char c);
void kputs_n(const char *s, uint32_t n);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
int console_read_line(char *buf, uint32_t max); /* blocks; returns length or negative error */

/* sbi.c */
struct sbiret {
  long error, value;
};
struct sbiret sbi_call(uint32_t eid, uint32_t fid, uint32_t a0, uint32_t a1, uint32_t a2);
void sbi_set_timer(uint64_t when);
void sbi_shutdown(int failure) __attribute__((noreturn));
void sbi_reboot(void) __attribute__((noreturn));
const char *sbi_strerror(long err);

/* platform.c */
void board_init(uint32_t hart, const void *dtb);

/* mm.c */
void mm_init(uint32_t start, uint32_t end);
void mm_reserve(uint32_t start, uint32_t end);
void *page_alloc(void); /* zeroed page or NULL */
void page_free(void *p);
uint32_t mm_free_pages(void);
uint32_t mm_total_pages(void);

/* vm.c */
typedef uint32_t pte_t;
#define PTE_V 0x001u
#define PTE_R 0x002u
#define PTE_W 0x004u
#define PTE_X 0x008u
#define PTE_U 0x010u
#define PTE_G 0x020u
#define PTE_A 0x040u
#define PTE_D 0x080u
extern pte_t *kernel_root;
void vm_init(void);
void vm_enable(pte_t *root);
int vm_map_page(pte_t *root, uint32_t va, uint32_t pa, uint32_t flags);
pte_t *vm_lookup(pte_t *root, uint32_t va);
uint32_t vm_translate(pte_t *root, uint32_t va); /* physical address or 0 */
pte_t *vm_new_user_root(void);
void vm_free_user(pte_t *root);

/* trap.c */
struct trapframe {
  uint32_t x[32];
  uint32_t sepc, sstatus, scause, stval;
};
void trap_init_hart(void);
void timer_start(void);
uint64_t uptime_ms(void);
const char *cause_name(uint32_t cause);
extern volatile uint64_t ticks;

/* plic.c */
void plic_init_hart(uint32_t hart);
void plic_enable(uint32_t hart, uint32_t irq);
void plic_handle(uint32_t hart);

/* proc.c */
enum pstate { P_UNUSED, P_RUNNABLE, P_RUNNING, P_SLEEPING, P_ZOMBIE };
struct context {
  uint32_t ra, sp, s[12];
};
struct proc {
  enum pstate state;
  int pid, parent, exit_status, killed;
  char name[16];
  pte_t *root;
  uint8_t *kstack;
  struct trapframe *tf;
  struct context ctx;
  const void *chan;
  uint64_t wake_at; /* time-CSR deadline of a timed sleep, 0 if none */
  uint32_t brk_base, brk;
};
struct proc *myproc(void);
void proc_init(void);
int proc_spawn(const char *prog, const char *arg, int parent);
void scheduler(void) __attribute__((noreturn));
void yield(void);
void sleep_on(const void *chan);
void sleep_until(const void *chan, uint64_t deadline); /* woken by wakeup(chan) or the deadline */
void wakeup_expired(uint64_t now);
void wakeup(const void *chan);
void proc_exit(int status) __attribute__((noreturn));
int proc_wait(int pid, int *status);
void proc_kill_current(const char *why, uint32_t pc, uint32_t addr);
void proc_interrupt(void);
int vm_user_fault(struct proc *p, uint32_t va, int write);
int user_range_ok(struct proc *p, uint32_t va, uint32_t len, int write);

/* syscall.c */
void syscall_dispatch(struct trapframe *tf);

/* virtio_blk.c */
int vblk_init(void);            /* 0 if a virtio-blk device was found and set up */
int vblk_present(void);
int vblk_readonly(void);
uint32_t vblk_blocks(void);     /* capacity in 4 KiB blocks */
int vblk_rw(uint32_t block, void *buf, int write); /* one 4 KiB block; 0 or negative error */
int virtio_irq(uint32_t irq); /* 1 if a virtio device owns this PLIC source */

/* virtio_rng.c */
uint32_t vrng_read(uint8_t *out, uint32_t len);

/* fs.c */
#define FS_NAME_MAX 39
struct fs_stat {
  char name[FS_NAME_MAX + 1];
  uint32_t size;
};
void fs_mount(void);
int fs_mounted(void);
const char *fs_state(void);
int fs_list(uint32_t index, struct fs_stat *st);   /* 0, or -ENOENT past the end */
int fs_read(const char *name, void *buf, uint32_t max); /* size read or negative error */
int fs_write(const char *name, const void *buf, uint32_t len);
int fs_remove(const char *name);
int fs_verify(char *what, uint32_t max);    /* 0 if every file's checksums hold */
int fs_scratch_extent(uint32_t nblocks, uint32_t *start); /* free, unused blocks (bench) */
uint32_t fs_free_blocks(void);

/* secret.c */
void secret_init(void);
void secret_tick(void);
int secret_info(char *buf, uint32_t max, int where);
int secret_verify(char *what, uint32_t max);

/* selftest.c, bench.c */
int selftest_run(char *out, uint32_t max);
int bench_exit(uint32_t n, uint32_t *out);
int bench_disk(uint32_t nblocks, uint32_t *out);
void mempattern_init(void);
int mempattern_check(void);

/* smp.c */
void smp_boot_secondaries(void);
uint32_t smp_online(void);
void secondary_entry(uint32_t hart);
int smp_ping(void);

/* entry.S */
void swtch(struct context *old, struct context *new);
void user_return(struct trapframe *tf) __attribute__((noreturn));
extern char kvec[];

extern const uint8_t _kernel_end[], _text_start[], _text_end[];
uint32_t hart_id(void);
#endif
