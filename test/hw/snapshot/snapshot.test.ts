// Whole-machine determinism and snapshots on real guests: two runs of labOS (under the modelled
// SBI firmware) with a command typed into UART0 at a fixed instruction count are identical (RAM,
// harts, time, console); a snapshot taken mid-run and restored into a fresh machine continues
// exactly like the run that never stopped; bad snapshots fail with a clear error.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createElfMachine } from '../../../core/hw/boot-elf';
import { MemoryDiskBacking } from '../../../core/hw/devices/disk-backing';
import {
  decodeSnapshot,
  encodeSnapshot,
  restoreSnapshot,
  SnapshotError,
  SNAPSHOT_VERSION,
} from '../../../core/hw/snapshot/snapshot-codec';
import { saveUartState } from '../../../core/hw/snapshot/uart-state';
import { BOARD_TEST_DIR } from '../board-test-run';
import { LABFW_LABOS, LABOS, RAM_SIZE, Workload, type Typed } from './workload';

/** Measured: the labOS prompt appears after about 0.9M instructions (16 MiB); the snapshot is taken at the idle prompt. */
const SNAP_AT = 3_400_000;
const TYPED: readonly Typed[] = [{ at: 3_600_000, text: 'help\n' }];
const END = 5_000_000;

describe('machine determinism and snapshots (labOS under the SBI firmware)', () => {
  let reference: Workload;
  let snapshot: Uint8Array;
  let interrupted: Workload;

  beforeAll(() => {
    reference = Workload.boot(LABOS, true);
    reference.runTo(END, TYPED);
    interrupted = Workload.boot(LABOS, true);
    interrupted.runTo(SNAP_AT, TYPED);
    snapshot = encodeSnapshot(interrupted.machine);
    interrupted.runTo(END, TYPED);
  }, 120_000);

  it('two runs from the same seed give the same RAM, harts, time and console', () => {
    expect(reference.output).toContain('labos> ');
    expect(interrupted.digest()).toBe(reference.digest());
    expect(interrupted.output).toBe(reference.output);
  });

  it('UART input reaches labOS through PLIC interrupts: it answers `help`', () => {
    expect(reference.output).toMatch(/labos> help\r?\n\s+help\s+list the commands/);
    const board = reference.machine.board;
    expect(saveUartState(board.uart).ier & 1).toBe(1); // received-data interrupt enabled
    const plic = board.plic.saveState();
    expect((plic.enable[1]?.[0] ?? 0) & (1 << 10)).toBe(1 << 10); // hart 0 S-mode context, source 10
  });

  it('restoring the mid-run snapshot into a fresh machine continues exactly like the uninterrupted run', () => {
    const restored = restoreSnapshot(snapshot);
    const w = new Workload(restored);
    w.runTo(END, TYPED);
    expect(w.digest()).toBe(reference.digest());
    expect(reference.output.endsWith(w.output)).toBe(true);
    expect(w.output).toContain('list the commands');
    expect(restored.board.tpm.saveState()).toEqual(reference.machine.board.tpm.saveState());
  }, 60_000);

  it('refuses truncated, corrupted, foreign and other-version snapshots with a clear error', () => {
    const digest = interrupted.digest();
    const corrupt = snapshot.slice();
    corrupt[snapshot.length - 100] = (corrupt[snapshot.length - 100] ?? 0) ^ 0x01;
    const version = snapshot.slice();
    version[8] = SNAPSHOT_VERSION + 1;
    const foreign = snapshot.slice();
    foreign[0] = 0x58;
    const cases: [Uint8Array, RegExp][] = [
      [snapshot.slice(0, snapshot.length - 1), /truncated/],
      [snapshot.slice(0, 30), /truncated/],
      [corrupt, /corrupted \(SHA-256 checksum mismatch\)/],
      [version, new RegExp(`version ${SNAPSHOT_VERSION + 1} is not supported`)],
      [foreign, /not a CloudVisor Lab machine snapshot/],
      [new Uint8Array(0), /bad magic/],
    ];
    for (const [bytes, message] of cases) {
      expect(() => restoreSnapshot(bytes)).toThrow(SnapshotError);
      expect(() => restoreSnapshot(bytes)).toThrow(message);
    }
    expect(interrupted.digest()).toBe(digest); // the running machine is untouched
    const { header } = decodeSnapshot(snapshot);
    expect(header.bootMode).toBe('sbi');
    expect(header.instructions).toBe(SNAP_AT);
  });
});

describe('snapshots with a memory-backed host disk (the board test program)', () => {
  it('restores the disk contents and the controller, and continues to the same result', () => {
    const elf = new Uint8Array(readFileSync(new URL('board-test.elf', BOARD_TEST_DIR)));
    const machine = createElfMachine(elf, {
      sbi: true,
      ramSize: RAM_SIZE,
      disk: new MemoryDiskBacking(64 * 512),
    });
    machine.board.diskBacking?.write(5, new Uint8Array(512).fill(0xa5));
    let out = '';
    machine.board.onOutput((b) => (out += Buffer.from(b).toString('latin1')));
    while (!out.includes('type a line') && machine.board.instructions < 10_000_000) machine.board.run(50_000);
    const snap = encodeSnapshot(machine);
    const restored = restoreSnapshot(snap);
    const outputs = [machine, restored].map((m) => {
      let tail = '';
      m.board.onOutput((b) => (tail += Buffer.from(b).toString('latin1')));
      m.board.uart.receive(new TextEncoder().encode('hello\n'));
      m.board.run(5_000_000);
      expect(m.board.exit).toEqual({ reason: 'finisher', code: 0 });
      return tail;
    });
    expect(outputs[1]).toBe(outputs[0]);
    expect(outputs[0]).toContain('disk: write ok, read ok, data matches, completed 2');
    const disks = [machine, restored].map((m) => (m.board.diskBacking as MemoryDiskBacking).contents());
    expect(disks[1]).toEqual(disks[0]);
    expect(disks[1]?.[5 * 512]).toBe(0xa5);
    expect(restored.board.hostDisk?.saveState()).toEqual(machine.board.hostDisk?.saveState());
  }, 60_000);
});

describe('determinism of labfw + labOS booted bare (labfw is the M-mode firmware)', () => {
  it('two runs with `help` typed at the same instruction give the same machine and console', () => {
    const runs = [0, 1].map(() => {
      const w = Workload.boot(LABFW_LABOS, false);
      w.runTo(4_500_000, [{ at: 3_800_000, text: 'help\n' }]);
      return w;
    });
    expect(runs[0]?.output).toContain('list the commands');
    expect(runs[1]?.digest()).toBe(runs[0]?.digest());
    expect(runs[1]?.output).toBe(runs[0]?.output);
  }, 60_000);
});
