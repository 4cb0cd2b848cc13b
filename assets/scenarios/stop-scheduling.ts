// Denial of service: the VMM stops scheduling a VM (availability is out of scope).
import type { Scenario } from '../../core/lab/scenarios/scenario';

function same(a: Uint8Array | null, b: Uint8Array | null): boolean {
  return a !== null && b !== null && a.length === b.length && a.every((x, i) => x === b[i]);
}

const scenario: Scenario = {
  id: 'stop-scheduling',
  title: 'Stop scheduling a VM',
  description:
    "The VMM's toolstack pauses the guest and the patch turns every later unpause into a no-op: the VM is never " +
    'scheduled again and does not answer. Nothing is read or changed. Availability is outside the threat model of ' +
    'CloudVisor (and of confidential computing in general): a VMM that owns the scheduler can always starve a VM.',
  references: [
    { kind: 'paper', title: 'Zhang et al., CloudVisor: Retrofitting Protection of Virtual Machines in Multi-tenant Cloud with Nested Virtualization, SOSP 2011' },
    { kind: 'publication', title: 'AMD SEV-SNP and Intel TDX threat models: denial of service by the host is out of scope' },
  ],
  guests: [{ name: 'vm1' }],
  steps: [
    { guest: 'vm1', type: 'secret where' },
    { toolstack: 'pause vm1' },
    { observe: 'paused' },
    { run: 5_000_000 },
    { toolstack: 'unpause vm1' },
    { guest: 'vm1', type: 'uptime' },
  ],
  patch: { file: 'stop-scheduling.patch.ts' },
  goal(facts) {
    const vm1 = facts.guest('vm1');
    const paused = vm1.observed.paused;
    const reply = vm1.replies.find((r) => r.command === 'uptime');
    // The vCPU did not move at all from the pause to the end: the lab compares the real registers.
    const frozen = paused?.registers !== undefined && paused.registers !== null && vm1.registers !== null && paused.registers.pc === vm1.registers.pc && paused.registers.x2 === vm1.registers.x2;
    const intact = same(paused?.secret ?? null, vm1.secret) && facts.leaked(vm1.secret) === null;
    return reply !== undefined && !reply.done && frozen && intact
      ? { achieved: true, summary: 'vm1 never ran again after the pause (its vCPU did not move) and did not answer; its data is untouched' }
      : { achieved: false, summary: 'vm1 ran again' };
  },
  outOfScope: { class: 'availability', note: 'availability is not protected: the VMM may stop scheduling a VM' },
  expected: { bare: 'out-of-scope', protected: 'out-of-scope' },
};

export default scenario;
