/* board-test entry (board-start.S): S-mode at 0x80200000 with a0 = hartid and a1 = DTB (SBI boot convention).
 * Sets a stack, clears .bss and calls board_main; parks in WFI if it ever returns. */
  .section .text.entry, "ax"
  .globl _start
_start:
  la sp, stack_top
  la t0, __bss_start
  la t1, __bss_end
1:bgeu t0, t1, 2f
  sw zero, 0(t0)
  addi t0, t0, 4
  j 1b
2:call board_main
3:wfi
  j 3b

  .section .bss
  .balign 16
  .space 16384
stack_top:
