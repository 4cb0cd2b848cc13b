// Interpreter speed: the committed CPU benchmark (assets/bench, S-mode with Sv32 on) on our
// hart, and, where QEMU is installed, the same ELF on qemu-system-riscv32. QEMU's rate is
// measured between two sizes of the same program, so its start-up does not count; instruction
// counts come from our hart (the program is deterministic) and the checksums must agree.

// Both sides are timed in CPU seconds (this process's for the hart, the child's for QEMU), so
// other work on a shared machine does not skew the ratio.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseElf } from '../../core/hw/elf';
import { VirtBoard } from '../../core/hw/virt-board';
import type { Bench } from './report';

const QEMU = '/usr/bin/qemu-system-riscv32';
const QEMU_ARGS = [
  '-M',
  'virt',
  '-cpu',
  'rv32,c=false,f=false,d=false,v=false,h=true',
  '-bios',
  'none',
  '-nographic',
  '-kernel',
];

function benchElf(): Uint8Array {
  const candidates = [
    resolve('assets/bench/bench.elf'),
    fileURLToPath(new URL('../../assets/bench/bench.elf', import.meta.url)),
  ];
  for (const path of candidates) if (existsSync(path)) return new Uint8Array(readFileSync(path));
  throw new Error('assets/bench/bench.elf not found (run from the repository root)');
}

/** A copy of the ELF with the `bench_iterations` word set to `n`. */
function withIterations(elf: Uint8Array, n: number): Uint8Array {
  const image = parseElf(elf);
  const at = image.symbols.get('bench_iterations');
  if (at === undefined) throw new Error('bench.elf has no bench_iterations symbol');
  const seg = image.segments.find((s) => at >= s.vaddr && at + 4 <= s.vaddr + s.data.length);
  if (seg === undefined) throw new Error('bench_iterations is not in a loaded file range');
  const copy = elf.slice();
  new DataView(copy.buffer).setUint32(seg.data.byteOffset - elf.byteOffset + (at - seg.vaddr), n, true);
  return copy;
}

interface HartRun {
  instructions: number;
  seconds: number;
  output: string;
}

function runOnHart(elf: Uint8Array): HartRun {
  let output = '';
  const board = new VirtBoard({ onOutput: (b) => (output += String.fromCharCode(...b)) });
  board.load(parseElf(elf));
  const started = process.cpuUsage();
  board.run(4e9);
  const used = process.cpuUsage(started);
  const seconds = (used.user + used.system) / 1e6;
  if (board.exit?.code !== 0)
    throw new Error(`benchmark failed on the hart: ${JSON.stringify(board.exit)} ${output}`);
  return { instructions: board.instructions, seconds, output };
}

function runOnQemu(elf: Uint8Array, dir: string): { seconds: number; output: string } {
  const path = join(dir, 'bench.elf');
  writeFileSync(path, elf);
  // bash's `times` prints the children's user and system CPU time after QEMU exits.
  const script = 'timeout 120 "$@" </dev/null || exit $?; times >&2';
  const r = spawnSync('bash', ['-c', script, 'bash', QEMU, ...QEMU_ARGS, path], { encoding: 'latin1' });
  if (r.status !== 0) throw new Error(`QEMU exited ${r.status}: ${r.stderr}`);
  const times = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s\s*$/.exec(r.stderr.trim());
  if (times === null) throw new Error(`cannot read QEMU's CPU time from ${JSON.stringify(r.stderr)}`);
  const seconds = Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4]);
  return { seconds, output: r.stdout };
}

export const hartMips: Bench = async () => {
  const elf = benchElf();
  const small = runOnHart(withIterations(elf, 4));
  // One full run lets V8 tier the interpreter up; the figure is the median of the next five.
  runOnHart(withIterations(elf, 40));
  const runs = Array.from({ length: 5 }, () => runOnHart(withIterations(elf, 40)));
  const rates = runs.map((r) => r.instructions / r.seconds / 1e6).sort((a, b) => a - b);
  const main = runs[0]!;
  const hart = rates[2]!;
  const lines = [
    `hart  sv32 on, S-mode  ${hart.toFixed(1)} MIPS  (median of 5 runs of ${main.instructions} instructions; best ${rates[4]!.toFixed(1)}, CPU time)`,
  ];
  const metrics: Record<string, number> = { hartMips: hart, hartBestMips: rates[4]! };
  if (existsSync(QEMU)) {
    const perIteration = (main.instructions - small.instructions) / 36;
    const base = small.instructions - 4 * perIteration;
    const dir = mkdtempSync(join(tmpdir(), 'cvl-bench-'));
    try {
      const check = runOnQemu(withIterations(elf, 40), dir);
      if (check.output.trim() !== main.output.trim())
        throw new Error(
          `QEMU printed ${JSON.stringify(check.output)}, the hart ${JSON.stringify(main.output)}`,
        );
      const a = runOnQemu(withIterations(elf, 40), dir);
      const b = runOnQemu(withIterations(elf, 400), dir);
      const qemu =
        (base + 400 * perIteration - (base + 40 * perIteration)) /
        Math.max(b.seconds - a.seconds, 1e-6) /
        1e6;
      metrics.qemuMips = qemu;
      metrics.ratio = qemu / hart;
      lines.push(`qemu  same ELF           ${qemu.toFixed(1)} MIPS  (between 40 and 400 iterations)`);
      lines.push(`qemu / hart             ${(qemu / hart).toFixed(1)}x`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else lines.push('qemu  not installed: skipped');
  return { name: 'hart MIPS', lines, metrics };
};
