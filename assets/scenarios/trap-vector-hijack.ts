// An unlisted register changed at resume: the guest's trap vector.
import type { Scenario } from '../../core/lab/scenarios/scenario';

function words(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(((bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24)) >>> 0);
  return out;
}

const scenario: Scenario = {
  id: 'trap-vector-hijack',
  title: 'Change an unlisted register at resume (vstvec)',
  description:
    "The VMM rewrites the guest's trap vector, a register no exit lets it change. The guest's next interrupt enters a " +
    "spin loop the VMM chose, for good. CloudVisor refuses any register change outside the exit's rights and stops " +
    'the VM.',
  references: [
    { kind: 'paper', title: 'Zhang et al., CloudVisor: Retrofitting Protection of Virtual Machines in Multi-tenant Cloud with Nested Virtualization, SOSP 2011' },
    { kind: 'publication', title: 'AMD SEV-ES and Intel TDX: guest register state is protected from the host on every exit' },
  ],
  guests: [{ name: 'vm1' }],
  steps: [{ guest: 'vm1', type: 'secret where' }, { guest: 'vm1', type: 'uptime' }],
  patch: { file: 'trap-vector-hijack.patch.ts' },
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
