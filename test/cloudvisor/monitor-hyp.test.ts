// MonitorHyp over a real in-memory hart backend (CLOUDVISOR.md sections 2, 3, 6): EPT-x refusals,
// the launch window, register hiding, refused register changes under both policies, the shadow
// G-stage's map-and-reenter path, refused mappings and the scrub on teardown.
import { beforeEach, describe, expect, it } from 'vitest';
import { VMM, describeOwner } from '../../core/cloudvisor/frame-owners';
import type { MonitorEvent } from '../../core/cloudvisor/monitor-events';
import type { MonitorHypOptions } from '../../core/cloudvisor/monitor-hyp';
import { launchMonitor, type LaunchedMonitor } from '../../core/cloudvisor/monitor-launch';
import { HypCallError, HypFault } from '../../core/sandbox/host-binding';
import { ByteMemory } from './support/byte-memory';
import { CODE_GPA, ScriptedHartHyp } from './support/scripted-hart-hyp';

const BASE = 0x8000_0000;
const SIZE = 8 << 20;
const MONITOR_FIRST = BASE + SIZE - (1 << 20);
const VMM_ROOT = 0x8001_0000;
const VMM_L0 = 0x8001_4000;
const VMM_HGATP = (0x8000_0000 | (1 << 22) | (VMM_ROOT >>> 12)) >>> 0;
const GUEST = 0x8000; // guest RAM GPA (same leaf table as the code page)
const FRAME_A = 0x8010_0000;
const FRAME_B = 0x8010_1000;
const CODE_FRAME = 0x8010_2000;
const DBCN = 0x4442_434e;

let memory: ByteMemory;
let inner: ScriptedHartHyp;
let monitor: LaunchedMonitor;
let events: MonitorEvent[];

function vmmMap(gpa: number, pa: number): void {
  memory.write32(VMM_ROOT + (Math.floor(gpa / 0x40_0000) & 0xfff) * 4, ((VMM_L0 >>> 12) << 10) | 1);
  memory.write32(VMM_L0 + ((gpa >>> 12) & 0x3ff) * 4, ((pa >>> 12) << 10) | 0b1_1111);
}

function setup(options: Omit<MonitorHypOptions, 'onEvent'> = {}): number {
  memory = new ByteMemory(BASE, SIZE);
  inner = new ScriptedHartHyp(memory);
  events = [];
  monitor = launchMonitor(inner, memory, { ...options, onEvent: (e) => events.push(e), monitorBytes: 1 << 20 });
  const vcpu = monitor.hyp.vcpu.create();
  monitor.hyp.vcpu.setControls(vcpu, { hgatp: VMM_HGATP });
  vmmMap(CODE_GPA, CODE_FRAME);
  vmmMap(GUEST, FRAME_A);
  return vcpu;
}

const ecall = (ext: number, fid: number, ...args: number[]) => ({ op: 'ecall', ext, fid, args }) as const;

describe('MonitorHyp: EPT-x', () => {
  beforeEach(() => void setup());

  it('lets the VMM touch its own frames and refuses the monitor region with an access fault', () => {
    monitor.hyp.mem.write32(FRAME_B, 7);
    expect(monitor.hyp.mem.read32(FRAME_B)).toBe(7);
    expect(() => monitor.hyp.mem.read(MONITOR_FIRST - 2, 4)).toThrow(HypFault);
    expect(events).toMatchObject([{ mechanism: 'ept-x', outcome: 'refused', vm: null }]);
  });

  it('refuses VM frames after launch and leaves them unchanged', () => {
    memory.write32(FRAME_A, 0x5ec2e7);
    const vcpu = monitor.hyp.vcpu.create();
    monitor.hyp.vcpu.setControls(vcpu, { hgatp: VMM_HGATP });
    monitor.hyp.vcpu.setRegs(vcpu, { pc: CODE_GPA });
    expect(monitor.hyp.vcpu.run(vcpu)).toEqual({ kind: 'wfi' });
    expect(describeOwner(monitor.owners.ownerOf(FRAME_A >>> 12) ?? VMM)).toBe('vm1');
    let fault: unknown;
    try {
      monitor.hyp.mem.write32(FRAME_A, 0);
    } catch (error) {
      fault = error;
    }
    expect(fault).toBeInstanceOf(HypFault);
    expect((fault as HypFault).access).toBe('store');
    expect(memory.read32(FRAME_A)).toBe(0x5ec2e7);
    expect(events.at(-1)).toMatchObject({ mechanism: 'ept-x', vm: 1, outcome: 'refused' });
  });
});

