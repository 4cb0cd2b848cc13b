// The exit table of CLOUDVISOR.md section 3, row by row.
import { describe, expect, it } from 'vitest';
import type { GuestRegs } from '../../core/sandbox/hyp';
import { GUEST_REG_NAMES } from '../../core/sandbox/hyp-ops';
import { canonicalReg, exitRights, filterChanges, guestView } from '../../core/cloudvisor/vcpu-guard';

function fullRegs(): GuestRegs {
  const regs = {} as Record<string, number>;
  GUEST_REG_NAMES.forEach((name, i) => (regs[name] = 0x1000 + i));
  return regs as unknown as GuestRegs;
}

describe('vCPU guard', () => {
  it('shows a0..a7 at an SBI exit and nothing else, pc included', () => {
    const view = guestView(fullRegs(), exitRights({ kind: 'sbi', ext: 0x10, fid: 0, args: [] }));
    expect(view.x10).toBe(0x100a);
    expect(view.x17).toBe(0x1011);
    expect(view.x9).toBe(0);
    expect(view.x18).toBe(0);
    expect(view.pc).toBe(0);
    expect(view.vsatp).toBe(0);
  });

  it('lets the VMM return a0 and a1 from an SBI call and refuses pc and other registers', () => {
    const rights = exitRights({ kind: 'sbi', ext: 0x10, fid: 0, args: [] });
    const { allowed, refused } = filterChanges({ a0: 0, x11: 5, pc: 0x8000_0000, a2: 1, sepc: 3 }, rights);
    expect([...allowed]).toEqual([
      ['x10', 0],
      ['x11', 5],
    ]);
    expect(refused).toEqual(['pc', 'a2', 'sepc']);
  });

  it('lets an MMIO load deliver only into its destination register, and shows nothing', () => {
    const rights = exitRights({ kind: 'mmio-load', gpa: 0x1000_0005, width: 1, signed: false, rd: 15 });
    expect(guestView(fullRegs(), rights).x15).toBe(0);
    expect([...filterChanges({ a5: 0x60 }, rights).allowed]).toEqual([['x15', 0x60]]);
    expect(filterChanges({ a4: 1 }, rights).refused).toEqual(['a4']);
    expect(exitRights({ kind: 'mmio-load', gpa: 0, width: 4, signed: true, rd: 0 }).writable.size).toBe(0);
  });

  it('gives nothing at MMIO stores, RAM faults, WFI, host interrupts and quanta', () => {
    for (const exit of [
      { kind: 'mmio-store', gpa: 0, width: 4, value: 1 },
      { kind: 'guest-page-fault', gpa: 0, access: 'load' },
      { kind: 'wfi' },
      { kind: 'interrupt', cause: 5 },
      { kind: 'quantum' },
    ] as const) {
      const rights = exitRights(exit);
      expect(rights.readable.size + rights.writable.size).toBe(0);
    }
  });

  it('lets an emulated CSR read write its rd only', () => {
    // csrrs a0, time, zero: 0xc0102573
    expect([...exitRights({ kind: 'virtual-instruction', insn: 0xc010_2573 }).writable]).toEqual(['x10']);
    // wfi: 0x10500073 is not a CSR access
    expect(exitRights({ kind: 'virtual-instruction', insn: 0x1050_0073 }).writable.size).toBe(0);
  });

  it('normalises ABI names and GPR numbers', () => {
    expect(canonicalReg('sp')).toBe('x2');
    expect(canonicalReg('fp')).toBe('x8');
    expect(canonicalReg(31)).toBe('x31');
    expect(canonicalReg(0)).toBeNull();
    expect(canonicalReg('mstatus')).toBeNull();
  });
});
