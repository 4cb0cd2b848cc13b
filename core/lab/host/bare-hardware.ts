// The HostBoard as the bare VMM's modelled HS layer drives it: every hart handed to HS by the
// platform firmware (measuring the VMM as the next stage), the host disk's interrupt routed to
// the harts' S contexts, its request ring in the RAM reserved below the VMM's pool, the TPM at
// locality 0 and UART0 as the VMM's console.
import { VIRT_IRQ, VIRT_MEMMAP } from '../../hw/board-description';
import { UART_BIT, UART_REG } from '../../spec/ns16550a';
import { PlatformFirmware } from '../../hw/firmware/platform-firmware';
import type { HostBoard } from '../../hw/host-board';
import { HostDiskDriver } from '../../hw/hs/host-disk-driver';
import { routeToSupervisor } from '../../hw/hs/hs-interrupts';
import { tpmHostClient } from '../../hw/tpm/tpm-host-client';
import type { IommuAccess } from '../../cloudvisor/monitor-launch';
import { VIRT_IOMMU_DEVICE_ID } from '../../hw/dtb/virt-dtb';
import type { BareHardware } from '../bare/bare-hyp';

/** RAM the HS layer keeps for itself below the VMM's frame pool (disk ring, scratch). */
export const HS_RESERVED_BYTES = 1 << 20;
const DISK_RING_OFFSET = 0x1000;

export function handOffToBareHs(board: HostBoard, nextStage: Uint8Array): BareHardware {
  new PlatformFirmware(board).handOffToModelledHs(nextStage);
  for (const hart of board.harts) hart.stopOnHsTrap = true;
  let disk: HostDiskDriver | null = null;
  if (board.hostDisk !== null) {
    routeToSupervisor(board.bus, VIRT_MEMMAP.PLIC.base, board.harts.length, VIRT_IRQ.HOST_DISK);
    disk = new HostDiskDriver(board.bus, VIRT_MEMMAP.HOST_DISK.base, board.ram.base + DISK_RING_OFFSET);
  }
  const uart = board.uart;
  return {
    harts: board.harts,
    bus: board.bus,
    clock: board.clock,
    plicBase: VIRT_MEMMAP.PLIC.base,
    hostDiskIrq: VIRT_IRQ.HOST_DISK,
    disk,
    tpm: tpmHostClient(board.tpm, 0),
    console: {
      write: (bytes) => {
        for (const b of bytes) uart.write(UART_REG.RBR_THR_DLL, 1, b);
      },
      read: (max) => {
        const out: number[] = [];
        while (out.length < max && (uart.read(UART_REG.LSR, 1) & UART_BIT.LSR_DR) !== 0) out.push(uart.read(UART_REG.RBR_THR_DLL, 1));
        return Uint8Array.from(out);
      },
    },
  };
}

/** The IOMMU as the monitor programs it: its MMIO registers and the board's DMA-capable devices. */
export function iommuAccess(board: HostBoard): IommuAccess {
  const base = VIRT_MEMMAP.IOMMU.base;
  return {
    regs: { read32: (offset) => board.bus.load(base + offset, 4) >>> 0, write32: (offset, value) => board.bus.store(base + offset, 4, value) },
    deviceIds: [VIRT_IOMMU_DEVICE_ID.HOST_DISK],
  };
}
