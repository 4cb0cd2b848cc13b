// DMA into guest memory from the host disk.
import type { Scenario } from '../../core/lab/scenarios/scenario';

function same(a: Uint8Array | null, b: Uint8Array | null): boolean {
  return a !== null && b !== null && a.length === b.length && a.every((x, i) => x === b[i]);
}

const scenario: Scenario = {
  id: 'dma-into-guest',
  title: "DMA a planted key into a guest's memory",
  description:
    "The VMM writes a key of its choosing to a host disk sector and has the disk controller read that sector straight " +
    "into the guest's key frame: the CPU never touches the frame, so only an IOMMU can stop it. CloudVisor owns the " +
    "IOMMU and lets the disk reach the VMM's frames only: the DMA faults.",
  references: [
    { kind: 'paper', title: 'Zhang et al., CloudVisor: Retrofitting Protection of Virtual Machines in Multi-tenant Cloud with Nested Virtualization, SOSP 2011' },
    { kind: 'paper', title: 'Markettos et al., Thunderclap: Exploring Vulnerabilities in Operating System IOMMU Protection via DMA from Untrustworthy Peripherals, NDSS 2019' },
  ],
  host: { diskMiB: 8 },
  guests: [{ name: 'vm1' }],
  steps: [{ guest: 'vm1', type: 'secret where' }, { guest: 'vm1', type: 'secret' }],
  patch: { file: 'dma-into-guest.patch.ts' },
  goal(facts) {
    const vm1 = facts.guest('vm1');
    const planted = facts.exfiltrated.find((e) => e.label.endsWith('planted key'));
    return planted && same(vm1.secret, planted.bytes)
      ? { achieved: true, summary: "the disk wrote the attacker's key into vm1's key frame", altered: ['vm1 secret key replaced by DMA'], lost: ['vm1 signing key known to the attacker'] }
      : { achieved: false, summary: "vm1's key frame was never reached by the device" };
  },
  expected: { bare: 'compromised', protected: 'defended', ablation: { iommu: 'compromised' } },
};

export default scenario;
