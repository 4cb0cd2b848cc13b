// The committed S-mode board test (assets/tests/board) on the host board under the modelled SBI
// firmware: SBI probes and error codes, an IPI and a timer through SBI, UART input through PLIC
// interrupts, and a host-disk write + read back by DMA with its completion interrupt.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemoryDiskBacking } from '../../core/hw/devices/disk-backing';
import { BOARD_TEST_DIR, runBoardTest } from './board-test-run';

describe('assets/tests/board on the host board', () => {
  it('runs under the SBI firmware with a host disk: SBI, PLIC-routed UART input, disk DMA and its interrupt', () => {
    const disk = new MemoryDiskBacking(64 * 512);
    const r = runBoardTest(
      new Uint8Array(readFileSync(new URL('board-test.elf', BOARD_TEST_DIR))),
      true,
      disk,
    );
    expect(r.exit).toEqual({ reason: 'finisher', code: 0 });
    expect(r.output).toContain('board-test: hart 0, SBI spec 0x02000000\n');
    expect(r.output).toContain('probe 0x4442434e = 1\nprobe 0x12345678 = 0\n');
    expect(r.output).toContain(
      'hsm status self = 0/0\nhsm status 99 = -3\nhsm suspend type 2 = -3\nunknown extension = -2\n',
    );
    expect(r.output).toContain('ipi self = 0, SSIP seen\nset_timer +1 ms = 0, STIP seen, cleared = 1\n');
    expect(r.output).toContain('uart: got "hello" through PLIC interrupts\n');
    expect(r.output).toContain('disk: magic 0x4b534944, 64 sectors of 512 bytes, irq 12\n');
    expect(r.output).toContain('disk: write ok, read ok, data matches, completed 2\n');
    const sector1 = disk.contents().subarray(512, 1024);
    expect(Array.from(sector1.subarray(0, 4))).toEqual([1, 8, 15, 22]);
    expect(r.output.endsWith('board-test: done\n')).toBe(true);
  });
});
