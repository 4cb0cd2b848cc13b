// Exercise, level 1: exfiltrate the secret from a bare host.
import type { Scenario } from '../../core/lab/scenarios/scenario';

const scenario: Scenario = {
  id: 'exfiltrate-secret',
  title: 'Exercise: exfiltrate the secret from a bare host',
  description: "The first step of every attack in this lab: a VMM patch that reads a guest's key out of physical memory.",
  references: [{ kind: 'paper', title: 'Zhang et al., CloudVisor, SOSP 2011' }],
  guests: [{ name: 'vm1' }],
  steps: [{ guest: 'vm1', type: 'secret where' }],
  patch: { file: 'exfiltrate-secret.patch.ts' },
  goal(facts) {
    const hit = facts.leaked(facts.guest('vm1').secret);
    return hit ? { achieved: true, summary: `vm1's key left through '${hit.label}'`, lost: ['vm1 secret key'] } : { achieved: false, summary: "vm1's real key was not exfiltrated" };
  },
  expected: { bare: 'defended', protected: 'defended' },
  exercise: {
    title: 'Exfiltrate the secret from a bare host',
    level: 1,
    goal: "Write a VMM patch that sends vm1's real 32-byte secret key through vmm.exfiltrate on a bare host. The lab reads the key from the guest's own memory and compares.",
    hints: [
      '`secret where` makes the guest print the guest physical address (pa) of its key page; the starting patch already parses it.',
      "The 'domain.create' hook gives you the domain's info.translate(gpa): the machine address behind a guest address.",
      'hyp.mem.read(pa, 32) reads physical memory; on a bare host every frame is yours.',
    ],
    modes: ['bare'],
    pass: { bare: { verdict: 'compromised' } },
  },
};

export default scenario;
