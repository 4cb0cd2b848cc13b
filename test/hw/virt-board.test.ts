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

  it('Sstc: stimecmp raises STIP when time reaches it and S-mode takes the timer interrupt', () => {
    const stvec = BASE + 0x400;
    const setup = [
      [0x31a, 1 << 31], // menvcfgh.STCE
      [0x306, 2], // mcounteren.TM
      [0x303, 1 << 5], // mideleg: STI
      [0x104, 1 << 5], // sie.STIE
      [0x105, stvec],
      [0x15d, 0], // stimecmph
      [0x14d, 3000], // stimecmp
      [0x3b0, -1], // pmpaddr0: everything
      [0x3a0, 0x1f], // pmpcfg0: NAPOT RWX
      [0x300, 1 << 11], // MPP = S
    ] as const;
    const prog: number[] = [];
    for (const [csr, value] of setup) prog.push(...li(1, value), A.csrrw(0, csr, 1));
    const sCode = BASE + 4 * (prog.length + 4);
    prog.push(...li(1, sCode), A.csrrw(0, 0x341, 1), A.mret());
    prog.push(A.csrrsi(0, 0x100, 2), A.jal(0, 0)); // S-mode: sstatus.SIE, then spin
    while (prog.length < 0x100) prog.push(A.halt());
    prog.push(A.csrrs(6, 0xc01, 0), A.halt()); // handler: read time
    const board = new VirtBoard({ ramSize: SMALL, instructionsPerTick: 10 });
    board.load(imageOf(prog));
    board.run(100_000);
    const h = board.harts[0]!;
    expect(h.pc >>> 0).toBe(stvec + 4);
    expect(h.x[6]).toBeGreaterThanOrEqual(3000);
    expect(h.x[6]).toBeLessThan(3010);
    expect(h.csr[23]! >>> 0).toBe(0x8000_0005);
  });
});
