// labfw + labOS on our own hart (core/hw virt board) without QEMU or the toolchain: the
// committed image boots with the committed device tree, and the shell answers a short script.
// The comparison with QEMU, line for line, is in labos-hart.toolchain.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScriptOnHart } from './hart-session';
import { FIRMWARE_IMAGE } from './qemu-session';

const DTB = new URL('fixtures/board-uart-clint.dtb', import.meta.url);

describe('labfw + labOS on our hart', () => {
  it('boot to the shell and run selftest, a faulting program and an SBI benchmark', () => {
    const run = runScriptOnHart(
      new Uint8Array(readFileSync(FIRMWARE_IMAGE)),
      new Uint8Array(readFileSync(DTB)),
      ['selftest', 'secret where', 'run crash', 'bench exit 10', 'halt'],
    );
    expect(run.exit).toEqual({ reason: 'finisher', code: 0 });
    const out = run.output;
    expect(out).toContain('labfw: SBI v2.0 firmware, 1 hart(s), RAM 128 MiB at 0x80000000');
    expect(out).toContain('vm: Sv32 paging on, kernel identity-mapped with 4 MiB pages');
    expect(out).toContain('selftest: sbi: v2.0 with TIME IPI RFENCE HSM SRST DBCN, refusals ok');
    expect(out).toMatch(/^SELFTEST ok$/m);
    expect(out).toMatch(/^SECRET where va 0xf0000000 pa 0x8[0-9a-f]{4}000 len 32$/m);
    expect(out).toMatch(
      /^labos: killed pid 2 \(crash\): store page fault at pc 0x[0-9a-f]{8}, address 0x00000000$/m,
    );
    expect(out).toMatch(/^BENCH exit calls\/s \d+ instret \d+ time_us \d+$/m);
    expect(out).toMatch(/labos: halting\n$/);
  }, 60_000); // a few million interpreted instructions: allow for a busy machine
});
