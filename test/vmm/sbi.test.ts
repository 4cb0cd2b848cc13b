import { describe, expect, it } from 'vitest';
import { HSM_STATE, SBI_BASE, SBI_DBCN, SBI_ERR, SBI_EXT, SBI_HSM, SBI_SRST } from '../../core/spec/sbi';
import { HVIP } from '../../core/spec/riscv-priv';
import { create, labVmm } from './support/lab-vmm';

const E = (code: number): number => code >>> 0;

function setup(vcpus = 2): ReturnType<typeof labVmm> & { dom: number } {
  const env = labVmm();
  return { ...env, dom: create(env.vmm, `name=g vcpus=${vcpus} memory=4`) };
}

describe('SBI for guests', () => {
  it('BASE: spec version 2.0, Xen implementation id, probe of supported and unknown extensions', () => {
    const { vmm, dom } = setup();
    const call = (fid: number, a0 = 0) => vmm.fns.sbiCall(dom, 0, SBI_EXT.BASE, fid, [a0]);
    expect(call(SBI_BASE.GET_SPEC_VERSION)).toEqual({ a0: 0, a1: 0x0200_0000 });
    expect(call(SBI_BASE.GET_IMPL_ID)).toEqual({ a0: 0, a1: 7 });
    for (const ext of [SBI_EXT.TIME, SBI_EXT.IPI, SBI_EXT.RFENCE, SBI_EXT.HSM, SBI_EXT.SRST, SBI_EXT.DBCN, SBI_EXT.LEGACY_CONSOLE_PUTCHAR]) {
      expect(call(SBI_BASE.PROBE_EXTENSION, ext)).toEqual({ a0: 0, a1: 1 });
    }
    expect(call(SBI_BASE.PROBE_EXTENSION, 0x504d55)).toEqual({ a0: 0, a1: 0 });
    expect(call(99)).toEqual({ a0: E(SBI_ERR.NOT_SUPPORTED), a1: 0 });
    expect(vmm.fns.sbiCall(dom, 0, 0x0a00_0000, 0, [])).toEqual({ a0: E(SBI_ERR.NOT_SUPPORTED), a1: 0 });
  });

  it('HSM: secondary harts start stopped, start at the given address with a0=hartid a1=opaque, stop', () => {
    const { vmm, hyp, dom } = setup();
    const d = vmm.domains.get(dom);
    const hsm = (fid: number, a: number[], from = 0) => vmm.fns.sbiCall(dom, from, SBI_EXT.HSM, fid, a);
    expect(hsm(SBI_HSM.HART_GET_STATUS, [0])).toEqual({ a0: 0, a1: HSM_STATE.STARTED });
    expect(hsm(SBI_HSM.HART_GET_STATUS, [1])).toEqual({ a0: 0, a1: HSM_STATE.STOPPED });
    expect(hsm(SBI_HSM.HART_GET_STATUS, [2])).toEqual({ a0: E(SBI_ERR.INVALID_PARAM), a1: 0 });
    expect(hsm(SBI_HSM.HART_START, [1, 0x9000_0000, 0])).toEqual({ a0: E(SBI_ERR.INVALID_ADDRESS), a1: 0 });
    expect(hsm(SBI_HSM.HART_START, [5, 0x8020_0000, 0])).toEqual({ a0: E(SBI_ERR.INVALID_PARAM), a1: 0 });
    expect(hsm(SBI_HSM.HART_START, [1, 0x8020_0100, 0x1234])).toEqual({ a0: 0, a1: 0 });
    const regs = hyp.vcpu.regs(d?.vcpus[1]?.id ?? 0);
    expect([regs.pc, regs.x10, regs.x11, regs.vsatp]).toEqual([0x8020_0100, 1, 0x1234, 0]);
    expect(hsm(SBI_HSM.HART_START, [1, 0x8020_0100, 0])).toEqual({ a0: E(SBI_ERR.ALREADY_AVAILABLE), a1: 0 });
    expect(hsm(SBI_HSM.HART_GET_STATUS, [1])).toEqual({ a0: 0, a1: HSM_STATE.STARTED });
    expect(hsm(SBI_HSM.HART_STOP, [], 1)).toBeNull();
    expect(hsm(SBI_HSM.HART_GET_STATUS, [1])).toEqual({ a0: 0, a1: HSM_STATE.STOPPED });
    expect(hsm(SBI_HSM.HART_SUSPEND, [0x8000_0000, 0, 0])).toEqual({ a0: E(SBI_ERR.INVALID_ADDRESS), a1: 0 });
    expect(hsm(SBI_HSM.HART_SUSPEND, [0x1000_0000, 0, 0])).toEqual({ a0: E(SBI_ERR.NOT_SUPPORTED), a1: 0 });
    expect(hsm(SBI_HSM.HART_SUSPEND, [5, 0, 0])).toEqual({ a0: E(SBI_ERR.INVALID_PARAM), a1: 0 });
  });

  it('TIME: set_timer arms the deadline; VSTIP is injected once it passes and cleared by a later deadline', () => {
    const { vmm, hyp, dom } = setup(1);
    const d = vmm.domains.get(dom);
    const v = d?.vcpus[0];
    if (d === undefined || v === undefined) throw new Error('no vcpu');
    expect(vmm.fns.sbiCall(dom, 0, SBI_EXT.TIME, 0, [1000, 0])).toEqual({ a0: 0, a1: 0 });
    hyp.time = 500;
    vmm.inject(v, d, 0);
    expect(hyp.vcpu.controls(v.id).hvip & HVIP.VSTIP).toBe(0);
    expect(hyp.timerDeadlines.get(0)).toBe(1000);
    hyp.time = 1000;
    vmm.inject(v, d, 0);
    expect(hyp.vcpu.controls(v.id).hvip & HVIP.VSTIP).toBe(HVIP.VSTIP);
    expect(hyp.timerDeadlines.get(0)).toBe(Number.MAX_SAFE_INTEGER);
    vmm.fns.sbiCall(dom, 0, SBI_EXT.TIME, 0, [0, 1]);
    vmm.inject(v, d, 0);
    expect(hyp.vcpu.controls(v.id).hvip & HVIP.VSTIP).toBe(0);
    expect(hyp.timerDeadlines.get(0)).toBe(2 ** 32);
    expect(vmm.fns.sbiCall(dom, 0, SBI_EXT.TIME, 1, [])).toEqual({ a0: E(SBI_ERR.NOT_SUPPORTED), a1: 0 });
  });

  it('IPI: the mask selects vCPUs (base -1 = all); VSSIP is OR-ed into hvip without clobbering it later', () => {
    const { vmm, hyp, dom } = setup(2);
    const d = vmm.domains.get(dom);
    const [v0, v1] = d?.vcpus ?? [];
    if (d === undefined || v0 === undefined || v1 === undefined) throw new Error('no vcpus');
    expect(vmm.fns.sbiCall(dom, 0, SBI_EXT.IPI, 0, [1, 1])).toEqual({ a0: 0, a1: 0 });
    expect([v0.softPending, v1.softPending]).toEqual([false, true]);
    expect(vmm.fns.sbiCall(dom, 0, SBI_EXT.IPI, 0, [4, 0])).toEqual({ a0: E(SBI_ERR.INVALID_PARAM), a1: 0 });
    vmm.inject(v1, d, 0);
    expect(hyp.vcpu.controls(v1.id).hvip).toBe(HVIP.VSSIP);
    hyp.vcpu.setControls(v1.id, { hvip: 0 });
    vmm.inject(v1, d, 0);
    expect(hyp.vcpu.controls(v1.id).hvip).toBe(0);
    vmm.fns.sbiCall(dom, 1, SBI_EXT.IPI, 0, [0, 0xffff_ffff]);
    expect([v0.softPending, v1.softPending]).toEqual([true, true]);
  });

  it('DBCN: write copies from guest memory to the console; bad addresses are INVALID_PARAM; write_byte', () => {
    const { vmm, dom } = setup(1);
    const d = vmm.domains.get(dom);
    d?.memory.write(0x8030_0000, new Uint8Array([0x68, 0x65, 0x6c, 0x6c, 0x6f]));
    expect(vmm.fns.sbiCall(dom, 0, SBI_EXT.DBCN, SBI_DBCN.CONSOLE_WRITE, [5, 0x8030_0000, 0])).toEqual({ a0: 0, a1: 5 });
    expect(vmm.fns.sbiCall(dom, 0, SBI_EXT.DBCN, SBI_DBCN.CONSOLE_WRITE_BYTE, [0x21])).toEqual({ a0: 0, a1: 0 });
    expect(vmm.fns.sbiCall(dom, 0, SBI_EXT.DBCN, SBI_DBCN.CONSOLE_WRITE, [5, 0x8030_0000, 1])).toEqual({ a0: E(SBI_ERR.INVALID_PARAM), a1: 0 });
    expect(vmm.fns.sbiCall(dom, 0, SBI_EXT.DBCN, SBI_DBCN.CONSOLE_WRITE, [5, 0x1000, 0])).toEqual({ a0: E(SBI_ERR.INVALID_PARAM), a1: 0 });
    const out = vmm.drain().console[0];
    expect(String.fromCharCode(...(out?.bytes ?? []))).toBe('hello!');
  });

  it('DBCN read and legacy getchar take console input; legacy putchar writes', () => {
    const { vmm, dom } = setup(1);
    vmm.consoleInput(dom, new Uint8Array([0x61, 0x62, 0x63]));
    expect(vmm.fns.sbiCall(dom, 0, SBI_EXT.LEGACY_CONSOLE_GETCHAR, 0, [])).toEqual({ a0: 0x61, a1: null });
    expect(vmm.fns.sbiCall(dom, 0, SBI_EXT.DBCN, SBI_DBCN.CONSOLE_READ, [8, 0x8030_0000, 0])).toEqual({ a0: 0, a1: 2 });
    expect([...(vmm.domains.get(dom)?.memory.read(0x8030_0000, 2) ?? [])]).toEqual([0x62, 0x63]);
    expect(vmm.fns.sbiCall(dom, 0, SBI_EXT.LEGACY_CONSOLE_GETCHAR, 0, [])).toEqual({ a0: 0xffff_ffff, a1: null });
    expect(vmm.fns.sbiCall(dom, 0, SBI_EXT.LEGACY_CONSOLE_PUTCHAR, 0, [0x7a])).toEqual({ a0: 0, a1: null });
    expect(vmm.fns.sbiCall(dom, 0, 0x04, 0, [])).toEqual({ a0: E(SBI_ERR.NOT_SUPPORTED), a1: null });
  });

  it('SRST: shutdown destroys the domain and scrubs its memory; reboot rebuilds it; bad types are refused', () => {
    const { vmm, dom } = setup(1);
    const free = vmm.frames.freeFrames;
    expect(vmm.fns.sbiCall(dom, 0, SBI_EXT.SRST, 0, [9, 0])).toEqual({ a0: E(SBI_ERR.INVALID_PARAM), a1: 0 });
    expect(vmm.fns.sbiCall(dom, 0, SBI_EXT.SRST, 0, [SBI_SRST.COLD_REBOOT, 0])).toBeNull();
    expect(vmm.domains.has(dom)).toBe(false);
    const again = [...vmm.domains.values()][0];
    expect(again?.name).toBe('g');
    expect(vmm.frames.freeFrames).toBe(free);
    expect(vmm.fns.sbiCall(again?.id ?? 0, 0, SBI_EXT.SRST, 0, [SBI_SRST.SHUTDOWN, SBI_SRST.REASON_NONE])).toBeNull();
    expect(vmm.domains.size).toBe(0);
    expect(vmm.drain().events.map((e) => e.kind)).toEqual(['created', 'reboot', 'destroyed', 'created', 'shutdown', 'destroyed']);
  });

  it('RFENCE: remote sfence.vma fences here or at the target\'s next entry; hypervisor fences are not offered', () => {
    const { vmm, hyp, dom } = setup(2);
    const d = vmm.domains.get(dom);
    const v1 = d?.vcpus[1];
    if (v1 === undefined) throw new Error('no vcpu');
    v1.lastHart = 0;
    expect(vmm.fns.sbiCall(dom, 0, 0x5246_4e43, 1, [3, 0, 0, 0, 0])).toEqual({ a0: 0, a1: 0 });
    expect(v1.lastHart).toBe(-1);
    expect(vmm.fns.sbiCall(dom, 0, 0x5246_4e43, 4, [3, 0])).toEqual({ a0: E(SBI_ERR.NOT_SUPPORTED), a1: 0 });
    expect(vmm.fns.sbiCall(dom, 0, 0x5246_4e43, 0, [8, 0])).toEqual({ a0: E(SBI_ERR.INVALID_PARAM), a1: 0 });
    expect(hyp.fences.length).toBeGreaterThan(0);
  });

  it('HSM suspend: retentive returns after the wake-up; non-retentive restarts at resume_addr with a0 = hartid, a1 = opaque', () => {
    const { vmm, hyp, dom } = setup(2);
    const d = vmm.domains.get(dom);
    const v1 = d?.vcpus[1];
    if (d === undefined || v1 === undefined) throw new Error('no vcpu');
    vmm.fns.sbiCall(dom, 0, SBI_EXT.HSM, SBI_HSM.HART_START, [1, 0x8020_0000, 0]);
    expect(vmm.fns.sbiCall(dom, 1, SBI_EXT.HSM, SBI_HSM.HART_SUSPEND, [0, 0, 0])).toEqual({ a0: 0, a1: 0 });
    expect(vmm.fns.sbiCall(dom, 0, SBI_EXT.HSM, SBI_HSM.HART_GET_STATUS, [1])).toEqual({ a0: 0, a1: HSM_STATE.SUSPENDED });
    v1.blocked = false;
    v1.hsm = 'started';
    expect(vmm.fns.sbiCall(dom, 1, SBI_EXT.HSM, SBI_HSM.HART_SUSPEND, [0x8000_0000, 0x8020_0400, 0x77])).toBeNull();
    expect(v1.blocked).toBe(true);
    hyp.script(d.vcpus[0]?.id ?? 0, () => ({ kind: 'wfi' }));
    hyp.script(v1.id, () => ({ kind: 'quantum' }));
    vmm.hart(0);
    expect(hyp.vcpu.regs(v1.id).pc).not.toBe(0x8020_0400);
    vmm.fns.sbiCall(dom, 0, SBI_EXT.IPI, 0, [2, 0]);
    vmm.hart(0);
    const regs = hyp.vcpu.regs(v1.id);
    expect([regs.pc, regs.x10, regs.x11, regs.vsatp]).toEqual([0x8020_0400, 1, 0x77, 0]);
    expect(vmm.fns.sbiCall(dom, 0, SBI_EXT.HSM, SBI_HSM.HART_GET_STATUS, [1])).toEqual({ a0: 0, a1: HSM_STATE.STARTED });
  });
});
