// The NS16550A UART's register map and bits, shared by the board's UART (core/hw), the VMM's
// emulated guest UART (core/vmm) and the bare-mode console bridge. Data only: byte offsets of
// the eight registers (two DLAB-banked) and the bits the models use, as the TI PC16550D
// datasheet (section 8, "Registers": tables 2-6) names them; QEMU 7.2 hw/char/serial.c agrees.

/** Byte offsets; names joined by '_' share an offset (read/write, or DLAB=0/DLAB=1). */
export const UART_REG = {
  RBR_THR_DLL: 0,
  IER_DLM: 1,
  IIR_FCR: 2,
  LCR: 3,
  MCR: 4,
  LSR: 5,
  MSR: 6,
  SCR: 7,
} as const;

export const UART_BIT = {
  IER_ERBFI: 0x01,
  IER_ETBEI: 0x02,
  IIR_NO_INT: 0x01,
  IIR_THRE: 0x02,
  IIR_RDA: 0x04,
  IIR_FIFO: 0xc0,
  FCR_ENABLE: 0x01,
  FCR_CLEAR_RX: 0x02,
  LCR_DLAB: 0x80,
  LSR_DR: 0x01,
  LSR_THRE: 0x20,
  LSR_TEMT: 0x40,
  MCR_LOOP: 0x10,
  /** MSR with loopback off and no flow control: CTS, DSR and DCD asserted. */
  MSR_LOOP_BITS: 0xb0,
} as const;
