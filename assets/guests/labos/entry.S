/* labOS entry points and low-level switches: the boot and secondary-hart entries (a0 = hartid,
 * a1 = DTB or opaque, S-mode, satp = 0, per the SBI HSM and Linux boot conventions), the trap
 * vector, the return to a trap frame, and the kernel context switch.
 * Invariants: in the kernel sscratch = 0 and tp = hart id; while user code runs, sscratch points
 * 16 bytes below the top of the process's kernel stack, where the hart id is saved, and the user
 * trap frame lies directly below it. */
#define TF_SIZE 144
#define KSTACK 8192
#define NCPU 8

  .section .text.entry, "ax"
  .globl _start
_start:
  li t0, NCPU
  bgeu a0, t0, .Lhang
  mv tp, a0
  la sp, boot_stacks
  addi t0, a0, 1
  li t1, KSTACK
  mul t0, t0, t1
  add sp, sp, t0
  csrw sscratch, zero
  la t0, kvec
  csrw stvec, t0
  la t0, __bss_start
  la t1, __bss_end
1:bgeu t0, t1, 2f
  sw zero, 0(t0)
  addi t0, t0, 4
  j 1b
2:call kmain
.Lhang:
  wfi
  j .Lhang

  .globl secondary_start
secondary_start:
  li t0, NCPU
  bgeu a0, t0, .Lhang
  mv tp, a0
  la sp, boot_stacks
  addi t0, a0, 1
  li t1, KSTACK
  mul t0, t0, t1
  add sp, sp, t0
  csrw sscratch, zero
  la t0, kvec
  csrw stvec, t0
  call secondary_entry
  j .Lhang

  .text
  .balign 4
  .globl kvec
kvec:
  csrrw sp, sscratch, sp
  bnez sp, 1f
  csrrw sp, sscratch, sp
1:addi sp, sp, -TF_SIZE
  sw x1, 4(sp)
  sw x3, 12(sp)
  sw x4, 16(sp)
  sw x5, 20(sp)
  sw x6, 24(sp)
  sw x7, 28(sp)
  sw x8, 32(sp)
  sw x9, 36(sp)
  sw x10, 40(sp)
  sw x11, 44(sp)
  sw x12, 48(sp)
  sw x13, 52(sp)
  sw x14, 56(sp)
  sw x15, 60(sp)
  sw x16, 64(sp)
  sw x17, 68(sp)
  sw x18, 72(sp)
  sw x19, 76(sp)
  sw x20, 80(sp)
  sw x21, 84(sp)
  sw x22, 88(sp)
  sw x23, 92(sp)
  sw x24, 96(sp)
  sw x25, 100(sp)
  sw x26, 104(sp)
  sw x27, 108(sp)
  sw x28, 112(sp)
  sw x29, 116(sp)
  sw x30, 120(sp)
  sw x31, 124(sp)
  sw zero, 0(sp)
  csrr t0, sscratch
  bnez t0, 2f
  addi t0, sp, TF_SIZE     /* trap from the kernel: the interrupted sp is just above */
  j 3f
2:lw tp, TF_SIZE(sp)       /* trap from user: reload the hart id saved above the frame */
3:sw t0, 8(sp)
  csrw sscratch, zero
  csrr t0, sepc
  sw t0, 128(sp)
  csrr t0, sstatus
  sw t0, 132(sp)
  csrr t0, scause
  sw t0, 136(sp)
  csrr t0, stval
  sw t0, 140(sp)
  mv a0, sp
  call trap_handler
  mv a0, sp
  .globl user_return
user_return:
  mv sp, a0
  lw t0, 132(sp)
  csrw sstatus, t0
  lw t1, 128(sp)
  csrw sepc, t1
  andi t0, t0, 0x100       /* SPP: returning to S keeps sscratch = 0 */
  bnez t0, 4f
  addi t0, sp, TF_SIZE
  sw tp, 0(t0)
  csrw sscratch, t0
4:lw x1, 4(sp)
  lw x3, 12(sp)
  lw x4, 16(sp)
  lw x5, 20(sp)
  lw x6, 24(sp)
  lw x7, 28(sp)
  lw x8, 32(sp)
  lw x9, 36(sp)
  lw x10, 40(sp)
  lw x11, 44(sp)
  lw x12, 48(sp)
  lw x13, 52(sp)
  lw x14, 56(sp)
  lw x15, 60(sp)
  lw x16, 64(sp)
  lw x17, 68(sp)
  lw x18, 72(sp)
  lw x19, 76(sp)
  lw x20, 80(sp)
  lw x21, 84(sp)
  lw x22, 88(sp)
  lw x23, 92(sp)
  lw x24, 96(sp)
  lw x25, 100(sp)
  lw x26, 104(sp)
  lw x27, 108(sp)
  lw x28, 112(sp)
  lw x29, 116(sp)
  lw x30, 120(sp)
  lw x31, 124(sp)
  lw sp, 8(sp)
  sret

/* swtch(old, new): save callee-saved registers into *old, load them from *new. */
  .globl swtch
swtch:
  sw ra, 0(a0)
  sw sp, 4(a0)
  sw s0, 8(a0)
  sw s1, 12(a0)
  sw s2, 16(a0)
  sw s3, 20(a0)
  sw s4, 24(a0)
  sw s5, 28(a0)
  sw s6, 32(a0)
  sw s7, 36(a0)
  sw s8, 40(a0)
  sw s9, 44(a0)
  sw s10, 48(a0)
  sw s11, 52(a0)
  lw ra, 0(a1)
  lw sp, 4(a1)
  lw s0, 8(a1)
  lw s1, 12(a1)
  lw s2, 16(a1)
  lw s3, 20(a1)
  lw s4, 24(a1)
  lw s5, 28(a1)
  lw s6, 32(a1)
  lw s7, 36(a1)
  lw s8, 40(a1)
  lw s9, 44(a1)
  lw s10, 48(a1)
  lw s11, 52(a1)
  ret

  .section .bss
  .balign 16
  .globl boot_stacks
boot_stacks:
  .space NCPU * KSTACK
