// A saved session restores the hosts bit for bit: a bare and a protected host side by side boot
// two labOS guests each; commands are typed at both hosts' guests at different times, the
// stealing patch is loaded on both mid-run, the host is reset (the guests are re-created under the
// patch) and the patch leaks a guest's secret on bare; the session is exported
// (its save point and digests); the hosts run on and take more input (their state moves away);
// the replay on hosts rebuilt from the seed (started, then polled; input meanwhile is refused)
// reaches the save point with the same digests and the guests' consoles show what they showed at
// the save point, and the same leak is reported again.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SideBySideMachine } from '../../../core/lab/host/side-by-side-machine';
import { HostSession } from '../../../core/lab/host-session';
import type { LabMethod, LabMethods, SessionReplayResult } from '../../../core/lab/protocol';

const STEAL = readFileSync(new URL('../../../assets/patches/steal-secret.ts', import.meta.url), 'utf8');
const GUESTS = ['bare:dom1', 'bare:dom2', 'protected:dom1', 'protected:dom2'];

let machine: SideBySideMachine;
let session: HostSession;
const output = new Map<string, string>();
const leaks: string[] = [];

async function call<M extends LabMethod>(method: M, params: LabMethods[M]['params']): Promise<LabMethods[M]['result']> {
  return (await session.handle(method, params)) as LabMethods[M]['result'];
}

