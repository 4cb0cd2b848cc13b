import { describe, expect, it } from 'vitest';
import { HartStartGuard } from '../../core/cloudvisor/hart-start-guard';
import type { Exit, GuestRegs } from '../../core/sandbox/hyp';
import { GUEST_REG_NAMES } from '../../core/sandbox/hyp-ops';

const HSM = 0x0048_534d;
const start = (hartid: number, pc: number, opaque: number): Exit => ({ kind: 'sbi', ext: HSM, fid: 0, args: [hartid, pc, opaque, 0, 0, 0, 0, 0] });

function regs(changes: Partial<GuestRegs>): GuestRegs {
  const r = Object.fromEntries(GUEST_REG_NAMES.map((n) => [n, 0])) as unknown as GuestRegs;
  return { ...r, ...changes };
}

describe('HartStartGuard', () => {
  it('parks vCPUs of a started VM that never ran or were stopped', () => {
    expect(HartStartGuard.parked(false, false, null)).toBe(false);
    expect(HartStartGuard.parked(true, false, null)).toBe(true);
    expect(HartStartGuard.parked(true, true, { kind: 'sbi', ext: HSM, fid: 1, args: [] })).toBe(true);
    expect(HartStartGuard.parked(true, true, { kind: 'wfi' })).toBe(false);
  });

  it('lets a parked vCPU be set only where a hart_start defines it', () => {
    expect(HartStartGuard.refusedChanges({ pc: 1, a0: 1, a1: 2, vsatp: 0, vsstatus: 0 })).toEqual([]);
    expect(HartStartGuard.refusedChanges({ pc: 1, a7: 0x4442434e, x12: 0, sp: 4 })).toEqual(['a7', 'x12', 'sp']);
  });

  it('admits exactly the entry the guest asked for, once', () => {
    const guard = new HartStartGuard();
    expect(guard.admit(1, regs({ pc: 0x80200000, x10: 1 }))).toMatch(/did not start/);
    guard.observe(1, start(1, 0x80200100, 0xabc));
    expect(guard.admit(2, regs({ pc: 0x80200100, x10: 1, x11: 0xabc }))).toMatch(/did not start/); // another VM
    expect(guard.admit(1, regs({ pc: 0x802009ac, x10: 1, x11: 0xabc }))).toMatch(/asked for pc 0x80200100/);
    expect(guard.admit(1, regs({ pc: 0x80200100, x10: 1, x11: 0xabc, vsstatus: 2 }))).toMatch(/interrupts off/);
    expect(guard.admit(1, regs({ pc: 0x80200100, x10: 1, x11: 0xabc }))).toBeNull();
    expect(guard.admit(1, regs({ pc: 0x80200100, x10: 1, x11: 0xabc }))).toMatch(/did not start/);
  });
});
