/* labfw entry, machine trap vector and mode switches (RISC-V Privileged v1.12, 3.1 and 3.3.2).
 * Every hart enters at _start in M-mode (a0 = hartid, a1 = DTB, as QEMU -bios none does). Hart 0
 * boots; the others wait for fw_ready and park in the HSM stopped state. mscratch always holds the
 * top of the hart's 8 KiB machine stack while a lower mode runs. */
#define FW_MAX_HARTS 8
#define FRAME 128

  .section .text.entry, "ax"
  .globl _start
_start:
  csrw mie, zero
  la t0, mtrap_vector
  csrw mtvec, t0
  csrr s0, mhartid
  mv s1, a1
  li t0, FW_MAX_HARTS
  bgeu s0, t0, .Lhang
  la sp, fw_stacks
  addi t0, s0, 1
  slli t0, t0, 13
  add sp, sp, t0
  csrw mscratch, sp
  bnez s0, .Lsecondary
  la t0, __bss_start
  la t1, __bss_end
1:bgeu t0, t1, 2f
  sw zero, 0(t0)
  addi t0, t0, 4
  j 1b
2:mv a0, s0
  mv a1, s1
  call fw_boot_main
  j .Lhang
.Lsecondary:
  la t0, fw_ready
3:lw t1, 0(t0)
  beqz t1, 3b
  fence r, rw
  mv a0, s0
  call fw_park
.Lhang:
  wfi
  j .Lhang

/* fw_repark(hartid): drop the current machine stack and park again (HSM hart_stop). */
  .globl fw_repark
fw_repark:
  csrr sp, mscratch
  call fw_park
  j .Lhang

/* fw_enter_smode(a0, a1, addr): mret to S-mode at addr with a0/a1 preserved, satp = 0,
 * sstatus.SIE = 0 (SBI v2.0 HSM 9.1 and the boot protocol of the Linux RISC-V port). */
  .globl fw_enter_smode
fw_enter_smode:
  csrw mepc, a2
  li t0, 0x1880          /* MPP | MPIE */
  csrc mstatus, t0
  li t0, 0x0800          /* MPP = S */
  csrs mstatus, t0
  csrw satp, zero
  csrci sstatus, 2
  csrw sie, zero
  li t0, 0
  li a2, 0
  mret

  .balign 4
mtrap_vector:
  csrrw sp, mscratch, sp
  addi sp, sp, -FRAME
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
  csrr t0, mscratch
  sw t0, 8(sp)
  sw zero, 0(sp)
  addi t0, sp, FRAME
  csrw mscratch, t0
  mv a0, sp
  call fw_trap
  lw x1, 4(sp)
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
  mret

  .section .data
  .balign 4
  .globl fw_ready
fw_ready:
  .word 0

  .section .stacks, "aw", @nobits
  .balign 16
  .globl fw_stacks
fw_stacks:
  .space FW_MAX_HARTS * 8192
