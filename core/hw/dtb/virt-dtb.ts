// Builds the device tree blob for a board description, shaped like QEMU 7.2 virt's
// (hw/riscv/virt.c create_fdt*): same node names, cells, compatibles and interrupt wiring
// for the devices both boards have, plus our own devices under "cloudvisor-lab,..." names.
// Invariant: generated only from the description, so the tree cannot drift from the board.
// Bindings: Devicetree Spec v0.4 ch. 3; Linux bindings riscv/cpus.yaml, sifive,plic-1.0.0.yaml,
// riscv,cpu-intc, syscon-poweroff/reboot, iommu/iommu.txt ("#iommu-cells", "iommus").
import {
  type BoardDescription,
  type BoardDevice,
  VIRT_PLIC_NDEV,
  VIRT_TIMEBASE_FREQUENCY,
  VIRT_UART_CLOCK_FREQUENCY,
  validateBoardDescription,
} from '../board-description';
import { FdtNodeBuilder, fdtValue as v, writeFdt } from './fdt-writer';

/** What the DTB needs from the board's random source (SeededRandom satisfies it). */
export interface DtbRandom {
  bytes(length: number): Uint8Array;
}

/** riscv,isa of our hart: IMA + H, with the Zicsr/Zifencei the hart implements (ARCHITECTURE.md). */
export const VIRT_RISCV_ISA = 'rv32imah_zicsr_zifencei';

/** IOMMU device IDs (the "iommus" specifier) of the DMA-capable devices. */
export const VIRT_IOMMU_DEVICE_ID = { HOST_DISK: 1 } as const;

/** Interrupt numbers at the hart-local controller (priv spec: mcause interrupt codes). */
export const VIRT_HART_IRQ = { S_SOFT: 1, M_SOFT: 3, S_TIMER: 5, M_TIMER: 7, S_EXT: 9, M_EXT: 11 } as const;
const RNG_SEED_BYTES = 32;

const hex = (n: number): string => n.toString(16);

interface Phandles {
  readonly cpu: (hart: number) => number;
  readonly intc: (hart: number) => number;
  readonly plic: number;
  readonly test: number;
  readonly iommu: number;
}

function phandles(harts: number): Phandles {
  return {
    cpu: (h) => 1 + 2 * h,
    intc: (h) => 2 + 2 * h,
    plic: 2 * harts + 1,
    test: 2 * harts + 2,
    iommu: 2 * harts + 3,
  };
}

function addCpus(root: FdtNodeBuilder, harts: number, ph: Phandles): void {
  const cpus = root
    .child('cpus')
    .prop('#address-cells', v.u32(1))
    .prop('#size-cells', v.u32(0))
    .prop('timebase-frequency', v.u32(VIRT_TIMEBASE_FREQUENCY));
  for (let h = 0; h < harts; h++) {
    const cpu = cpus
      .child(`cpu@${hex(h)}`)
      .prop('phandle', v.u32(ph.cpu(h)))
      .prop('device_type', v.string('cpu'))
      .prop('reg', v.u32(h))
      .prop('status', v.string('okay'))
      .prop('compatible', v.string('riscv'))
      .prop('riscv,isa', v.string(VIRT_RISCV_ISA))
      .prop('mmu-type', v.string('riscv,sv32'));
    cpu
      .child('interrupt-controller')
      .prop('#interrupt-cells', v.u32(1))
      .prop('interrupt-controller', v.empty())
      .prop('compatible', v.string('riscv,cpu-intc'))
      .prop('phandle', v.u32(ph.intc(h)));
  }
  const cluster = cpus.child('cpu-map').child('cluster0');
  for (let h = 0; h < harts; h++) cluster.child(`core${h}`).prop('cpu', v.u32(ph.cpu(h)));
}

/** interrupts-extended for every hart: (intc, M-mode irq), (intc, S-mode irq). */
function perHart(harts: number, ph: Phandles, mIrq: number, sIrq: number): Uint8Array {
  const cells: number[] = [];
  for (let h = 0; h < harts; h++) cells.push(ph.intc(h), mIrq, ph.intc(h), sIrq);
  return v.u32(...cells);
}

function irqDevice(soc: FdtNodeBuilder, name: string, d: BoardDevice, ph: Phandles): FdtNodeBuilder {
  return soc
    .child(`${name}@${hex(d.base)}`)
    .prop('interrupts', v.u32(d.irq ?? 0))
    .prop('interrupt-parent', v.u32(ph.plic))
    .prop('reg', v.u64(d.base, d.size));
}

