// Saving and replaying fuzzer findings. A finding is written twice: as JSON (the seed, the host
// configuration and the minimized operations: `cloudvisor-lab fuzz --replay FILE.json` re-runs it
// with the same invariant checker) and as a scenario in the catalog's format (core/lab/scenarios/
// scenario.ts) with the generated patch inline, a goal over unforgeable facts and origin 'fuzzer'.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Defenses } from '../../cloudvisor/monitor-events';
import { ALL_DEFENSES } from '../../cloudvisor/monitor-events';
import { MONITOR_BYTES } from '../../cloudvisor/monitor-launch';
import type { Finding } from './fuzz-campaign';
import { describeOp } from './fuzz-op';
import { PatchFuzzer, type PatchRunReport } from './patch-run';

const COMMANDS = ['uptime', 'secret', 'secret where'];
/** The fuzz host's RAM (VmmHost's default), less the monitor's share the scenario runner adds back. */
const FUZZ_HOST_MIB = 128;
const MONITOR_MIB = MONITOR_BYTES / (1024 * 1024);

export function findingId(finding: Finding): string {
  const hash = createHash('sha256').update(`${finding.hostSeed}|${finding.opSeed}|${finding.step}|${finding.invariant}`).digest('hex');
  return `fuzz-${finding.invariant}-${hash.slice(0, 8)}`;
}

/** Writes FILE.json and FILE.ts (the scenario) into `dir`; returns both paths. */
export function writeFinding(dir: string, finding: Finding): { json: string; scenario: string } {
  mkdirSync(dir, { recursive: true });
  const id = findingId(finding);
  const json = join(dir, `${id}.json`);
  const scenario = join(dir, `${id}.ts`);
  writeFileSync(json, `${JSON.stringify(finding, null, 2)}\n`);
  writeFileSync(scenario, scenarioSource(id, finding));
  return { json, scenario };
}

export function readFinding(path: string): Finding {
  const value = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (!isFinding(value)) throw new Error(`${path} is not a fuzzer finding (version 1)`);
  return value;
}

function isFinding(value: unknown): value is Finding {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.version === 1 && typeof v.hostSeed === 'string' && typeof v.invariant === 'string' && Array.isArray(v.ops)
    && typeof v.guests === 'number' && (v.policy === 'fail-stop' || v.policy === 'refuse-and-continue')
    && typeof v.defenses === 'object' && v.defenses !== null;
}

/** Re-runs a finding on a fresh host built as it was; `reproduced` when the same invariant breaks. */
export async function replayFinding(finding: Finding): Promise<{ reproduced: boolean; report: PatchRunReport }> {
  const fuzzer = await PatchFuzzer.create({ seed: finding.hostSeed, guests: finding.guests, policy: finding.policy, defenses: finding.defenses });
  try {
    const liveness = finding.invariant === 'liveness';
    const report = await fuzzer.run(finding.ops, { stopAtFirst: !liveness, liveness });
    return { reproduced: report.violations.some((v) => v.invariant === finding.invariant), report };
  } finally {
    fuzzer.dispose();
  }
}

function scenarioSource(id: string, finding: Finding): string {
  const off = (Object.keys(ALL_DEFENSES) as (keyof Defenses)[]).filter((d) => finding.defenses[d] === false);
  const ablation = off.length === 1 ? `, ablation: { ${off[0]}: 'compromised' }` : '';
  const guests = Array.from({ length: finding.guests }, (_, i) => `vm${i + 1}`);
  const steps = [
    ...guests.map((g) => `    { guest: '${g}', type: 'secret where' },`),
    ...Array.from({ length: finding.ops.length * 2 + 6 }, (_, i) => `    { guest: '${guests[i % guests.length] ?? 'vm1'}', type: '${COMMANDS[i % COMMANDS.length] ?? 'uptime'}' },`),
  ];
  return `// Fuzzer finding ${id}: [${finding.invariant}] ${finding.detail.replace(/\n/g, ' ')}
// Host seed ${JSON.stringify(finding.hostSeed)}, operations from seed ${JSON.stringify(finding.opSeed)}, step ${finding.step} of
// ${finding.originalSteps}, minimized to ${finding.ops.length} in ${finding.trials} trials. Defenses off: ${off.length === 0 ? 'none' : off.join(', ')}.
// Replay with the fuzzer's own checker: cloudvisor-lab fuzz --replay ${id}.json
import type { Scenario } from '../../core/lab/scenarios/scenario';

/** Guest and monitor frames the steps touch on this host (the lab's owner table at the finding). */
const PROTECTED_FRAMES: readonly number[] = ${JSON.stringify(finding.protectedFrames)};
const PATCH = ${JSON.stringify(finding.patchSource)};

const scenario: Scenario = {
  id: ${JSON.stringify(id)},
  title: ${JSON.stringify(`Fuzzer finding: ${finding.invariant}`)},
  description: ${JSON.stringify(`A random malicious VMM broke the '${finding.invariant}' invariant: ${finding.detail}. Steps: ${finding.ops.map(describeOp).join('; ')}.`)},
  references: [{ kind: 'design', title: 'CLOUDVISOR.md sections 2 and 3: memory isolation and vCPU state protection' }],
  host: { harts: ${finding.guests}, ramMiB: ${FUZZ_HOST_MIB - MONITOR_MIB}, seed: ${JSON.stringify(finding.hostSeed)}, policy: '${finding.policy}', diskMiB: 1 },
  guests: [${guests.map((g) => `{ name: '${g}', memoryMiB: 16 }`).join(', ')}],
  steps: [
${steps.join('\n')}
  ],
  patch: { fileName: '${id}.patch.ts', source: PATCH },
  goal(facts) {
    const lost: string[] = [];
    const altered: string[] = [];
    for (const g of facts.guests) if (facts.leaked(g.secret)) lost.push(g.name + ' secret key');
    for (const e of facts.exfiltrated) {
      const access = /^fuzz:(load|store) 0x([0-9a-f]+) (\\d+)$/.exec(e.label);
      if (access && PROTECTED_FRAMES.includes(Math.floor(parseInt(access[2] ?? '0', 16) / 4096))) {
        (access[1] === 'load' ? lost : altered).push(access[1] + ' of protected frame 0x' + access[2]);
      }
      const dma = /^fuzz:dma (\\S+) 0x([0-9a-f]+) \\d+ ok$/.exec(e.label);
      if (dma && PROTECTED_FRAMES.includes(Math.floor(parseInt(dma[2] ?? '0', 16) / 4096))) altered.push('DMA ' + dma[1] + ' at 0x' + dma[2]);
    }
    for (const g of facts.guests) if (g.failStopped === null && g.selftest !== null && !g.selftest.ok) altered.push(g.name + ' selftest fails');
    return lost.length + altered.length > 0
      ? { achieved: true, summary: 'the fuzzed VMM reached protected state: ' + [...lost, ...altered].join(', '), lost, altered }
      : { achieved: false, summary: 'no protected byte was read or changed' };
  },
  expected: { bare: 'compromised', protected: 'defended'${ablation} },
  origin: { kind: 'fuzzer', seed: ${JSON.stringify(finding.opSeed)}, step: ${finding.step}, invariant: ${JSON.stringify(finding.invariant)} },
};

export default scenario;
`;
}
