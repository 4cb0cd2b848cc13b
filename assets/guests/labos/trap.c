/* Supervisor trap handling (RISC-V Privileged v1.12, 4.1): interrupts (timer through SBI TIME,
 * external through the PLIC, software for IPIs), system calls, demand paging of user heap and
 * stack, and killing a user process that faults. A trap from the kernel itself is a bug: panic. */
#include "kernel.h"

volatile uint64_t ticks;
static uint64_t tick_interval;
static uint64_t next_deadline[NCPU], boot_time, next_secret;

uint32_t hart_id(void) {
  uint32_t tp;
  __asm__ volatile("mv %0, tp" : "=r"(tp));
  return tp;
}

const char *cause_name(uint32_t cause) {
  switch (cause) {
  case CAUSE_MISALIGNED_FETCH: return "misaligned fetch";
  case CAUSE_FETCH_ACCESS: return "fetch access fault";
  case CAUSE_ILLEGAL_INSTRUCTION: return "illegal instruction";
  case CAUSE_BREAKPOINT: return "breakpoint";
  case CAUSE_MISALIGNED_LOAD: return "misaligned load";
  case CAUSE_LOAD_ACCESS: return "load access fault";
  case CAUSE_MISALIGNED_STORE: return "misaligned store";
  case CAUSE_STORE_ACCESS: return "store access fault";
  case CAUSE_FETCH_PAGE_FAULT: return "instruction page fault";
  case CAUSE_LOAD_PAGE_FAULT: return "load page fault";
  case CAUSE_STORE_PAGE_FAULT: return "store page fault";
  default: return "unexpected exception";
  }
}

void trap_init_hart(void) {
  csr_write(stvec, (uint32_t)(uintptr_t)kvec);
  csr_set(sstatus, SSTATUS_SUM); /* the kernel reads user buffers after user_range_ok() */
  csr_write(scounteren, 7);      /* user programs may read cycle, time and instret */
  csr_set(sie, MIP_STIP | MIP_SEIP | MIP_SSIP);
}

/* Arms the first tick on this hart; each tick re-arms the next one. */
void timer_start(void) {
  tick_interval = board.timebase / TICK_HZ;
  uint32_t h = hart_id();
  if (h == board.boot_hart) boot_time = read_time64(), next_secret = boot_time + board.timebase;
  next_deadline[h] = read_time64() + tick_interval;
  sbi_set_timer(next_deadline[h]);
}

/* From the time CSR, not from ticks: ticks are lost while the kernel runs with interrupts off. */
uint64_t uptime_ms(void) { return (read_time64() - boot_time) / (board.timebase / 1000); }

static void timer_interrupt(void) {
  uint32_t h = hart_id();
  uint64_t now = read_time64();
  while (next_deadline[h] <= now) next_deadline[h] += tick_interval;
  sbi_set_timer(next_deadline[h]);
  if (h == board.boot_hart) {
    ticks++;
    if (!board.plic) uart_intr(); /* no interrupt controller in the DTB: poll the UART */
    /* The fingerprint advances once per second of the time CSR, not per 100 ticks: ticks are
     * lost when interrupts come late (a busy host), seconds are not. */
    if (now >= next_secret) {
      while (next_secret <= now) next_secret += board.timebase;
      secret_tick();
    }
    wakeup((const void *)&ticks); /* sleepers re-check their deadline */
    wakeup_expired(now);
  }
}

static void user_exception(struct trapframe *tf, struct proc *p) {
  uint32_t cause = tf->scause;
  if (cause == CAUSE_USER_ECALL) {
    tf->sepc += 4;
    syscall_dispatch(tf);
    return;
  }
  int write = cause == CAUSE_STORE_PAGE_FAULT;
  if ((cause == CAUSE_LOAD_PAGE_FAULT || write) && vm_user_fault(p, tf->stval, write) == 0) return;
  proc_kill_current(cause_name(cause), tf->sepc, tf->stval);
}

void trap_handler(struct trapframe *tf) {
  uint32_t cause = tf->scause;
  int from_user = !(tf->sstatus & SSTATUS_SPP);
  struct proc *p = myproc();
  if (cause & CAUSE_INTERRUPT) {
    uint32_t irq = cause & ~CAUSE_INTERRUPT;
    if (irq == IRQ_S_TIMER) timer_interrupt();
    else if (irq == IRQ_S_EXT) plic_handle(hart_id());
    else if (irq == IRQ_S_SOFT) csr_clear(sip, MIP_SSIP);
    else panic("unexpected interrupt %u", irq);
    if (from_user && p && irq == IRQ_S_TIMER) yield();
  } else if (from_user && p) {
    user_exception(tf, p);
  } else {
    panic("kernel trap: %s (scause 0x%x) at pc 0x%08x, stval 0x%08x", cause_name(cause), cause,
          tf->sepc, tf->stval);
  }
  if (from_user && p && p->killed) proc_exit(-1);
}
