// labOS on two harts under the modelled firmware: the secondary hart is parked in HSM STOPPED
// until labOS starts it with SBI hart_start, both harts come online, and `halt` powers the
// machine off through SBI SRST.
import { describe, expect, it } from 'vitest';
import { createElfMachine } from '../../../core/hw/boot-elf';
import { LABOS } from '../snapshot/workload';

describe('labOS SMP under the SBI firmware', () => {
  it('starts hart 1 through HSM, reports both harts online and halts through SRST', () => {
    let out = '';
    const { board, firmware } = createElfMachine(LABOS, {
      sbi: true,
      harts: 2,
      ramSize: 16 * 1024 * 1024,
      onOutput: (b) => (out += Buffer.from(b).toString('latin1')),
    });
    const script = ['uptime', 'halt'];
    let typed = 0;
    while (board.exit === null && board.instructions < 30_000_000) {
      board.run(200_000);
      if (out.split('labos> ').length - 1 > typed && typed < script.length) {
        board.uart.receive(new TextEncoder().encode(`${script[typed] ?? ''}\n`));
        typed++;
      }
    }
    expect(out).toContain('smp: hart 1 online');
    expect(out).toContain('smp: 2 of 2 harts online');
    expect(out).toMatch(/harts 2\/2 online/);
    expect(board.exit).toEqual({ reason: 'finisher', code: 0 });
    expect(firmware?.hsm.state(1, false)).toBe(0); // STARTED
  });
});
