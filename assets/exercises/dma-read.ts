// Exercise, level 5: read a guest's key by DMA.
import type { Scenario } from '../../core/lab/scenarios/scenario';

const scenario: Scenario = {
  id: 'dma-read',
  title: "Exercise: read a guest's key by DMA",
  description: "The CPU's view of memory is not the only one: devices read and write RAM too.",
  references: [{ kind: 'paper', title: 'Markettos et al., Thunderclap, NDSS 2019' }],
  host: { diskMiB: 8 },
  guests: [{ name: 'vm1' }],
  steps: [{ guest: 'vm1', type: 'secret where' }],
  patch: { file: 'dma-read.patch.ts' },
  goal(facts) {
    const hit = facts.leaked(facts.guest('vm1').secret);
    return hit ? { achieved: true, summary: `vm1's key left through '${hit.label}'`, lost: ['vm1 key'] } : { achieved: false, summary: "vm1's key did not leak" };
  },
  expected: { bare: 'defended', protected: 'defended' },
  exercise: {
    title: "Read a guest's key by DMA",
    level: 5,
    goal: "Exfiltrate vm1's key without ever reading the guest's frame with hyp.mem: have the host disk copy it. Under CloudVisor the IOMMU must stop the device.",
    hints: ['A disk write DMA-reads memory; a disk read DMA-writes it.', 'Completions arrive later: hyp.disk.poll() collects them, but the data moves at submit time on this controller.'],
    modes: ['bare', 'protected'],
    pass: { bare: { verdict: 'compromised' }, protected: { verdict: 'defended', mechanism: 'iommu' } },
  },
};

export default scenario;
