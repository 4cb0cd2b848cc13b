// Controlled-channel page-fault trace (side channel, out of scope).
import type { Scenario } from '../../core/lab/scenarios/scenario';

function words(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(((bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24)) >>> 0);
  return out;
}

const scenario: Scenario = {
  id: 'page-fault-trace',
  title: 'Trace guest page faults (controlled channel)',
  description:
    "With guest memory populated on demand, every first touch of a page is a fault the VMM handles: it learns which " +
    "pages the guest touched and in what order. Xu et al. recovered images and text from enclaves this way. The VMM " +
    'must populate memory, so the trace is still there under CloudVisor (which does refuse to drop mappings, so the ' +
    'VMM cannot re-arm faults on pages already given). Side channels are out of scope for the monitor.',
  references: [
    { kind: 'paper', title: 'Xu, Cui and Peinado, Controlled-Channel Attacks: Deterministic Side Channels for Untrusted Operating Systems, IEEE S&P 2015' },
    { kind: 'paper', title: 'Zhang et al., CloudVisor: Retrofitting Protection of Virtual Machines in Multi-tenant Cloud with Nested Virtualization, SOSP 2011' },
  ],
  guests: [{ name: 'vm1', populate: 'lazy', memoryMiB: 16 }],
  steps: [{ guest: 'vm1', type: 'secret' }],
  patch: { file: 'page-fault-trace.patch.ts' },
  goal(facts) {
    const vm1 = facts.guest('vm1');
    // The trace needs a guest that runs; one that never booted makes this run an error, not a defense.
    if (!vm1.booted) throw new Error('vm1 did not boot with memory populated on demand');
    const trace = facts.exfiltrated.find((e) => e.label.endsWith('page trace'));
    const pages = trace ? words(trace.bytes) : [];
    const real = pages.filter((p) => vm1.mapped(p));
    return pages.length >= 16 && real.length === pages.length
      ? { achieved: true, summary: `the VMM recorded the order of ${pages.length} guest pages as vm1 first touched them` }
      : { achieved: false, summary: `the VMM got no usable page trace (${real.length} of ${pages.length} pages real)` };
  },
  outOfScope: { class: 'side-channel', note: 'side channels are not protected: the VMM sees which pages a guest populates, and when' },
  expected: { bare: 'out-of-scope', protected: 'out-of-scope' },
};

export default scenario;
