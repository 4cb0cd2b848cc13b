/* The console: an early path through SBI DBCN (legacy putchar as fallback) until the NS16550A
 * UART is found in the DTB, then the UART itself, transmit polled and receive driven by the
 * "received data available" interrupt through the PLIC (PC16550D datasheet: IER bit 0, LSR bits
 * 0 and 5). Received bytes go through a line discipline (echo, backspace, Ctrl-C stops the
 * shell's programs) to the one reader; a complete line is held until it is read. */
#include "kernel.h"

#define UART_RBR 0
#define UART_THR 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LINE_MAX 256

static int uart_ready, use_dbcn = 1;
static char line[LINE_MAX];
static uint32_t line_len;
static int line_done, line_overflow;

static volatile uint8_t *ureg(uint32_t r) {
  return (volatile uint8_t *)(board.uart + (r << board.uart_shift));
}

void console_early(void) {
  struct sbiret r = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, SBI_EXT_DBCN, 0, 0);
  use_dbcn = r.error == 0 && r.value != 0;
}

void uart_init(void) {
  if (!board.uart) return;
  *ureg(UART_IER) = 0;
  *ureg(UART_LCR) = 0x03; /* 8N1 */
  *ureg(UART_FCR) = 0x07; /* FIFO on, both FIFOs cleared */
  *ureg(UART_MCR) = 0x08; /* OUT2 gates the interrupt line on a real 16550 */
  *ureg(UART_IER) = 0x01; /* received data available */
  uart_ready = 1;
}

void kputc(char c) {
  if (c == '\n') kputc('\r');
  if (uart_ready) {
    while (!(*ureg(UART_LSR) & LSR_THRE)) {
    }
    *ureg(UART_THR) = (uint8_t)c;
  } else if (use_dbcn) {
    sbi_call(SBI_EXT_DBCN, SBI_DBCN_WRITE_BYTE, (uint8_t)c, 0, 0);
  } else {
    sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (uint8_t)c, 0, 0);
  }
}

void kputs_n(const char *s, uint32_t n) {
  while (n--) kputc(*s++);
}

static void put_adapter(void *ctx, char c) {
  (void)ctx;
  kputc(c);
}

void kprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfmt(put_adapter, NULL, fmt, ap);
  va_end(ap);
}

void panic(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  kprintf("\nlabos: PANIC: ");
  vfmt(put_adapter, NULL, fmt, ap);
  va_end(ap);
  kprintf("\n");
  sbi_shutdown(1);
}

static void line_input(char c) {
  if (c == 0x03) { /* Ctrl-C: stop the programs the shell is running */
    kprintf("^C\n");
    proc_interrupt();
    return;
  }
  if (c == '\r' || c == '\n') {
    kputc('\n');
    line_done = 1;
    wakeup(&line_done);
  } else if (c == 0x7f || c == 0x08) {
    if (line_len) line_len--, kprintf("\b \b");
  } else if ((uint8_t)c >= 0x20 && (uint8_t)c < 0x7f) {
    if (line_len < LINE_MAX - 1) line[line_len++] = c, kputc(c);
    else line_overflow = 1;
  }
}

void uart_intr(void) {
  while (!line_done && (*ureg(UART_LSR) & LSR_DR)) line_input((char)*ureg(UART_RBR));
  /* A held line leaves bytes in the FIFO: mask the level-triggered interrupt until it is read. */
  if (line_done) *ureg(UART_IER) = 0;
}

int console_read_line(char *buf, uint32_t max) {
  while (!line_done) {
    uart_intr(); /* bytes that arrived while the previous line was held */
    if (!line_done) sleep_on(&line_done);
  }
  int overflow = line_overflow;
  uint32_t n = line_len < max ? line_len : max;
  memcpy(buf, line, n);
  line_len = 0, line_done = 0, line_overflow = 0;
  *ureg(UART_IER) = 0x01;
  uart_intr();
  if (overflow) return -E_2BIG;
  return (int)n;
}
