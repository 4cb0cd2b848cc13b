/* User program entry: a0 = the argument string (on the stack), sp = the user stack. The kernel
 * gives zero-filled pages, so .bss needs no clearing. main's return value is the exit status. */
  .section .text.entry, "ax"
  .globl _start
_start:
  call main
  li a7, 0
  ecall
1:j 1b

/* long syscall(nr, a0, a1, a2) */
  .text
  .globl syscall
syscall:
  mv a7, a0
  mv a0, a1
  mv a1, a2
  mv a2, a3
  ecall
  ret
