// The whole host machine built from one BoardDescription: harts, RAM, test finisher, ACLINT,
// PLIC (context 2h = hart h M-mode external, 2h+1 = S-mode), UART0, the monitor UART, the host
// disk (DMA through the IOMMU as device 1), the IOMMU, the TPM and the seeded random source; the
// DTB is generated from the same description. Deterministic: harts interleave in fixed quanta
// and time follows retired instructions (HartScheduler). Layout follows QEMU 7.2 virt.
import type { DeviceLog } from './device';
import { Hart } from './cpu/hart';
import { MIP } from '../spec/riscv-priv';
import {
  type BoardDescription,
  type BoardDevice,
  type BoardDeviceKind,
  defaultBoardDescription,
  validateBoardDescription,
} from './board-description';
import { BoardRandom } from './board/board-random';
import { HartScheduler } from './board/hart-scheduler';
import { Aclint } from './devices/aclint';
import type { DiskBacking } from './devices/disk-backing';
import { HostDisk } from './devices/host-disk';
import { Htif } from './devices/htif';
import { Plic } from './devices/plic';
import { TestFinisher, type FinisherEvent } from './devices/test-finisher';
import { UartNs16550a } from './devices/uart-ns16550a';
import { buildVirtDtb, VIRT_IOMMU_DEVICE_ID } from './dtb/virt-dtb';
import type { ElfImage } from './elf';
import { Iommu } from './iommu/iommu';
import { PhysicalBus } from './memory/physical-bus';
import { Ram } from './memory/ram';
import { SeededRandom } from './seeded-random';
import { ManufacturerCa } from './tpm/manufacturer-ca';
import { Tpm } from './tpm/tpm';
import { CollectingLog } from './virt-board';

/** Why the machine stopped for good: a program exit (finisher, HTIF) or a fatal firmware state. */
export interface BoardExit {
  readonly reason: 'finisher' | 'tohost' | 'failure';
  readonly code: number;
}

export interface HostBoardOptions {
  /** Defaults to hostBoardDescription(1, 128 MiB, { disk: options.disk !== undefined }). */
  readonly description?: BoardDescription;
  /** The session seed: every key, nonce and rng-seed of the board derives from it. */
  readonly seed: string | Uint8Array;
  /** Backing of the host disk; required exactly when the description has a host-disk. */
  readonly disk?: DiskBacking;
  readonly log?: DeviceLog;
  /** Retired instructions per 10 MHz timebase tick (default 100: a nominal 1 GHz hart). */
  readonly instructionsPerTick?: number;
  /** Instructions each hart runs before the next one gets its turn (default 1000). */
  readonly quantum?: number;
  /** The TPM vendor's CA; by default one made from the board's random source. */
  readonly manufacturer?: ManufacturerCa;
}

/** What runs at power-on and after every reset: fills RAM and sets up the harts. */
export type BootStage = (board: HostBoard) => void;

export type OutputListener = (bytes: Uint8Array) => void;

/** QEMU's reset ROM leaves a2 pointing at the fw_dynamic_info it builds at 0x1000 + 40. */
const QEMU_FW_DYN_INFO = 0x1028;

/**
 * The default description without virtio-mmio slots (the host has none: the VMM gives virtio to
 * guests) and, unless asked for, without the host disk (it needs a backing).
 */
export function hostBoardDescription(
  harts = 1,
  ramSize = 128 * 1024 * 1024,
  options: { disk?: boolean } = {},
): BoardDescription {
  const d = defaultBoardDescription(harts, ramSize);
  const devices = d.devices.filter(
    (x) => x.kind !== 'virtio-mmio' && (x.kind !== 'host-disk' || options.disk === true),
  );
  return validateBoardDescription({ ...d, devices });
}

function required(desc: BoardDescription, kind: BoardDeviceKind): BoardDevice {
  const d = desc.devices.find((x) => x.kind === kind);
  if (d === undefined) throw new Error(`host board: the description has no ${kind}`);
  return d;
}

function irqOf(d: BoardDevice): number {
  if (d.irq === undefined) throw new Error(`host board: ${d.kind} has no irq`);
  return d.irq;
}

