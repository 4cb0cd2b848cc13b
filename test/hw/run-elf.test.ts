// runElf end to end on the committed benchmark ELF (S-mode, Sv32 on): its UART line must equal
// what QEMU 7.2 printed for the same binary (recorded below), and the exit paths and budget
// behave as the interface promises.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ElfError } from '../../core/hw/elf';
import { runElf } from '../../core/hw/run-elf';

const bench = new Uint8Array(readFileSync(new URL('../../assets/bench/bench.elf', import.meta.url)));
/** `qemu-system-riscv32 -M virt -cpu rv32,c=false,f=false,d=false,v=false,h=true -bios none -kernel bench.elf` */
const QEMU_OUTPUT = 'bench eccd188b\n';

describe('runElf', () => {
  it("runs the Sv32 benchmark to the test finisher with QEMU's output", () => {
    const chunks: number[] = [];
    const r = runElf(bench, { onOutput: (b) => chunks.push(...b) });
    expect(r.reason).toBe('finisher');
    expect(r.exitCode).toBe(0);
    expect(new TextDecoder().decode(r.output)).toBe(QEMU_OUTPUT);
    expect(chunks).toEqual([...r.output]);
    expect(r.instructions).toBeGreaterThan(50_000_000);
  });

  it('stops with exit code 3 when the budget runs out', () => {
    const r = runElf(bench, { maxInstructions: 10_000 });
    expect([r.reason, r.exitCode, r.instructions]).toEqual(['budget', 3, 10_000]);
  });

  it('rejects a malformed ELF with an ElfError', () => {
    expect(() => runElf(bench.subarray(0, 40))).toThrow(ElfError);
  });
});
