// Whole-machine determinism and snapshots on real guests: two runs of labOS (under the modelled
// SBI firmware) with a command typed into UART0 at a fixed instruction count are identical (RAM,
// harts, time, console); a snapshot taken mid-run and restored into a fresh machine continues
// exactly like the run that never stopped; bad snapshots fail with a clear error.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeSnapshot,
  encodeSnapshot,
  restoreSnapshot,
  SnapshotError,
  SNAPSHOT_VERSION,
} from '../../../core/hw/snapshot/snapshot-codec';
import { saveUartState } from '../../../core/hw/snapshot/uart-state';
import { LABOS, Workload, type Typed } from './workload';

/** Measured: the labOS prompt appears after about 3.3M instructions on this board. */
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
