// The board test program against QEMU 7.2: labfw + board-test on QEMU (-bios none, QEMU's own
// DTB: no host disk there) and on our board (bare, labfw inside), and board-test alone under our
// modelled SBI firmware, print the same SBI results, IPI/timer behaviour and PLIC-routed UART
// input; only labfw's own lines differ for the SBI run. The committed ELFs match a fresh build.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BOARD_TEST_DIR, runBoardTest } from './board-test-run';

const elf = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, BOARD_TEST_DIR)));

/** Runs labfw-board-test.elf on QEMU, typing `hello` when asked; resolves with the console. */
function runOnQemu(): Promise<string> {
  const args = [
    '30',
    'qemu-system-riscv32',
    '-M',
    'virt',
    '-cpu',
    'rv32,c=false,f=false,d=false,v=false,h=true',
    '-m',
    '16M',
    '-bios',
    'none',
    '-kernel',
    fileURLToPath(new URL('labfw-board-test.elf', BOARD_TEST_DIR)),
    '-nographic',
    '-monitor',
    'none',
    '-serial',
    'stdio',
  ];
  const child = spawn('timeout', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let typed = false;
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer): void => {
      out += d.toString('latin1');
      if (!typed && out.includes('type a line')) {
        typed = true;
        child.stdin.write('hello\n');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) =>
      code === 0
        ? resolve(out.replace(/\r/g, ''))
        : reject(new Error(`QEMU exited with ${String(code)}:\n${out}`)),
    );
  });
}

describe('assets/tests/board on QEMU and on the host board', () => {
  it('prints the same SBI, timer, IPI and PLIC results on QEMU (labfw), our board (labfw) and our SBI firmware', async () => {
    const reference = await runOnQemu();
    expect(reference).toContain('uart: got "hello" through PLIC interrupts\n');
    expect(reference).toContain('disk: none in the DTB\n');

    const bare = runBoardTest(elf('labfw-board-test.elf'), false);
    expect(bare.exit).toEqual({ reason: 'finisher', code: 0 });
    expect(bare.output).toBe(reference);

    const sbi = runBoardTest(elf('board-test.elf'), true);
    expect(sbi.exit).toEqual({ reason: 'finisher', code: 0 });
    const withoutLabfw = reference
      .split('\n')
      .filter((l) => !l.startsWith('labfw: '))
      .join('\n');
    expect(sbi.output).toBe(withoutLabfw);
  }, 120_000);

  it('the committed ELFs are what the Makefile builds from the committed sources', () => {
    const dir = mkdtempSync(join(tmpdir(), 'board-test-'));
    const src = fileURLToPath(BOARD_TEST_DIR);
    cpSync(src, join(dir, 'tests', 'board'), { recursive: true });
    cpSync(fileURLToPath(new URL('../../guests/', BOARD_TEST_DIR)), join(dir, 'guests'), { recursive: true });
    const make = spawnSync('timeout', ['120', 'make', '-B', '-s', '-C', join(dir, 'tests', 'board')], {
      encoding: 'utf8',
    });
    expect(make.status, make.stderr).toBe(0);
    for (const name of ['board-test.elf', 'labfw-board-test.elf']) {
      expect(readFileSync(join(dir, 'tests', 'board', name)).equals(Buffer.from(elf(name))), name).toBe(true);
    }
  }, 120_000);
});