/** Starts a replay and waits for its outcome, as a front end polls it. */
async function replay(params: LabMethods['session.replay']['params']): Promise<SessionReplayResult> {
  const started = await call('session.replay', params);
  expect(started).toMatchObject({ running: true, applied: 0, total: params.log.length });
  // Meanwhile only the replay's own events change the hosts.
  await expect(call('console.input', { console: 'bare:dom1', data: 'x' })).rejects.toThrow(/being replayed/);
  await expect(call('host.start', {})).rejects.toThrow(/being replayed/);
  for (;;) {
    const status = await call('session.replay-status', {});
    if (!status.running && status.result) return status.result;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function stepUntil(test: () => boolean, steps = 400): Promise<void> {
  for (let i = 0; i < steps && !test(); i++) await call('host.step', { instructions: 3_000_000 });
  expect(test()).toBe(true);
}

const shows = (console: string, text: string) => (): boolean => (output.get(console) ?? '').includes(text);
const prompts = (console: string): number => (output.get(console) ?? '').split('labos> ').length - 1;

beforeAll(async () => {
  machine = await SideBySideMachine.create({
    seed: 'session-replay',
    harts: 2,
    ramMiB: 128,
    guests: [1, 2].map((i) => ({ name: `vm${i}`, image: 'labos' as const, memoryMiB: 32, vcpus: 1 })),
  });
  session = new HostSession(machine, { seed: 'session-replay' });
  machine.onConsoleOutput((name, data) => output.set(name, (output.get(name) ?? '') + Buffer.from(data).toString('latin1')));
  session.onEvent((event) => {
    if (event.kind === 'security' && event.activity.what === 'exfiltrated') leaks.push(`${event.activity.host} ${event.activity.hex ?? ''}`);
  });
}, 120_000);

afterAll(() => {
  for (const host of machine?.vmmHosts.values() ?? []) host.dispose();
});

describe('session replay', () => {
  it('restores both hosts to the save point: same digests, same console output', async () => {
    await stepUntil(() => GUESTS.every((c) => shows(c, 'labos> ')()));
    await call('console.input', { console: 'bare:dom1', data: 'selftest\r' });
    await call('host.step', { instructions: 1_700_000 });
    await call('console.input', { console: 'protected:dom2', data: 'secret where\r' });
    await stepUntil(shows('bare:dom1', 'SELFTEST ok'));
    const { results } = await call('patch.load', { fileName: 'steal-secret.ts', source: STEAL, target: 'both' });
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    await call('host.step', { instructions: 2_300_000 });
    // The patch learns each guest's p2m as the guest is made: a reset re-creates them under it.
    await call('host.reset', {});
    await stepUntil(() => GUESTS.every((c) => prompts(c) >= 2));
    await call('console.input', { console: 'bare:dom2', data: 'secret where\r' });
    await stepUntil(() => leaks.some((l) => l.startsWith('bare ')));
    // A TPM quote is logged (it may draw on the TPM's random stream); what the inspectors read is not
    // (reading changes nothing: the replay, which reads nothing, must still match).
    const quote = await call('attestation.quote', { host: 'protected', nonce: '00112233445566778899aabbccddeeff' });
    expect(quote.host).toBe('protected');
    await call('console.input', { console: 'protected:dom1', data: 'uptime\r' });
    const { hosts } = await call('inspect.hosts', {});
    for (const h of hosts) for (const d of h.domains) await call('inspect.vcpu', { host: h.name, domain: d.id });
    await call('host.step', { instructions: 4_100_000 });

    const saved = await call('session.export', {});
    expect(saved.logComplete).toBe(true);
    expect(saved.log.map((e) => e.event.kind)).toEqual(['input', 'input', 'patch-load', 'reset', 'input', 'quote', 'input']);
    expect(saved.log[1]?.at.bare).toBeGreaterThan(saved.log[0]?.at.bare ?? Infinity);
    const digests = saved.digests;
    expect(digests.bare).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(digests.protected).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(digests.bare).not.toBe(digests.protected);
    console.log(`digests of 2 x 128 MiB hosts at the save point: ${saved.digestMs.toFixed(0)} ms`);
    const atSave = new Map(GUESTS.map((c) => [c, output.get(c) ?? '']));
    const leaksAtSave = [...leaks];
    expect(leaksAtSave.some((l) => l.startsWith('bare '))).toBe(true);

    // The hosts move on: more input, a reset, more time.
    await call('console.input', { console: 'protected:dom1', data: 'selftest\r' });
    await call('host.step', { instructions: 5_000_000 });
    await call('host.reset', {});
    await call('host.step', { instructions: 3_000_000 });
    const moved = await call('session.export', {});
    expect(moved.digests.bare).not.toBe(digests.bare);
    expect(moved.digests.protected).not.toBe(digests.protected);
    console.log(`digests again (RAM pages already mapped): ${moved.digestMs.toFixed(0)} ms`);

    output.clear();
    leaks.length = 0;
    const started = performance.now();
    const replayed = await replay({ log: saved.log, savePoint: saved.savePoint });
    console.log(`replay to the save point: ${(performance.now() - started).toFixed(0)} ms`);
    expect(replayed).toMatchObject({ reached: true, problem: null, events: 7, positions: saved.savePoint });
    expect(replayed.digests).toEqual(digests);
    for (const c of GUESTS) expect(output.get(c) ?? '').toBe(atSave.get(c));
    // The patch leaked the same bytes again on the way (the lab's events, not only the state).
    expect(leaks).toEqual(leaksAtSave);
    expect(session.status().state).toBe('paused');

    // The replayed session is a session like any other: its own export is the same save.
    const again = await call('session.export', {});
    expect(again.digests).toEqual(digests);
    expect(again.log).toEqual(saved.log);
    expect(again.patches.map((p) => [p.host, p.name, p.state])).toEqual([['bare', 'steal the secret', 'installed'], ['protected', 'steal the secret', 'installed']]);
  }, 600_000);

  it('says plainly when a log cannot be replayed to its save point', async () => {
    const saved = await call('session.export', {});
    const behind = { bare: (saved.savePoint.bare ?? 0) + 1, protected: saved.savePoint.protected ?? 0 };
    const replayed = await replay({ log: saved.log, savePoint: behind });
    expect(replayed.reached).toBe(false);
    expect(replayed.problem).toMatch(/the bare host could not stop at/);
    await expect(call('session.replay', { log: [{ at: { bare: -1 }, event: { kind: 'reset' } }], savePoint: behind } as never)).rejects.toThrow(/invalid position/);
  }, 600_000);

  it('stops a replay whose save point lies far ahead when the host is paused', async () => {
    const saved = await call('session.export', {});
    const far = { bare: (saved.savePoint.bare ?? 0) + 1e12, protected: (saved.savePoint.protected ?? 0) + 1e12 };
    const started = await call('session.replay', { log: saved.log, savePoint: far });
    expect(started.running).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await call('host.pause', {});
    let status = await call('session.replay-status', {});
    for (let i = 0; i < 1000 && status.running; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = await call('session.replay-status', {});
    }
    expect(status.running).toBe(false);
    expect(status.result?.reached).toBe(false);
    expect(status.result?.problem).toMatch(/the replay was stopped with the (bare|protected) host at \d+, before \d+/);
    // The host is the user's again.
    await call('console.input', { console: 'bare:dom1', data: '\r' });
  }, 600_000);
});
