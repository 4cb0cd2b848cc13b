// runElf end to end on the committed benchmark ELF (S-mode, Sv32 on): its UART line must equal
// what QEMU 7.2 printed for the same binary (recorded below), and the exit paths and budget
// behave as the interface promises.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ElfError } from '../../core/hw/elf';
import { runElf } from '../../core/hw/run-elf';
import { A, BASE, li } from './cpu/asm';
import { buildElf } from './cpu/elf-writer';

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

describe('runElf with HTIF', () => {
  const TOHOST = BASE + 0x8000;
  const FROMHOST = BASE + 0x8040;

  it("prints through HTIF console writes and exits through tohost with the program's code", () => {
    const putc = (c: number) => [...li(5, c), A.sw(5, 1, 0), ...li(5, 0x0101_0000), A.sw(5, 1, 4)];
    const prog = [
      ...li(1, TOHOST),
      ...putc(0x68),
      ...putc(0x69),
      ...li(5, (5 << 1) | 1),
      A.sw(5, 1, 0),
      A.sw(0, 1, 4),
      A.halt(),
    ];
    const r = runElf(buildElf(prog, { tohost: TOHOST, fromhost: FROMHOST }));
    expect([r.reason, r.exitCode]).toEqual(['tohost', 5]);
    expect(new TextDecoder().decode(r.output)).toBe('hi');
  });

  it('a misaligned tohost symbol is refused', () => {
    expect(() => runElf(buildElf([A.halt()], { tohost: TOHOST + 4 }))).toThrow(RangeError);
  });
});

describe('runElf device log', () => {
  it('reports device accesses at unknown offsets', () => {
    const log: string[] = [];
    const prog = [
      ...li(1, 0x1000_0000),
      A.sw(0, 1, 0x40),
      ...li(5, 0x10_0000),
      ...li(6, 0x5555),
      A.sw(6, 5, 0),
    ];
    const r = runElf(buildElf(prog), { onDeviceLog: (m) => log.push(m) });
    expect(r.reason).toBe('finisher');
    expect(log).toEqual(['uart0: unknown 4-byte write at offset 0x40 value 0x0']);
  });
});
