/* Shared runtime for the hart test programs: UART output (NS16550A THR/LSR), the SiFive test
   finisher, and the C halves of the M, HS and VS trap handlers (priv 1.12 sections 3.1.15-3.1.17,
   9.4.x). Exceptions resume at epc+4 (no C extension) or at resume_pc; interrupts are disabled
   in the handling level's xie so they fire once; the magic ecall returns to M. */
#include "rt.h"

#define UART ((volatile unsigned char *)0x10000000)
#define FINISHER ((volatile u32 *)0x100000)

volatile struct trap last_trap;
volatile u32 resume_pc;
volatile u32 mark;
volatile u32 trap_log[16];
volatile u32 trap_log_n;
volatile u32 mark_tval;

extern char run_mode_resume[], lower_return_stub[], lower_return_stub_u[];
u32 run_mode_asm(u32 (*fn)(u32), u32 arg, u32 mpp, u32 mpv, void *stub);

void putc_(char c) {
  while ((UART[5] & 0x20) == 0) {
  }
  UART[0] = (unsigned char)c;
}

void puts_(const char *s) {
  while (*s) putc_(*s++);
}

void puthex(u32 v) {
  for (int i = 28; i >= 0; i -= 4) putc_("0123456789abcdef"[(v >> i) & 15]);
}

