// The monitor's record of vCPUs and VMs: per vCPU the VMM's own hgatp, whether it has run (the end
// of its launch window) and its last exit; per VM (named by VMID) its shadow G-stage, its vCPUs and
// whether it was fail-stopped. Invariant: a vCPU belongs to at most one VM, the one of its hgatp.
import type { Exit, VcpuId } from '../sandbox/hyp';
import { HGATP } from '../spec/riscv-priv';
import type { ShadowGStage } from './shadow-gstage';

export interface VcpuRecord {
  vmmHgatp: number;
  vm: number | null;
  ran: boolean;
  lastExit: Exit | null;
  /** Register changes the VMM asked for since the last exit, and the names refused. */
  attempted: Record<string, number>;
  refused: string[];
}

export interface VmRecord {
  readonly vm: number;
  shadow: ShadowGStage | null;
  started: boolean;
  /** False for a VM the VMM created before the monitor's launch: confined, but not protected. */
  protected: boolean;
  failStopped: string | null;
  readonly vcpus: Set<VcpuId>;
}

export const vmidOf = (hgatp: number): number => (hgatp >>> HGATP.VMID_SHIFT) & HGATP.VMID_MASK;

export class VmRegistry {
  readonly vcpus = new Map<VcpuId, VcpuRecord>();
  readonly vms = new Map<number, VmRecord>();

  addVcpu(id: VcpuId): void {
    this.vcpus.set(id, { vmmHgatp: 0, vm: null, ran: false, lastExit: null, attempted: {}, refused: [] });
  }

  vcpu(id: VcpuId): VcpuRecord | undefined {
    return this.vcpus.get(id);
  }

  /** Records the VMM's hgatp; the vCPU joins the VM its VMID names (VMID 0 names none). */
  setHgatp(id: VcpuId, hgatp: number): void {
    const record = this.vcpus.get(id);
    if (!record) return;
    record.vmmHgatp = hgatp >>> 0;
    const vmid = vmidOf(hgatp);
    const vm = vmid === 0 ? null : vmid;
    if (record.vm === vm) return;
    if (record.vm !== null) this.vms.get(record.vm)?.vcpus.delete(id);
    record.vm = vm;
    if (vm !== null) this.vm(vm).vcpus.add(id);
  }

  vm(vm: number): VmRecord {
    let record = this.vms.get(vm);
    if (!record) {
      record = { vm, shadow: null, started: false, protected: true, failStopped: null, vcpus: new Set() };
      this.vms.set(vm, record);
    }
    return record;
  }

  /**
   * A vCPU the VMM made before the monitor's launch, with its running hgatp: its VM is marked
   * unprotected (the monitor never saw its image or its frames while the VMM had them).
   */
  adopt(id: VcpuId, hgatp: number): void {
    this.addVcpu(id);
    this.setHgatp(id, hgatp);
    const record = this.vcpus.get(id);
    if (!record || record.vm === null) return;
    record.ran = true;
    const vm = this.vm(record.vm);
    vm.protected = false;
    vm.started = true;
  }

  /** Forgets the vCPU; returns its VM when that VM has no vCPU left. */
  removeVcpu(id: VcpuId): VmRecord | null {
    const record = this.vcpus.get(id);
    this.vcpus.delete(id);
    if (!record || record.vm === null) return null;
    const vm = this.vms.get(record.vm);
    if (!vm) return null;
    vm.vcpus.delete(id);
    if (vm.vcpus.size > 0) return null;
    this.vms.delete(vm.vm);
    return vm;
  }
}