describe('MonitorHyp: vCPU state', () => {
  let vcpu: number;
  beforeEach(() => {
    vcpu = setup();
  });

  it('allows the entry pc and a0/a1 before the first run (the launch window)', () => {
    monitor.hyp.vcpu.setRegs(vcpu, { pc: CODE_GPA, x10: 0, x11: 0x1234 });
    expect(inner.vcpu.regs(vcpu)).toMatchObject({ pc: CODE_GPA, x11: 0x1234 });
  });

  it('shows only a0..a7 at an SBI exit and keeps the hgatp the VMM set', () => {
    monitor.hyp.vcpu.setRegs(vcpu, { pc: CODE_GPA, x1: 0xaaaa, x10: 5, x17: 9 });
    inner.script(vcpu, ecall(0x10, 0, 5));
    expect(monitor.hyp.vcpu.run(vcpu)).toMatchObject({ kind: 'sbi', ext: 0x10 });
    const view = monitor.hyp.vcpu.regs(vcpu);
    expect(view).toMatchObject({ pc: 0, x1: 0, x10: 5, x17: 9 });
    expect(monitor.hyp.vcpu.controls(vcpu).hgatp).toBe(VMM_HGATP);
    expect(inner.runHgatps[0]).not.toBe(VMM_HGATP);
  });

  it('fail-stops the VM when the VMM sets pc after the first run', () => {
    monitor.hyp.vcpu.setRegs(vcpu, { pc: CODE_GPA });
    inner.script(vcpu, ecall(0x10, 0));
    monitor.hyp.vcpu.run(vcpu);
    expect(() => monitor.hyp.vcpu.setRegs(vcpu, { x10: 0, pc: 0x6666 })).toThrow(HypCallError);
    expect(inner.vcpu.regs(vcpu).pc).toBe(CODE_GPA + 4);
    expect(events.at(-1)).toMatchObject({ mechanism: 'entry-check', outcome: 'fail-stop', vm: 1 });
    expect(() => monitor.hyp.vcpu.run(vcpu)).toThrow(/VM 1 fail-stopped by CloudVisor/);
  });

  it('under refuse-and-continue applies the allowed changes only', () => {
    vcpu = setup({ policy: 'refuse-and-continue' });
    monitor.hyp.vcpu.setRegs(vcpu, { pc: CODE_GPA });
    inner.script(vcpu, ecall(0x10, 0), ecall(0x10, 1));
    monitor.hyp.vcpu.run(vcpu);
    monitor.hyp.vcpu.setRegs(vcpu, { x10: 3, pc: 0x6666, x5: 1 });
    expect(inner.vcpu.regs(vcpu)).toMatchObject({ x10: 3, pc: CODE_GPA + 4, x5: 0 });
    expect(events.at(-1)).toMatchObject({ mechanism: 'entry-check', outcome: 'refused', attempted: expect.stringContaining('pc, x5') });
    expect(monitor.hyp.vcpu.run(vcpu)).toMatchObject({ kind: 'sbi', fid: 1 });
  });

  it('refuses to move a vCPU that has run into another VM', () => {
    monitor.hyp.vcpu.setRegs(vcpu, { pc: CODE_GPA });
    monitor.hyp.vcpu.run(vcpu);
    const other = (VMM_HGATP & ~(0x7f << 22)) | (2 << 22);
    expect(() => monitor.hyp.vcpu.setControls(vcpu, { hgatp: other >>> 0, hvip: 1 << 6 })).toThrow(HypCallError);
    expect(monitor.hyp.vcpu.controls(vcpu).hgatp).toBe(VMM_HGATP);
    expect(inner.vcpu.controls(vcpu).hvip).toBe(0);
    expect(events.at(-1)).toMatchObject({ mechanism: 'entry-check', outcome: 'fail-stop', vm: 1 });
  });

  it('passes interrupt injection (hvip) through', () => {
    monitor.hyp.vcpu.setRegs(vcpu, { pc: CODE_GPA });
    monitor.hyp.vcpu.run(vcpu);
    monitor.hyp.vcpu.setControls(vcpu, { hvip: 1 << 6 });
    expect(inner.vcpu.controls(vcpu).hvip).toBe(1 << 6);
    expect(events.filter((e) => e.outcome !== 'allowed')).toEqual([]);
  });

  it('shows every register when register hiding is off', () => {
    vcpu = setup({ defenses: { registerHiding: false } });
    monitor.hyp.vcpu.setRegs(vcpu, { pc: CODE_GPA, x1: 0xaaaa });
    inner.script(vcpu, ecall(0x10, 0));
    monitor.hyp.vcpu.run(vcpu);
    expect(monitor.hyp.vcpu.regs(vcpu)).toMatchObject({ pc: CODE_GPA + 4, x1: 0xaaaa });
  });
});

