// The end-to-end check of our hart: labfw + labOS boot on QEMU and on core/hw's run-elf board
// with the same device tree (fixtures/board-uart-clint.dts: RAM, one hart, UART, CLINT, test
// finisher), and the two consoles must be identical up to the shell's first prompt. run-elf has
// no console input yet, so the shell script itself runs on QEMU only (labos.toolchain.test.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runElf } from '../../core/hw/run-elf';
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
});
