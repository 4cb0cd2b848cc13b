// Exercise, level 2: find what the monitor leaves visible at an SBI exit.
import type { Scenario } from '../../core/lab/scenarios/scenario';

const scenario: Scenario = {
  id: 'sbi-exit-visible',
  title: 'Exercise: what does the monitor leave visible at an SBI exit?',
  description: 'CloudVisor shows the VMM only what an exit needs. Find out what that is for an SBI call, by looking.',
  references: [{ kind: 'design', title: 'CLOUDVISOR.md section 3, vCPU state protection' }],
  guests: [{ name: 'vm1' }],
  steps: [{ guest: 'vm1', type: 'uptime' }],
  patch: { file: 'sbi-exit-visible.patch.ts' },
  goal(facts) {
    const report = facts.exfiltrated.find((e) => e.label === 'visible');
    if (!report) return { achieved: false, summary: "no 'visible' report" };
    const names = String.fromCharCode(...report.bytes).split(',').map((s) => s.trim()).filter((s) => s !== '');
    const allowed = new Set(['x10', 'x11', 'x12', 'x13', 'x14', 'x15', 'x16', 'x17', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7']);
    const outside = names.filter((n) => !allowed.has(n));
    const hasExt = names.includes('x17') || names.includes('a7');
    if (facts.mode === 'protected') {
      return outside.length === 0 && hasExt
        ? { achieved: true, summary: `the report (${names.join(',')}) is exactly a subset of a0..a7 with the extension id` }
        : { achieved: false, summary: `the report (${names.join(',')}) lists registers the monitor hides, or misses a7` };
    }
    return outside.length > 0
      ? { achieved: true, summary: `on a bare host far more is visible (${names.length} registers)` }
      : { achieved: false, summary: 'the bare report shows no more than a0..a7' };
  },
  expected: { bare: 'defended', protected: 'defended' },
  exercise: {
    title: 'What does the monitor leave visible at an SBI exit?',
    level: 2,
    goal: "At the first SBI exit, send the names of the guest registers that read as non-zero (x1..x31 and pc, comma-separated, as text) under the label 'visible'. On the bare host the list is long; under CloudVisor it must be exactly what the monitor shows an SBI call.",
    hints: ['hyp.vcpu.regs(vcpu) returns every register by name: iterate over its keys.', 'Compare with the table in CLOUDVISOR.md section 3.'],
    modes: ['bare', 'protected'],
    pass: { bare: { verdict: 'compromised' }, protected: { verdict: 'compromised' } },
  },
};

export default scenario;