describe('MonitorHyp: shadow G-stage', () => {
  let vcpu: number;
  beforeEach(() => {
    vcpu = setup();
    monitor.hyp.vcpu.setRegs(vcpu, { pc: CODE_GPA });
  });

  it('maps a page the VMM adds after launch and re-enters the guest without the VMM', () => {
    memory.write32(FRAME_A, 0x1111);
    memory.write32(FRAME_B, 0xbad); // planted by the VMM before it maps the frame
    inner.script(vcpu, ecall(0x10, 0), { op: 'load', gpa: GUEST }, { op: 'load', gpa: GUEST + 0x1000 }, ecall(0x10, 2));
    expect(monitor.hyp.vcpu.run(vcpu)).toMatchObject({ kind: 'sbi', fid: 0 });
    vmmMap(GUEST + 0x1000, FRAME_B);
    monitor.hyp.fence.gvma(1);
    expect(monitor.hyp.vcpu.run(vcpu)).toMatchObject({ kind: 'sbi', fid: 2 });
    expect(inner.loaded(vcpu)).toEqual([0x1111, 0]);
    expect(describeOwner(monitor.owners.ownerOf(FRAME_B >>> 12) ?? VMM)).toBe('vm1');
  });

  it('forwards an access the VMM does not map (real MMIO) unchanged', () => {
    inner.script(vcpu, { op: 'store', gpa: 0x1000_0000, value: 0x41 });
    expect(monitor.hyp.vcpu.run(vcpu)).toEqual({ kind: 'mmio-store', gpa: 0x1000_0000, width: 4, value: 0x41 });
  });

  it('fail-stops the VM when the VMM maps a monitor frame into it', () => {
    inner.script(vcpu, ecall(0x10, 0), { op: 'load', gpa: GUEST + 0x2000 });
    monitor.hyp.vcpu.run(vcpu);
    vmmMap(GUEST + 0x2000, MONITOR_FIRST + 0x8000);
    expect(() => monitor.hyp.vcpu.run(vcpu)).toThrow(/fail-stopped by CloudVisor/);
    expect(events.at(-1)).toMatchObject({ mechanism: 'ownership', outcome: 'fail-stop', vm: 1 });
    expect(inner.loaded(vcpu)).toEqual([]);
  });

  it('opens only the buffer of a DBCN write to the VMM', () => {
    memory.write32(FRAME_A, 0x6968);
    inner.script(vcpu, ecall(DBCN, 0, 2, GUEST, 0));
    monitor.hyp.vcpu.run(vcpu);
    expect(monitor.hyp.mem.read(FRAME_A, 2)).toEqual(new Uint8Array([0x68, 0x69]));
    expect(() => monitor.hyp.mem.write32(FRAME_A, 0)).toThrow(HypFault);
    expect(() => monitor.hyp.mem.read32(CODE_FRAME)).toThrow(HypFault);
  });

  it('refuses a remap the VMM announces with HFENCE.GVMA and keeps the old frame', () => {
    memory.write32(FRAME_A, 0x1111);
    inner.script(vcpu, ecall(0x10, 0), { op: 'load', gpa: GUEST });
    monitor.hyp.vcpu.run(vcpu);
    vmmMap(GUEST, FRAME_B);
    monitor.hyp.fence.gvma();
    expect(events.at(-1)).toMatchObject({ mechanism: 'ownership', outcome: 'fail-stop', attempted: expect.stringContaining('remap') });
    expect(() => monitor.hyp.vcpu.run(vcpu)).toThrow(/fail-stopped/);
    expect(monitor.owners.isOwnedBy(FRAME_B >>> 12, VMM)).toBe(true);
  });

  it('lets the VMM read VM frames when EPT-x is switched off', () => {
    vcpu = setup({ defenses: { eptx: false } });
    memory.write32(FRAME_A, 0x5ec2e7);
    monitor.hyp.vcpu.setRegs(vcpu, { pc: CODE_GPA });
    monitor.hyp.vcpu.run(vcpu);
    expect(monitor.hyp.mem.read32(FRAME_A)).toBe(0x5ec2e7);
    expect(events.filter((e) => e.mechanism === 'ept-x')).toEqual([]);
  });

  it('returns the VM frames zeroed when its last vCPU is destroyed', () => {
    memory.write32(FRAME_A, 0x5ec2e7);
    monitor.hyp.vcpu.run(vcpu);
    monitor.hyp.vcpu.destroy(vcpu);
    expect(monitor.owners.isOwnedBy(FRAME_A >>> 12, VMM)).toBe(true);
    expect(monitor.hyp.mem.read32(FRAME_A)).toBe(0);
    expect(events.at(-1)).toMatchObject({ mechanism: 'scrub', vm: 1, outcome: 'allowed' });
  });
});
