// Planting content in a running VM: overwrite the guest's key with one the attacker knows.
import type { Scenario } from '../../core/lab/scenarios/scenario';

const scenario: Scenario = {
  id: 'plant-content',
  title: 'Plant a key in a running VM',
  description:
    "The VMM writes a key of its choosing over the guest's key page while the guest runs. The guest then signs with a " +
    'key the attacker knows (its `secret` fingerprints become forgeable). Under CloudVisor the key frame is the VM\'s: ' +
    "the VMM's store is an EPT-x fault.",
  references: [
    { kind: 'paper', title: 'Zhang et al., CloudVisor, SOSP 2011, section 4.2' },
    { kind: 'publication', title: 'Li et al., CIPHERLEAKS / Wilke et al., SEVurity: No Security Without Integrity (IEEE S&P 2020): writes into guest memory without integrity protection' },
  ],
  guests: [{ name: 'vm1' }],
  steps: [{ guest: 'vm1', type: 'secret where' }, { guest: 'vm1', type: 'secret' }],
  patch: { file: 'plant-content.patch.ts' },
  goal(facts) {
    const vm1 = facts.guest('vm1');
    const planted = facts.exfiltrated.find((e) => e.label.endsWith('planted key'));
    const now = vm1.secret;
    const replaced = planted !== undefined && now !== null && planted.bytes.every((b, i) => now[i] === b);
    return replaced
      ? { achieved: true, summary: "vm1's key in its own memory is now the attacker's", altered: ["vm1 secret key replaced by the VMM's"], lost: ['vm1 signing key known to the attacker'] }
      : { achieved: false, summary: "vm1's key is still its own" };
  },
  expected: { bare: 'compromised', protected: 'defended', ablation: { eptx: 'compromised' } },
};

export default scenario;
