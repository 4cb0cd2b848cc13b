// Exercise, level 2: plant a key of your choosing in a running guest.
import type { Scenario } from '../../core/lab/scenarios/scenario';

function same(a: Uint8Array | null, b: Uint8Array | null): boolean {
  return a !== null && b !== null && a.length === b.length && a.every((x, i) => x === b[i]);
}

const scenario: Scenario = {
  id: 'plant-key',
  title: 'Exercise: plant a key in a running guest',
  description: 'Integrity rather than confidentiality: make the guest sign with a key the attacker knows.',
  references: [{ kind: 'paper', title: 'Zhang et al., CloudVisor, SOSP 2011' }],
  guests: [{ name: 'vm1' }],
  steps: [{ guest: 'vm1', type: 'secret where' }, { guest: 'vm1', type: 'secret' }],
  patch: { file: 'plant-key.patch.ts' },
  goal(facts) {
    const planted = facts.exfiltrated.find((e) => e.label.endsWith('planted key'));
    return planted && same(facts.guest('vm1').secret, planted.bytes)
      ? { achieved: true, summary: "vm1's key is the one the patch reported", altered: ['vm1 key'] }
      : { achieved: false, summary: "vm1's key is not the one the patch reported as planted" };
  },
  expected: { bare: 'defended', protected: 'defended' },
  exercise: {
    title: 'Plant a key in a running guest',
    level: 2,
    goal: "On a bare host, overwrite vm1's secret key with 32 bytes of your choice, and send those bytes through vmm.exfiltrate with a label ending in 'planted key'. The lab checks the key in the guest's own memory afterwards.",
    hints: ['Start from the exfiltration exercise: you need the same machine address.', 'hyp.mem.write(pa, bytes) writes physical memory.'],
    modes: ['bare', 'protected'],
    pass: { bare: { verdict: 'compromised' }, protected: { verdict: 'defended', mechanism: 'ept-x' } },
  },
};

export default scenario;
