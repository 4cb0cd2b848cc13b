// The modelled firmware's SBI v2.0 interface, driven by a one-instruction S-mode payload (ECALL
// then a jump to itself) with the call's registers set from the test: return registers, error
// codes for every refusal, RV32 splitting of 64-bit values, HSM states, IPIs through MSIP, SRST
// through the board, DBCN through UART0 and RAM, measured boot into PCR 0 and PCR 4.
import { describe, expect, it } from 'vitest';
import { SLOT } from '../../../core/hw/cpu/csr-slots';
import { MIP } from '../../../core/spec/riscv-priv';
import { ACLINT } from '../../../core/hw/devices/aclint';
import { PlatformFirmware } from '../../../core/hw/firmware/platform-firmware';
import { firmwareDigest } from '../../../core/hw/firmware/measured-boot';
import { FIRMWARE_IMPL_ID } from '../../../core/hw/firmware/sbi-constants';
import { HSM_STATE, SBI_ERR, SBI_EXT } from '../../../core/spec/sbi';
import { HostBoard, hostBoardDescription } from '../../../core/hw/host-board';
import { sha256 } from '../../../core/hw/tpm/pcr-bank';
import { A, imageOf } from '../cpu/asm';

const ENTRY = 0x8020_0000;
const PAYLOAD = imageOf([A.ecall(), A.jal(0, 0)], ENTRY);
const PAYLOAD_BYTES = new TextEncoder().encode('payload image bytes');

function machine(harts = 1): { board: HostBoard; fw: PlatformFirmware; out: number[] } {
  const board = new HostBoard({
    description: hostBoardDescription(harts, 16 * 1024 * 1024),
    seed: 'sbi-test',
  });
  const fw = new PlatformFirmware(board);
  const out: number[] = [];
  board.onOutput((b) => out.push(...b));
  board.powerOn(fw.supervisorBoot(PAYLOAD, PAYLOAD_BYTES));
  return { board, fw, out };
}

/** One SBI call from hart `hart` (in S-mode at the payload): returns a0, a1 as signed/unsigned. */
function call(
  board: HostBoard,
  eid: number,
  fid: number,
  args: number[] = [],
  hart = 0,
): { error: number; value: number } {
  const h = board.harts[hart]!;
  h.pc = ENTRY;
  h.x[17] = eid;
  h.x[16] = fid;
  for (let i = 0; i < 6; i++) h.x[10 + i] = args[i] ?? 0;
  expect(h.priv).toBe(1);
  h.run(1);
  expect(h.pc >>> 0).toBe(ENTRY + 4);
  return { error: h.x[10]!, value: h.x[11]! >>> 0 };
}

describe('platform firmware: boot', () => {
  it('measures itself into PCR 0 and the payload into PCR 4, then enters S-mode with a0 = hartid, a1 = DTB', () => {
    const { board } = machine(2);
    const pcrs = board.tpm.execute({ command: 'PCR_Read', locality: 0, pcrs: [0, 4] });
    if (!pcrs.ok) throw new Error(pcrs.message);
    expect(pcrs.values[0]).toEqual(sha256(new Uint8Array(32), firmwareDigest()));
    expect(pcrs.values[1]).toEqual(sha256(new Uint8Array(32), sha256(PAYLOAD_BYTES)));
    const h0 = board.harts[0]!;
    expect([h0.priv, h0.pc >>> 0, h0.x[10], h0.x[11]! >>> 0]).toEqual([1, ENTRY, 0, board.dtbAddress]);
    expect(board.harts[1]!.priv).toBe(3);
    expect(board.harts[1]!.waiting).toBe(true);
  });
});

