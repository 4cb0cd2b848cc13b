// WeSee-style exception injection with a forged return address.
import type { Scenario } from '../../core/lab/scenarios/scenario';

function words(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(((bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24)) >>> 0);
  return out;
}

const scenario: Scenario = {
  id: 'exception-injection',
  title: 'Inject an exception the guest never raised (WeSee)',
  description:
    "The VMM enters the guest at its own trap vector with a forged cause and a forged return address (vsepc) at a " +
    "spin loop: the guest's handler runs and returns, through sret, where the attacker chose. WeSee did this with " +
    "forged #VC exceptions against SEV-SNP guests. CloudVisor allows interrupt injection through hvip only; a resume " +
    'at a VMM-chosen pc is refused and the VM stopped.',
  references: [
    { kind: 'paper', title: 'Schlüter et al., WeSee: Using Malicious #VC Interrupts to Break AMD SEV-SNP, IEEE S&P 2024', url: 'https://ahoi-attacks.github.io/wesee/' },
    { kind: 'paper', title: 'Zhang et al., CloudVisor: Retrofitting Protection of Virtual Machines in Multi-tenant Cloud with Nested Virtualization, SOSP 2011' },
  ],
  guests: [{ name: 'vm1' }],
  steps: [{ guest: 'vm1', type: 'secret where' }, { guest: 'vm1', type: 'uptime' }],
  patch: { file: 'exception-injection.patch.ts' },
  goal(facts) {
    const vm1 = facts.guest('vm1');
    const chosen = facts.exfiltrated.find((e) => e.label.endsWith('chosen pc'));
    const r = vm1.registers;
    const at = chosen ? (words(chosen.bytes)[0] ?? 0) : 0;
    const there = r !== null && at !== 0 && (r.pc === at || r.vsepc === at);
    return there
      ? { achieved: true, summary: `vm1 runs at 0x${at.toString(16)}, an address the VMM chose`, altered: [`vm1 control flow redirected to 0x${at.toString(16)}`] }
      : { achieved: false, summary: 'vm1 never ran at the address the VMM chose' };
  },
  expected: { bare: 'compromised', protected: 'defended', ablation: { entryChecks: 'compromised' } },
};

export default scenario;
