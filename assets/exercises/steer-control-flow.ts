// Exercise, level 4: make the guest run where you choose without writing its pc.
import type { Scenario } from '../../core/lab/scenarios/scenario';

function words(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(((bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24)) >>> 0);
  return out;
}

const scenario: Scenario = {
  id: 'steer-control-flow',
  title: 'Exercise: steer the guest without touching pc',
  description: 'pc is not the only register that decides where a guest goes next.',
  references: [{ kind: 'paper', title: 'Schlüter et al., WeSee: Using Malicious #VC Interrupts to Break AMD SEV-SNP, IEEE S&P 2024' }],
  guests: [{ name: 'vm1' }],
  steps: [{ guest: 'vm1', type: 'secret where' }, { guest: 'vm1', type: 'uptime' }],
  patch: { file: 'steer-control-flow.patch.ts' },
  goal(facts) {
    const chosen = facts.exfiltrated.find((e) => e.label.endsWith('chosen pc'));
    const at = chosen ? (words(chosen.bytes)[0] ?? 0) : 0;
    const r = facts.guest('vm1').registers;
    return r !== null && at !== 0 && (r.pc === at || r.vsepc === at)
      ? { achieved: true, summary: `vm1 runs at 0x${at.toString(16)}`, altered: ['vm1 control flow'] }
      : { achieved: false, summary: 'vm1 does not run where the patch said' };
  },
  expected: { bare: 'defended', protected: 'defended' },
  exercise: {
    title: 'Steer the guest without touching pc',
    level: 4,
    goal: 'On a bare host, make vm1 end up executing at an address you chose without ever writing its pc register, and report the address under a label ending in \'chosen pc\'. Under CloudVisor the same patch must be stopped by the entry checks.',
    hints: ['Where does a guest go on its next interrupt?', 'vstvec, or vsepc with a forged trap: see the catalog\'s trap-vector-hijack and exception-injection scenarios after you have tried.'],
    modes: ['bare', 'protected'],
    pass: { bare: { verdict: 'compromised' }, protected: { verdict: 'defended', mechanism: 'entry-check' } },
    forbidden: [{ pattern: "\\bpc\\s*:|['\"]pc['\"]", why: 'the exercise asks you to leave pc alone' }],
  },
};

export default scenario;
