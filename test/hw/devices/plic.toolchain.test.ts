// The PLIC against QEMU 7.2's own (hw/intc/sifive_plic.c): one sequence of register accesses is
// compiled into a bare-metal RV32 program, run on qemu-system-riscv32 -M virt, and replayed on our
// Plic; every read (and MEIP/SEIP in mip, which QEMU drives from the PLIC outputs) must agree,
// except where QEMU departs from the PLIC spec 1.0.0 (QEMU_DEPARTURES, each with its reason).
// Interrupts come from the NS16550A: with THR empty, IER.ETBEI raises source 10 (TI 16550 datasheet).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Plic } from '../../../core/hw/devices/plic';
import { PLIC } from '../../../core/spec/plic';

type Op =
  | { readonly kind: 'write'; readonly offset: number; readonly value: number }
  | { readonly kind: 'read'; readonly offset: number; readonly label: string }
  | { readonly kind: 'uart-thre'; readonly on: boolean }
  | { readonly kind: 'mip'; readonly label: string };

const PLIC_BASE = 0x0c00_0000;
const UART_IER = 0x1000_0001;
const prio = (s: number) => 4 * s;
const enable = (ctx: number, word = 0) => PLIC.ENABLE_BASE + 0x80 * ctx + 4 * word;
const threshold = (ctx: number) => PLIC.CONTEXT_BASE + PLIC.CONTEXT_STRIDE * ctx;
const claim = (ctx: number) => threshold(ctx) + 4;
const w = (offset: number, value: number): Op => ({ kind: 'write', offset, value });
const r = (offset: number, label: string): Op => ({ kind: 'read', offset, label });
const mip = (label: string): Op => ({ kind: 'mip', label });

const SEQUENCE: readonly Op[] = [
  w(prio(10), 0xffff_ffff),
  r(prio(10), 'priority 10 after writing all ones'),
  w(prio(1), 5),
  r(prio(1), 'priority 1'),
  r(prio(95), 'priority 95 at reset'),
  w(enable(0), 0xffff_fffe),
  r(enable(0), 'enable ctx0 word0'),
  w(enable(0), 0xffff_ffff),
  r(enable(0), 'enable ctx0 word0 with the source 0 bit'),
  w(enable(0, 2), 0xffff_ffff),
  r(enable(0, 2), 'enable ctx0 word2 (sources 64..95)'),
  w(enable(0), 0),
  w(enable(0, 2), 0),
  w(threshold(0), 3),
  r(threshold(0), 'threshold ctx0 = 3'),
  w(threshold(0), 7),
  r(threshold(0), 'threshold ctx0 = 7'),
  w(threshold(0), 0),
  r(PLIC.PENDING_BASE, 'pending word0, line low'),
  mip('mip, nothing pending'),
  { kind: 'uart-thre', on: true },
  r(PLIC.PENDING_BASE, 'pending word0, line 10 high'),
  r(claim(0), 'claim ctx0, source not enabled'),
  mip('mip, pending but not enabled'),
  w(enable(0), 1 << 10),
  w(prio(10), 0),
  r(claim(0), 'claim ctx0, priority 0'),
  mip('mip, priority 0'),
  w(prio(10), 2),
  w(threshold(0), 2),
  r(claim(0), 'claim ctx0, priority = threshold'),
  mip('mip, priority = threshold'),
  w(threshold(0), 1),
  mip('mip, priority > threshold'),
  r(claim(0), 'claim ctx0'),
  r(PLIC.PENDING_BASE, 'pending word0 after claim'),
  mip('mip after claim'),
  r(claim(0), 'second claim while in flight'),
  { kind: 'uart-thre', on: false },
  { kind: 'uart-thre', on: true },
  r(PLIC.PENDING_BASE, 'pending word0, line re-raised while in flight'),
  w(claim(0), 10),
  r(PLIC.PENDING_BASE, 'pending word0 after complete, line high'),
  mip('mip after complete'),
  r(claim(0), 'claim ctx0 again'),
  w(claim(0), 10),
  { kind: 'uart-thre', on: false },
  r(PLIC.PENDING_BASE, 'pending word0, line low again'),
  w(enable(0), 0),
  w(enable(1), 1 << 10),
  w(threshold(1), 0),
  { kind: 'uart-thre', on: true },
  mip('mip, S context enabled'),
  r(claim(1), 'claim ctx1 (S-mode)'),
  mip('mip after S claim'),
  w(claim(0), 10),
  r(claim(1), 'claim ctx1 after a completion from ctx0 (not enabled there)'),
  w(claim(1), 10),
  r(claim(1), 'claim ctx1 after its own completion'),
  w(claim(1), 10),
  { kind: 'uart-thre', on: false },
];

/**
 * Where QEMU 7.2 and the PLIC spec disagree, the spec wins (PLATFORM-FACTS.md), and the test
 * states the rule it applies. Keys are read labels; values: why ours differs.
 */
const QEMU_DEPARTURES: Readonly<Record<string, string>> = {
  'enable ctx0 word0 with the source 0 bit':
    'PLIC spec 1.0.0, Interrupt Enables: bit 0 of enable word 0 (the non-existent source 0) is hardwired to 0; QEMU 7.2 stores it',
  'pending word0, line re-raised while in flight':
    'PLIC spec 1.0.0, Interrupt Gateways: a level gateway forwards no new request while one is in flight, so the pending bit stays clear; QEMU 7.2 sets it on every level change',
  'claim ctx1 after its own completion':
    'PLIC spec 1.0.0, Interrupt Gateways: on completion a source still asserting is forwarded again (pending); QEMU 7.2 re-pends only when the device signals again',
};

