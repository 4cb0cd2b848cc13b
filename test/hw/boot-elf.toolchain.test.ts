// bootElf against QEMU 7.2: labfw + labOS (its own M-mode firmware, bare on our board as with
// -bios none) prints QEMU's boot banner up to the first prompt; labOS alone under our modelled SBI
// firmware runs a typed script and powers off through SBI SRST with QEMU's labfw + labOS console
// minus labfw's own lines, modulo the timing lines the guest marks (normalizeTranscript). QEMU gets
// our board's generated DTB (-dtb), so both guests see one device tree (no virtio: the host has none).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootElf, createElfMachine } from '../../core/hw/boot-elf';
import { PROMPT, QemuSession } from '../guests/qemu-session';
import { normalizeTranscript } from '../guests/transcript';
import { LABFW_LABOS, LABOS } from './snapshot/workload';

const SCRIPT = ['help', 'uptime', 'bogus', 'run crash'];
const STEP_BUDGET = 40_000_000;

/** Types each command at the next prompt on our board, then `halt`; returns the console. */
function runOnBoard(elf: Uint8Array, sbi: boolean): { output: string; exit: unknown } {
  let out = '';
  const { board } = createElfMachine(elf, {
    sbi,
    onOutput: (b) => (out += Buffer.from(b).toString('latin1').replace(/\r/g, '')),
  });
  const until = (done: () => boolean, what: string): void => {
    const limit = board.instructions + STEP_BUDGET;
    while (!done() && board.exit === null && board.instructions < limit) board.run(200_000);
    if (!done()) throw new Error(`our board: no ${what}:\n${out}`);
  };
  let cursor = 0;
  for (const cmd of [...SCRIPT, 'halt']) {
    until(() => out.indexOf(PROMPT, cursor) >= 0, `prompt before "${cmd}"`);
    cursor = out.indexOf(PROMPT, cursor) + PROMPT.length;
    board.uart.receive(new TextEncoder().encode(`${cmd}\n`));
  }
  until(() => board.exit !== null, 'power-off after halt');
  return { output: out, exit: board.exit };
}

/** Our board's generated DTB in a file, so QEMU's guest sees the same device tree as ours. */
function boardDtbFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'boot-elf-'));
  const file = join(dir, 'host-board.dtb');
  writeFileSync(file, createElfMachine(LABOS, { sbi: true }).board.dtb);
  return file;
}

async function runOnQemu(): Promise<string> {
  const qemu = QemuSession.start({ memMiB: 128, dtb: boardDtbFile() });
  try {
    for (const cmd of SCRIPT) await qemu.command(cmd);
    expect(await qemu.finish('halt')).toBe(0);
    return qemu.output;
  } finally {
    qemu.kill();
  }
}

describe('bootElf on the host board and QEMU', () => {
  it('labOS under the SBI firmware prints what labfw + labOS print on QEMU, script and power-off included', async () => {
    const reference = normalizeTranscript(await runOnQemu());
    expect(reference).toContain('labOS ready');
    const sbi = runOnBoard(LABOS, true);
    expect(sbi.exit).toEqual({ reason: 'finisher', code: 0 });
    const withoutLabfw = reference
      .split('\n')
      .filter((l) => !l.startsWith('labfw: '))
      .join('\n');
    expect(normalizeTranscript(sbi.output)).toBe(withoutLabfw);
    expect(sbi.output).toMatch(/^UPTIME \d+\.\d{3} s$/m);
  }, 240_000);

  it("labfw + labOS bare on the board print QEMU's boot banner up to the first prompt", async () => {
    const qemu = QemuSession.start({ memMiB: 128, dtb: boardDtbFile() });
    let reference: string;
    try {
      const at = await qemu.waitFor(PROMPT, 20_000, 0);
      reference = qemu.output.slice(0, at + PROMPT.length);
    } finally {
      qemu.kill();
    }
    const ours = bootElf(LABFW_LABOS, { maxInstructions: 6_000_000 });
    expect(ours.reason).toBe('budget'); // waiting at the prompt
    const text = Buffer.from(ours.output).toString('latin1').replace(/\r/g, '');
    expect(normalizeTranscript(text)).toBe(normalizeTranscript(reference));
    expect(reference).toContain('labfw: starting S-mode payload');
  }, 120_000);
});
