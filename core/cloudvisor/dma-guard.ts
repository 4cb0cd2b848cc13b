// The monitor's hold on device DMA (CLOUDVISOR.md section 2, "IOMMU"): it owns the IOMMU's
// device directory and gives each DMA-capable device one Sv32x4 context that maps exactly the
// frames the VMM owns, identity, read-write. Every change in the owner table updates the map
// before the frame can be used by its new owner, so a device never reaches a VM's or the
// monitor's frame, whatever the VMM asks of it. Faults are read back from the IOMMU's fault
// registers and become monitor events.
import { IOMMU_DC, IOMMU_MODE, IOMMU_REG } from '../hw/iommu/iommu';
import { VMM, type FrameOwner, type FrameOwners } from './frame-owners';
import { leafIndex, rootIndex } from './gstage-format';
import { GSTAGE_ROOT_BYTES, PTE, PTE_PPN_SHIFT } from '../spec/riscv-priv';
import type { MonitorFramePool } from './monitor-frame-pool';
import { PAGE_SIZE, type PhysicalMemoryPort } from './physical-memory-port';

/** The IOMMU's register window, as HS-mode code reaches it (32-bit MMIO). */
export interface IommuRegisters {
  read32(offset: number): number;
  write32(offset: number, value: number): void;
}

export interface DmaFaultRecord {
  readonly deviceId: number;
  readonly iova: number;
  readonly cause: number;
  readonly write: boolean;
}

const VMM_LEAF = PTE.V | PTE.R | PTE.W | PTE.U | PTE.A | PTE.D;
const TTYP_UNTRANSLATED_WRITE = 3;

export class DmaGuard {
  private readonly rootFrame: number;
  private readonly leaves = new Map<number, number>(); // root index -> leaf table frame
  private readonly directoryFrame: number;

  constructor(
    private readonly memory: PhysicalMemoryPort,
    private readonly owners: FrameOwners,
    pool: MonitorFramePool,
    private readonly regs: IommuRegisters,
    deviceIds: readonly number[],
  ) {
    const root = pool.allocate(GSTAGE_ROOT_BYTES / PAGE_SIZE, GSTAGE_ROOT_BYTES / PAGE_SIZE);
    const directory = pool.allocate();
    if (root === null || directory === null) throw new Error('the monitor has no memory left for the IOMMU tables');
    this.rootFrame = root;
    this.directoryFrame = directory;
    const first = owners.firstFrame;
    for (let frame = first; frame < first + owners.frameCount; frame += 1024) {
      const table = pool.allocate();
      if (table === null) throw new Error('the monitor has no memory left for the IOMMU tables');
      const ri = rootIndex(frame * PAGE_SIZE);
      this.leaves.set(ri, table);
      memory.write32(root * PAGE_SIZE + ri * 4, ((table << PTE_PPN_SHIFT) | PTE.V) >>> 0);
    }
    for (const frame of owners.framesOf(VMM)) this.setLeaf(frame, true);
    owners.onTransfer((frame, _from, to) => this.setLeaf(frame, isVmm(to)));
    for (const id of deviceIds) this.writeContext(id);
    // Contexts first, then the directory pointer: the switch from Bare is one register write.
    regs.write32(IOMMU_REG.DDTP, ((directory << 10) | IOMMU_MODE.ONE_LEVEL) >>> 0);
  }

  /** True when a device may reach `frame` (the lab's views and the invariant checks). */
  reaches(frame: number): boolean {
    const table = this.leaves.get(rootIndex(frame * PAGE_SIZE));
    if (table === undefined) return false;
    return (this.memory.read32(table * PAGE_SIZE + leafIndex(frame * PAGE_SIZE) * 4) & PTE.V) !== 0;
  }

  /** Faults the IOMMU logged since the last call, oldest first (popped from its fault window). */
  takeFaults(): DmaFaultRecord[] {
    const faults: DmaFaultRecord[] = [];
    let count = this.regs.read32(IOMMU_REG.FAULT_COUNT);
    while (count-- > 0) {
      faults.push({
        deviceId: this.regs.read32(IOMMU_REG.FAULT_DEVICE_ID),
        iova: this.regs.read32(IOMMU_REG.FAULT_IOVA),
        cause: this.regs.read32(IOMMU_REG.FAULT_CAUSE),
        write: this.regs.read32(IOMMU_REG.FAULT_TTYP) === TTYP_UNTRANSLATED_WRITE,
      });
      this.regs.write32(IOMMU_REG.FAULT_POP, 1);
    }
    if (faults.length > 0) this.regs.write32(IOMMU_REG.FAULT_STATUS, 1);
    return faults;
  }

  private setLeaf(frame: number, allowed: boolean): void {
    const table = this.leaves.get(rootIndex(frame * PAGE_SIZE));
    if (table === undefined) return;
    const pte = allowed ? ((frame << PTE_PPN_SHIFT) | VMM_LEAF) >>> 0 : 0;
    this.memory.write32(table * PAGE_SIZE + leafIndex(frame * PAGE_SIZE) * 4, pte);
  }

  /** A valid device context: no first stage, iohgatp = Sv32x4 over the monitor's root. */
  private writeContext(deviceId: number): void {
    const dc = this.directoryFrame * PAGE_SIZE + deviceId * IOMMU_DC.SIZE;
    this.memory.write32(dc, IOMMU_DC.TC_V);
    this.memory.write32(dc + 8, this.rootFrame);
    this.memory.write32(dc + 12, (IOMMU_DC.IOHGATP_MODE_SV32X4 << 28) >>> 0);
  }
}

function isVmm(owner: FrameOwner): boolean {
  return owner.kind === 'vmm';
}
