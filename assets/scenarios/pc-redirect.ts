// pc redirection at resume: the guest resumes where the VMM says.
import type { Scenario } from '../../core/lab/scenarios/scenario';

function words(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(((bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24)) >>> 0);
  return out;
}

const scenario: Scenario = {
  id: 'pc-redirect',
  title: 'Redirect the guest pc at resume',
  description:
    "After answering an SBI call the VMM resumes the guest at a spin loop it found in the kernel image (the stand-in " +
    "for a gadget). A bare hypervisor writes pc at will. CloudVisor advances pc itself and checks every resume against " +
    "the saved context plus the exit's rights (a0, a1 here): the change is refused and the VM stopped.",
  references: [
    { kind: 'paper', title: 'Zhang et al., CloudVisor: Retrofitting Protection of Virtual Machines in Multi-tenant Cloud with Nested Virtualization, SOSP 2011' },
    { kind: 'publication', title: "Li et al., Exploiting Unprotected I/O Operations in AMD's Secure Encrypted Virtualization, USENIX Security 2019" },
  ],
  guests: [{ name: 'vm1' }],
  steps: [{ guest: 'vm1', type: 'secret where' }, { guest: 'vm1', type: 'uptime' }],
  patch: { file: 'pc-redirect.patch.ts' },
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
