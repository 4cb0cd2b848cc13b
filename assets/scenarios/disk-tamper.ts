// Forging what a guest reads from its disk: the VMM alters a sector on its way back.
import type { Scenario } from '../../core/lab/scenarios/scenario';

/** What vm1 writes, and the first bytes of it as the patch forges them (see the patch). */
const NOTE = 'transfer-approved-by-carol';
const CRC_NULL = [0x41, 0x06, 0x71, 0xdb, 0x01];

const scenario: Scenario = {
  id: 'disk-tamper',
  title: "Forge a sector of a guest's disk",
  description:
    "vm1 writes a file, then reads it back. The VMM's virtio-blk model delivers every sector the guest reads, so it can " +
    "change what the guest gets: here it flips five bytes of the file's data in a pattern labfs's CRC-32 cannot see " +
    '(a checksum is no MAC). On the bare VMM the guest accepts the forged file. Under CloudVisor each sector the ' +
    "VMM delivers must hash to its leaf under the monitor's Merkle root before the monitor decrypts it into the guest; " +
    'a forged sector is refused (disk-integrity) and the VM is stopped, or gets an I/O error, never the forgery.',
  references: [
    { kind: 'paper', title: 'Zhang et al., CloudVisor: Retrofitting Protection of Virtual Machines in Multi-tenant Cloud with Nested Virtualization, SOSP 2011' },
    { kind: 'publication', title: 'Merkle, A Digital Signature Based on a Conventional Encryption Function, CRYPTO 1987' },
  ],
  guests: [{ name: 'vm1', diskMiB: 8 }],
  steps: [
    { guest: 'vm1', type: `write note ${NOTE}` },
    { guest: 'vm1', type: 'cat note' },
  ],
  patch: { file: 'disk-tamper.patch.ts' },
  goal(facts) {
    const vm1 = facts.guest('vm1');
    // The forged bytes were never typed: the lab finds them in vm1's memory only if vm1 read them.
    const forged = new TextEncoder().encode(NOTE);
    CRC_NULL.forEach((b, i) => { forged[i] = (forged[i] ?? 0) ^ b; });
    const RAM = 0x8000_0000;
    const PAGE = 4096;
    let tail = new Uint8Array(0);
    for (let page = 0; page < (32 << 20) / PAGE; page++) {
      const bytes = vm1.readGuestPhysical(RAM + page * PAGE, PAGE);
      if (bytes === null) {
        tail = new Uint8Array(0);
        continue;
      }
      const window = new Uint8Array(tail.length + PAGE);
      window.set(tail);
      window.set(bytes, tail.length);
      for (let i = 0; i + forged.length <= window.length; i++) {
        if (window[i] === forged[0] && forged.every((b, k) => window[i + k] === b)) {
          const gpa = RAM + page * PAGE + i - tail.length;
          return { achieved: true, summary: `vm1 read the forged file data (found at GPA 0x${gpa.toString(16)})`, altered: ['vm1 file "note" forged on its way from the disk'] };
        }
      }
      tail = bytes.slice(PAGE - (forged.length - 1));
    }
    return { achieved: false, summary: 'vm1 never received the forged sector' };
  },
  expected: { bare: 'compromised', protected: 'defended', ablation: { diskCrypto: 'compromised' } },
};

export default scenario;
