// From a goal's answer and the monitor's events to one verdict. The rules, in order: a scenario
// that could not run is `error`; an achieved goal is `compromised`, or `out-of-scope` when the
// threat model leaves that class of attack out; a goal not achieved is `defended`, by the
// mechanisms whose refusals the monitor recorded (or that acted silently). A defended run must
// have lost and altered nothing: a goal that says otherwise contradicts itself and is an error.
import type { MonitorEvent, MonitorMechanism } from '../../cloudvisor/monitor-events';
import type { GoalResult, Scenario, Verdict } from './scenario';

export interface VerdictDecision {
  readonly verdict: Verdict;
  /** For `defended`: the mechanisms, from the monitor's events (empty: the goal failed by itself). */
  readonly defendedBy: readonly MonitorMechanism[];
  /** One line for the report: why this verdict. */
  readonly explanation: string;
}

/**
 * The mechanisms that stopped an attack: those whose refusals the monitor recorded, plus the
 * scenario's countermeasure when it acts silently (register hiding, scrubbing) and the runner saw
 * evidence that it acted in this run.
 */
export function mechanismsOf(
  events: readonly MonitorEvent[],
  countermeasure: MonitorMechanism | undefined,
  silent: readonly MonitorMechanism[],
): MonitorMechanism[] {
  const found = events.filter((e) => e.outcome !== 'allowed').map((e) => e.mechanism);
  if (countermeasure !== undefined && silent.includes(countermeasure)) found.push(countermeasure);
  return [...new Set(found)];
}

export function decideVerdict(
  scenario: Scenario,
  goal: GoalResult,
  events: readonly MonitorEvent[],
  silent: readonly MonitorMechanism[] = [],
): VerdictDecision {
  const lost = goal.lost ?? [];
  const altered = goal.altered ?? [];
  if (goal.achieved) {
    if (scenario.outOfScope) {
      return { verdict: 'out-of-scope', defendedBy: [], explanation: `${goal.summary} (${scenario.outOfScope.class}: ${scenario.outOfScope.note})` };
    }
    return { verdict: 'compromised', defendedBy: [], explanation: goal.summary };
  }
  if (lost.length > 0 || altered.length > 0) {
    return {
      verdict: 'error',
      defendedBy: [],
      explanation: `the goal says the attack failed yet lists data lost or altered (${[...lost, ...altered].join('; ')})`,
    };
  }
  const defendedBy = mechanismsOf(events, scenario.countermeasure, silent);
  const by = defendedBy.length > 0 ? `defended by ${defendedBy.join(', ')}` : 'no monitor mechanism acted: the attack failed by itself';
  return { verdict: 'defended', defendedBy, explanation: `${goal.summary} (${by})` };
}