void putdec(u32 v) {
  char b[12];
  int i = 0;
  do {
    b[i++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (i) putc_(b[--i]);
}

void show(const char *label, u32 v) {
  puts_(label);
  putc_(' ');
  puthex(v);
  putc_('\n');
}

void clear_trap(void) {
  last_trap.n = 0;
  last_trap.level = 0;
  last_trap.vec = 0;
  mark = 0;
  mark_tval = 0;
  resume_pc = 0;
  vec_hit = 0xffffffff;
  trap_log_n = 0;
}

static void field(const char *name, u32 v) {
  putc_(' ');
  puts_(name);
  putc_('=');
  puthex(v);
}

static void bit(const char *name, u32 v) {
  putc_(' ');
  puts_(name);
  putc_('=');
  putc_(v ? '1' : '0');
}

void show_trap(const char *label) {
  puts_("T ");
  puts_(label);
  if (last_trap.n == 0) {
    puts_(" none\n");
    clear_trap();
    return;
  }
  putc_(' ');
  putc_((char)last_trap.level);
  if (last_trap.n != 1) {
    puts_(" n=");
    putdec(last_trap.n);
  }
  field("c", last_trap.cause);
  if (mark && mark_tval) {
    puts_(" v=+");
    puthex(last_trap.tval - mark);
  } else {
    field("v", last_trap.tval);
  }
  if (mark) {
    puts_(" e=+");
    puthex(last_trap.epc - mark);
  } else {
    field("e", last_trap.epc);
  }
  if (last_trap.level == 'M') {
    field("t2", last_trap.tval2);
    field("ti", last_trap.tinst);
    putc_(' ');
    puts_("mpp=");
    putdec((last_trap.st >> 11) & 3);
    bit("mpv", last_trap.sth & MSTATUSH_MPV);
    bit("gva", last_trap.sth & MSTATUSH_GVA);
  } else if (last_trap.level == 'S') {
    field("t2", last_trap.tval2);
    field("ti", last_trap.tinst);
    bit("spp", last_trap.st & MSTATUS_SPP);
    bit("spv", last_trap.sth & HSTATUS_SPV);
    bit("gva", last_trap.sth & HSTATUS_GVA);
  } else {
    bit("spp", last_trap.st & MSTATUS_SPP);
  }
  if (last_trap.vec != 0xffffffff) {
    puts_(" vec=");
    putdec(last_trap.vec);
  }
  putc_('\n');
  clear_trap();
}

void show_log(const char *label) {
  puts_("L ");
  puts_(label);
  for (u32 i = 0; i < trap_log_n; i++) {
    u32 e = trap_log[i];
    putc_(' ');
    putc_((char)(e >> 24));
    putc_(':');
    if (e & (1u << 23)) putc_('i');
    putdec(e & 0xff);
  }
  putc_('\n');
  clear_trap(); /* also resets last_trap.n, which wait_trap and the waiters poll */
}

int wait_trap(void) {
  for (int i = 0; i < 200000; i++) {
    if (last_trap.n) return 1;
    asm volatile("wfi");
  }
  return last_trap.n != 0;
}

void finish(int code) {
  puts_("exit ");
  putdec((u32)code);
  putc_('\n');
  for (;;) *FINISHER = code == 0 ? 0x5555u : (((u32)code << 16) | 0x3333u);
}

u32 read_mtime(void) { return *CLINT_MTIME; }

static void record(u32 level, u32 cause, u32 tval, u32 epc, u32 t2, u32 ti, u32 st, u32 sth) {
  if (trap_log_n < 16) trap_log[trap_log_n++] = level << 24 | (cause >> 31) << 23 | (cause & 0xff);
  last_trap.n++;
  last_trap.level = level;
  last_trap.cause = cause;
  last_trap.tval = tval;
  last_trap.epc = epc;
  last_trap.tval2 = t2;
  last_trap.tinst = ti;
  last_trap.st = st;
  last_trap.sth = sth;
  last_trap.vec = vec_hit;
}

static int is_magic(u32 cause, u32 *f) {
  return (cause >> 31) == 0 && cause >= 8 && cause <= 11 && f[17] == MAGIC;
}

/* Forward the magic ecall upward: from HS or VS this ecall reaches M (medeleg never has bit 9). */
static void forward_magic(u32 a0) {
  register u32 r0 asm("a0") = a0;
  register u32 r7 asm("a7") = MAGIC;
  asm volatile("ecall" ::"r"(r0), "r"(r7) : "memory");
}

static u32 next_epc(u32 epc) {
  u32 r = resume_pc;
  if (r) {
    resume_pc = 0;
    return r;
  }
  return epc + 4;
}

void m_trap_c(u32 *f) {
  u32 cause = csr_read(mcause);
  if (is_magic(cause, f)) {
    csr_write(mepc, (u32)run_mode_resume);
    csr_set(mstatus, MSTATUS_MPP);
    csr_clear(mstatush, MSTATUSH_MPV);
    return;
  }
  u32 epc = csr_read(mepc);
  record('M', cause, csr_read(mtval), epc, csr_read(CSR_MTVAL2), csr_read(CSR_MTINST),
         csr_read(mstatus), csr_read(mstatush));
  if (cause >> 31) {
    u32 code = cause & 31;
    csr_clear(mie, 1u << code);
    if (code == 7) CLINT_MTIMECMP[1] = 0xffffffff;
    if (code == 3) *CLINT_MSIP = 0;
    return;
  }
  csr_write(mepc, next_epc(epc));
}

void s_trap_c(u32 *f) {
  u32 cause = csr_read(scause);
  if (is_magic(cause, f)) forward_magic(f[10]);
  u32 epc = csr_read(sepc);
  record('S', cause, csr_read(stval), epc, csr_read(htval), csr_read(htinst), csr_read(sstatus),
         csr_read(hstatus));
  if (cause >> 31) {
    u32 code = cause & 31;
    /* VS-level and guest-external interrupts are enabled in hie, the rest in sie. */
    if (code == 2 || code == 6 || code == 10 || code == 12)
      csr_clear(hie, 1u << code);
    else
      csr_clear(sie, 1u << code);
    return;
  }
  csr_write(sepc, next_epc(epc));
}

void vs_trap_c(u32 *f) {
  u32 cause = csr_read(scause);
  if (is_magic(cause, f)) forward_magic(f[10]);
  u32 epc = csr_read(sepc);
  record('V', cause, csr_read(stval), epc, 0, 0, csr_read(sstatus), 0);
  if (cause >> 31) {
    csr_clear(sie, 1u << (cause & 31));
    return;
  }
  csr_write(sepc, next_epc(epc));
}

static u32 go(int mode, u32 (*fn)(u32), u32 arg, void *stub) {
  if ((mode & 3) == MODE_M && !(mode & 4)) return fn(arg);
  return run_mode_asm(fn, arg, (u32)mode & 3, ((u32)mode >> 2) & 1, stub);
}

u32 run_mode(int mode, u32 (*fn)(u32), u32 arg) { return go(mode, fn, arg, lower_return_stub); }

u32 run_mode_user(int mode, u32 (*fn)(u32), u32 arg) {
  return go(mode, fn, arg, lower_return_stub_u);
}
