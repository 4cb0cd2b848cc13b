// Toolchain half of the hart's differential proof (issue 3): rebuilds every test program with
// the Debian RISC-V cross toolchain into a temporary directory and checks the committed ELFs are
// byte-for-byte what the sources produce; then runs each on live qemu-system-riscv32 (exactly
// IMA+H+S+U) and checks the committed transcript is what QEMU prints today.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN_DIR,
  HART_DIR,
  describeDifference,
  parseTranscript,
  programNames,
  readExpected,
} from './support/hart-programs';

// Exactly IMA+H+S+U (+Zicsr, Zifencei, Sstc): QEMU 7.2's rv32 otherwise adds Zba/Zbb/Zbc/Zbs and
// Sscofpmf, which our hart does not have (the Makefile's `reference` target uses the same line).
const QEMU_CPU =
  'rv32,c=false,f=false,d=false,v=false,h=true,zba=false,zbb=false,zbc=false,zbs=false,sscofpmf=false';
const QEMU_ARGS = [
  '-M',
  'virt',
  '-cpu',
  QEMU_CPU,
  '-bios',
  'none',
  '-nographic',
  '-monitor',
  'none',
  '-serial',
  'stdio',
];

describe('hart test programs: rebuild and QEMU reference', () => {
  const names = programNames();
  let out = '';

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'hart-rebuild-'));
    execFileSync('make', ['-s', '-C', HART_DIR, `OUT=${out}`, 'all'], { stdio: 'pipe', timeout: 240_000 });
  });

  afterAll(() => {
    if (out !== '') rmSync(out, { recursive: true, force: true });
  });

  for (const name of names) {
    it(`${name}.elf rebuilds byte for byte`, () => {
      const rebuilt = readFileSync(join(out, `${name}.elf`));
      const committed = readFileSync(join(BIN_DIR, `${name}.elf`));
      expect(rebuilt.equals(committed), `${name}.elf differs from a fresh build of src/`).toBe(true);
    });

    it(`${name} on live QEMU prints the committed transcript`, () => {
      const run = spawnSync(
        'timeout',
        ['10', 'qemu-system-riscv32', ...QEMU_ARGS, '-kernel', join(BIN_DIR, `${name}.elf`)],
        {
          encoding: 'utf8',
          timeout: 20_000,
        },
      );
      const live = parseTranscript(`${run.stdout}qemu-exit ${String(run.status)}\n`);
      const diff = describeDifference(readExpected(name), live);
      expect(diff === '', diff).toBe(true);
    });
  }
});
