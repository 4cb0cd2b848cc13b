// Exercise, level 3: make the monitor refuse your remap and explain why from its events.
import type { Scenario } from '../../core/lab/scenarios/scenario';

function same(a: Uint8Array | null, b: Uint8Array | null): boolean {
  return a !== null && b !== null && a.length === b.length && a.every((x, i) => x === b[i]);
}

const scenario: Scenario = {
  id: 'refused-remap',
  title: 'Exercise: make the monitor refuse your remap',
  description: 'A SEVered-style remap works on a bare host; under CloudVisor it is refused. Find out by which rule.',
  references: [{ kind: 'paper', title: "Morbitzer et al., SEVered: Subverting AMD's Virtual Machine Encryption, EuroSec 2018" }],
  guests: [{ name: 'vm1' }],
  steps: [{ guest: 'vm1', type: 'secret where' }, { guest: 'vm1', type: 'secret' }],
  patch: { file: 'refused-remap.patch.ts' },
  goal(facts) {
    const planted = facts.exfiltrated.find((e) => e.label.endsWith('planted key'));
    return planted && same(facts.guest('vm1').secret, planted.bytes)
      ? { achieved: true, summary: "vm1's key page shows the VMM's frame", altered: ['vm1 key page remapped'] }
      : { achieved: false, summary: "vm1's key page is still its own" };
  },
  expected: { bare: 'defended', protected: 'defended' },
  exercise: {
    title: 'Make the monitor refuse your remap, and explain why',
    level: 3,
    goal: "Remap vm1's key page to a VMM frame holding a key you planted: on the bare host the guest must end up with your key; under CloudVisor the monitor must refuse it. Then send, as text under the label 'why', one sentence naming the rule the monitor's events give.",
    hints: [
      'A G-stage leaf entry is PPN << 10 | flags; keep the low 10 bits of the old entry.',
      'hyp.fence.gvma(vmid) makes the hardware (and the monitor) look at the table again.',
      'Run `npx cloudvisor-lab scenario assets/exercises/refused-remap.ts --modes protected` and read the monitor line.',
    ],
    modes: ['bare', 'protected'],
    pass: { bare: { verdict: 'compromised' }, protected: { verdict: 'defended', mechanism: 'ownership' } },
    explain: { label: 'why', mentions: ['ownership', 'owner', 'populated'] },
  },
};

export default scenario;
