// SEVered-style page remapping: the guest's own signing service ends up using a key the VMM planted.
import type { Scenario } from '../../core/lab/scenarios/scenario';

function same(a: Uint8Array | null, b: Uint8Array | null): boolean {
  return a !== null && b !== null && a.length === b.length && a.every((x, i) => x === b[i]);
}

const scenario: Scenario = {
  id: 'severed-remap',
  title: "Remap a guest page to the VMM's frame (SEVered)",
  description:
    "The VMM rewrites the G-stage entry of the guest's key page to point at a frame of its own that holds a key it " +
    "chose. The guest's service (`secret`, which signs with the key) then works with the attacker's key, as SEVered " +
    "made a guest's web server serve pages the hypervisor chose. Under CloudVisor a GPA backed by a VM frame is never " +
    'remapped: the fence that would publish the change is refused and the VM is stopped (fail-stop).',
  references: [
    { kind: 'paper', title: 'Morbitzer et al., SEVered: Subverting AMD\'s Virtual Machine Encryption, EuroSec 2018', url: 'https://arxiv.org/abs/1805.09604' },
    { kind: 'paper', title: 'Zhang et al., CloudVisor: Retrofitting Protection of Virtual Machines in Multi-tenant Cloud with Nested Virtualization, SOSP 2011' },
  ],
  guests: [{ name: 'vm1' }],
  steps: [{ guest: 'vm1', type: 'secret where' }, { guest: 'vm1', type: 'secret' }],
  patch: { file: 'severed-remap.patch.ts' },
  goal(facts) {
    const vm1 = facts.guest('vm1');
    const planted = facts.exfiltrated.find((e) => e.label.endsWith('planted key'));
    if (planted && same(vm1.secret, planted.bytes)) {
      return { achieved: true, summary: "vm1's key page now shows the attacker's key", altered: ["vm1 key page remapped to a VMM frame with the attacker's key"], lost: ['vm1 signing key known to the attacker'] };
    }
    return { achieved: false, summary: "vm1's key page still holds its own key" };
  },
  expected: { bare: 'compromised', protected: 'defended', ablation: { ownership: 'compromised' } },
};

export default scenario;
