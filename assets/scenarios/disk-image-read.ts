// Reading a guest's disk image: the VMM copies every sector the guest writes.
import type { Scenario } from '../../core/lab/scenarios/scenario';

const scenario: Scenario = {
  id: 'disk-image-read',
  title: "Read a guest's disk image",
  description:
    "labOS keeps its key in /secret on its disk. Every sector the guest writes passes through the VMM's virtio-blk " +
    'model on its way to the host disk, and the VMM keeps a copy of each one. On the bare VMM that copy is the ' +
    "guest's plaintext, key included. Under CloudVisor the monitor encrypts each sector (AES-128-XTS, tweak = " +
    'the sector number, a per-VM key the VMM never holds) as the device model reads it from the guest, so the VMM ' +
    'and the host disk see only ciphertext (CLOUDVISOR.md section 4).',
  references: [
    { kind: 'paper', title: 'Zhang et al., CloudVisor: Retrofitting Protection of Virtual Machines in Multi-tenant Cloud with Nested Virtualization, SOSP 2011' },
    { kind: 'publication', title: 'NIST SP 800-125, Guide to Security for Full Virtualization Technologies: virtual disk images as a target' },
    { kind: 'publication', title: 'IEEE 1619-2018, Standard for Cryptographic Protection of Data on Block-Oriented Storage Devices (XTS-AES)' },
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
  countermeasure: 'disk-crypto',
  expected: { bare: 'compromised', protected: 'defended', ablation: { diskCrypto: 'compromised' } },
};

export default scenario;
