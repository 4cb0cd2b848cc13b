// Bare mode: the hypervisor interface implemented straight on the hardware, as Xen's HS-mode
// code does without a monitor. The VMM's calls run a modelled HS layer: vCPU contexts switched
// onto the harts (core/hw/hs), physical memory as it is, the host disk through its driver, the
// TPM at locality 0. Each hart has an instruction quantum per host round; `run` never exceeds it.
import type { Clock } from '../../hw/device';
import { writeCsr } from '../../hw/cpu/csr-file';
import { CSR } from '../../hw/cpu/csr-numbers';
import { SLOT } from '../../hw/cpu/csr-slots';
import type { Hart } from '../../hw/cpu/hart';
import { MIP } from '../../spec/riscv-priv';
import { QUANTUM_EXIT, takeGuestExit, type GuestExit } from '../../hw/hs/guest-exit';
import type { HostDiskDriver } from '../../hw/hs/host-disk-driver';
import { claimSupervisorInterrupts, completeSupervisorInterrupt } from '../../hw/hs/hs-interrupts';
import { VcpuContext, enterGuest } from '../../hw/hs/vcpu-context';
import {
  CONTROL_FIELDS,
  readGuestControls,
  readGuestRegisters, readGuestRegisterRecord,
  writeGuestControl,
  writeGuestRegister,
} from '../../hw/hs/vcpu-registers';
import type { PhysicalBus } from '../../hw/memory/physical-bus';
import type { TpmHostClient } from '../../hw/tpm/tpm-host-client';
import { HypCallError, HypFault, type HypBackend } from '../../sandbox/host-binding';
import type { DiskCompletion, DiskRequest, GuestControls, GuestRegs, VcpuId } from '../../sandbox/hyp';

export interface BareHardware {
  readonly harts: readonly Hart[];
  readonly bus: PhysicalBus;
  readonly clock: Clock;
  readonly plicBase: number;
  readonly hostDiskIrq: number;
  readonly disk: HostDiskDriver | null;
  readonly tpm: TpmHostClient;
  readonly console: { write(bytes: Uint8Array): void; read(max: number): Uint8Array };
}

const SEI = 9;
const SSI = 1;
const MAX_VCPUS = 64;

export class BareHyp implements HypBackend {
  hartId = 0;
  private readonly vcpus = new Map<VcpuId, VcpuContext>();
  private nextVcpu = 1;
  /** Instructions left for each hart in the current host round. */
  readonly quantumLeft: number[];
  /** Host disk interrupts claimed at the PLIC, completed when the VMM polls the disk. */
  private readonly claimedDisk: Set<number> = new Set();

  constructor(private readonly hw: BareHardware) {
    this.quantumLeft = hw.harts.map(() => 0);
  }

  get harts(): number {
    return this.hw.harts.length;
  }

  readonly mem = {
    read: (pa: number, len: number): Uint8Array => this.ram(pa, len, 'load', () => this.hw.bus.readBytes(pa, len)),
    write: (pa: number, bytes: Uint8Array): void => this.ram(pa, bytes.length, 'store', () => this.hw.bus.writeBytes(pa, bytes)),
    read32: (pa: number): number => this.ram(pa, 4, 'load', () => this.hw.bus.read32(pa)),
    write32: (pa: number, value: number): void => this.ram(pa, 4, 'store', () => this.hw.bus.write32(pa, value)),
  };

  /** The vCPUs that exist, in creation order (what a late-launched monitor adopts). */
  vcpuIds(): VcpuId[] {
    return [...this.vcpus.keys()];
  }

  readonly vcpu = {
    create: (): VcpuId => {
      if (this.vcpus.size >= MAX_VCPUS) throw new HypCallError(`no more than ${MAX_VCPUS} vCPUs`);
      const id = this.nextVcpu++;
      this.vcpus.set(id, new VcpuContext());
      return id;
    },
    destroy: (id: VcpuId): void => {
      this.context(id);
      this.vcpus.delete(id);
    },
    regs: (id: VcpuId): GuestRegs => readGuestRegisters(this.context(id)) as unknown as GuestRegs,
    regsRecord: (id: VcpuId, out: Float64Array): void => readGuestRegisterRecord(this.context(id), out),
    setRegs: (id: VcpuId, changes: Partial<GuestRegs>): void => {
      const ctx = this.context(id);
      for (const [name, value] of Object.entries(changes)) {
        if (typeof value === 'number' && !writeGuestRegister(ctx, name, value)) throw new HypCallError(`no guest register ${name}`);
      }
    },
    controls: (id: VcpuId): GuestControls => readGuestControls(this.context(id)),
    setControls: (id: VcpuId, changes: Partial<GuestControls>): void => {
      const ctx = this.context(id);
      for (const name of CONTROL_FIELDS) {
        const value = changes[name];
        if (value !== undefined) writeGuestControl(ctx, name, value);
      }
    },
    run: (id: VcpuId): GuestExit => this.run(this.context(id)),
  };

