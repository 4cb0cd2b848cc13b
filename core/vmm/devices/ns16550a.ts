// A guest's NS16550A UART, emulated by trap-and-emulate of MMIO at byte offsets 0..7:
// RBR/THR/DLL, IER/DLM, IIR/FCR, LCR (DLAB), MCR, LSR, MSR, SCR. Transmission is instant
// (THR is always empty again after a write), received bytes wait in a 16-byte FIFO backed by a
// larger input queue. Interrupts: received data available (IER.ERBFI) and THR empty (IER.ETBEI).
// Invariant: `irq` reflects IIR's pending state after every access. Register semantics follow the
// TI PC16550D datasheet and QEMU 7.2 hw/char/serial.c (THRE cleared by an IIR read or a THR write).
import { UART_BIT, UART_REG } from '../../spec/ns16550a';

/** Input waiting beyond the FIFO (a terminal paste), bounded so a flood cannot grow the VMM. */
const INPUT_LIMIT = 64 * 1024;

export class Ns16550a {
  private ier = 0;
  private lcr = 0x03;
  private mcr = 0;
  private scr = 0;
  private fcr = 0;
  private dll = 0x01;
  private dlm = 0;
  private thrPending = false;
  private readonly input: number[] = [];
  irq = false;

  constructor(
    private readonly output: (byte: number) => void,
    private readonly onIrq: (level: boolean) => void,
    private readonly log: (text: string) => void,
  ) {}

  /** Bytes typed at the guest console; returns how many were accepted. */
  receive(bytes: Uint8Array): number {
    const room = Math.max(0, INPUT_LIMIT - this.input.length);
    const n = Math.min(room, bytes.length);
    for (let i = 0; i < n; i++) this.input.push(bytes[i] ?? 0);
    this.update();
    return n;
  }

  /** Takes up to `max` waiting input bytes (SBI console reads share the UART's input). */
  takeInput(max: number): Uint8Array {
    const out = new Uint8Array(this.input.splice(0, Math.max(0, max)));
    this.update();
    return out;
  }

  read(offset: number): number {
    const dlab = (this.lcr & UART_BIT.LCR_DLAB) !== 0;
    switch (offset) {
      case UART_REG.RBR_THR_DLL:
        if (dlab) return this.dll;
        return this.popInput();
      case UART_REG.IER_DLM:
        return dlab ? this.dlm : this.ier;
      case UART_REG.IIR_FCR: {
        const iir = this.iir();
        // Reading IIR while it reports THRE clears that interrupt (datasheet table 4).
        if ((iir & 0x0f) === UART_BIT.IIR_THRE) this.thrPending = false;
        this.update();
        return iir;
      }
      case UART_REG.LCR:
        return this.lcr;
      case UART_REG.MCR:
        return this.mcr;
      case UART_REG.LSR:
        return (this.input.length > 0 ? UART_BIT.LSR_DR : 0) | UART_BIT.LSR_THRE | UART_BIT.LSR_TEMT;
      case UART_REG.MSR:
        // Loopback wires DTR/RTS/OUT1/OUT2 to DSR/CTS/RI/DCD; otherwise the modem lines are "connected".
        return (this.mcr & UART_BIT.MCR_LOOP) !== 0 ? ((this.mcr & 0x0f) << 4) : UART_BIT.MSR_LOOP_BITS;
      case UART_REG.SCR:
        return this.scr;
      default:
        this.log(`uart: read of unknown offset ${offset}`);
        return 0;
    }
  }

  write(offset: number, value: number): void {
    const v = value & 0xff;
    const dlab = (this.lcr & UART_BIT.LCR_DLAB) !== 0;
    switch (offset) {
      case UART_REG.RBR_THR_DLL:
        if (dlab) this.dll = v;
        else this.transmit(v);
        break;
      case UART_REG.IER_DLM:
        if (dlab) this.dlm = v;
        else {
          const enablingThre = (v & UART_BIT.IER_ETBEI) !== 0 && (this.ier & UART_BIT.IER_ETBEI) === 0;
          this.ier = v & 0x0f;
          // THR is empty, so enabling its interrupt raises it at once (QEMU serial_ioport_write).
          if (enablingThre) this.thrPending = true;
        }
        break;
      case UART_REG.IIR_FCR:
        this.fcr = v & 0xc9;
        if ((v & UART_BIT.FCR_CLEAR_RX) !== 0) this.input.length = 0;
        break;
      case UART_REG.LCR:
        this.lcr = v;
        break;
      case UART_REG.MCR:
        this.mcr = v & 0x1f;
        break;
      case UART_REG.LSR:
      case UART_REG.MSR:
        this.log(`uart: write to read-only register ${offset} ignored`);
        break;
      case UART_REG.SCR:
        this.scr = v;
        break;
      default:
        this.log(`uart: write to unknown offset ${offset}`);
    }
    this.update();
  }

  private transmit(byte: number): void {
    if ((this.mcr & UART_BIT.MCR_LOOP) !== 0) this.input.push(byte);
    else this.output(byte);
    // The byte leaves at once: THR is empty again and THRE interrupts if enabled.
    this.thrPending = (this.ier & UART_BIT.IER_ETBEI) !== 0;
  }

  private popInput(): number {
    const b = this.input.shift() ?? 0;
    this.update();
    return b;
  }

  private iir(): number {
    const fifo = (this.fcr & UART_BIT.FCR_ENABLE) !== 0 ? UART_BIT.IIR_FIFO : 0;
    if ((this.ier & UART_BIT.IER_ERBFI) !== 0 && this.input.length > 0) return fifo | UART_BIT.IIR_RDA;
    if ((this.ier & UART_BIT.IER_ETBEI) !== 0 && this.thrPending) return fifo | UART_BIT.IIR_THRE;
    return fifo | UART_BIT.IIR_NO_INT;
  }

  private update(): void {
    const level = (this.iir() & UART_BIT.IIR_NO_INT) === 0;
    if (level !== this.irq) {
      this.irq = level;
      this.onIrq(level);
    }
  }

  snapshot(): UartState {
    return { ier: this.ier, lcr: this.lcr, mcr: this.mcr, scr: this.scr, fcr: this.fcr, dll: this.dll, dlm: this.dlm, thrPending: this.thrPending, input: [...this.input] };
  }

  restore(s: UartState): void {
    Object.assign(this, { ier: s.ier, lcr: s.lcr, mcr: s.mcr, scr: s.scr, fcr: s.fcr, dll: s.dll, dlm: s.dlm, thrPending: s.thrPending });
    this.input.length = 0;
    this.input.push(...s.input);
    this.update();
  }
}

export interface UartState {
  ier: number; lcr: number; mcr: number; scr: number; fcr: number; dll: number; dlm: number; thrPending: boolean; input: number[];
}
