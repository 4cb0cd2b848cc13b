// The shared register-table dispatch: 32-bit accesses at listed offsets reach the register,
// values are unsigned both ways, and every other access is logged and reads as zero.
import { describe, expect, it } from 'vitest';
import type { AccessWidth, DeviceLog } from '../../core/hw/device';
import { DeviceRegisters } from '../../core/hw/device-registers';

interface Logged {
  readonly kind: 'read' | 'write';
  readonly offset: number;
  readonly width: AccessWidth;
  readonly value?: number;
}

function fixture() {
  const logged: Logged[] = [];
  const log: DeviceLog = {
    unknownAccess: (device, kind, offset, width, value) => {
      expect(device).toBe('dev');
      logged.push(value === undefined ? { kind, offset, width } : { kind, offset, width, value });
    },
  };
  let control = 0;
  const regs = new DeviceRegisters(
    'dev',
    [
      { offset: 0x0, name: 'ID', read: () => -1 },
      { offset: 0x8, name: 'CONTROL', read: () => control, write: (v) => (control = v) },
    ],
    log,
  );
  return { regs, logged, control: () => control };
}

describe('DeviceRegisters', () => {
  it('reads and writes listed registers as unsigned 32-bit values', () => {
    const { regs, logged, control } = fixture();
    expect(regs.read(0x0, 4)).toBe(0xffff_ffff);
    regs.write(0x8, 4, -2);
    expect(control()).toBe(0xffff_fffe);
    expect(regs.read(0x8, 4)).toBe(0xffff_fffe);
    expect(logged).toEqual([]);
  });

  it('logs unknown offsets, narrow accesses and writes to read-only registers', () => {
    const { regs, logged, control } = fixture();
    expect(regs.read(0x4, 4)).toBe(0);
    expect(regs.read(0x8, 2)).toBe(0);
    regs.write(0x8, 1, 5);
    regs.write(0x0, 4, 7);
    expect(control()).toBe(0);
    expect(logged).toEqual([
      { kind: 'read', offset: 0x4, width: 4 },
      { kind: 'read', offset: 0x8, width: 2 },
      { kind: 'write', offset: 0x8, width: 1, value: 5 },
      { kind: 'write', offset: 0x0, width: 4, value: 7 },
    ]);
  });

  it('refuses a table with two registers at one offset', () => {
    const log: DeviceLog = { unknownAccess: () => undefined };
    const reg = { offset: 0x4, name: 'A', read: () => 0 };
    expect(() => new DeviceRegisters('dev', [reg, { ...reg, name: 'B' }], log)).toThrow(/share offset 0x4/);
  });
});
