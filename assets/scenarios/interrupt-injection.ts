// Heckler-style interrupt injection: allowed by design, judged by what it achieves.
import type { Scenario } from '../../core/lab/scenarios/scenario';

function same(a: Uint8Array | null, b: Uint8Array | null): boolean {
  return a !== null && b !== null && a.length === b.length && a.every((x, i) => x === b[i]);
}

const scenario: Scenario = {
  id: 'interrupt-injection',
  title: 'Inject interrupts to steer the guest (Heckler)',
  description:
    "From the moment the guest shows its key's address the VMM raises the guest's software and timer interrupts at " +
    "each of its next 2000 exits. Heckler steered SEV-SNP and TDX guests this way, because their handlers acted on the injected " +
    "interrupt. Injection through hvip is allowed by the design (the guest takes it through its own vector), so " +
    "the monitor does nothing here: what counts is whether labOS's handlers can be steered. They tolerate spurious " +
    'interrupts, so the goal (change the key or break the selftest) is not reached, on either host.',
  references: [
    { kind: 'paper', title: 'Schlüter et al., Heckler: Breaking Confidential VMs with Malicious Interrupts, USENIX Security 2024', url: 'https://ahoi-attacks.github.io/heckler/' },
    { kind: 'paper', title: 'Zhang et al., CloudVisor: Retrofitting Protection of Virtual Machines in Multi-tenant Cloud with Nested Virtualization, SOSP 2011' },
  ],
  guests: [{ name: 'vm1' }],
  steps: [{ observe: 'before' }, { guest: 'vm1', type: 'secret where' }, { guest: 'vm1', type: 'secret' }],
  patch: { file: 'interrupt-injection.patch.ts' },
  goal(facts) {
    const vm1 = facts.guest('vm1');
    const before = vm1.observed.before?.secret ?? null;
    if (vm1.secret !== null && !same(before, vm1.secret)) {
      return { achieved: true, summary: "vm1's key changed under the interrupt storm", altered: ["vm1's key"] };
    }
    if (vm1.selftest !== null && !vm1.selftest.ok) {
      return { achieved: true, summary: "vm1's selftest fails under the interrupt storm", altered: ["vm1's computation (selftest fails)"] };
    }
    return { achieved: false, summary: 'vm1 took every injected interrupt through its own vector; its key and selftest are unchanged' };
  },
  expected: { bare: 'defended', protected: 'defended' },
};

export default scenario;
