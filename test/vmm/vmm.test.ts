import { describe, expect, it } from 'vitest';
import type { Exit } from '../../core/sandbox/hyp';
import { HART_RESULT } from '../../core/vmm/vmm';
import { HVIP } from '../../core/spec/riscv-priv';
import { SBI_EXT, SBI_HSM } from '../../core/spec/sbi';
import { create, labVmm } from './support/lab-vmm';
import { walkSv32x4 } from './support/sv32x4-walk';

/** A guest that performs the given exits in order, then waits (WFI) forever. */
function script(exits: Exit[]): () => Exit {
  let i = 0;
  return () => exits[i++] ?? { kind: 'wfi' };
}

const Q: Exit = { kind: 'quantum' };

describe('the VMM on a hart', () => {
  it('boots vCPU 0 at the ELF entry with a0 = hartid, a1 = the DTB, and the G-stage root in hgatp', () => {
    const { vmm, hyp } = labVmm();
    const dom = create(vmm, 'name=a memory=8');
    const d = vmm.domains.get(dom);
    const v = d?.vcpus[0];
    if (d === undefined || v === undefined) throw new Error('no domain');
    const regs = hyp.vcpu.regs(v.id);
    expect([regs.pc, regs.x10, regs.x11]).toEqual([0x8020_0000, 0, 0x8080_0000 - 64 * 1024]);
    const c = hyp.vcpu.controls(v.id);
    expect(c.hgatp).toBe(d.memory.table.hgatp());
    const w = walkSv32x4((pa) => hyp.mem.read32(pa), c.hgatp, 0x8020_0004, 'fetch');
    if (!('pa' in w)) throw new Error(w.fault);
    expect(hyp.mem.read(w.pa, 4)).toEqual(new Uint8Array([(4 * 13 + 1) & 0xff, (5 * 13 + 1) & 0xff, (6 * 13 + 1) & 0xff, (7 * 13 + 1) & 0xff]));
    const dtb = walkSv32x4((pa) => hyp.mem.read32(pa), c.hgatp, regs.x11, 'load');
    if (!('pa' in dtb)) throw new Error(dtb.fault);
    expect(hyp.mem.read32(dtb.pa)).toBe(0xedfe0dd0);
  });

  it('emulates UART output through MMIO stores and SBI calls, and reports output to drain', () => {
    const { vmm, hyp } = labVmm();
    const dom = create(vmm, 'name=a memory=4');
    const v = vmm.domains.get(dom)?.vcpus[0];
    hyp.script(v?.id ?? 0, script([
      { kind: 'mmio-store', gpa: 0x1000_0000, width: 1, value: 0x4f },
      { kind: 'sbi', ext: SBI_EXT.LEGACY_CONSOLE_PUTCHAR, fid: 0, args: [0x4b, 0, 0, 0, 0, 0, 0, 1] },
      Q,
    ]));
    const r = vmm.hart(0);
    expect(r & HART_RESULT.RAN).toBe(HART_RESULT.RAN);
    expect(r & HART_RESULT.OUTPUT).toBe(HART_RESULT.OUTPUT);
    const out = vmm.drain();
    expect(out.console).toEqual([{ domain: dom, bytes: new Uint8Array([0x4f, 0x4b]) }]);
    expect(hyp.vcpu.regs(v?.id ?? 0).x10).toBe(0);
  });

  it('puts an MMIO load\'s value, sign- or zero-extended, in the destination register', () => {
    const { vmm, hyp } = labVmm();
    const dom = create(vmm, 'name=a memory=4');
    const v = vmm.domains.get(dom)?.vcpus[0];
    hyp.script(v?.id ?? 0, script([
      { kind: 'mmio-load', gpa: 0x1000_0005, width: 1, signed: false, rd: 5 },
      { kind: 'mmio-load', gpa: 0x1000_1000, width: 4, signed: false, rd: 6 },
      { kind: 'mmio-store', gpa: 0x1000_0007, width: 1, value: 0xff },
      { kind: 'mmio-load', gpa: 0x1000_0007, width: 1, signed: true, rd: 7 },
      Q,
    ]));
    vmm.hart(0);
    const regs = hyp.vcpu.regs(v?.id ?? 0);
    expect(regs.x5).toBe(0x60);
    expect(regs.x6).toBe(0x74726976);
    expect(regs.x7).toBe(0xffff_ffff);
    expect(regs.pc).toBe(0x8020_0000 + 4 * 4);
  });

  it('lazy population maps a page on a guest-page fault, and completes MMIO-decoded RAM accesses', () => {
    const { vmm, hyp } = labVmm();
    const dom = create(vmm, 'name=a memory=4 populate=lazy');
    const d = vmm.domains.get(dom);
    const v = d?.vcpus[0];
    if (d === undefined || v === undefined) throw new Error('no domain');
    const before = d.memory.populatedPages;
    hyp.script(v.id, script([
      { kind: 'guest-page-fault', gpa: 0x8010_0040, access: 'store' },
      { kind: 'mmio-store', gpa: 0x8011_0010, width: 4, value: 0xcafe_f00d },
      { kind: 'mmio-load', gpa: 0x8011_0010, width: 2, signed: false, rd: 9 },
      Q,
    ]));
    vmm.hart(0);
    expect(d.memory.populatedPages).toBe(before + 2);
    expect(walkSv32x4((pa) => hyp.mem.read32(pa), d.memory.table.hgatp(), 0x8010_0040, 'store')).toHaveProperty('pa');
    expect(hyp.vcpu.regs(v.id).x9).toBe(0xf00d);
    expect(hyp.fences.some((f) => f.vmid === d.vmid && f.gpa === 0x8010_0000)).toBe(true);
  });

  it('a vCPU in WFI blocks, the hart goes idle with its timer at the earliest deadline, and wakes when it passes', () => {
    const { vmm, hyp } = labVmm();
    const dom = create(vmm, 'name=a memory=4');
    const v = vmm.domains.get(dom)?.vcpus[0];
    if (v === undefined) throw new Error('no vcpu');
    hyp.script(v.id, script([{ kind: 'sbi', ext: SBI_EXT.TIME, fid: 0, args: [5000, 0, 0, 0, 0, 0, 0, 0] }, { kind: 'wfi' }]));
    const r = vmm.hart(0);
    expect(r & HART_RESULT.IDLE).toBe(HART_RESULT.IDLE);
    expect(v.blocked).toBe(true);
    expect(hyp.timerDeadlines.get(0)).toBe(5000);
    expect(vmm.hart(0) & HART_RESULT.RAN).toBe(0);
    hyp.time = 5000;
    hyp.script(v.id, script([Q]));
    expect(vmm.hart(0) & HART_RESULT.RAN).toBe(HART_RESULT.RAN);
    expect(hyp.vcpu.controls(v.id).hvip & HVIP.VSTIP).toBe(HVIP.VSTIP);
  });

  it('round robin: two domains alternate per quantum on one hart; two harts run two vCPUs', () => {
    const { vmm, hyp } = labVmm({ harts: 2 });
    const a = create(vmm, 'name=a memory=4');
    const b = create(vmm, 'name=b memory=4');
    const ran: number[] = [];
    for (const dom of [a, b]) {
      const v = vmm.domains.get(dom)?.vcpus[0];
      hyp.script(v?.id ?? 0, () => {
        ran.push(dom);
        return Q;
      });
    }
    vmm.hart(0);
    vmm.hart(0);
    vmm.hart(0);
    expect(ran).toEqual([a, b, a]);
    ran.length = 0;
    hyp.hartId = 1;
    vmm.hart(1);
    hyp.hartId = 0;
    vmm.hart(0);
    expect(new Set(ran).size).toBe(2);
  });

  it('HSM start makes the second vCPU runnable and kicks an idle hart with an IPI', () => {
    const { vmm, hyp } = labVmm({ harts: 2 });
    const dom = create(vmm, 'name=smp memory=4 vcpus=2');
    const [v0, v1] = vmm.domains.get(dom)?.vcpus ?? [];
    if (v0 === undefined || v1 === undefined) throw new Error('no vcpus');
    hyp.script(v0.id, script([{ kind: 'wfi' }]));
    expect(vmm.hart(0) & HART_RESULT.IDLE).toBe(HART_RESULT.IDLE);
    hyp.hartId = 1;
    expect(vmm.hart(1) & HART_RESULT.IDLE).toBe(HART_RESULT.IDLE);
    expect(vmm.fns.sbiCall(dom, 0, SBI_EXT.HSM, SBI_HSM.HART_START, [1, 0x8020_0000, 7])).toEqual({ a0: 0, a1: 0 });
    expect(hyp.ipis).toEqual([3]);
    let ranOn1 = false;
    hyp.script(v1.id, () => {
      ranOn1 = true;
      return Q;
    });
    hyp.hartId = 1;
    vmm.hart(1);
    expect(ranOn1).toBe(true);
    expect(hyp.fences.filter((f) => f.vmid === vmm.domains.get(dom)?.vmid).length).toBeGreaterThan(1);
  });

  it('a trap the VMM cannot handle crashes only that domain, which stays listed until destroyed', () => {
    const { vmm, hyp } = labVmm();
    const dom = create(vmm, 'name=bad memory=4');
    const ok = create(vmm, 'name=good memory=4');
    hyp.script(vmm.domains.get(dom)?.vcpus[0]?.id ?? 0, script([{ kind: 'other', scause: 1, stval: 0, htval: 0, htinst: 0 }]));
    let goodRan = 0;
    hyp.script(vmm.domains.get(ok)?.vcpus[0]?.id ?? 0, () => {
      goodRan++;
      return Q;
    });
    vmm.hart(0);
    expect(vmm.domains.get(dom)?.state).toBe('crashed');
    expect(goodRan).toBe(1);
    expect(vmm.fns.toolstackCommand('list')).toMatch(/bad\s+1\s+4\s+1\s+----c-/);
    vmm.fns.toolstackCommand('destroy bad');
    expect(vmm.domains.has(dom)).toBe(false);
  });

  it('a guest-page fault outside RAM and devices crashes the domain with the GPA in the reason', () => {
    const { vmm, hyp } = labVmm();
    const dom = create(vmm, 'name=a memory=4');
    hyp.script(vmm.domains.get(dom)?.vcpus[0]?.id ?? 0, script([{ kind: 'guest-page-fault', gpa: 0x4000_0000, access: 'load' }]));
    vmm.hart(0);
    expect(vmm.domains.get(dom)?.crashReason).toMatch(/0x40000000/);
  });

  it('set_timer(-1) ("never") leaves the HS timer disarmed instead of failing', () => {
    const { vmm, hyp } = labVmm();
    const dom = create(vmm, 'name=a memory=4');
    const v = vmm.domains.get(dom)?.vcpus[0];
    hyp.script(v?.id ?? 0, script([{ kind: 'sbi', ext: SBI_EXT.TIME, fid: 0, args: [0xffff_ffff, 0xffff_ffff, 0, 0, 0, 0, 0, 0] }, Q]));
    vmm.hart(0);
    expect(hyp.timerDeadlines.get(0)).toBe(Number.MAX_SAFE_INTEGER);
    expect(vmm.domains.get(dom)?.state).toBe('running');
  });

  it('a failing hypervisor call while running a domain crashes that domain only', () => {
    const { vmm, hyp } = labVmm();
    const bad = create(vmm, 'name=bad memory=4');
    const good = create(vmm, 'name=good memory=4');
    hyp.script(vmm.domains.get(bad)?.vcpus[0]?.id ?? 0, () => {
      throw new Error('refused by the monitor');
    });
    let goodRan = false;
    hyp.script(vmm.domains.get(good)?.vcpus[0]?.id ?? 0, () => {
      goodRan = true;
      return Q;
    });
    vmm.hart(0);
    expect(vmm.domains.get(bad)?.crashReason).toBe('VMM failure at entry: Error: refused by the monitor');
    expect(goodRan).toBe(true);
  });
});
