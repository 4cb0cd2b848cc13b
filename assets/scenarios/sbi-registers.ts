// Pre-SEV-ES register inspection at an SBI exit.
import type { Scenario } from '../../core/lab/scenarios/scenario';

function words(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(((bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24)) >>> 0);
  return out;
}

const scenario: Scenario = {
  id: 'sbi-registers',
  title: 'Read guest registers at an SBI exit',
  description:
    "At an SBI call the VMM needs a0..a7; a plain hypervisor sees the whole vCPU state. This VMM dumps the guest's page " +
    'table root, trap vector, stack, global, thread and return pointers, as hypervisors could before AMD SEV-ES ' +
    'encrypted the register state. Under CloudVisor the registers an exit does not need read as zero.',
  references: [
    { kind: 'publication', title: 'Werner et al., The SEVerESt Of Them All: Inference Attacks Against Secure Virtual Enclaves, AsiaCCS 2019' },
    { kind: 'publication', title: 'AMD, Protecting VM Register State with SEV-ES (white paper, 2017)' },
    { kind: 'paper', title: 'Zhang et al., CloudVisor: Retrofitting Protection of Virtual Machines in Multi-tenant Cloud with Nested Virtualization, SOSP 2011' },
  ],
  guests: [{ name: 'vm1' }],
  steps: [{ guest: 'vm1', type: 'secret where' }, { guest: 'vm1', type: 'uptime' }],
  patch: { file: 'sbi-registers.patch.ts' },
  goal(facts) {
    const vm1 = facts.guest('vm1');
    const dump = facts.exfiltrated.find((e) => e.label.endsWith('registers'));
    const real = vm1.registers;
    if (!dump || !real) return { achieved: false, summary: 'the VMM got no register dump' };
    const [vsatp, vstvec] = words(dump.bytes);
    const seen = vsatp === real.vsatp && vstvec === real.vstvec && real.vsatp !== 0;
    return seen
      ? { achieved: true, summary: "the VMM saw vm1's page-table root and trap vector at an SBI exit", lost: ['vm1 vsatp, vstvec, sp, gp, tp, ra at an SBI exit'] }
      : { achieved: false, summary: "the registers the VMM saw were not the guest's (hidden)" };
  },
  countermeasure: 'register-hiding',
  expected: { bare: 'compromised', protected: 'defended', ablation: { registerHiding: 'compromised' } },
};

export default scenario;
