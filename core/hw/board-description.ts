// The board as data: hart count, RAM and the device map, from which the machine and its
// device tree are both built, so the guest's view cannot drift from the emulator's.
// Invariants after validation: 1..8 harts, RAM page-aligned inside 0x80000000..0xFFFFFFFF,
// no two windows overlap, every IRQ is a unique PLIC source 1..95.
// The map follows QEMU 7.2 `virt` (hw/riscv/virt.c, virt_memmap) wherever the device exists there.

/** QEMU virt addresses (hw/riscv/virt.c) plus our own devices in space QEMU leaves free. */
export const VIRT_MEMMAP = {
  TEST: { base: 0x0010_0000, size: 0x1000 },
  CLINT: { base: 0x0200_0000, size: 0x1_0000 },
  /** QEMU sizes the window for its maximum hart count: 0x200000 + 1024 contexts * 0x1000. */
  PLIC: { base: 0x0c00_0000, size: 0x60_0000 },
  UART0: { base: 0x1000_0000, size: 0x100 },
  VIRTIO: { base: 0x1000_1000, size: 0x1000 },
  /**
   * Ours. 0x10100000 holds QEMU's fw-cfg, so our devices start at 0x10200000, which QEMU
   * virt leaves unmapped (below the 0x20000000 flash).
   */
  HOST_DISK: { base: 0x1020_0000, size: 0x1000 },
  IOMMU: { base: 0x1020_1000, size: 0x1000 },
  MONITOR_UART: { base: 0x1020_2000, size: 0x100 },
  DRAM: { base: 0x8000_0000 },
} as const;

/** PLIC source numbers: QEMU's (VIRTIO_IRQ 1..8, UART0_IRQ 10, RTC_IRQ 11), then ours from 12. */
export const VIRT_IRQ = {
  VIRTIO_FIRST: 1,
  UART0: 10,
  HOST_DISK: 12,
  IOMMU: 13,
  MONITOR_UART: 14,
} as const;

export const VIRT_VIRTIO_COUNT = 8;
/** Number of PLIC interrupt sources besides the reserved source 0 (QEMU VIRT_IRQCHIP_NUM_SOURCES - 1). */
export const VIRT_PLIC_NDEV = 95;
export const VIRT_TIMEBASE_FREQUENCY = 10_000_000;
/** The NS16550A input clock QEMU advertises (3.6864 MHz). */
export const VIRT_UART_CLOCK_FREQUENCY = 3_686_400;
export const BOARD_MAX_HARTS = 8;
const RAM_LIMIT = 0x1_0000_0000;

export type BoardDeviceKind =
  'test' | 'clint' | 'plic' | 'uart' | 'virtio-mmio' | 'host-disk' | 'iommu' | 'monitor-uart';

export interface BoardDevice {
  readonly kind: BoardDeviceKind;
  readonly base: number;
  readonly size: number;
  /** PLIC source number, for devices that interrupt. */
  readonly irq?: number;
}

export interface BoardDescription {
  readonly harts: number;
  readonly ram: { readonly base: number; readonly size: number };
  readonly devices: readonly BoardDevice[];
  /** Kernel command line for /chosen/bootargs, if any. */
  readonly bootargs?: string;
}

/** The default virt-shaped board: every device of the map above. */
export function defaultBoardDescription(harts = 1, ramSize = 128 * 1024 * 1024): BoardDescription {
  const m = VIRT_MEMMAP;
  const devices: BoardDevice[] = [
    { kind: 'test', ...m.TEST },
    { kind: 'clint', ...m.CLINT },
    { kind: 'plic', ...m.PLIC },
    { kind: 'uart', ...m.UART0, irq: VIRT_IRQ.UART0 },
  ];
  for (let i = 0; i < VIRT_VIRTIO_COUNT; i++) {
    devices.push({
      kind: 'virtio-mmio',
      base: m.VIRTIO.base + i * m.VIRTIO.size,
      size: m.VIRTIO.size,
      irq: VIRT_IRQ.VIRTIO_FIRST + i,
    });
  }
  devices.push(
    { kind: 'host-disk', ...m.HOST_DISK, irq: VIRT_IRQ.HOST_DISK },
    { kind: 'iommu', ...m.IOMMU, irq: VIRT_IRQ.IOMMU },
    { kind: 'monitor-uart', ...m.MONITOR_UART, irq: VIRT_IRQ.MONITOR_UART },
  );
  return validateBoardDescription({ harts, ram: { base: m.DRAM.base, size: ramSize }, devices });
}

const KINDS: ReadonlySet<string> = new Set<BoardDeviceKind>([
  'test',
  'clint',
  'plic',
  'uart',
  'virtio-mmio',
  'host-disk',
  'iommu',
  'monitor-uart',
]);
const INTERRUPTING: ReadonlySet<string> = new Set<BoardDeviceKind>([
  'uart',
  'virtio-mmio',
  'host-disk',
  'iommu',
  'monitor-uart',
]);
const SINGLETONS: readonly BoardDeviceKind[] = [
  'test',
  'clint',
  'plic',
  'uart',
  'host-disk',
  'iommu',
  'monitor-uart',
];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function u32Field(where: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff_ffff) {
    throw new Error(`board description: ${where} must be an unsigned 32-bit integer, got ${String(v)}`);
  }
  return v;
}

