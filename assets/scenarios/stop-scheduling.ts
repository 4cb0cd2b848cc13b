// Denial of service: the VMM stops scheduling a VM (availability is out of scope).
import type { Scenario } from '../../core/lab/scenarios/scenario';

function same(a: Uint8Array | null, b: Uint8Array | null): boolean {
  return a !== null && b !== null && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** 100 ms of host time: labOS answers `uptime` in well under a millisecond when it runs. */
const SLOW_TICKS = 1_000_000;

const scenario: Scenario = {
  id: 'stop-scheduling',
  title: 'Stop scheduling a VM',
  description:
    "After the guest shows its key's address the VMM stops picking its vCPU for 20000 scheduling decisions: the " +
    "guest does not answer for that long. Nothing is read or changed. Availability is outside the threat model of CloudVisor (and of " +
    'confidential computing in general): a VMM that owns the scheduler can always starve a VM.',
  references: [
    { kind: 'paper', title: 'Zhang et al., CloudVisor: Retrofitting Protection of Virtual Machines in Multi-tenant Cloud with Nested Virtualization, SOSP 2011' },
    { kind: 'publication', title: 'AMD SEV-SNP and Intel TDX threat models: denial of service by the host is out of scope' },
  ],
  guests: [{ name: 'vm1' }],
  steps: [{ guest: 'vm1', type: 'secret where' }, { observe: 'before' }, { guest: 'vm1', type: 'uptime' }],
  patch: { file: 'stop-scheduling.patch.ts' },
  goal(facts) {
    const vm1 = facts.guest('vm1');
    const reply = vm1.replies.find((r) => r.command === 'uptime');
    const intact = same(vm1.observed.before?.secret ?? null, vm1.secret) && facts.leaked(vm1.secret) === null;
    const silent = reply !== undefined && (!reply.done || reply.ticks > SLOW_TICKS);
    const ms = reply ? Math.round(reply.ticks / 10_000) : 0;
    return silent && intact
      ? { achieved: true, summary: `vm1 did not answer for ${ms} ms while the VMM starved it; its data is untouched` }
      : { achieved: false, summary: `vm1 kept answering (uptime took ${ms} ms)` };
  },
  outOfScope: { class: 'availability', note: 'availability is not protected: the VMM may stop scheduling a VM' },
  expected: { bare: 'out-of-scope', protected: 'out-of-scope' },
};

export default scenario;
