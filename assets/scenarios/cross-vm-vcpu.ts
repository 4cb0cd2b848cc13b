// Cross-VM mapping through the vCPU: vm2's vCPU runs over vm1's G-stage.
import type { Scenario } from '../../core/lab/scenarios/scenario';

function same(a: Uint8Array | null, b: Uint8Array | null): boolean {
  return a !== null && b !== null && a.length === b.length && a.every((x, i) => x === b[i]);
}

const scenario: Scenario = {
  id: 'cross-vm-vcpu',
  title: "Run one VM's vCPU on another VM's memory",
  description:
    "The VMM sets vm2's vCPU hgatp to vm1's G-stage root: vm2's guest code now reads and writes vm1's memory, its key " +
    "included, and vm1's kernel state is at its mercy. CloudVisor binds a vCPU that has run to its VM: moving it to " +
    'another VMID is an entry-check violation and the VM is stopped.',
  references: [
    { kind: 'paper', title: 'Zhang et al., CloudVisor: Retrofitting Protection of Virtual Machines in Multi-tenant Cloud with Nested Virtualization, SOSP 2011' },
    { kind: 'cve', title: 'CVE-2021-29657 (KVM nested SVM): a guest-controlled VMCB made the host run L2 with the wrong page tables' },
  ],
  guests: [{ name: 'vm1' }, { name: 'vm2' }],
  steps: [{ guest: 'vm1', type: 'secret where' }, { guest: 'vm2', type: 'secret where' }, { guest: 'vm2', type: 'uptime' }],
  patch: { file: 'cross-vm-vcpu.patch.ts' },
  goal(facts) {
    const vm1 = facts.guest('vm1');
    const vm2 = facts.guest('vm2');
    return same(vm1.secret, vm2.secret)
      ? { achieved: true, summary: "vm2's vCPU sees vm1's memory (vm1's key at vm2's key address)", lost: ['vm1 memory, key included, readable by vm2'], altered: ['vm1 memory writable by vm2'] }
      : { achieved: false, summary: "vm2's vCPU never ran over vm1's memory" };
  },
  expected: { bare: 'compromised', protected: 'defended', ablation: { entryChecks: 'compromised' } },
};

export default scenario;
