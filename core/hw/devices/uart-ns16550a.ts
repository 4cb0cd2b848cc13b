// NS16550A UART as QEMU virt has it (hw/char/serial.c): 8 byte-wide registers, DLAB-banked
// divisor latch, FIFO-less model where THR writes go straight to the output sink and received
// bytes wait in a queue. Interrupt: THRE and RDA per IER, level on the IRQ line.
// Unknown offsets (>= 8) are reported through DeviceLog and read as zero.
import { UART_BIT, UART_REG } from '../../spec/ns16550a';
import type { AccessWidth, DeviceLog, IrqLine, MmioDevice } from '../device';

export class UartNs16550a implements MmioDevice {
  readonly name: string;
  readonly size = 0x100;
  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private scr = 0;
  private fcr = 0;
  private dll = 0;
  private dlm = 0;
  /** THRE interrupt condition: set by a THR write completing, cleared by reading IIR. */
  private thrIpending = false;
  private readonly rx: number[] = [];

  constructor(
    private readonly output: (byte: number) => void,
    private readonly log: DeviceLog,
    private readonly irq: IrqLine = () => undefined,
    name = 'uart0',
  ) {
    this.name = name;
  }

  reset(): void {
    this.ier = 0;
    this.lcr = 0;
    this.mcr = 0;
    this.scr = 0;
    this.fcr = 0;
    this.dll = 0;
    this.dlm = 0;
    this.thrIpending = false;
    this.rx.length = 0;
    this.update();
  }

  /** Queue bytes typed by the user. */
  receive(bytes: Uint8Array): void {
    for (const b of bytes) this.rx.push(b);
    this.update();
  }

  private iir(): number {
    const fifo = (this.fcr & 1) !== 0 ? UART_BIT.IIR_FIFO : 0;
    if ((this.ier & UART_BIT.IER_ERBFI) !== 0 && this.rx.length > 0) return UART_BIT.IIR_RDA | fifo;
    if ((this.ier & UART_BIT.IER_ETBEI) !== 0 && this.thrIpending) return UART_BIT.IIR_THRE | fifo;
    return UART_BIT.IIR_NO_INT | fifo;
  }

  private update(): void {
    this.irq((this.iir() & UART_BIT.IIR_NO_INT) === 0);
  }

  read(offset: number, width: AccessWidth): number {
    if (offset >= 8 || width !== 1) {
      this.log.unknownAccess(this.name, 'read', offset, width);
      return 0;
    }
    const dlab = (this.lcr & UART_BIT.LCR_DLAB) !== 0;
    switch (offset) {
      case UART_REG.RBR_THR_DLL: {
        if (dlab) return this.dll;
        const b = this.rx.shift() ?? 0;
        this.update();
        return b;
      }
      case UART_REG.IER_DLM:
        return dlab ? this.dlm : this.ier;
      case UART_REG.IIR_FCR: {
        const v = this.iir();
        if ((v & 0x0f) === UART_BIT.IIR_THRE) {
          this.thrIpending = false;
          this.update();
        }
        return v;
      }
      case UART_REG.LCR:
        return this.lcr;
      case UART_REG.MCR:
        return this.mcr;
      case UART_REG.LSR:
        return UART_BIT.LSR_THRE | UART_BIT.LSR_TEMT | (this.rx.length > 0 ? UART_BIT.LSR_DR : 0);
      case UART_REG.MSR:
        // Loopback off: CTS, DSR, DCD asserted as QEMU reports with no backend flow control.
        return 0xb0;
      default:
        return this.scr;
    }
  }

  write(offset: number, width: AccessWidth, value: number): void {
    if (offset >= 8 || width !== 1) {
      this.log.unknownAccess(this.name, 'write', offset, width, value);
      return;
    }
    const v = value & 0xff;
    const dlab = (this.lcr & UART_BIT.LCR_DLAB) !== 0;
    switch (offset) {
      case UART_REG.RBR_THR_DLL:
        if (dlab) this.dll = v;
        else {
          this.output(v);
          this.thrIpending = true;
        }
        break;
      case UART_REG.IER_DLM:
        if (dlab) this.dlm = v;
        else {
          // Enabling THRI with an empty transmitter raises the interrupt at once (as QEMU).
          if ((v & UART_BIT.IER_ETBEI) !== 0 && (this.ier & UART_BIT.IER_ETBEI) === 0)
            this.thrIpending = true;
          this.ier = v & 0x0f;
        }
        break;
      case UART_REG.IIR_FCR:
        this.fcr = v & 0xc9;
        if ((v & 2) !== 0) this.rx.length = 0;
        break;
      case UART_REG.LCR:
        this.lcr = v;
        break;
      case UART_REG.MCR:
        this.mcr = v & 0x1f;
        break;
      case UART_REG.LSR:
      case UART_REG.MSR:
        break;
      default:
        this.scr = v;
        break;
    }
    this.update();
  }
}
