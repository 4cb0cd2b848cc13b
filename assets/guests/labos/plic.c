/* Platform-Level Interrupt Controller (RISC-V PLIC Specification v1.0.0): per-source priority
 * at 4*irq, per-context enable bits at 0x2000 + 0x80*ctx, threshold and claim/complete at
 * 0x200000 + 0x1000*ctx. Each hart uses its S-mode context found in the DTB. */
#include "kernel.h"

static volatile uint32_t *preg(uint32_t off) { return (volatile uint32_t *)(board.plic + off); }

void plic_init_hart(uint32_t hart) {
  if (!board.plic || board.plic_ctx[hart] < 0) return;
  *preg(0x200000 + 0x1000 * (uint32_t)board.plic_ctx[hart]) = 0; /* threshold */
}

void plic_enable(uint32_t hart, uint32_t irq) {
  if (!board.plic || board.plic_ctx[hart] < 0 || irq == 0 || irq >= 1024) return;
  uint32_t ctx = (uint32_t)board.plic_ctx[hart];
  *preg(4 * irq) = 1;
  *preg(0x2000 + 0x80 * ctx + 4 * (irq / 32)) |= 1u << (irq % 32);
}

void plic_handle(uint32_t hart) {
  if (!board.plic || board.plic_ctx[hart] < 0) return;
  volatile uint32_t *claim = preg(0x200000 + 0x1000 * (uint32_t)board.plic_ctx[hart] + 4);
  uint32_t irq;
  while ((irq = *claim) != 0) {
    if (irq == board.uart_irq) uart_intr();
    else if (!virtio_irq(irq)) kprintf("labos: spurious external interrupt %u\n", irq);
    *claim = irq;
  }
}
