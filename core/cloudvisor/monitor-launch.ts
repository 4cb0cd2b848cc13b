// Starting CloudVisor under a booted machine: the monitor claims the top `monitorBytes` of RAM
// (each frame zeroed as it moves VMM -> MONITOR), builds its frame pool there and wraps the bare
// backend. Fails closed: a frame that cannot be claimed stops the launch with an error.
import type { HypBackend } from '../sandbox/host-binding';
import type { VcpuId } from '../sandbox/hyp';
import { DmaGuard, type IommuRegisters } from './dma-guard';
import { FrameOwners, MONITOR, VMM } from './frame-owners';
import { MonitorFramePool } from './monitor-frame-pool';
import { ALL_DEFENSES } from './monitor-events';
import { MonitorHyp, type MonitorHypOptions } from './monitor-hyp';
import { monitorImage } from './monitor-image';
import { PAGE_SIZE, type PhysicalMemoryPort } from './physical-memory-port';

export const MONITOR_BYTES = 8 * 1024 * 1024;

export interface LaunchedMonitor {
  readonly hyp: MonitorHyp;
  readonly owners: FrameOwners;
  readonly pool: MonitorFramePool;
  /** RAM left to the VMM, from ramBase. */
  readonly vmmRamSize: number;
  /** The IOMMU contexts, null when the board has none or the defense is off. */
  readonly dma: DmaGuard | null;
  /** The image the launch measured (see monitor-image.ts). */
  readonly image: Uint8Array;
  readonly measured: boolean;
}

/** The board's IOMMU and the IOMMU device IDs of its DMA-capable devices. */
export interface IommuAccess {
  readonly regs: IommuRegisters;
  readonly deviceIds: readonly number[];
}

/** The platform's dynamic-launch instruction: measures an image into the TPM's dynamic PCR. */
export interface DynamicLaunchPort {
  /** Resets the dynamic PCRs and extends PCR 17 with SHA-256 of `image`; throws if refused. */
  measure(image: Uint8Array): void;
}

export interface LaunchOptions extends MonitorHypOptions {
  readonly monitorBytes?: number;
  readonly iommu?: IommuAccess | null;
  /** Measured launch: without it the monitor runs unmeasured (unit tests of the mechanisms). */
  readonly drtm?: DynamicLaunchPort | null;
  /** vCPUs the running VMM made before the launch: adopted, their VMs unprotected. */
  readonly preexisting?: readonly VcpuId[];
}

/**
 * The late launch: measure the monitor, claim its region (zeroed), build its tables, take the
 * IOMMU, adopt what the VMM already runs. Fails closed: anything that cannot be done stops the
 * launch with an error before the VMM is demoted.
 */
export function launchMonitor(inner: HypBackend, memory: PhysicalMemoryPort, options: LaunchOptions = {}): LaunchedMonitor {
  const monitorBytes = options.monitorBytes ?? MONITOR_BYTES;
  if (monitorBytes <= 0 || monitorBytes % PAGE_SIZE !== 0 || monitorBytes >= memory.ramSize) {
    throw new RangeError(`monitor region of ${monitorBytes} bytes does not fit ${memory.ramSize} bytes of RAM`);
  }
  const defenses = { ...ALL_DEFENSES, ...options.defenses };
  const image = monitorImage({ defenses, policy: options.policy ?? 'fail-stop', monitorBytes });
  options.drtm?.measure(image);
  const owners = new FrameOwners(memory);
  const count = monitorBytes / PAGE_SIZE;
  const first = owners.firstFrame + owners.frameCount - count;
  for (let f = first; f < first + count; f++) {
    const status = owners.transfer(f, VMM, MONITOR, true);
    if (status !== 'ok') throw new Error(`the monitor cannot claim frame 0x${f.toString(16)}: ${status}`);
  }
  const pool = new MonitorFramePool(memory, owners, first, count);
  const hyp = new MonitorHyp(inner, memory, owners, pool, options);
  const dma = options.iommu && hyp.defenses.iommu ? new DmaGuard(memory, owners, pool, options.iommu.regs, options.iommu.deviceIds) : null;
  if (dma) hyp.attachDmaGuard(dma);
  hyp.adoptVcpus(options.preexisting ?? []);
  return { hyp, owners, pool, vmmRamSize: memory.ramSize - monitorBytes, dma, image, measured: options.drtm != null };
}