  readonly fence = {
    gvma: (): void => this.currentHart().flushTlb(),
    vvma: (): void => this.currentHart().flushTlb(),
  };

  readonly timer = {
    now: (): number => this.hw.clock.now(),
    set: (deadline: number): void => {
      const hart = this.currentHart();
      const d = Math.max(0, Math.min(Math.floor(deadline), 2 ** 53));
      writeCsr(hart, CSR.STIMECMPH, d >= 2 ** 53 ? 0xffff_ffff : Math.floor(d / 0x1_0000_0000));
      writeCsr(hart, CSR.STIMECMP, d >= 2 ** 53 ? 0xffff_ffff : d % 0x1_0000_0000);
    },
  };

  ipi(hartMask: number): void {
    this.hw.harts.forEach((hart, i) => {
      if ((hartMask >>> i) & 1) hart.csr[SLOT.MIP_SW] = (hart.csr[SLOT.MIP_SW] ?? 0) | MIP.SSIP;
    });
  }

  readonly disk = {
    sectors: (): number => this.hw.disk?.sectors() ?? 0,
    submit: (request: DiskRequest): number => {
      const driver = this.hw.disk;
      if (!driver) throw new HypCallError('this host has no disk');
      try {
        return driver.submit(request);
      } catch (error) {
        throw new HypCallError(error instanceof Error ? error.message : String(error));
      }
    },
    poll: (): DiskCompletion[] => {
      const done = this.hw.disk?.poll() ?? [];
      for (const hart of this.claimedDisk) completeSupervisorInterrupt(this.hw.bus, this.hw.plicBase, hart, this.hw.hostDiskIrq);
      this.claimedDisk.clear();
      return done;
    },
  };

  get console(): BareHardware['console'] {
    return this.hw.console;
  }

  get tpm(): TpmHostClient {
    return this.hw.tpm;
  }

  /** True when `hart` has an HS interrupt pending (an idle hart's reason to call the VMM again). */
  interruptPending(hart: number): boolean {
    const h = this.hw.harts[hart];
    return h !== undefined && (h.mip() & (h.csr[SLOT.MIE] ?? 0) & (MIP.SSIP | MIP.STIP | MIP.SEIP)) !== 0;
  }

  private run(ctx: VcpuContext): GuestExit {
    const hartIndex = this.hartId;
    const hart = this.currentHart();
    const budget = this.quantumLeft[hartIndex] ?? 0;
    if (budget <= 0) return QUANTUM_EXIT;
    enterGuest(hart, ctx);
    const spent = hart.run(budget);
    this.quantumLeft[hartIndex] = budget - Math.max(1, spent);
    const exit = takeGuestExit(hart, ctx);
    if (exit.kind === 'interrupt') this.acknowledge(hartIndex, hart, exit.cause);
    return exit;
  }

  /** HS acknowledges what it can at once: the IPI bit, and the PLIC claim of host devices. */
  private acknowledge(hartIndex: number, hart: Hart, cause: number): void {
    if (cause === SSI) hart.csr[SLOT.MIP_SW] = (hart.csr[SLOT.MIP_SW] ?? 0) & ~MIP.SSIP;
    if (cause !== SEI) return;
    for (const source of claimSupervisorInterrupts(this.hw.bus, this.hw.plicBase, hartIndex)) {
      if (source === this.hw.hostDiskIrq) this.claimedDisk.add(hartIndex);
      else completeSupervisorInterrupt(this.hw.bus, this.hw.plicBase, hartIndex, source);
    }
  }

  private context(id: VcpuId): VcpuContext {
    const ctx = this.vcpus.get(id);
    if (!ctx) throw new HypCallError(`no vCPU ${id}`);
    return ctx;
  }

  private currentHart(): Hart {
    const hart = this.hw.harts[this.hartId];
    if (!hart) throw new HypCallError(`no hart ${this.hartId}`);
    return hart;
  }

  private ram<T>(pa: number, length: number, access: 'load' | 'store', op: () => T): T {
    try {
      return op();
    } catch (error) {
      if (error instanceof RangeError) throw new HypFault(pa, access, `not RAM (${length} bytes)`);
      throw error;
    }
  }
}
