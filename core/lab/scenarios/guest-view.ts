// The trusted lab's view of a guest, as the hart really runs it: the vCPU contexts the hardware
// layer holds (never the VMM's bookkeeping or its filtered view under the monitor), the G-stage
// root the hart walks (the VMM's table on a bare host, the monitor's shadow under CloudVisor),
// and the guest's own Sv32 page table on top. What a goal learns here the attacker cannot forge.
import { BusMemoryPort } from '../../cloudvisor/bus-memory-port';
import { vmidOf } from '../../cloudvisor/vm-registry';
import { walkVmmGStage } from '../../cloudvisor/vmm-gstage-walk';
import type { GuestRegs, VcpuId } from '../../sandbox/hyp';
import type { VmmHost } from '../host/vmm-host';
import type { GuestSnapshot } from './scenario';

/** labOS maps its key page at this virtual address (assets/guests/labos/kernel.h, KEY_VA). */
export const LABOS_KEY_VA = 0xf000_0000;
export const LABOS_KEY_LEN = 32;

const PAGE = 4096;
/** BareHyp numbers vCPUs from 1 and caps them (core/lab/bare/bare-hyp.ts, MAX_VCPUS). */
const VCPU_SCAN = 64;
const SATP_MODE_SV32 = 0x8000_0000;
const PTE_V = 1;
const PTE_R = 2;
const PTE_X = 8;

export class GuestView {
  private readonly memory: BusMemoryPort;

  constructor(private readonly host: VmmHost) {
    this.memory = new BusMemoryPort(host.board.bus, host.board.ram.base, host.board.ram.size);
  }

  /** Every vCPU the hardware layer holds now. */
  liveVcpus(): VcpuId[] {
    const ids: VcpuId[] = [];
    for (let id = 1; id <= VCPU_SCAN * 4; id++) {
      try {
        this.host.hyp.vcpu.controls(id);
        ids.push(id);
      } catch {
        // Not a vCPU (never created, or destroyed).
      }
    }
    return ids;
  }

  registers(vcpu: VcpuId): GuestRegs | null {
    try {
      return { ...this.host.hyp.vcpu.regs(vcpu) };
    } catch {
      return null;
    }
  }

  /** The G-stage root the hart uses for this vCPU (its real hgatp). */
  hgatp(vcpu: VcpuId): number | null {
    try {
      return this.host.hyp.vcpu.controls(vcpu).hgatp >>> 0;
    } catch {
      return null;
    }
  }

  /** Guest physical to machine address through the hart's real G-stage; null if unmapped. */
  translate(vcpu: VcpuId, gpa: number): number | null {
    const hgatp = this.hgatp(vcpu);
    if (hgatp === null || hgatp >>> 31 === 0) return null;
    const walk = walkVmmGStage(this.memory, hgatp, gpa - (gpa % PAGE));
    return walk.kind === 'mapped' ? walk.pa + (gpa % PAGE) : null;
  }

  readPhysical(vcpu: VcpuId, gpa: number, length: number): Uint8Array | null {
    const out = new Uint8Array(length);
    for (let done = 0; done < length; ) {
      const at = gpa + done;
      const n = Math.min(length - done, PAGE - (at % PAGE));
      const pa = this.translate(vcpu, at);
      if (pa === null) return null;
      out.set(this.memory.readBytes(pa, n), done);
      done += n;
    }
    return out;
  }

  /** Guest virtual to guest physical through the guest's own Sv32 table (its real vsatp). */
  guestPhysical(vcpu: VcpuId, va: number): number | null {
    const regs = this.registers(vcpu);
    if (regs === null) return null;
    const satp = regs.vsatp >>> 0;
    if ((satp & SATP_MODE_SV32) === 0) return va;
    let table = (satp & 0x3f_ffff) * PAGE;
    for (let level = 1; level >= 0; level--) {
      const vpn = level === 1 ? va >>> 22 : (va >>> 12) & 0x3ff;
      const raw = this.readPhysical(vcpu, table + vpn * 4, 4);
      if (raw === null) return null;
      const pte = (raw[0] ?? 0) | ((raw[1] ?? 0) << 8) | ((raw[2] ?? 0) << 16) | ((raw[3] ?? 0) << 24);
      if ((pte & PTE_V) === 0) return null;
      const ppn = (pte >>> 10) * PAGE;
      if ((pte & (PTE_R | PTE_X)) !== 0) {
        return level === 1 ? ppn + (va & 0x3f_ffff) - ((pte >>> 10) & 0x3ff) * PAGE : ppn + (va & 0xfff);
      }
      table = ppn;
    }
    return null;
  }

  readVirtual(vcpu: VcpuId, va: number, length: number): Uint8Array | null {
    const gpa = this.guestPhysical(vcpu, va);
    return gpa === null ? null : this.readPhysical(vcpu, gpa, length);
  }

  /** The monitor's fail-stop reason for the VM this vCPU runs in (protected hosts). */
  failStopped(vcpu: VcpuId): string | null {
    const hgatp = this.hgatp(vcpu);
    if (hgatp === null || this.host.monitor === null) return null;
    return this.host.monitor.inspectVm(vmidOf(hgatp))?.failStopped ?? null;
  }

  /** What the lab knows of a labOS guest whose first vCPU is `vcpu` (null: it has none). */
  snapshot(vcpu: VcpuId | null): GuestSnapshot {
    if (vcpu === null) return { secret: null, registers: null, failStopped: null };
    return {
      secret: this.readVirtual(vcpu, LABOS_KEY_VA, LABOS_KEY_LEN),
      registers: this.registers(vcpu),
      failStopped: this.failStopped(vcpu),
    };
  }
}
