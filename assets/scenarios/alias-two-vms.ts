// Aliasing one frame into two VMs: vm2's key page becomes vm1's key frame.
import type { Scenario } from '../../core/lab/scenarios/scenario';

function same(a: Uint8Array | null, b: Uint8Array | null): boolean {
  return a !== null && b !== null && a.length === b.length && a.every((x, i) => x === b[i]);
}

const scenario: Scenario = {
  id: 'alias-two-vms',
  title: 'Alias one frame into two VMs',
  description:
    "The VMM maps vm1's key frame at vm2's key page as well. Both VMs share one frame: vm2 now signs with vm1's key " +
    'and a write by either shows up in the other. CloudVisor gives every frame exactly one owner: mapping a frame owned ' +
    'by another VM is refused.',
  references: [
    { kind: 'paper', title: 'Zhang et al., CloudVisor: Retrofitting Protection of Virtual Machines in Multi-tenant Cloud with Nested Virtualization, SOSP 2011' },
    { kind: 'cve', title: 'XSA-148 / CVE-2015-7835: a PV guest could create a writable mapping of memory it does not own (Xen)' },
  ],
  guests: [{ name: 'vm1' }, { name: 'vm2' }],
  steps: [{ guest: 'vm1', type: 'secret where' }, { guest: 'vm2', type: 'secret where' }, { guest: 'vm2', type: 'secret' }],
  patch: { file: 'alias-two-vms.patch.ts' },
  goal(facts) {
    const vm1 = facts.guest('vm1');
    const vm2 = facts.guest('vm2');
    return same(vm1.secret, vm2.secret)
      ? { achieved: true, summary: "vm2's key page is vm1's key frame", lost: ['vm1 secret key, visible to vm2'], altered: ["vm2's key replaced by vm1's"] }
      : { achieved: false, summary: 'vm1 and vm2 still have frames of their own' };
  },
  expected: { bare: 'compromised', protected: 'defended', ablation: { ownership: 'compromised' } },
};

export default scenario;