export class HostBoard {
  readonly description: BoardDescription;
  /** The session seed the board was built from (a snapshot rebuilds the same machine from it). */
  readonly seed: string | Uint8Array;
  readonly ram: Ram;
  readonly bus: PhysicalBus;
  readonly harts: Hart[] = [];
  readonly log: DeviceLog;
  readonly random: BoardRandom;
  readonly finisher: TestFinisher;
  readonly aclint: Aclint;
  readonly plic: Plic;
  /** UART0, the host console: type into it with `uart.receive(bytes)`. */
  readonly uart: UartNs16550a;
  readonly monitorUart: UartNs16550a;
  readonly iommu: Iommu;
  readonly hostDisk: HostDisk | null;
  readonly diskBacking: DiskBacking | null;
  readonly tpm: Tpm;
  /** The TPM's own random stream (saved and restored with the board). */
  readonly tpmRandom: BoardRandom;
  readonly dtb: Uint8Array;
  readonly dtbAddress: number;
  readonly scheduler: HartScheduler;
  htif: Htif | null = null;
  exit: BoardExit | null = null;
  /** Set by a component that found the machine in a state it cannot continue from. */
  failure: string | null = null;
  /** Power-on resets done so far (1 after the first boot). */
  resets = 0;
  private boot: BootStage | null = null;
  private dirty = false;
  /** A reset requested by a store in a hart's block waits until that hart's run returns. */
  private resetPending = false;
  private readonly uartListeners = new Set<OutputListener>();
  private readonly monitorListeners = new Set<OutputListener>();

  constructor(options: HostBoardOptions) {
    const desc = validateBoardDescription(
      options.description ?? hostBoardDescription(1, undefined, { disk: options.disk !== undefined }),
    );
    if (desc.devices.some((d) => d.kind === 'virtio-mmio'))
      throw new Error('host board: virtio-mmio devices are not part of the host (use hostBoardDescription)');
    this.description = desc;
    this.seed = typeof options.seed === 'string' ? options.seed : options.seed.slice();
    this.log = options.log ?? new CollectingLog();
    const root = SeededRandom.fromSeed(options.seed, 'cloudvisor-lab host board');
    this.random = new BoardRandom(root);
    this.ram = new Ram(desc.ram.base, desc.ram.size);
    this.bus = new PhysicalBus(this.ram);
    this.scheduler = new HartScheduler(
      this.harts,
      () => this.aclint,
      options.instructionsPerTick ?? 100,
      options.quantum ?? 1000,
    );
    // The harts' time CSR is the ACLINT's mtime (as QEMU's rdtime), so writing mtime moves it too.
    const mtime = { now: () => this.aclint.mtime() };
    for (let i = 0; i < desc.harts; i++) this.harts.push(new Hart(i, this.bus, mtime));
    this.finisher = new TestFinisher((e) => this.onFinisher(e), this.log);
    this.aclint = new Aclint(
      this.clock,
      this.harts.map((h) => ({
        setSoftware: (level: boolean) => h.setInterruptLine(MIP.MSIP, level),
        setTimer: (level: boolean) => h.setInterruptLine(MIP.MTIP, level),
      })),
      this.log,
    );
    this.plic = new Plic(
      desc.harts,
      (ctx, level) => this.harts[ctx >> 1]?.setInterruptLine((ctx & 1) === 0 ? MIP.MEIP : MIP.SEIP, level),
      this.log,
    );
    const uart0 = required(desc, 'uart');
    this.uart = new UartNs16550a(
      (b) => this.emit(this.uartListeners, b),
      this.log,
      this.plic.irqLine(irqOf(uart0)),
      'uart0',
    );
    const mon = required(desc, 'monitor-uart');
    this.monitorUart = new UartNs16550a(
      (b) => this.emit(this.monitorListeners, b),
      this.log,
      this.plic.irqLine(irqOf(mon)),
      'monitor-uart',
    );
    const iommuDev = required(desc, 'iommu');
    this.iommu = new Iommu(this.bus, desc.ram, this.plic.irqLine(irqOf(iommuDev)), this.log);
    const diskDev = desc.devices.find((d) => d.kind === 'host-disk');
    if ((diskDev === undefined) !== (options.disk === undefined))
      throw new Error(
        diskDev === undefined
          ? 'host board: a disk backing was given but the description has no host-disk'
          : 'host board: the description has a host-disk but no disk backing was given',
      );
    this.diskBacking = options.disk ?? null;
    this.hostDisk =
      diskDev === undefined || options.disk === undefined
        ? null
        : new HostDisk(
            options.disk,
            this.iommu.port(VIRT_IOMMU_DEVICE_ID.HOST_DISK),
            this.plic.irqLine(irqOf(diskDev)),
            this.log,
          );
    const ca = options.manufacturer ?? new ManufacturerCa(this.random.fork('manufacturer'));
    this.tpmRandom = this.random.fork('tpm');
    this.tpm = Tpm.manufacture(this.tpmRandom, ca, this.clock);
    this.mapDevices(desc, diskDev);
    this.dtb = buildVirtDtb(desc, this.random);
    this.dtbAddress = this.placeDtb();
  }

