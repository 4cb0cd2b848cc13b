// The inspectors' store against a fake lab that rejects anything unmocked: the hosts' facts, the
// shared host/domain selection, the console each domain prints on, and where `secret where` said
// the secret is; a host without inspectors (the demo source) is an error shown, not a crash.
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { HostView } from '../../core/lab/inspect/inspect-types';
import { useConsolesStore } from '../../renderer/stores/consoles';
import { decodeBytes, parseSecretWhere, useInspectStore } from '../../renderer/stores/inspect';
import { FakeLab, refuse } from './fake-lab';

function hostView(name: string, mode: 'bare' | 'protected'): HostView {
  return {
    name,
    mode,
    ramBase: 0x8000_0000,
    ramBytes: 128 << 20,
    instructions: 0,
    virtualTime: 0,
    failed: null,
    harts: [],
    // Guests re-created by a reset have new ids (3, 4) but keep their slots' consoles (dom1, dom2).
    domains: [3, 4].map((id) => ({
      id,
      name: `vm${id}`,
      state: 'running',
      vmid: id,
      memoryBytes: 32 << 20,
      populatedPages: 8192,
      vcpus: [],
      failStopped: null,
      console: `${name}:dom${id - 2}`,
    })),
    monitor: null,
  };
}

beforeEach(() => setActivePinia(createPinia()));

describe('parseSecretWhere', () => {
  it('takes the last secret line of a console', () => {
    const text =
      'SECRET where va 0xf0000000 pa 0x80270000 len 32\nlabos> secret where\nSECRET where va 0xf0000000 pa 0x80271000 len 32\n';
    expect(parseSecretWhere(text)).toEqual({ va: 0xf000_0000, pa: 0x8027_1000, length: 32 });
    expect(parseSecretWhere('labos> ')).toBeNull();
  });

  it("decodes the host's base64 bytes", () => {
    expect([...decodeBytes('3q2+7w==')]).toEqual([0xde, 0xad, 0xbe, 0xef]);
  });
});

describe('useInspectStore', () => {
  it("loads the hosts, selects one, and finds the selected domain's secret in its slot's console", async () => {
    const lab = new FakeLab().mock('inspect.hosts', () => ({
      hosts: [hostView('bare', 'bare'), hostView('protected', 'protected')],
    }));
    const consoles = useConsolesStore();
    consoles.attach(lab, ['bare:dom2', 'protected:dom2']);
    const inspect = useInspectStore();
    inspect.attach(lab);
    await inspect.refresh();
    expect(inspect.available).toBe(true);
    expect(inspect.host?.name).toBe('bare');
    inspect.select('protected', 4);
    expect([inspect.host?.name, inspect.domain?.id]).toEqual(['protected', 4]);
    expect(inspect.consoleOf('protected', 4)).toBe('protected:dom2');
    lab.emit([
      {
        kind: 'console',
        console: 'protected:dom2',
        data: 'SECRET where va 0xf0000000 pa 0x80300000 len 32\n',
      },
    ]);
    expect(inspect.secretOfSelected()).toEqual({ va: 0xf000_0000, pa: 0x8030_0000, length: 32 });
  });

  it("shows the host's refusal when the machine has nothing to inspect", async () => {
    const lab = new FakeLab().mock('inspect.hosts', () =>
      refuse('bad-request', 'this machine has no emulated host to inspect (the demo source)'),
    );
    const inspect = useInspectStore();
    inspect.attach(lab);
    await inspect.refresh();
    expect(inspect.available).toBe(false);
    expect(inspect.error).toMatch(/no emulated host/);
    expect(inspect.host).toBeNull();
  });
});
