// The end-to-end check of our hart: labfw + labOS boot on QEMU and on core/hw's run-elf board
// with the same device tree (fixtures/board-uart-clint.dts: RAM, one hart, UART, CLINT, test
// finisher), and the two consoles must be identical: up to the first prompt through run-elf, and
// for a whole shell script typed into the UART (without a disk: our board has no virtio yet).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runElf } from '../../core/hw/run-elf';
import { runScriptOnHart } from './hart-session';
import { FIRMWARE_IMAGE, PROMPT, QemuSession } from './qemu-session';
import { normalizeTranscript } from './transcript';

const DTB = new URL('fixtures/board-uart-clint.dtb', import.meta.url);
/** Measured: the prompt appears after about 3 million instructions. */
const BOOT_BUDGET = 6_000_000;

describe('labfw + labOS on QEMU and on our hart', () => {
  it('print the same console up to the first shell prompt', async () => {
    const dtbPath = DTB.pathname;
    const qemu = QemuSession.start({ memMiB: 128, dtb: dtbPath });
    let reference: string;
    try {
      const at = await qemu.waitFor(PROMPT, 20_000, 0);
      reference = qemu.output.slice(0, at + PROMPT.length);
      expect(await qemu.finish('halt')).toBe(0);
    } finally {
      qemu.kill();
    }

    const result = runElf(new Uint8Array(readFileSync(FIRMWARE_IMAGE)), {
      maxInstructions: BOOT_BUDGET,
      harts: 1,
      dtb: new Uint8Array(readFileSync(DTB)),
    });
    const ours = Buffer.from(result.output).toString('latin1').replace(/\r/g, '');
    expect(result.reason).toBe('budget'); // still at the prompt, waiting for input
    expect(normalizeTranscript(ours)).toBe(normalizeTranscript(reference));
    expect(reference).toContain('labOS ready');
  });

  it('print the same console for a shell script, apart from the timing lines', async () => {
    const script = [
      'help',
      'ls',
      'cat x',
      'bogus',
      'secret where',
      'secret',
      'selftest',
      'bench cpu 1',
      'bench mem 1',
      'bench exit 50',
      'bench disk',
      'uptime',
      'run crash',
      'run crash illegal',
      'run crash kernel',
      'run crash exec',
      'run crash badptr',
      'write a b',
      'reboot',
      'secret',
    ];
    const qemu = QemuSession.start({ memMiB: 128, dtb: DTB.pathname });
    try {
      for (const cmd of script) await qemu.command(cmd);
      expect(await qemu.finish('halt')).toBe(0);
    } finally {
      qemu.kill();
    }
    const ours = runScriptOnHart(
      new Uint8Array(readFileSync(FIRMWARE_IMAGE)),
      new Uint8Array(readFileSync(DTB)),
      [...script, 'halt'],
    );
    expect(ours.exit).toEqual({ reason: 'finisher', code: 0 });
    expect(normalizeTranscript(ours.output)).toBe(normalizeTranscript(qemu.output));
    expect(qemu.output).toMatch(/^SELFTEST ok$/m);
  });

  it('start the second hart through SBI HSM on both machines', async () => {
    const dtb = new URL('fixtures/board-uart-clint-2harts.dtb', import.meta.url);
    const script = ['selftest', 'uptime'];
    const qemu = QemuSession.start({ memMiB: 128, dtb: dtb.pathname, smp: 2 });
    try {
      for (const cmd of script) await qemu.command(cmd);
      expect(await qemu.finish('halt')).toBe(0);
    } finally {
      qemu.kill();
    }
    const image = new Uint8Array(readFileSync(FIRMWARE_IMAGE));
    const ours = runScriptOnHart(
      image,
      new Uint8Array(readFileSync(dtb)),
      [...script, 'halt'],
      50_000_000,
      2,
    );
    expect(ours.exit).toEqual({ reason: 'finisher', code: 0 });
    expect(normalizeTranscript(ours.output)).toBe(normalizeTranscript(qemu.output));
    expect(qemu.output).toContain('selftest: smp: IPI and remote fence answered by 1 other hart(s)');
  });
});