  private mapDevices(desc: BoardDescription, diskDev: BoardDevice | undefined): void {
    this.bus.addDevice(required(desc, 'test').base, this.finisher);
    this.bus.addDevice(required(desc, 'clint').base, this.aclint);
    this.bus.addDevice(required(desc, 'plic').base, this.plic);
    this.bus.addDevice(required(desc, 'uart').base, this.uart);
    this.bus.addDevice(required(desc, 'monitor-uart').base, this.monitorUart);
    this.bus.addDevice(required(desc, 'iommu').base, this.iommu);
    if (diskDev !== undefined && this.hostDisk !== null) this.bus.addDevice(diskDev.base, this.hostDisk);
  }

  /** QEMU 7.2 riscv_load_fdt: 2 MiB aligned, as high as fits below min(RAM end, 3 GiB). */
  private placeDtb(): number {
    const r = this.ram;
    const top = Math.min(r.base + r.size, 0xc000_0000);
    const at = Math.floor((top - this.dtb.length) / 0x20_0000) * 0x20_0000;
    if (at < r.base)
      throw new Error(`host board: RAM of ${r.size} bytes is too small for the ${this.dtb.length}-byte DTB`);
    return at;
  }

  get clock(): HartScheduler['clock'] {
    return this.scheduler.clock;
  }

  /** Instructions retired by all harts since power-on. */
  get instructions(): number {
    return this.scheduler.instructions;
  }

  /** Subscribe to UART0 output; returns the unsubscribe function. */
  onOutput(listener: OutputListener): () => void {
    this.uartListeners.add(listener);
    return () => this.uartListeners.delete(listener);
  }

  /** Subscribe to the monitor UART's output (a separate stream); returns the unsubscribe function. */
  onMonitorOutput(listener: OutputListener): () => void {
    this.monitorListeners.add(listener);
    return () => this.monitorListeners.delete(listener);
  }

  private emit(listeners: ReadonlySet<OutputListener>, byte: number): void {
    const bytes = Uint8Array.of(byte);
    for (const l of listeners) l(bytes);
  }

  private stopAll(): void {
    for (const h of this.harts) h.stop = true;
  }

  /** Power the machine off with an exit code (finisher, HTIF, or a firmware shutdown). */
  powerOff(exit: BoardExit): void {
    this.exit = exit;
    this.stopAll();
  }

  /** Record a fatal machine state (e.g. firmware found no way to continue) and stop. */
  fail(message: string): void {
    this.failure ??= message;
    this.exit ??= { reason: 'failure', code: 1 };
    this.stopAll();
  }

  private onFinisher(e: FinisherEvent): void {
    if (e.kind === 'exit') this.powerOff({ reason: 'finisher', code: e.code });
    else {
      // The storing hart would write its pc back over the reset one: reset between hart runs.
      this.resetPending = true;
      this.stopAll();
    }
  }

  /** Set what runs at every power-on/reset and perform the first power-on. */
  powerOn(boot: BootStage): void {
    if (this.boot !== null) throw new Error('host board: already powered on');
    this.boot = boot;
    this.reset();
  }