function cProgram(ops: readonly Op[]): string {
  const reads = ops.filter((o) => o.kind === 'read' || o.kind === 'mip').length;
  const body = ops.map((o) => {
    switch (o.kind) {
      case 'write':
        return `  R32(0x${(PLIC_BASE + o.offset).toString(16)}u) = 0x${(o.value >>> 0).toString(16)}u;`;
      case 'read':
        return `  out[n++] = R32(0x${(PLIC_BASE + o.offset).toString(16)}u);`;
      case 'uart-thre':
        return `  R8(0x${UART_IER.toString(16)}u) = ${o.on ? 2 : 0};`;
      case 'mip':
        return '  { uint32_t m; __asm__ volatile("csrr %0, mip" : "=r"(m)); out[n++] = m & 0xa00u; }';
    }
  });
  return `#include <stdint.h>
#define R32(a) (*(volatile uint32_t *)(a))
#define R8(a) (*(volatile uint8_t *)(a))
static uint32_t out[${reads}];
uint8_t stack[4096] __attribute__((aligned(16)));
__attribute__((naked, section(".text.init"))) void _start(void) {
  __asm__ volatile("la sp, stack + 4096\\n call main\\n 1: j 1b");
}
static void putc_(char c) { while ((R8(0x10000005u) & 0x20u) == 0) {} R8(0x10000000u) = (uint8_t)c; }
int main(void) {
  unsigned n = 0;
${body.join('\n')}
  for (unsigned i = 0; i < n; i++) {
    for (int s = 28; s >= 0; s -= 4) putc_("0123456789abcdef"[(out[i] >> s) & 15u]);
    putc_('\\n');
  }
  R32(0x100000u) = 0x5555u;
  for (;;) {}
}
`;
}

function runOnQemu(ops: readonly Op[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'cvl-plic-'));
  writeFileSync(join(dir, 'probe.c'), cProgram(ops));
  writeFileSync(
    join(dir, 'link.ld'),
    'SECTIONS { . = 0x80000000; .text : { *(.text.init) *(.text*) } .rodata : { *(.rodata*) *(.srodata*) } .data : { *(.data*) *(.sdata*) } .bss : { *(.bss*) *(.sbss*) *(COMMON) } }\n',
  );
  execFileSync(
    'riscv64-unknown-elf-gcc',
    [
      '-march=rv32ima_zicsr_zifencei',
      '-mabi=ilp32',
      '-mcmodel=medany',
      '-O2',
      '-ffreestanding',
      '-nostdlib',
      '-nostartfiles',
      '-static',
      '-T',
      join(dir, 'link.ld'),
      '-o',
      join(dir, 'probe.elf'),
      join(dir, 'probe.c'),
    ],
    { stdio: 'pipe', timeout: 60_000 },
  );
  const run = spawnSync(
    'timeout',
    [
      '20',
      'qemu-system-riscv32',
      '-M',
      'virt',
      '-cpu',
      'rv32,c=false,f=false,d=false,v=false,h=true',
      '-bios',
      'none',
      '-nographic',
      '-monitor',
      'none',
      '-serial',
      'stdio',
      '-kernel',
      join(dir, 'probe.elf'),
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  expect(run.status, run.stderr).toBe(0);
  return run.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[0-9a-f]{8}$/.test(l));
}

function runOnOurs(ops: readonly Op[]): string[] {
  const plic = new Plic(1, () => undefined, {
    unknownAccess: (_d, kind, offset) => {
      throw new Error(`unexpected unknown ${kind} at 0x${offset.toString(16)}`);
    },
  });
  const uart = plic.irqLine(10);
  const out: number[] = [];
  for (const o of ops) {
    if (o.kind === 'write') plic.write(o.offset, 4, o.value);
    else if (o.kind === 'read') out.push(plic.read(o.offset, 4));
    else if (o.kind === 'uart-thre') uart(o.on);
    else out.push((plic.outputLevel(0) ? 0x800 : 0) | (plic.outputLevel(1) ? 0x200 : 0));
  }
  return out.map((v) => (v >>> 0).toString(16).padStart(8, '0'));
}

describe('PLIC against QEMU 7.2', () => {
  it('gives the same register values and MEIP/SEIP for one access sequence', () => {
    const labels = SEQUENCE.flatMap((o) => (o.kind === 'read' || o.kind === 'mip' ? [o.label] : []));
    const qemu = runOnQemu(SEQUENCE);
    const ours = runOnOurs(SEQUENCE);
    expect(qemu).toHaveLength(labels.length);
    const differences = labels.flatMap((label, i) =>
      qemu[i] === ours[i] ? [] : [`${label}: QEMU ${qemu[i]}, ours ${ours[i]}`],
    );
    const unexplained = differences.filter((d) => QEMU_DEPARTURES[d.split(':')[0]!] === undefined);
    expect(unexplained).toEqual([]);
    expect(differences.length).toBe(Object.keys(QEMU_DEPARTURES).length);
  });
});
