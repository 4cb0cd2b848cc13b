// The host is deterministic however its run is cut into slices: a labOS guest boots, takes a
// command typed at a fixed point of the run and runs on; the same machine run in one long slice,
// one round per call, or in slices of varying sizes stands at the same state (same digest) at the
// same point. A session replay relies on this: it stops each host exactly where an event was
// delivered (a round boundary, named by the host's position) whatever slices the live run used.
import { afterAll, describe, expect, it } from 'vitest';
import { hostDigest } from '../../../core/lab/host/host-digest';
import { VmmMachine } from '../../../core/lab/host/vmm-machine';

const CONFIG = { seed: 'determinism', harts: 2, ramMiB: 64, guests: [{ name: 'vm1', image: 'labos', memoryMiB: 32, vcpus: 1 }] } as const;
const made: VmmMachine[] = [];

async function machine(): Promise<{ m: VmmMachine; out: () => string }> {
  const m = await VmmMachine.create(CONFIG);
  made.push(m);
  let text = '';
  m.onConsoleOutput((console, data) => {
    if (console === 'dom1') text += Buffer.from(data).toString('latin1');
  });
  return { m, out: () => text };
}

/** Runs `m` to `position` in slices cut by `slice` (instructions per call); fails on overshoot. */
function runTo(m: VmmMachine, position: number, slice: () => number): void {
  for (;;) {
    const state = m.vmmHost.runToward(position, slice());
    if (state === 'reached') return;
    if (state === 'diverged') throw new Error(`the host went past ${position} (at ${m.vmmHost.position})`);
  }
}

afterAll(() => {
  for (const m of made) m.vmmHost.dispose();
});

describe('host determinism', () => {
  it('gives the same state at the same position however run() slices are cut', async () => {
    // Reference: long slices; the command is typed at the first round boundary after the prompt.
    const a = await machine();
    for (let i = 0; i < 200 && !a.out().includes('labos> '); i++) a.m.run(5_000_000);
    expect(a.out()).toContain('labos> ');
    const typedAt = a.m.vmmHost.position;
    a.m.consoleInput('dom1', new TextEncoder().encode('selftest\r'));
    a.m.run(20_000_000);
    const end = a.m.vmmHost.position;
    const digest = hostDigest(a.m.vmmHost.board);
    expect(a.out()).toContain('SELFTEST ok');

    // One round per call.
    const b = await machine();
    runTo(b.m, typedAt, () => 1);
    b.m.consoleInput('dom1', new TextEncoder().encode('selftest\r'));
    runTo(b.m, end, () => 1);
    expect(hostDigest(b.m.vmmHost.board)).toBe(digest);
    expect(b.out()).toBe(a.out());

    // Slices of varying sizes (a fixed pseudo-random sequence), run() up to a margin, then rounds.
    const c = await machine();
    let x = 12345;
    const vary = (): number => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return 1 + (x % 3_000_000);
    };
    while (c.m.vmmHost.position + 20_000_000 < typedAt) c.m.run(Math.min(vary(), 1_000_000));
    runTo(c.m, typedAt, vary);
    c.m.consoleInput('dom1', new TextEncoder().encode('selftest\r'));
    runTo(c.m, end, vary);
    expect(hostDigest(c.m.vmmHost.board)).toBe(digest);
    expect(c.out()).toBe(a.out());
  }, 300_000);

  it('changes the digest when the state changes', async () => {
    const m = made[0];
    expect(m).toBeDefined();
    if (!m) return;
    const before = hostDigest(m.vmmHost.board);
    expect(before).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(hostDigest(m.vmmHost.board)).toBe(before);
    m.run(100_000);
    expect(hostDigest(m.vmmHost.board)).not.toBe(before);
  }, 60_000);
});
