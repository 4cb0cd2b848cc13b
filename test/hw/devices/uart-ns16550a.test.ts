// NS16550A register behaviour as QEMU's serial.c models it: THR output, LSR status, DLAB
// banking, receive queue with DR and the RDA/THRE interrupt, unknown offsets logged.
import { describe, expect, it } from 'vitest';
import { UartNs16550a } from '../../../core/hw/devices/uart-ns16550a';
import { UART_REG } from '../../../core/spec/ns16550a';

function uart() {
  const out: number[] = [];
  const logged: string[] = [];
  let irq = false;
  const u = new UartNs16550a(
    (b) => out.push(b),
    { unknownAccess: (d, k, o) => logged.push(`${d} ${k} ${o}`) },
    (l) => (irq = l),
  );
  u.reset();
  return { u, out, logged, irq: () => irq };
}

describe('UartNs16550a', () => {
  it('writes THR bytes to the output and reports an empty transmitter', () => {
    const t = uart();
    t.u.write(UART_REG.RBR_THR_DLL, 1, 0x41);
    expect(t.out).toEqual([0x41]);
    expect(t.u.read(UART_REG.LSR, 1) & 0x60).toBe(0x60);
  });

  it('banks the divisor latch behind LCR.DLAB', () => {
    const t = uart();
    t.u.write(UART_REG.LCR, 1, 0x80);
    t.u.write(UART_REG.RBR_THR_DLL, 1, 0x03);
    t.u.write(UART_REG.IER_DLM, 1, 0x01);
    expect(t.out).toEqual([]);
    expect([t.u.read(UART_REG.RBR_THR_DLL, 1), t.u.read(UART_REG.IER_DLM, 1)]).toEqual([3, 1]);
    t.u.write(UART_REG.LCR, 1, 0x03);
    expect(t.u.read(UART_REG.IER_DLM, 1)).toBe(0);
  });

  it('queues received bytes with LSR.DR and raises RDA when enabled', () => {
    const t = uart();
    t.u.write(UART_REG.IER_DLM, 1, 1);
    t.u.receive(Uint8Array.of(7, 8));
    expect(t.irq()).toBe(true);
    expect(t.u.read(UART_REG.IIR_FCR, 1) & 0x0f).toBe(0x04);
    expect([t.u.read(UART_REG.RBR_THR_DLL, 1), t.u.read(UART_REG.RBR_THR_DLL, 1)]).toEqual([7, 8]);
    expect(t.u.read(UART_REG.LSR, 1) & 1).toBe(0);
    expect(t.irq()).toBe(false);
  });

  it('THRE interrupt is raised by enabling it and cleared by reading IIR', () => {
    const t = uart();
    t.u.write(UART_REG.IER_DLM, 1, 2);
    expect(t.irq()).toBe(true);
    expect(t.u.read(UART_REG.IIR_FCR, 1) & 0x0f).toBe(0x02);
    expect(t.irq()).toBe(false);
  });

  it('logs unknown offsets and wide accesses, reading zero', () => {
    const t = uart();
    expect(t.u.read(0x10, 1)).toBe(0);
    t.u.write(0, 4, 0x41);
    expect(t.logged).toEqual(['uart0 read 16', 'uart0 write 0']);
    expect(t.out).toEqual([]);
  });
});