function addDevice(
  soc: FdtNodeBuilder,
  d: BoardDevice,
  harts: number,
  ph: Phandles,
  hasIommu: boolean,
): void {
  const reg = v.u64(d.base, d.size);
  switch (d.kind) {
    case 'test':
      soc
        .child(`test@${hex(d.base)}`)
        .prop('phandle', v.u32(ph.test))
        .prop('reg', reg)
        .prop('compatible', v.strings('sifive,test1', 'sifive,test0', 'syscon'));
      return;
    case 'clint':
      soc
        .child(`clint@${hex(d.base)}`)
        .prop('interrupts-extended', perHart(harts, ph, VIRT_HART_IRQ.M_SOFT, VIRT_HART_IRQ.M_TIMER))
        .prop('reg', reg)
        .prop('compatible', v.strings('sifive,clint0', 'riscv,clint0'));
      return;
    case 'plic':
      soc
        .child(`plic@${hex(d.base)}`)
        .prop('phandle', v.u32(ph.plic))
        .prop('riscv,ndev', v.u32(VIRT_PLIC_NDEV))
        .prop('reg', reg)
        .prop('interrupts-extended', perHart(harts, ph, VIRT_HART_IRQ.M_EXT, VIRT_HART_IRQ.S_EXT))
        .prop('interrupt-controller', v.empty())
        .prop('compatible', v.strings('sifive,plic-1.0.0', 'riscv,plic0'))
        .prop('#address-cells', v.u32(0))
        .prop('#interrupt-cells', v.u32(1));
      return;
    case 'uart':
      irqDevice(soc, 'serial', d, ph)
        .prop('clock-frequency', v.u32(VIRT_UART_CLOCK_FREQUENCY))
        .prop('compatible', v.string('ns16550a'));
      return;
    case 'monitor-uart':
      irqDevice(soc, 'serial', d, ph)
        .prop('clock-frequency', v.u32(VIRT_UART_CLOCK_FREQUENCY))
        .prop('compatible', v.strings('cloudvisor-lab,monitor-uart', 'ns16550a'));
      return;
    case 'virtio-mmio':
      irqDevice(soc, 'virtio_mmio', d, ph).prop('compatible', v.string('virtio,mmio'));
      return;
    case 'host-disk': {
      const node = irqDevice(soc, 'host-disk', d, ph);
      if (hasIommu) node.prop('iommus', v.u32(ph.iommu, VIRT_IOMMU_DEVICE_ID.HOST_DISK));
      node.prop('compatible', v.string('cloudvisor-lab,host-disk'));
      return;
    }
    case 'iommu':
      irqDevice(soc, 'iommu', d, ph)
        .prop('phandle', v.u32(ph.iommu))
        .prop('#iommu-cells', v.u32(1))
        .prop('compatible', v.string('cloudvisor-lab,iommu'));
      return;
  }
}

/**
 * The DTB for `desc`. `random` supplies /chosen/rng-seed (32 bytes, as QEMU does); without
 * it the property is left out rather than filled with a fixed value.
 */
export function buildVirtDtb(desc: BoardDescription, random?: DtbRandom): Uint8Array {
  const board = validateBoardDescription(desc);
  const ph = phandles(board.harts);
  const root = new FdtNodeBuilder('')
    .prop('#address-cells', v.u32(2))
    .prop('#size-cells', v.u32(2))
    .prop('compatible', v.strings('cloudvisor-lab,virt', 'riscv-virtio'))
    .prop('model', v.string('cloudvisor-lab,riscv-virtio'));
  const chosen = root.child('chosen');
  if (random !== undefined) chosen.prop('rng-seed', v.bytes(random.bytes(RNG_SEED_BYTES)));
  const uart = board.devices.find((d) => d.kind === 'uart');
  if (uart !== undefined) chosen.prop('stdout-path', v.string(`/soc/serial@${hex(uart.base)}`));
  if (board.bootargs !== undefined) chosen.prop('bootargs', v.string(board.bootargs));
  if (board.devices.some((d) => d.kind === 'test')) {
    root
      .child('poweroff')
      .prop('value', v.u32(0x5555))
      .prop('offset', v.u32(0))
      .prop('regmap', v.u32(ph.test))
      .prop('compatible', v.string('syscon-poweroff'));
    root
      .child('reboot')
      .prop('value', v.u32(0x7777))
      .prop('offset', v.u32(0))
      .prop('regmap', v.u32(ph.test))
      .prop('compatible', v.string('syscon-reboot'));
  }
  root
    .child(`memory@${hex(board.ram.base)}`)
    .prop('device_type', v.string('memory'))
    .prop('reg', v.u64(board.ram.base, board.ram.size));
  addCpus(root, board.harts, ph);
  const soc = root
    .child('soc')
    .prop('#address-cells', v.u32(2))
    .prop('#size-cells', v.u32(2))
    .prop('compatible', v.string('simple-bus'))
    .prop('ranges', v.empty());
  const hasIommu = board.devices.some((d) => d.kind === 'iommu');
  for (const d of board.devices) addDevice(soc, d, board.harts, ph, hasIommu);
  return writeFdt(root.build());
}
