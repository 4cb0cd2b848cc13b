// Builds a guest's device tree, shaped like QEMU 7.2 virt's (hw/riscv/virt.c create_fdt*) and
// like the host's own core/hw/dtb/virt-dtb.ts: same node names, cells, compatibles and PLIC
// wiring, for the devices a guest has: RAM, harts, PLIC, NS16550A, 8 virtio-mmio slots.
// Invariant: built from GUEST_MAP/GUEST_IRQ only, the constants the MMIO dispatcher uses.
// Bindings: Devicetree Spec v0.4 ch. 3; riscv/cpus.yaml, sifive,plic-1.0.0.yaml, virtio/mmio.yaml.
import { FdtNodeBuilder, fdtValue as v, writeFdt } from '../hw/dtb/fdt-writer';
import {
  GUEST_IRQ, GUEST_MAP, GUEST_PLIC_NDEV, GUEST_RISCV_ISA, GUEST_TIMEBASE_FREQUENCY, GUEST_UART_CLOCK, GUEST_VIRTIO_SLOTS,
} from './platform-map';
import { ensureTextEncoder } from './text-codec';

export interface GuestDtbConfig {
  readonly vcpus: number;
  readonly ramSize: number;
  readonly bootargs?: string;
  /** 32 bytes for /chosen/rng-seed, or omitted. */
  readonly rngSeed?: Uint8Array;
}

/** Hart-local interrupt numbers (mcause codes): M and S external. */
const IRQ_M_EXT = 11;
const IRQ_S_EXT = 9;
const hex = (n: number): string => n.toString(16);

export function buildGuestDtb(config: GuestDtbConfig): Uint8Array {
  ensureTextEncoder();
  const harts = config.vcpus;
  const cpuPh = (h: number): number => 1 + 2 * h;
  const intcPh = (h: number): number => 2 + 2 * h;
  const plicPh = 2 * harts + 1;
  const root = new FdtNodeBuilder('')
    .prop('#address-cells', v.u32(2))
    .prop('#size-cells', v.u32(2))
    .prop('compatible', v.string('riscv-virtio'))
    .prop('model', v.string('riscv-virtio,qemu'));
  const chosen = root.child('chosen');
  if (config.rngSeed !== undefined) chosen.prop('rng-seed', v.bytes(config.rngSeed));
  chosen.prop('stdout-path', v.string(`/soc/serial@${hex(GUEST_MAP.UART0.base)}`));
  if (config.bootargs !== undefined) chosen.prop('bootargs', v.string(config.bootargs));
  root.child(`memory@${hex(GUEST_MAP.RAM_BASE)}`).prop('device_type', v.string('memory')).prop('reg', v.u64(GUEST_MAP.RAM_BASE, config.ramSize));
  const cpus = root.child('cpus').prop('#address-cells', v.u32(1)).prop('#size-cells', v.u32(0)).prop('timebase-frequency', v.u32(GUEST_TIMEBASE_FREQUENCY));
  for (let h = 0; h < harts; h++) {
    cpus
      .child(`cpu@${hex(h)}`)
      .prop('phandle', v.u32(cpuPh(h)))
      .prop('device_type', v.string('cpu'))
      .prop('reg', v.u32(h))
      .prop('status', v.string('okay'))
      .prop('compatible', v.string('riscv'))
      .prop('riscv,isa', v.string(GUEST_RISCV_ISA))
      .prop('mmu-type', v.string('riscv,sv32'))
      .child('interrupt-controller')
      .prop('#interrupt-cells', v.u32(1))
      .prop('interrupt-controller', v.empty())
      .prop('compatible', v.string('riscv,cpu-intc'))
      .prop('phandle', v.u32(intcPh(h)));
  }
  const cluster = cpus.child('cpu-map').child('cluster0');
  for (let h = 0; h < harts; h++) cluster.child(`core${h}`).prop('cpu', v.u32(cpuPh(h)));
  const soc = root.child('soc').prop('#address-cells', v.u32(2)).prop('#size-cells', v.u32(2)).prop('compatible', v.string('simple-bus')).prop('ranges', v.empty());
  const ext: number[] = [];
  for (let h = 0; h < harts; h++) ext.push(intcPh(h), IRQ_M_EXT, intcPh(h), IRQ_S_EXT);
  soc
    .child(`plic@${hex(GUEST_MAP.PLIC.base)}`)
    .prop('phandle', v.u32(plicPh))
    .prop('riscv,ndev', v.u32(GUEST_PLIC_NDEV))
    .prop('reg', v.u64(GUEST_MAP.PLIC.base, GUEST_MAP.PLIC.size))
    .prop('interrupts-extended', v.u32(...ext))
    .prop('interrupt-controller', v.empty())
    .prop('compatible', v.strings('sifive,plic-1.0.0', 'riscv,plic0'))
    .prop('#address-cells', v.u32(0))
    .prop('#interrupt-cells', v.u32(1));
  soc
    .child(`serial@${hex(GUEST_MAP.UART0.base)}`)
    .prop('interrupts', v.u32(GUEST_IRQ.UART0))
    .prop('interrupt-parent', v.u32(plicPh))
    .prop('clock-frequency', v.u32(GUEST_UART_CLOCK))
    .prop('reg', v.u64(GUEST_MAP.UART0.base, GUEST_MAP.UART0.size))
    .prop('compatible', v.string('ns16550a'));
  // QEMU lists all eight slots, empty ones included (they report DeviceID 0), highest first.
  for (let i = GUEST_VIRTIO_SLOTS - 1; i >= 0; i--) {
    const base = GUEST_MAP.VIRTIO.base + i * GUEST_MAP.VIRTIO.size;
    soc
      .child(`virtio_mmio@${hex(base)}`)
      .prop('interrupts', v.u32(GUEST_IRQ.VIRTIO_FIRST + i))
      .prop('interrupt-parent', v.u32(plicPh))
      .prop('reg', v.u64(base, GUEST_MAP.VIRTIO.size))
      .prop('compatible', v.string('virtio,mmio'));
  }
  return writeFdt(root.build());
}
