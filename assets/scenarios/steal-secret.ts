// The first attack of the lab: a compromised VMM reads a guest's key out of physical memory.
import type { Scenario } from '../../core/lab/scenarios/scenario';

const scenario: Scenario = {
  id: 'steal-secret',
  title: 'Read a guest secret through physical memory',
  description:
    "The VMM learns where the guest keeps its key (the guest prints the page's address), translates it with its own " +
    'p2m and reads the 32 bytes with hyp.mem.read. A bare hypervisor sees all of RAM; under CloudVisor the VMM sees ' +
    'only its own frames ("EPT-x"), so the read is an access fault.',
  references: [
    { kind: 'paper', title: 'Zhang et al., CloudVisor: Retrofitting Protection of Virtual Machines in Multi-tenant Cloud with Nested Virtualization, SOSP 2011' },
    { kind: 'cve', title: 'CVE-2015-3456 (VENOM): a guest-reachable bug gives code execution in the host\'s device model, which then reads every guest\'s memory' },
  ],
  guests: [{ name: 'vm1' }],
  steps: [{ guest: 'vm1', type: 'secret where' }],
  patch: { file: '../patches/steal-secret.ts' },
  goal(facts) {
    const vm1 = facts.guest('vm1');
    const hit = facts.leaked(vm1.secret);
    return hit
      ? { achieved: true, summary: `the VMM exfiltrated vm1's real key (${hit.label})`, lost: ['vm1 secret key, 32 bytes'] }
      : { achieved: false, summary: "vm1's key did not leave the guest" };
  },
  expected: { bare: 'compromised', protected: 'defended', ablation: { eptx: 'compromised' } },
};

export default scenario;
