/* The user programs built with labos/user/user.ld, embedded as ELF images (see proc.c). */
  .section .rodata.userprogs, "a"
  .balign 4
  .globl user_shell_start, user_shell_end, user_crash_start, user_crash_end
  .globl user_spin_start, user_spin_end
user_shell_start:
  .incbin "shell.elf"
user_shell_end:
  .balign 4
user_crash_start:
  .incbin "crash.elf"
user_crash_end:
  .balign 4
user_spin_start:
  .incbin "spin.elf"
user_spin_end:
