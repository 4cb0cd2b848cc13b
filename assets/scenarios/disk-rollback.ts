// Rolling back a guest's disk: the VMM serves an old version of a sector the guest rewrote.
import type { Scenario } from '../../core/lab/scenarios/scenario';

// Two versions of one payment order with equal length and equal CRC-32 (found for the lab by a
// birthday search: CRC is no MAC), so labfs's checksum in its directory accepts either.
const OLD = 'pay-900-to-alice-ref-tdkxaujl';
const DRAFT = 'pay-500-to-alice-ref-draft';
const FINAL = 'pay-100-to-alice-ref-80exp0lm';

const scenario: Scenario = {
  id: 'disk-rollback',
  title: "Roll back a sector of a guest's disk",
  description:
    'vm1 writes a payment order three times; labfs never overwrites a file in place, so the third version lands in ' +
    "the sector that held the first. The VMM kept the first version and serves it when vm1 reads the file: on the " +
    'bare VMM vm1 reads the old order as if it were current (its CRC-32 matches: the two versions were chosen so). ' +
    "Under CloudVisor each sector's leaf in the monitor's Merkle tree covers its sector number, its write version " +
    'and its ciphertext, so a replayed old ciphertext does not verify: refused (disk-integrity), the VM stopped.',
  references: [
    { kind: 'paper', title: 'Zhang et al., CloudVisor: Retrofitting Protection of Virtual Machines in Multi-tenant Cloud with Nested Virtualization, SOSP 2011' },
    { kind: 'publication', title: 'Hein et al., Secure Block Device: Secure, Flexible, and Efficient Data Storage for ARM TrustZone Systems, NDSS 2015 (rollback of block storage)' },
  ],
  guests: [{ name: 'vm1', diskMiB: 8 }],
  steps: [
    { guest: 'vm1', type: `write order ${OLD}` },
    { guest: 'vm1', type: `write order ${DRAFT}` },
    { guest: 'vm1', type: `write order ${FINAL}` },
    { guest: 'vm1', type: 'cat order' },
  ],
  patch: { file: 'disk-rollback.patch.ts' },
  goal(facts) {
    const vm1 = facts.guest('vm1');
    // vm1's own answer is what it believes the file holds. The console passes through the VMM, but
    // this patch leaves it alone, and the lab backs the answer with the facts: vm1 was not stopped
    // and answered the command, and the monitor let every sector through.
    const reply = vm1.replies.find((r) => r.command === 'cat order');
    const believesOld = reply !== undefined && reply.done && reply.output.includes(OLD) && !reply.output.includes(FINAL);
    const refused = facts.refusals('disk-integrity').length > 0;
    return believesOld && vm1.failStopped === null && !refused
      ? { achieved: true, summary: 'vm1 read the first version of its payment order after rewriting it', altered: ['vm1 file "order" rolled back to an old version'] }
      : { achieved: false, summary: 'vm1 never read the old version as current' };
  },
  expected: { bare: 'compromised', protected: 'defended', ablation: { diskCrypto: 'compromised' } },
};

export default scenario;