function validateDevice(raw: unknown, index: number): BoardDevice {
  const where = `devices[${index}]`;
  if (!isRecord(raw)) throw new Error(`board description: ${where} is not an object`);
  const kind = raw['kind'];
  if (typeof kind !== 'string' || !KINDS.has(kind))
    throw new Error(`board description: ${where}.kind ${String(kind)} is unknown`);
  const base = u32Field(`${where}.base`, raw['base']);
  const size = u32Field(`${where}.size`, raw['size']);
  if (size === 0 || base + size > RAM_LIMIT)
    throw new Error(
      `board description: ${where} window 0x${base.toString(16)}+0x${size.toString(16)} is empty or beyond 4 GiB`,
    );
  const device: { kind: BoardDeviceKind; base: number; size: number; irq?: number } = {
    kind: kind as BoardDeviceKind,
    base,
    size,
  };
  if (INTERRUPTING.has(kind)) {
    const irq = raw['irq'];
    if (typeof irq !== 'number' || !Number.isInteger(irq) || irq < 1 || irq > VIRT_PLIC_NDEV) {
      throw new Error(
        `board description: ${where} (${kind}) needs an irq in 1..${VIRT_PLIC_NDEV}, got ${String(irq)}`,
      );
    }
    device.irq = irq;
  } else if (raw['irq'] !== undefined) {
    throw new Error(`board description: ${where} (${kind}) does not interrupt, but has an irq`);
  }
  return device;
}

/** Checks outside data (a session file, the CLI) and returns a description the board can trust. */
export function validateBoardDescription(raw: unknown): BoardDescription {
  if (!isRecord(raw)) throw new Error('board description: not an object');
  const harts = raw['harts'];
  if (typeof harts !== 'number' || !Number.isInteger(harts) || harts < 1 || harts > BOARD_MAX_HARTS) {
    throw new Error(`board description: harts must be 1..${BOARD_MAX_HARTS}, got ${String(harts)}`);
  }
  const ramRaw = raw['ram'];
  if (!isRecord(ramRaw)) throw new Error('board description: ram is missing');
  const ram = { base: u32Field('ram.base', ramRaw['base']), size: u32Field('ram.size', ramRaw['size']) };
  if (ram.base !== VIRT_MEMMAP.DRAM.base)
    throw new Error(
      `board description: ram.base must be 0x80000000 (virt DRAM), got 0x${ram.base.toString(16)}`,
    );
  if (ram.size < 0x1000 || ram.size % 0x1000 !== 0 || ram.base + ram.size > RAM_LIMIT) {
    throw new Error(
      `board description: ram.size must be a positive multiple of 4 KiB of at most 2 GiB, got ${ram.size}`,
    );
  }
  const devRaw = raw['devices'];
  if (!Array.isArray(devRaw)) throw new Error('board description: devices must be an array');
  const devices = devRaw.map((d: unknown, i) => validateDevice(d, i));
  checkOverlaps(ram, devices);
  checkUniqueness(devices);
  if (devices.some((d) => d.irq !== undefined) && !devices.some((d) => d.kind === 'plic')) {
    throw new Error('board description: devices have interrupts but there is no plic');
  }
  const bootargs = raw['bootargs'];
  if (bootargs !== undefined && typeof bootargs !== 'string')
    throw new Error('board description: bootargs must be a string');
  return bootargs === undefined ? { harts, ram, devices } : { harts, ram, devices, bootargs };
}

function checkOverlaps(ram: { base: number; size: number }, devices: readonly BoardDevice[]): void {
  const windows = [
    { name: 'ram', base: ram.base, end: ram.base + ram.size },
    ...devices.map((d, i) => ({ name: `devices[${i}] (${d.kind})`, base: d.base, end: d.base + d.size })),
  ];
  windows.sort((a, b) => a.base - b.base);
  for (let i = 1; i < windows.length; i++) {
    const prev = windows[i - 1]!;
    const cur = windows[i]!;
    if (cur.base < prev.end)
      throw new Error(`board description: ${cur.name} at 0x${cur.base.toString(16)} overlaps ${prev.name}`);
  }
}

function checkUniqueness(devices: readonly BoardDevice[]): void {
  for (const kind of SINGLETONS) {
    if (devices.filter((d) => d.kind === kind).length > 1)
      throw new Error(`board description: more than one ${kind}`);
  }
  const irqs = new Map<number, BoardDeviceKind>();
  for (const d of devices) {
    if (d.irq === undefined) continue;
    const other = irqs.get(d.irq);
    if (other !== undefined)
      throw new Error(`board description: irq ${d.irq} is used by both ${other} and ${d.kind}`);
    irqs.set(d.irq, d.kind);
  }
}

/** The one device of a kind, if present. */
export function findBoardDevice(desc: BoardDescription, kind: BoardDeviceKind): BoardDevice | undefined {
  return desc.devices.find((d) => d.kind === kind);
}
