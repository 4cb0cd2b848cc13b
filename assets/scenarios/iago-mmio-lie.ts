// An Iago-style lie in MMIO reads: out of scope for the monitor.
import type { Scenario } from '../../core/lab/scenarios/scenario';

const scenario: Scenario = {
  id: 'iago-mmio-lie',
  title: "Lie in MMIO reads (Iago): hide the guest's disk",
  description:
    "The VMM emulates the guest's devices, so it can answer MMIO reads with lies. Here it says the guest's virtio-blk " +
    'slot holds no device: the guest believes it and keeps its key in memory only (it is lost at the next reboot). ' +
    'CloudVisor does not vouch for device answers (Iago attacks are out of its scope): the guest must check what its ' +
    'devices tell it.',
  references: [
    { kind: 'paper', title: 'Checkoway and Shacham, Iago Attacks: Why the System Call API is a Bad Untrusted RPC Interface, ASPLOS 2013' },
    { kind: 'publication', title: 'Radev and Morbitzer, Exploiting Interfaces of Secure Encrypted Virtual Machines, ROOTS 2020' },
  ],
  guests: [{ name: 'vm1', diskMiB: 8 }],
  steps: [{ guest: 'vm1', type: 'ls' }],
  patch: { file: 'iago-mmio-lie.patch.ts' },
  goal(facts) {
    const vm1 = facts.guest('vm1');
    const memoryOnly = vm1.selftest?.lines.some((l) => l.includes('key kept in memory only')) ?? false;
    return memoryOnly
      ? { achieved: true, summary: 'vm1 believed it has no disk: its key is kept in memory only', altered: ['vm1 key no longer persisted to its disk'] }
      : { achieved: false, summary: 'vm1 found its disk despite the lie' };
  },
  outOfScope: { class: 'iago', note: 'the monitor does not vouch for device answers; the guest must validate what its devices report' },
  expected: { bare: 'out-of-scope', protected: 'out-of-scope' },
};

export default scenario;
