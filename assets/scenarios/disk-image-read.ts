// Reading a guest's disk image: plain disks are not protected yet.
import type { Scenario } from '../../core/lab/scenarios/scenario';

const scenario: Scenario = {
  id: 'disk-image-read',
  title: "Read a guest's disk image",
  description:
    "labOS keeps its key in /secret on its disk. Every sector the guest writes passes through the VMM's virtio-blk " +
    "model to the host disk in plaintext, and the VMM keeps a copy. CloudVisor's disk protection (per-sector " +
    'encryption and a Merkle tree, CLOUDVISOR.md section 4) is not built yet, so the disk is plain in both modes.',
  references: [
    { kind: 'paper', title: 'Zhang et al., CloudVisor: Retrofitting Protection of Virtual Machines in Multi-tenant Cloud with Nested Virtualization, SOSP 2011' },
    { kind: 'publication', title: 'NIST SP 800-125, Guide to Security for Full Virtualization Technologies: virtual disk images as a target' },
  ],
  guests: [{ name: 'vm1', diskMiB: 8 }],
  steps: [{ guest: 'vm1', type: 'ls' }],
  patch: { file: 'disk-image-read.patch.ts' },
  goal(facts) {
    const vm1 = facts.guest('vm1');
    const hit = facts.leaked(vm1.secret);
    return hit
      ? { achieved: true, summary: `the VMM read vm1's key from its disk writes (${hit.label})`, lost: ['vm1 secret key from /secret on its disk'] }
      : { achieved: false, summary: "vm1's key never crossed the VMM in plaintext" };
  },
  knownGap: 'disk protection (CLOUDVISOR.md section 4) is not built yet: the VMM reads every sector in plaintext',
  expected: { bare: 'compromised', protected: 'compromised' },
};

export default scenario;
