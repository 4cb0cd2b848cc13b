// HostBoard: built from a BoardDescription with the DTB from the same description, PLIC wired to
// every hart's MEIP/SEIP, UART0 and the monitor UART on their own sources and output streams,
// the disk backing checked against the description, deterministic time skip while all harts wait.
import { describe, expect, it } from 'vitest';
import { VIRT_MEMMAP, defaultBoardDescription } from '../../core/hw/board-description';
import { SLOT } from '../../core/hw/cpu/csr-slots';
import { MIP } from '../../core/spec/riscv-priv';
import { ACLINT } from '../../core/hw/devices/aclint';
import { MemoryDiskBacking } from '../../core/hw/devices/disk-backing';
import { PLIC } from '../../core/spec/plic';
import { buildVirtDtb } from '../../core/hw/dtb/virt-dtb';
import { fdtPropU32s, findFdtNode, readFdt } from '../../core/hw/dtb/fdt-reader';
import { HostBoard, hostBoardDescription } from '../../core/hw/host-board';
import { SeededRandom } from '../../core/hw/seeded-random';
import { A, imageOf } from './cpu/asm';

const MiB = 1024 * 1024;

function board(harts = 1, disk = false): HostBoard {
  const b = new HostBoard({
    description: hostBoardDescription(harts, 16 * MiB, { disk }),
    seed: 'host-board-test',
    ...(disk ? { disk: new MemoryDiskBacking(64 * 512) } : {}),
  });
  // Every hart waits in WFI at 0x80000000 (M-mode, interrupts off): a quiet machine.
  b.powerOn((x) => x.startBareMetal(imageOf([A.wfi(), A.jal(0, -4)])));
  return b;
}

describe('HostBoard', () => {
  it('generates its DTB from the description and places it like QEMU (2 MiB aligned at the top)', () => {
    const b = board(2);
    const root = readFdt(b.dtb).root;
    expect(findFdtNode(root, '/soc/plic@c000000')).toBeDefined();
    expect(fdtPropU32s(findFdtNode(root, '/soc/serial@10000000')!, 'interrupts')).toEqual([10]);
    expect(findFdtNode(root, '/cpus/cpu@1')).toBeDefined();
    expect(findFdtNode(root, '/soc/virtio_mmio@10001000')).toBeUndefined();
    expect(b.dtbAddress % (2 * MiB)).toBe(0);
    expect(b.dtbAddress).toBe(0x8000_0000 + 16 * MiB - 2 * MiB);
    expect(b.harts[1]!.x[11]! >>> 0).toBe(b.dtbAddress);
    expect(b.bus.readBytes(b.dtbAddress, b.dtb.length)).toEqual(b.dtb);
    // Same description and same random stream position give the same blob.
    const random = SeededRandom.fromSeed('host-board-test', 'cloudvisor-lab host board');
    random.fork('manufacturer');
    random.fork('tpm');
    expect(buildVirtDtb(b.description, random)).toEqual(b.dtb);
  });

  it('wires PLIC context 2h to hart h MEIP and 2h+1 to SEIP, UART0 on source 10', () => {
    const b = board(2);
    const plic = VIRT_MEMMAP.PLIC.base;
    b.bus.store(plic + 4 * 10, 4, 1); // priority of source 10
    b.bus.store(plic + PLIC.ENABLE_BASE + 3 * PLIC.ENABLE_STRIDE, 4, 1 << 10); // context 3: hart 1 S
    b.bus.store(VIRT_MEMMAP.UART0.base + 1, 1, 1); // IER: received-data interrupt
    b.uart.receive(Uint8Array.of(0x41));
    expect((b.harts[1]!.mip() & MIP.SEIP) !== 0).toBe(true);
    expect((b.harts[1]!.mip() & MIP.MEIP) !== 0).toBe(false);
    expect((b.harts[0]!.mip() & (MIP.SEIP | MIP.MEIP)) !== 0).toBe(false);
    b.bus.store(plic + PLIC.ENABLE_BASE + 0 * PLIC.ENABLE_STRIDE, 4, 1 << 10); // context 0: hart 0 M
    expect((b.harts[0]!.mip() & MIP.MEIP) !== 0).toBe(true);
    expect(b.bus.load(plic + PLIC.CONTEXT_BASE + 3 * PLIC.CONTEXT_STRIDE + PLIC.CONTEXT_CLAIM, 4)).toBe(10);
  });

  it('keeps the monitor UART a separate output stream', () => {
    const b = board();
    const console0: number[] = [];
    const monitor: number[] = [];
    b.onOutput((x) => console0.push(...x));
    const off = b.onMonitorOutput((x) => monitor.push(...x));
    b.bus.store(VIRT_MEMMAP.MONITOR_UART.base, 1, 0x4d);
    b.bus.store(VIRT_MEMMAP.UART0.base, 1, 0x55);
    off();
    b.bus.store(VIRT_MEMMAP.MONITOR_UART.base, 1, 0x4e);
    expect(monitor).toEqual([0x4d]);
    expect(console0).toEqual([0x55]);
  });

  it('checks the disk backing against the description and refuses virtio-mmio slots', () => {
    expect(
      () =>
        new HostBoard({
          description: hostBoardDescription(1, 16 * MiB),
          seed: 's',
          disk: new MemoryDiskBacking(512),
        }),
    ).toThrow(/no host-disk/);
    expect(
      () => new HostBoard({ description: hostBoardDescription(1, 16 * MiB, { disk: true }), seed: 's' }),
    ).toThrow(/no disk backing/);
    expect(() => new HostBoard({ description: defaultBoardDescription(1, 16 * MiB), seed: 's' })).toThrow(
      /virtio-mmio/,
    );
    const b = board(1, true);
    expect(b.hostDisk).not.toBeNull();
    expect(b.bus.load(VIRT_MEMMAP.HOST_DISK.base, 4)).toBe(0x4b53_4944);
  });

  it('jumps virtual time to the next mtimecmp when every hart waits, and stops when nothing can wake', () => {
    const b = board(2);
    b.run(100);
    expect(b.harts.every((h) => h.waiting)).toBe(true);
    const before = b.clock.now();
    expect(b.run(1000)).toBeLessThan(1000); // nothing armed: returns at once
    expect(b.clock.now()).toBe(before);
    b.aclint.write(ACLINT.MTIMECMP + 8, 4, 50_000); // hart 1's timer, high word still all ones
    b.aclint.write(ACLINT.MTIMECMP + 12, 4, 0);
    b.harts[1]!.csr[SLOT.MIE] = MIP.MTIP; // mie.MTIE: WFI wakes on a locally enabled interrupt
    b.run(1000);
    expect(b.clock.now()).toBeGreaterThanOrEqual(50_000);
    expect(b.harts[0]!.waiting).toBe(true); // hart 0 has no timer: still asleep
  });

  it('resets everything on a finisher reset request and boots again', () => {
    const b = board();
    b.run(10);
    b.bus.store(0x8000_0100, 4, 0x1234_5678);
    b.bus.store(VIRT_MEMMAP.TEST.base, 4, 0x7777);
    expect(b.resets).toBe(1); // a reset waits until no hart is inside its run
    b.run(0);
    expect(b.resets).toBe(2);
    expect(b.bus.load(0x8000_0100, 4)).toBe(0);
    expect(b.harts[0]!.pc >>> 0).toBe(0x8000_0000);
    b.bus.store(VIRT_MEMMAP.TEST.base, 4, (3 << 16) | 0x3333);
    expect(b.exit).toEqual({ reason: 'finisher', code: 3 });
  });
});
