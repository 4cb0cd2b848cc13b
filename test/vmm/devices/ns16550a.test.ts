import { describe, expect, it } from 'vitest';
import { Ns16550a } from '../../../core/vmm/devices/ns16550a';
import { UART_REG } from '../../../core/spec/ns16550a';

function uart(): { u: Ns16550a; out: number[]; irqs: boolean[]; logs: string[] } {
  const out: number[] = [];
  const irqs: boolean[] = [];
  const logs: string[] = [];
  const u = new Ns16550a((b) => out.push(b), (l) => irqs.push(l), (t) => logs.push(t));
  return { u, out, irqs, logs };
}

describe('emulated NS16550A', () => {
  it('transmits THR writes at once and reports THR empty in LSR', () => {
    const { u, out } = uart();
    u.write(UART_REG.RBR_THR_DLL, 0x41);
    u.write(UART_REG.RBR_THR_DLL, 0x142);
    expect(out).toEqual([0x41, 0x42]);
    expect(u.read(UART_REG.LSR) & 0x60).toBe(0x60);
    expect(u.read(UART_REG.LSR) & 1).toBe(0);
  });

  it('DLAB switches offsets 0 and 1 to the divisor latch', () => {
    const { u, out } = uart();
    u.write(UART_REG.LCR, 0x83);
    u.write(UART_REG.RBR_THR_DLL, 0x0c);
    u.write(UART_REG.IER_DLM, 0x01);
    expect(u.read(UART_REG.RBR_THR_DLL)).toBe(0x0c);
    expect(u.read(UART_REG.IER_DLM)).toBe(0x01);
    u.write(UART_REG.LCR, 0x03);
    expect(u.read(UART_REG.IER_DLM)).toBe(0);
    expect(out).toEqual([]);
  });

  it('raises a received-data interrupt and clears it when the data is read', () => {
    const { u, irqs } = uart();
    u.write(UART_REG.IER_DLM, 0x01);
    expect(u.read(UART_REG.IIR_FCR) & 0x0f).toBe(0x01);
    u.receive(new Uint8Array([0x68, 0x69]));
    expect(irqs).toEqual([true]);
    expect(u.read(UART_REG.LSR) & 1).toBe(1);
    expect(u.read(UART_REG.IIR_FCR) & 0x0f).toBe(0x04);
    expect(u.read(UART_REG.RBR_THR_DLL)).toBe(0x68);
    expect(u.irq).toBe(true);
    expect(u.read(UART_REG.RBR_THR_DLL)).toBe(0x69);
    expect(u.irq).toBe(false);
    expect(u.read(UART_REG.LSR) & 1).toBe(0);
  });

  it('THRE interrupt: raised on enabling, cleared by an IIR read, raised again after a THR write', () => {
    const { u } = uart();
    u.write(UART_REG.IIR_FCR, 0x01);
    u.write(UART_REG.IER_DLM, 0x02);
    expect(u.irq).toBe(true);
    expect(u.read(UART_REG.IIR_FCR)).toBe(0xc2);
    expect(u.irq).toBe(false);
    expect(u.read(UART_REG.IIR_FCR)).toBe(0xc1);
    u.write(UART_REG.RBR_THR_DLL, 0x21);
    expect(u.irq).toBe(true);
    u.write(UART_REG.IER_DLM, 0);
    expect(u.irq).toBe(false);
  });

  it('RX data outranks THRE in IIR; FCR clears the receive FIFO; loopback feeds RX', () => {
    const { u, out } = uart();
    u.write(UART_REG.IER_DLM, 0x03);
    u.receive(new Uint8Array([1]));
    expect(u.read(UART_REG.IIR_FCR) & 0x0f).toBe(0x04);
    u.write(UART_REG.IIR_FCR, 0x03);
    expect(u.read(UART_REG.LSR) & 1).toBe(0);
    u.write(UART_REG.MCR, 0x10);
    u.write(UART_REG.RBR_THR_DLL, 0x55);
    expect(out).toEqual([]);
    expect(u.read(UART_REG.RBR_THR_DLL)).toBe(0x55);
  });

  it('logs writes to read-only registers instead of ignoring them silently', () => {
    const { u, logs } = uart();
    u.write(UART_REG.LSR, 0);
    expect(logs[0]).toMatch(/read-only/);
  });
});
