// Freed-page leak: the key frame read after the guest is destroyed.
import type { Scenario } from '../../core/lab/scenarios/scenario';

const scenario: Scenario = {
  id: 'freed-page-leak',
  title: "Read a destroyed guest's frames",
  description:
    "When the guest is destroyed the VMM takes its vCPUs down first, so the frames come back to it, then reads the old " +
    'key frame before any scrub of its own. CloudVisor zeroes every frame before it returns to the VMM.',
  references: [
    { kind: 'paper', title: 'Zhang et al., CloudVisor: Retrofitting Protection of Virtual Machines in Multi-tenant Cloud with Nested Virtualization, SOSP 2011' },
    { kind: 'publication', title: 'Chow et al., Shredding Your Garbage: Reducing Data Lifetime Through Secure Deallocation, USENIX Security 2005' },
  ],
  guests: [{ name: 'vm1' }],
  steps: [{ guest: 'vm1', type: 'secret where' }, { observe: 'alive' }, { toolstack: 'destroy vm1' }],
  patch: { file: 'freed-page-leak.patch.ts' },
  goal(facts) {
    const key = facts.guest('vm1').observed.alive?.secret ?? null;
    const hit = facts.leaked(key);
    return hit
      ? { achieved: true, summary: `the VMM read vm1's key from a freed frame (${hit.label})`, lost: ['vm1 secret key, 32 bytes, after destroy'] }
      : { achieved: false, summary: "vm1's frames came back to the VMM without its key" };
  },
  countermeasure: 'scrub',
  expected: { bare: 'compromised', protected: 'defended', ablation: { zeroing: 'compromised' } },
};

export default scenario;