  /**
   * Platform reset (finisher 0x7777, SBI SRST reboot): RAM cleared, DTB placed again, every
   * device and hart reset, the TPM power-cycled, then the boot stage runs again.
   */
  reset(): void {
    const boot = this.boot;
    if (boot === null) throw new Error('host board: reset before powerOn');
    const r = this.ram;
    if (this.dirty) r.u8.fill(0);
    this.dirty = true;
    r.u8.set(this.dtb, this.dtbAddress - r.base);
    this.bus.codeWritten(0, r.size);
    for (const d of [this.uart, this.monitorUart, this.aclint, this.plic, this.iommu, this.finisher])
      d.reset();
    this.hostDisk?.reset();
    this.htif?.tohost.reset();
    this.htif?.fromhost.reset();
    if (this.resets > 0) this.tpm.powerCycle();
    this.resets++;
    for (const h of this.harts) h.reset(0);
    boot(this);
  }

  /** Copy an ELF's segments into RAM (they must fit in RAM and miss the DTB). */
  loadSegments(image: ElfImage): void {
    const r = this.ram;
    for (const s of image.segments) {
      if (s.memsz === 0) continue;
      if (!r.contains(s.paddr, s.memsz))
        throw new RangeError(
          `segment at 0x${s.paddr.toString(16)} (+0x${s.memsz.toString(16)}) is outside RAM 0x${r.base.toString(16)}..0x${(r.base + r.size).toString(16)}`,
        );
      if (s.paddr < this.dtbAddress + this.dtb.length && this.dtbAddress < s.paddr + s.memsz)
        throw new RangeError(
          `segment at 0x${s.paddr.toString(16)} overlaps the DTB at 0x${this.dtbAddress.toString(16)}`,
        );
    }
    for (const s of image.segments) {
      if (s.memsz === 0) continue;
      r.u8.fill(0, s.paddr - r.base, s.paddr - r.base + s.memsz);
      r.u8.set(s.data, s.paddr - r.base);
    }
    this.bus.codeWritten(0, r.size);
  }

  /** Bare-metal start, as QEMU -bios none: every hart in M-mode at the entry, a0 = hartid, a1 = DTB. */
  startBareMetal(image: ElfImage): void {
    this.loadSegments(image);
    if (this.htif === null) this.attachHtif(image);
    for (const h of this.harts) {
      h.reset(image.entry);
      h.x[10] = h.id;
      h.x[11] = this.dtbAddress;
      h.x[12] = QEMU_FW_DYN_INFO;
      h.x[5] = image.entry;
    }
  }

  private attachHtif(image: ElfImage): void {
    const to = image.symbols.get('tohost');
    if (to === undefined) return;
    if (to % 8 !== 0 || !this.ram.contains(to, 8))
      throw new RangeError(`tohost at 0x${to.toString(16)} must be an 8-byte aligned RAM address`);
    this.htif = new Htif(
      {
        exit: (code) => this.powerOff({ reason: 'tohost', code }),
        output: (bytes) => {
          for (const b of bytes) this.emit(this.uartListeners, b);
        },
        readPhysical: (pa, length) => this.bus.readBytes(pa, length),
        writePhysical: (pa, bytes) => this.bus.writeBytes(pa, bytes),
      },
      this.log,
    );
    this.bus.addDevice(to, this.htif.tohost);
    const from = image.symbols.get('fromhost');
    if (from !== undefined && from % 8 === 0 && this.ram.contains(from, 8))
      this.bus.addDevice(from, this.htif.fromhost);
  }

  /**
   * Run until the machine powers off or `maxInstructions` more instructions have retired (or no
   * hart can ever wake). Returns the instructions retired by this call.
   */
  run(maxInstructions: number): number {
    if (this.boot === null) throw new Error('host board: run before powerOn');
    if (!Number.isFinite(maxInstructions) || maxInstructions < 0)
      throw new RangeError(`maxInstructions must be a non-negative number, got ${maxInstructions}`);
    if (this.resetPending) this.afterHart();
    return this.scheduler.run(Math.floor(maxInstructions), {
      stopped: () => this.exit !== null,
      afterHart: () => this.afterHart(),
    });
  }

  private afterHart(): boolean {
    if (!this.resetPending) return false;
    this.resetPending = false;
    this.reset();
    return true;
  }
}