describe('platform firmware: SBI v2.0', () => {
  it('BASE: spec version 2.0, implementation id, probe, machine ids; unknown calls are NOT_SUPPORTED', () => {
    const { board } = machine();
    expect(call(board, SBI_EXT.BASE, 0)).toEqual({ error: 0, value: 0x0200_0000 });
    expect(call(board, SBI_EXT.BASE, 1)).toEqual({ error: 0, value: FIRMWARE_IMPL_ID });
    expect(call(board, SBI_EXT.BASE, 3, [SBI_EXT.HSM]).value).toBe(1);
    expect(call(board, SBI_EXT.BASE, 3, [SBI_EXT.LEGACY_CONSOLE_PUTCHAR]).value).toBe(1);
    expect(call(board, SBI_EXT.BASE, 3, [0x4142_4344]).value).toBe(0);
    expect(call(board, SBI_EXT.BASE, 4)).toEqual({ error: 0, value: 0 });
    expect(call(board, SBI_EXT.BASE, 7).error).toBe(SBI_ERR.NOT_SUPPORTED);
    expect(call(board, 0x1234_5678, 0).error).toBe(SBI_ERR.NOT_SUPPORTED);
  });

  it('TIME: set_timer takes a 64-bit time split lo/hi, programs mtimecmp, clears STIP; MTIP raises STIP', () => {
    const { board } = machine();
    const h = board.harts[0]!;
    expect(call(board, SBI_EXT.TIME, 0, [0x89ab_cdef, 0x1])).toEqual({ error: 0, value: 0 });
    expect(board.aclint.read(ACLINT.MTIMECMP, 4) >>> 0).toBe(0x89ab_cdef);
    expect(board.aclint.read(ACLINT.MTIMECMP + 4, 4)).toBe(1);
    call(board, SBI_EXT.TIME, 0, [board.clock.now() + 5, 0]);
    expect(h.mip() & MIP.STIP).toBe(0);
    expect((h.csr[SLOT.MIE]! & MIP.MTIP) !== 0).toBe(true);
    board.run(5000); // the payload spins at ENTRY+4 until the deadline passes
    expect(h.mip() & MIP.STIP).toBe(MIP.STIP);
    expect(h.csr[SLOT.MIE]! & MIP.MTIP).toBe(0);
    call(board, SBI_EXT.LEGACY_SET_TIMER, 0, [0xffff_ffff, 0xffff_ffff]);
    expect(h.mip() & MIP.STIP).toBe(0);
    expect(call(board, SBI_EXT.TIME, 1).error).toBe(SBI_ERR.NOT_SUPPORTED);
  });

  it('HSM: start/status/stop with the spec states and errors; the started hart gets a0 = hartid, a1 = opaque', () => {
    const { board } = machine(2);
    expect(call(board, SBI_EXT.HSM, 2, [1])).toEqual({ error: 0, value: HSM_STATE.STOPPED });
    expect(call(board, SBI_EXT.HSM, 2, [2]).error).toBe(SBI_ERR.INVALID_PARAM);
    expect(call(board, SBI_EXT.HSM, 0, [1, 0x1000, 0]).error).toBe(SBI_ERR.INVALID_ADDRESS);
    expect(call(board, SBI_EXT.HSM, 0, [1, ENTRY + 2, 0]).error).toBe(SBI_ERR.INVALID_ADDRESS);
    expect(call(board, SBI_EXT.HSM, 0, [7, ENTRY, 0]).error).toBe(SBI_ERR.INVALID_PARAM);
    expect(call(board, SBI_EXT.HSM, 0, [1, ENTRY + 4, 0xcafe])).toEqual({ error: 0, value: 0 });
    expect(call(board, SBI_EXT.HSM, 2, [1]).value).toBe(HSM_STATE.START_PENDING);
    expect(call(board, SBI_EXT.HSM, 0, [1, ENTRY, 0]).error).toBe(SBI_ERR.ALREADY_AVAILABLE);
    board.run(3000); // hart 0 spins through its quantum, then hart 1 gets its turn
    const h1 = board.harts[1]!;
    expect([h1.priv, h1.x[10], h1.x[11]]).toEqual([1, 1, 0xcafe]);
    expect(call(board, SBI_EXT.HSM, 2, [1]).value).toBe(HSM_STATE.STARTED);
    expect(call(board, SBI_EXT.HSM, 0, [1, ENTRY, 0]).error).toBe(SBI_ERR.ALREADY_AVAILABLE);
    // hart 1 stops itself: it never returns from the call and is parked in M-mode.
    h1.pc = ENTRY;
    h1.x[17] = SBI_EXT.HSM;
    h1.x[16] = 1;
    h1.run(1);
    expect([h1.priv, h1.waiting]).toEqual([3, true]);
    expect(call(board, SBI_EXT.HSM, 2, [1]).value).toBe(HSM_STATE.STOPPED);
    expect(call(board, SBI_EXT.HSM, 3, [2]).error).toBe(SBI_ERR.INVALID_PARAM);
    expect(call(board, SBI_EXT.HSM, 3, [0x8000_0000]).error).toBe(SBI_ERR.NOT_SUPPORTED);
  });

  it('IPI: send_ipi reaches the target through its MSIP and shows up as SSIP; bad masks are INVALID_PARAM', () => {
    const { board } = machine(2);
    call(board, SBI_EXT.HSM, 0, [1, ENTRY + 4, 0]);
    board.run(3000); // hart 0 spins through its quantum, then hart 1 gets its turn
    const h1 = board.harts[1]!;
    expect(h1.mip() & MIP.SSIP).toBe(0);
    expect(call(board, SBI_EXT.IPI, 0, [0b10, 0])).toEqual({ error: 0, value: 0 });
    expect(board.aclint.read(ACLINT.MSIP + 4, 4)).toBe(1);
    board.run(3000); // hart 0 spins through its quantum, then hart 1 gets its turn
    expect(board.aclint.read(ACLINT.MSIP + 4, 4)).toBe(0);
    expect(h1.mip() & MIP.SSIP).toBe(MIP.SSIP);
    expect(call(board, SBI_EXT.IPI, 0, [0b100, 0]).error).toBe(SBI_ERR.INVALID_PARAM);
    expect(call(board, SBI_EXT.IPI, 0, [1, 1]).error).toBe(SBI_ERR.SUCCESS);
    expect(call(board, SBI_EXT.IPI, 0, [0, 0xffff_ffff]).error).toBe(SBI_ERR.SUCCESS);
    expect(call(board, SBI_EXT.RFENCE, 1, [0b11, 0, 0, 0]).error).toBe(SBI_ERR.SUCCESS);
    expect(call(board, SBI_EXT.RFENCE, 6, [0b11, 0, 0, 0xffff_ffff]).error).toBe(SBI_ERR.SUCCESS);
    expect(call(board, SBI_EXT.RFENCE, 1, [0b1000, 0, 0, 0]).error).toBe(SBI_ERR.INVALID_PARAM);
    expect(call(board, SBI_EXT.RFENCE, 7, [1, 0]).error).toBe(SBI_ERR.NOT_SUPPORTED);
  });

  it('DBCN: writes from RAM through UART0, reads typed bytes into RAM, refuses buffers outside RAM', () => {
    const { board, out } = machine();
    board.bus.writeBytes(0x8030_0000, new TextEncoder().encode('hello'));
    expect(call(board, SBI_EXT.DBCN, 0, [5, 0x8030_0000, 0])).toEqual({ error: 0, value: 5 });
    expect(call(board, SBI_EXT.DBCN, 2, [0x21])).toEqual({ error: 0, value: 0 });
    expect(Buffer.from(out).toString()).toBe('hello!');
    expect(call(board, SBI_EXT.DBCN, 0, [5, 0x8030_0000, 1]).error).toBe(SBI_ERR.INVALID_PARAM);
    expect(call(board, SBI_EXT.DBCN, 0, [0x100, 0x80ff_ff80, 0]).error).toBe(SBI_ERR.INVALID_PARAM);
    expect(call(board, SBI_EXT.DBCN, 0, [4, 0x1000_0000, 0]).error).toBe(SBI_ERR.INVALID_PARAM);
    board.uart.receive(new TextEncoder().encode('ok'));
    expect(call(board, SBI_EXT.DBCN, 1, [8, 0x8030_1000, 0])).toEqual({ error: 0, value: 2 });
    expect(Buffer.from(board.bus.readBytes(0x8030_1000, 2)).toString()).toBe('ok');
    expect(call(board, SBI_EXT.DBCN, 1, [8, 0x8030_1000, 0])).toEqual({ error: 0, value: 0 });
    board.uart.receive(Uint8Array.of(0x7a));
    expect(call(board, SBI_EXT.LEGACY_CONSOLE_GETCHAR, 0).error).toBe(0x7a);
    expect(call(board, SBI_EXT.LEGACY_CONSOLE_GETCHAR, 0).error).toBe(-1);
    call(board, SBI_EXT.LEGACY_CONSOLE_PUTCHAR, 0, [0x3f]);
    expect(out.at(-1)).toBe(0x3f);
  });

  it('SRST: reserved types and reasons are INVALID_PARAM; shutdown powers off with the reason, reboot boots again', () => {
    let m = machine();
    expect(call(m.board, SBI_EXT.SRST, 0, [3, 0]).error).toBe(SBI_ERR.INVALID_PARAM);
    expect(call(m.board, SBI_EXT.SRST, 0, [0, 2]).error).toBe(SBI_ERR.INVALID_PARAM);
    expect(call(m.board, SBI_EXT.SRST, 0, [0xf000_0000, 0]).error).toBe(SBI_ERR.NOT_SUPPORTED);
    const h = m.board.harts[0]!;
    h.pc = ENTRY;
    [h.x[17], h.x[16], h.x[10], h.x[11]] = [SBI_EXT.SRST, 0, 0, 1];
    m.board.run(1);
    expect(m.board.exit).toEqual({ reason: 'finisher', code: 1 });
    m = machine();
    const g = m.board.harts[0]!;
    g.pc = ENTRY;
    [g.x[17], g.x[16], g.x[10], g.x[11]] = [SBI_EXT.SRST, 0, 1, 0];
    m.board.run(1);
    expect(m.board.exit).toBeNull();
    expect(m.board.resets).toBe(2);
    expect([g.priv, g.pc >>> 0, g.x[10]]).toEqual([1, ENTRY, 0]);
    const pcr0 = m.board.tpm.execute({ command: 'PCR_Read', locality: 0, pcrs: [0] });
    if (!pcr0.ok) throw new Error(pcr0.message);
    expect(pcr0.values[0]).toEqual(sha256(new Uint8Array(32), firmwareDigest())); // power-cycled, measured once again
  });

  it('redirects exceptions it does not handle (illegal instruction) to the S-mode trap vector', () => {
    const { board } = machine();
    const h = board.harts[0]!;
    h.csr[SLOT.STVEC] = ENTRY + 4;
    board.bus.write32(0x8030_0000, 0xffff_ffff);
    h.pc = 0x8030_0000;
    h.run(1);
    expect([h.priv, h.pc >>> 0, h.csr[SLOT.SCAUSE], h.csr[SLOT.SEPC]! >>> 0]).toEqual([
      1,
      ENTRY + 4,
      2,
      0x8030_0000,
    ]);
    expect(h.csr[SLOT.STVAL]! >>> 0).toBe(0xffff_ffff);
  });

  it('stops the machine with a clear failure on a machine interrupt it does not own', () => {
    const { board } = machine();
    const h = board.harts[0]!;
    h.csr[SLOT.MIE] = (h.csr[SLOT.MIE] ?? 0) | MIP.MEIP;
    board.bus.store(0x0c00_0000 + 4 * 10, 4, 1); // PLIC: UART0 priority 1, enabled for hart 0's M context
    board.bus.store(0x0c00_2000, 4, 1 << 10);
    board.bus.store(0x1000_0001, 1, 1); // UART IER: received data
    board.uart.receive(Uint8Array.of(0x41));
    board.run(10);
    expect(board.exit).toEqual({ reason: 'failure', code: 1 });
    expect(board.failure).toMatch(/unexpected machine interrupt 11 on hart 0/);
  });

  it('hands HS-mode to a modelled layer after measuring it', () => {
    const board = new HostBoard({ description: hostBoardDescription(2, 16 * 1024 * 1024), seed: 'hs' });
    const fw = new PlatformFirmware(board);
    const layer = new TextEncoder().encode('monitor v1');
    board.powerOn(() => fw.handOffToModelledHs(layer));
    expect(board.harts.map((h) => [h.priv, h.virt])).toEqual([
      [1, 0],
      [1, 0],
    ]);
    const pcr4 = board.tpm.execute({ command: 'PCR_Read', locality: 0, pcrs: [4] });
    if (!pcr4.ok) throw new Error(pcr4.message);
    expect(pcr4.values[0]).toEqual(sha256(new Uint8Array(32), sha256(layer)));
  });
});
