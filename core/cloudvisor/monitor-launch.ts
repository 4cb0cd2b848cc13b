// Starting CloudVisor under a booted machine: the monitor claims the top `monitorBytes` of RAM
// (each frame zeroed as it moves VMM -> MONITOR), builds its frame pool there and wraps the bare
// backend. Fails closed: a frame that cannot be claimed stops the launch with an error.
import type { HypBackend } from '../sandbox/host-binding';
import { DmaGuard, type IommuRegisters } from './dma-guard';
import { FrameOwners, MONITOR, VMM } from './frame-owners';
import { MonitorFramePool } from './monitor-frame-pool';
import { MonitorHyp, type MonitorHypOptions } from './monitor-hyp';
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
}

/** The board's IOMMU and the IOMMU device IDs of its DMA-capable devices. */
export interface IommuAccess {
  readonly regs: IommuRegisters;
  readonly deviceIds: readonly number[];
}

export function launchMonitor(
  inner: HypBackend,
  memory: PhysicalMemoryPort,
  options: MonitorHypOptions = {},
  monitorBytes = MONITOR_BYTES,
  iommu: IommuAccess | null = null,
): LaunchedMonitor {
  if (monitorBytes <= 0 || monitorBytes % PAGE_SIZE !== 0 || monitorBytes >= memory.ramSize) {
    throw new RangeError(`monitor region of ${monitorBytes} bytes does not fit ${memory.ramSize} bytes of RAM`);
  }
  const owners = new FrameOwners(memory);
  const count = monitorBytes / PAGE_SIZE;
  const first = owners.firstFrame + owners.frameCount - count;
  for (let f = first; f < first + count; f++) {
    const status = owners.transfer(f, VMM, MONITOR, true);
    if (status !== 'ok') throw new Error(`the monitor cannot claim frame 0x${f.toString(16)}: ${status}`);
  }
  const pool = new MonitorFramePool(memory, owners, first, count);
  const hyp = new MonitorHyp(inner, memory, owners, pool, options);
  const dma = iommu && hyp.defenses.iommu ? new DmaGuard(memory, owners, pool, iommu.regs, iommu.deviceIds) : null;
  if (dma) hyp.attachDmaGuard(dma);
  return { hyp, owners, pool, vmmRamSize: memory.ramSize - monitorBytes, dma };
}
