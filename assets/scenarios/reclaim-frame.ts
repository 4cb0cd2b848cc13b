// Mapping a guest frame back into the VMM: unmap, then read the frame as if it were free.
import type { Scenario } from '../../core/lab/scenarios/scenario';

const scenario: Scenario = {
  id: 'reclaim-frame',
  title: "Take a guest's frame back into the VMM",
  description:
    "The VMM clears the G-stage entry of the guest's key page, fences, and reads the frame as one of its own, then " +
    'maps it back. A bare hypervisor owns every frame anyway. Under CloudVisor a GPA backed by a VM frame is never ' +
    'silently dropped: the frame stays the VM\'s in the owner table, so the VMM\'s read is still an EPT-x fault.',
  references: [
    { kind: 'paper', title: 'Zhang et al., CloudVisor, SOSP 2011, section 4.2 (memory isolation: the owner of every frame is tracked)' },
    { kind: 'publication', title: 'Xen Security Advisory XSA-387: grant table v2 status pages may remain accessible after de-allocation' },
  ],
  guests: [{ name: 'vm1' }],
  steps: [{ guest: 'vm1', type: 'secret where' }, { guest: 'vm1', type: 'secret' }],
  patch: { file: 'reclaim-frame.patch.ts' },
  goal(facts) {
    const vm1 = facts.guest('vm1');
    const hit = facts.leaked(vm1.secret);
    return hit
      ? { achieved: true, summary: `the VMM read vm1's key through the reclaimed frame (${hit.label})`, lost: ['vm1 secret key, 32 bytes'] }
      : { achieved: false, summary: "vm1's key frame never became readable by the VMM" };
  },
  expected: { bare: 'compromised', protected: 'defended', ablation: { eptx: 'compromised' } },
};

export default scenario;
