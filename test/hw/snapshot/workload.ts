// A deterministic workload for whole-machine tests: a committed guest image booted on HostBoard,
// with lines typed into UART0 at fixed instruction counts, the console collected, and a digest of
// everything that must match between runs (RAM, harts, virtual time, output).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createElfMachine, type ElfMachine } from '../../../core/hw/boot-elf';
import { saveHartState } from '../../../core/hw/snapshot/hart-state';

export const IMAGES = new URL('../../../assets/guests/images/', import.meta.url);
export const LABOS = new Uint8Array(readFileSync(new URL('labos.elf', IMAGES)));
export const LABFW_LABOS = new Uint8Array(readFileSync(new URL('labfw-labos.elf', IMAGES)));
export const RAM_SIZE = 16 * 1024 * 1024;

export interface Typed {
  readonly at: number;
  readonly text: string;
}

export class Workload {
  output = '';

  constructor(readonly machine: ElfMachine) {
    machine.board.onOutput((b) => (this.output += Buffer.from(b).toString('latin1')));
  }

  static boot(elf: Uint8Array, sbi: boolean, seed = 'workload'): Workload {
    return new Workload(createElfMachine(elf, { sbi, seed, ramSize: RAM_SIZE }));
  }

  /** Runs to `until` instructions, typing each line when its instruction count is reached. */
  runTo(until: number, typed: readonly Typed[] = []): void {
    const b = this.machine.board;
    for (const t of typed) {
      if (t.at < b.instructions || t.at > until) continue;
      b.run(t.at - b.instructions);
      b.uart.receive(new TextEncoder().encode(t.text));
    }
    b.run(until - b.instructions);
  }

  /** SHA-256 over RAM, every hart's registers/CSRs/pc/mode, virtual time and retired count. */
  digest(): string {
    const b = this.machine.board;
    const h = createHash('sha256').update(b.ram.u8);
    for (const hart of b.harts) {
      const s = saveHartState(hart);
      h.update(new Uint8Array(s.x.buffer)).update(new Uint8Array(s.csr.buffer));
      h.update(JSON.stringify([s.pc, s.priv, s.virt, s.waiting, s.retired]));
    }
    return h.update(JSON.stringify([b.clock.now(), b.instructions])).digest('hex');
  }
}
