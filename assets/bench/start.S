# Benchmark start-up in M-mode: open PMP entry 0 over all memory (NAPOT, RWX), build a
# Sv32 root table of identity megapages (RAM, the UART/finisher low space), turn on
# translation and drop to S-mode at bench_main. Priv 1.12 sections 3.7, 4.3.
  .section .text.start
  .globl _start
_start:
  la sp, _stack_top
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  la a0, root_table
  call build_page_table
  la t0, root_table
  srli t0, t0, 12
  li t1, 0x80000000
  or t0, t0, t1
  csrw satp, t0
  sfence.vma
  li t0, 0x1800
  csrc mstatus, t0
  li t0, 0x0800
  csrs mstatus, t0
  la t0, bench_main
  csrw mepc, t0
  la t0, trap
  csrw mtvec, t0
  mret
  .align 2
trap:
  # Any trap is a failure: report mcause through the test finisher.
  csrr t0, mcause
  slli t0, t0, 16
  li t1, 0x3333
  or t0, t0, t1
  li t1, 0x100000
  sw t0, 0(t1)
1:j 1b
