# Start-up and trap entry for the hart test programs: reset into M-mode (a0 = hartid, only
# hart 0 runs), open PMP for S/U, set up the per-level trap stacks, and the trampolines that
# drop into U/S/VS/VU and come back to M on a "magic" ecall (priv 1.12 sections 3.1.6, 3.3.2).
.file "crt.S"
.option arch, +h
#define MAGIC 0x5ec
#define FRAME 144

  .section .text.init, "ax"
  .globl _start
_start:
  bnez a0, park
  la sp, stack_top
  la t0, m_trap_entry
  csrw mtvec, t0
  la t0, m_stack_top
  csrw mscratch, t0
  la t0, s_stack_top
  csrw sscratch, t0
  la t0, v_stack_top
  csrw vsscratch, t0
  # PMP entry 0 = NAPOT over the whole address space, RWX: without it S/U see nothing
  # (priv 3.7.1: with PMP implemented and no entry matching, S/U accesses fail).
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  # Explicit zero delegation. (QEMU 7.2 only applies the read-only-one VS bits of mideleg,
  # priv 8.2.x, after mideleg has been written once: until then it routes VS interrupts to M.)
  csrw medeleg, zero
  csrw mideleg, zero
  # No timer pending at start: mtimecmp = all ones (its reset value is platform-defined).
  li t0, 0x02004000
  li t1, -1
  sw t1, 4(t0)
  sw t1, 0(t0)
  la t0, __bss_start
  la t1, __bss_end
1:bgeu t0, t1, 2f
  sw zero, 0(t0)
  addi t0, t0, 4
  j 1b
2:call main
  call finish
park:
  wfi
  j park

# Save every GPR on the level's trap stack (swapped in through xscratch); f[2] = old sp.
.macro SAVE scratch
  csrrw sp, \scratch, sp
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
  csrr t0, \scratch
  sw t0, 8(sp)
  mv a0, sp
.endm

.macro RESTORE scratch
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
  addi sp, sp, FRAME
  csrrw sp, \scratch, sp
.endm

  .text
  .balign 64
  .globl m_trap_entry
m_trap_entry:
  SAVE mscratch
  call m_trap_c
  RESTORE mscratch
  mret

  .balign 64
  .globl s_trap_entry
s_trap_entry:
  SAVE sscratch
  call s_trap_c
  RESTORE sscratch
  sret

  # Entered in VS-mode: sscratch/sstatus/sepc here are the vs* registers (priv 9.2.x).
  .balign 64
  .globl vs_trap_entry
vs_trap_entry:
  SAVE sscratch
  call vs_trap_c
  RESTORE sscratch
  sret

# Vector tables for mode=1 (vectored) tests: slot k records k in vec_hit, then the common entry.
.macro VSLOT scratch, common, k
  csrrw sp, \scratch, sp
  sw t0, -8(sp)
  sw t1, -12(sp)
  li t0, \k
  sw t0, vec_hit, t1
  lw t0, -8(sp)
  lw t1, -12(sp)
  csrrw sp, \scratch, sp
  j \common
.endm

.macro VTABLE name, scratch, common
  .balign 256
  .globl \name
\name:
  j \name\()_0
  j \name\()_1
  j \name\()_2
  j \name\()_3
  j \name\()_4
  j \name\()_5
  j \name\()_6
  j \name\()_7
  j \name\()_8
  j \name\()_9
  j \name\()_10
  j \name\()_11
  j \name\()_12
  j \name\()_13
  j \name\()_14
  j \name\()_15
\name\()_0: VSLOT \scratch, \common, 0
\name\()_1: VSLOT \scratch, \common, 1
\name\()_2: VSLOT \scratch, \common, 2
\name\()_3: VSLOT \scratch, \common, 3
\name\()_4: VSLOT \scratch, \common, 4
\name\()_5: VSLOT \scratch, \common, 5
\name\()_6: VSLOT \scratch, \common, 6
\name\()_7: VSLOT \scratch, \common, 7
\name\()_8: VSLOT \scratch, \common, 8
\name\()_9: VSLOT \scratch, \common, 9
\name\()_10: VSLOT \scratch, \common, 10
\name\()_11: VSLOT \scratch, \common, 11
\name\()_12: VSLOT \scratch, \common, 12
\name\()_13: VSLOT \scratch, \common, 13
\name\()_14: VSLOT \scratch, \common, 14
\name\()_15: VSLOT \scratch, \common, 15
.endm

  VTABLE m_vec_table, mscratch, m_trap_entry
  VTABLE s_vec_table, sscratch, s_trap_entry
  VTABLE vs_vec_table, sscratch, vs_trap_entry

# run_mode_asm(fn, arg, mpp, mpv, stub): mret into fn(arg) at privilege (mpp, mpv) with ra =
# stub; the stub's magic ecall brings the M handler back to run_mode_resume with fn's a0.
  .globl run_mode_asm
run_mode_asm:
  la t0, saved_ctx
  sw ra, 0(t0)
  sw sp, 4(t0)
  sw s0, 8(t0)
  sw s1, 12(t0)
  sw s2, 16(t0)
  sw s3, 20(t0)
  sw s4, 24(t0)
  sw s5, 28(t0)
  sw s6, 32(t0)
  sw s7, 36(t0)
  sw s8, 40(t0)
  sw s9, 44(t0)
  sw s10, 48(t0)
  sw s11, 52(t0)
  csrr t1, mstatus
  sw t1, 56(t0)
  csrw mepc, a0
  li t1, 0x1800
  csrc mstatus, t1
  slli t1, a2, 11
  csrs mstatus, t1
  li t1, 0x80
  csrc mstatush, t1
  slli t1, a3, 7
  csrs mstatush, t1
  mv ra, a4
  mv a0, a1
  mret

  .globl run_mode_resume
run_mode_resume:
  la t0, saved_ctx
  lw ra, 0(t0)
  lw sp, 4(t0)
  lw s0, 8(t0)
  lw s1, 12(t0)
  lw s2, 16(t0)
  lw s3, 20(t0)
  lw s4, 24(t0)
  lw s5, 28(t0)
  lw s6, 32(t0)
  lw s7, 36(t0)
  lw s8, 40(t0)
  lw s9, 44(t0)
  lw s10, 48(t0)
  lw s11, 52(t0)
  # The trip through lower modes went through MPIE: give M back the MIE it had at the call.
  lw t1, 56(t0)
  andi t1, t1, 8
  csrci mstatus, 8
  csrs mstatus, t1
  # A lower-level handler that forwarded the magic ecall left its scratch swapped: reset both.
  la t0, s_stack_top
  csrw sscratch, t0
  la t0, v_stack_top
  csrw vsscratch, t0
  ret

  .globl lower_return_stub
lower_return_stub:
  li a7, MAGIC
  ecall
  j lower_return_stub

  .section .user.text, "ax"
  .globl lower_return_stub_u
lower_return_stub_u:
  li a7, MAGIC
  ecall
  j lower_return_stub_u

  .bss
  .balign 16
saved_ctx: .space 64
  .globl vec_hit
vec_hit: .space 4
  .balign 16
  .space 8192
stack_top:
  .space 2048
m_stack_top:
  .space 2048
  .globl s_stack_top
s_stack_top:
  .space 2048
v_stack_top:
