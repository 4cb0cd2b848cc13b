// Exercise, level 3: read a destroyed guest's frames.
import type { Scenario } from '../../core/lab/scenarios/scenario';

const scenario: Scenario = {
  id: 'freed-frames',
  title: "Exercise: read a destroyed guest's frames",
  description: 'Data outlives the VM that owned it unless someone scrubs it. Who scrubs, and when?',
  references: [{ kind: 'publication', title: 'Chow et al., Shredding Your Garbage: Reducing Data Lifetime Through Secure Deallocation, USENIX Security 2005' }],
  guests: [{ name: 'vm1' }],
  steps: [{ guest: 'vm1', type: 'secret where' }, { observe: 'alive' }, { toolstack: 'destroy vm1' }],
  patch: { file: 'freed-frames.patch.ts' },
  goal(facts) {
    const hit = facts.leaked(facts.guest('vm1').observed.alive?.secret ?? null);
    return hit ? { achieved: true, summary: `vm1's key read around its destroy (${hit.label})`, lost: ['vm1 key'] } : { achieved: false, summary: "vm1's key did not leak" };
  },
  countermeasure: 'scrub',
  expected: { bare: 'defended', protected: 'defended' },
  exercise: {
    title: "Read a destroyed guest's frames",
    level: 3,
    goal: "Exfiltrate vm1's key while or after `xl destroy vm1` runs, on a bare host. Under CloudVisor the same patch must get nothing, and the report must credit the monitor's scrub.",
    hints: ['hyp.vcpu.destroy(id) is what gives a VM its frames back under the monitor.', "The VMM's own destroy zeroes frames too: act before it does."],
    modes: ['bare', 'protected'],
    pass: { bare: { verdict: 'compromised' }, protected: { verdict: 'defended', mechanism: 'scrub' } },
  },
};

export default scenario;
