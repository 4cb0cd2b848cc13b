// The virt-shaped board: QEMU's reset-vector register contract (a0 hartid, a1 DTB, a2 fw_dynamic
// info, t0 entry), DTB placement as riscv_load_fdt does, harts interleaved, WFI idle skipping
// to the CLINT deadline, and a test-finisher reset reloading the program.
import { describe, expect, it } from 'vitest';
import { VirtBoard } from '../../core/hw/virt-board';
import { A, BASE, imageOf, li } from './cpu/asm';

const MIE_MTIE = 1 << 7;
const SMALL = 4 * 1024 * 1024;

describe('VirtBoard', () => {
  it("resets harts like QEMU's reset vector and places the DTB 2 MiB-aligned below RAM end", () => {
    const board = new VirtBoard({ harts: 2 });
    const dtb = new Uint8Array(100).fill(0xd0);
    board.load(imageOf([A.halt()]), dtb);
    expect(board.dtbAddr).toBe(0x87e0_0000);
    expect(board.bus.readBytes(0x87e0_0000, 100)).toEqual(dtb);
    for (const h of board.harts) {
      expect([h.x[10], h.x[11]! >>> 0, h.x[12], h.x[5]! >>> 0, h.pc >>> 0, h.priv]).toEqual([
        h.id,
        0x87e0_0000,
        0x1028,
        BASE,
        BASE,
        3,
      ]);
    }
  });

  it('refuses a program outside RAM and a second program', () => {
    const board = new VirtBoard({ ramSize: SMALL });
    expect(() => board.load(imageOf([A.halt()], 0x4000_0000))).toThrow(RangeError);
    board.load(imageOf([A.halt()]));
    expect(() => board.load(imageOf([A.halt()]))).toThrow(/already/);
  });

  it('interleaves harts in quanta: each counts in its own register', () => {
    const board = new VirtBoard({ harts: 2, quantum: 100, ramSize: SMALL });
    board.load(imageOf([A.addi(6, 6, 1), A.jal(0, -4)]));
    board.run(1000);
    expect([board.harts[0]!.x[6], board.harts[1]!.x[6]]).toEqual([250, 250]);
    expect(board.instructions).toBe(1000);
  });

  it('a hart in WFI wakes at its mtimecmp deadline without burning instructions', () => {
    const board = new VirtBoard({ instructionsPerTick: 100, ramSize: SMALL });
    const prog = [
      ...li(1, 0x0200_4000),
      ...li(2, 50_000),
      A.sw(0, 1, 4),
      A.sw(2, 1, 0),
      ...li(3, MIE_MTIE),
      A.csrrs(0, 0x304, 3),
      A.wfi(),
      A.csrrs(7, 0xc01, 0),
      A.halt(),
    ];
    board.load(imageOf(prog));
    // 14 instructions reach the csrrs after WFI only if waiting spent no budget.
    board.run(14);
    const h = board.harts[0]!;
    expect(h.x[7]).toBeGreaterThanOrEqual(50_000);
  });

  it('the finisher exits with its code; a reset request reloads the program', () => {
    const fail = new VirtBoard({ ramSize: SMALL });
    fail.load(imageOf([...li(1, 0x10_0000), ...li(2, (9 << 16) | 0x3333), A.sw(2, 1, 0), A.halt()]));
    fail.run(100);
    expect(fail.exit).toEqual({ reason: 'finisher', code: 9 });
    const again = new VirtBoard({ ramSize: SMALL });
    again.load(imageOf([A.addi(6, 6, 1), ...li(1, 0x10_0000), ...li(2, 0x7777), A.sw(2, 1, 0), A.halt()]));
    again.run(6);
    expect(again.harts[0]!.x[6]).toBe(0);
    expect(again.harts[0]!.pc >>> 0).toBe(BASE);
  });
});
