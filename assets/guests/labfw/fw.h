/* labfw internal interface: the platform discovered from the DTB, the console, the CLINT timer
 * and software interrupts, hart state management and the SBI dispatcher. */
#ifndef LABFW_FW_H
#define LABFW_FW_H
#include "lib.h"

#define FW_MAX_HARTS 8
#define FW_BASE 0x80000000u
#define FW_SIZE 0x00200000u
#define PAYLOAD_ADDR 0x80200000u

struct mregs {
  uint32_t x[32]; /* x[2] is the interrupted sp */
};

struct fw_platform {
  const void *dtb;
  uintptr_t uart, clint, finisher;
  uint32_t uart_shift;
  uint64_t ram_base, ram_size;
  uint32_t hart_mask; /* bit h set if hart h is listed (status okay) under /cpus */
  uint32_t nharts;
};
extern struct fw_platform fw_plat;

void platform_init(const void *dtb);
void fw_putc(char c);
int fw_getc(void); /* -1 if no byte is waiting */
void fw_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

uint64_t clint_time(void);
void clint_set_timecmp(uint32_t hart, uint64_t when);
void clint_set_msip(uint32_t hart, uint32_t v);

void hsm_init(uint32_t boot_hart);
int hsm_valid(uint32_t hart);
long hsm_start(uint32_t hart, uint32_t addr, uint32_t opaque);
void hsm_stop(uint32_t self) __attribute__((noreturn));
long hsm_status(uint32_t hart);
long hsm_suspend(uint32_t type);
/* Sends IPI/fence work (PEND_* bits) to the harts in (mask, base); waits for fences. */
#define PEND_IPI 1u
#define PEND_FENCE_I 2u
#define PEND_SFENCE 4u
#define PEND_HFENCE 8u
long hsm_send(uint32_t self, uint32_t mask, uint32_t base, uint32_t work);
void hsm_handle_msip(uint32_t self);

void sbi_dispatch(struct mregs *r, uint32_t hart);
void fw_hart_setup(void);

void fw_park(uint32_t hart) __attribute__((noreturn));
void fw_repark(uint32_t hart) __attribute__((noreturn));
void fw_enter_smode(uint32_t a0, uint32_t a1, uint32_t addr) __attribute__((noreturn));
extern volatile uint32_t fw_ready;
#endif
