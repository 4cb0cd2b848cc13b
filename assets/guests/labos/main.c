/* labOS boot sequence on the boot hart: DTB -> memory -> paging -> traps and timer -> devices
 * -> file system -> secret -> secondary harts -> the user shell under the scheduler.
 * Entered in S-mode (or VS-mode under a hypervisor) with a0 = hartid, a1 = DTB. */
#include "kernel.h"

void kmain(uint32_t hart, const void *dtb) {
  console_early();
  board_init(hart, dtb);
  uart_init();
  kprintf("\nlabOS 1.0 (RV32 Sv32) booting on hart %u\n", hart);
  uint32_t kend = (uint32_t)(uintptr_t)_kernel_end, ram_end = board.ram_base + board.ram_size;
  mm_reserve(board.dtb_addr, board.dtb_addr + board.dtb_size);
  mm_init(kend, ram_end);
  kprintf("mem: %u MiB RAM at 0x%08x, kernel 0x%08x-0x%08x, %u pages free\n", board.ram_size >> 20,
          board.ram_base, (uint32_t)(uintptr_t)_text_start, kend, mm_free_pages());
  vm_init();
  vm_enable(kernel_root);
  kprintf("vm: Sv32 paging on, kernel identity-mapped with 4 MiB pages\n");
  trap_init_hart();
  plic_init_hart(hart);
  if (board.uart_irq) plic_enable(hart, board.uart_irq);
  if (!board.plic) kprintf("irq: no PLIC in the DTB; the console is polled on each tick\n");
  kprintf("cpu: %u hart(s) in DTB, timebase %u Hz, tick %u Hz\n", board.nharts, board.timebase,
          TICK_HZ);
  proc_init();
  mempattern_init();
  if (vblk_init() == 0) {
    kprintf("disk: virtio-blk, %u blocks of 4 KiB\n", vblk_blocks());
    fs_mount();
  } else {
    kprintf("disk: no disk (no virtio-blk device); files are unavailable\n");
  }
  secret_init();
  timer_start();
  smp_boot_secondaries();
  if (proc_spawn("shell", "", 0) < 0) panic("cannot start the shell");
  kprintf("labOS ready\n");
  scheduler();
}
