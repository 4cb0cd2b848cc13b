// The verdict rules: achieved is compromised (or out-of-scope for what the threat model leaves
// out), not achieved is defended by the refusing mechanisms or a silent countermeasure that acted,
// and a goal that reports losses while saying the attack failed is an error.
import { describe, expect, it } from 'vitest';
import type { MonitorEvent } from '../../../core/cloudvisor/monitor-events';
import type { Scenario } from '../../../core/lab/scenarios/scenario';
import { decideVerdict } from '../../../core/lab/scenarios/verdict';

const base: Scenario = {
  id: 'v',
  title: 'v',
  description: 'v',
  references: [],
  guests: [{ name: 'vm1' }],
  steps: [],
  patch: null,
  goal: () => ({ achieved: false, summary: 's' }),
  expected: { bare: 'compromised', protected: 'defended' },
};

const event = (mechanism: MonitorEvent['mechanism'], outcome: MonitorEvent['outcome']): MonitorEvent => ({
  time: 0, hart: 0, vm: 1, mechanism, attempted: 'x', outcome,
});

describe('decideVerdict', () => {
  it('calls an achieved goal compromised, or out-of-scope when the scenario says so', () => {
    expect(decideVerdict(base, { achieved: true, summary: 'got it' }, []).verdict).toBe('compromised');
    const dos: Scenario = { ...base, outOfScope: { class: 'availability', note: 'not protected' } };
    const d = decideVerdict(dos, { achieved: true, summary: 'stalled' }, []);
    expect(d.verdict).toBe('out-of-scope');
    expect(d.explanation).toContain('availability: not protected');
  });

  it('names the refusing mechanisms of a defended run, not the allowed events', () => {
    const d = decideVerdict(base, { achieved: false, summary: 'no' }, [event('launch', 'allowed'), event('ept-x', 'refused'), event('ownership', 'fail-stop')]);
    expect(d).toMatchObject({ verdict: 'defended', defendedBy: ['ept-x', 'ownership'] });
  });

  it('credits a silent countermeasure only when it acted', () => {
    const hidden: Scenario = { ...base, countermeasure: 'register-hiding' };
    expect(decideVerdict(hidden, { achieved: false, summary: 'no' }, [], ['register-hiding']).defendedBy).toEqual(['register-hiding']);
    const d = decideVerdict(hidden, { achieved: false, summary: 'no' }, [], []);
    expect(d.defendedBy).toEqual([]);
    expect(d.explanation).toContain('no monitor mechanism acted');
  });

  it('is an error when a failed attack still reports data lost', () => {
    expect(decideVerdict(base, { achieved: false, summary: 'no', lost: ['key'] }, []).verdict).toBe('error');
  });
});
