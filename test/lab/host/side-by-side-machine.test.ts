// A bare and a protected host side by side as one machine, driven through the lab protocol's
// HostSession as the web mode drives it: both boot their labOS guest on prefixed consoles, and the
// inspectors see the same secret address refused to the VMM only on the protected host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SideBySideMachine } from '../../../core/lab/host/side-by-side-machine';
import { HostSession } from '../../../core/lab/host-session';
import type { LabMethod, LabMethods } from '../../../core/lab/protocol';

let machine: SideBySideMachine;
let session: HostSession;
const output = new Map<string, string>();

async function call<M extends LabMethod>(method: M, params: LabMethods[M]['params']): Promise<LabMethods[M]['result']> {
  return (await session.handle(method, params)) as LabMethods[M]['result'];
}

async function runUntil(test: () => boolean, steps = 400): Promise<boolean> {
  for (let i = 0; i < steps && !test(); i++) await call('host.step', { instructions: 2_000_000 });
  return test();
}

beforeAll(async () => {
  machine = await SideBySideMachine.create({ seed: 'side-by-side', harts: 1, ramMiB: 128, guests: [{ name: 'vm1', image: 'labos', memoryMiB: 32, vcpus: 1 }] });
  session = new HostSession(machine, { seed: 'side-by-side' });
  machine.onConsoleOutput((name, data) => output.set(name, (output.get(name) ?? '') + Buffer.from(data).toString('latin1')));
}, 120_000);

afterAll(() => {
  for (const host of machine?.vmmHosts.values() ?? []) host.dispose();
});

describe('SideBySideMachine', () => {
  it('names each host\'s consoles and boots the same guest on both', async () => {
    expect(session.info().consoles).toEqual(['bare:xl', 'bare:dom1', 'protected:xl', 'protected:dom1']);
    expect([...machine.vmmHosts.keys()]).toEqual(['bare', 'protected']);
    const booted = (): boolean => ['bare:dom1', 'protected:dom1'].every((c) => (output.get(c) ?? '').includes('labos> '));
    expect(await runUntil(booted)).toBe(true);
    const before = machine.virtualTime;
    await call('host.step', { instructions: 1_000_000 });
    expect(machine.virtualTime).toBeGreaterThan(before);
  }, 240_000);

  it('answers the inspectors per host', async () => {
    for (const c of ['bare:dom1', 'protected:dom1']) await call('console.input', { console: c, data: 'secret where\r' });
    const shown = (): boolean => ['bare:dom1', 'protected:dom1'].every((c) => /SECRET where va 0x[0-9a-f]+ pa 0x[0-9a-f]+/.test(output.get(c) ?? ''));
    expect(await runUntil(shown)).toBe(true);
    const { hosts } = await call('inspect.hosts', {});
    expect(hosts.map((h) => [h.name, h.mode, h.domains.length])).toEqual([['bare', 'bare', 1], ['protected', 'protected', 1]]);
    for (const host of ['bare', 'protected'] as const) {
      const where = /SECRET where va 0x([0-9a-f]+)/.exec(output.get(`${host}:dom1`) ?? '');
      const views = await call('inspect.viewpoints', { host, domain: 1, address: parseInt(where?.[1] ?? '0', 16), space: 'guest-virtual', length: 32 });
      expect(views.views.find((v) => v.viewpoint === 'vmm')?.spans[0]?.access).toBe(host === 'bare' ? 'ok' : 'refused');
    }
    expect(hosts.map((h) => h.domains.map((d) => d.console))).toEqual([['bare:dom1'], ['protected:dom1']]);
    await expect(call('inspect.vcpu', { host: 'nowhere', domain: 1 } as never)).rejects.toThrow(/no host "nowhere" to inspect \(hosts: bare, protected\)/);
  }, 240_000);

  it('keeps each guest on its slot\'s console after a reset re-creates it with a new id', async () => {
    await call('host.reset', {});
    const { hosts } = await call('inspect.hosts', {});
    for (const h of hosts) {
      expect(h.domains.map((d) => d.id)).not.toContain(1);
      expect(h.domains.map((d) => d.console)).toEqual([`${h.name}:dom1`]);
    }
  }, 240_000);
});
