// Runs a scenario: one fresh host per run (bare, protected, or protected with one defense
// switched off), the patch applied before the guests exist, the guests booted, the steps
// scripted, then the lab's facts gathered from the hardware and the monitor, the goal evaluated
// and the verdict decided. Every run ends with each live guest's own `selftest`.
import { MemoryDiskBacking } from '../../hw/devices/disk-backing';
import { ALL_DEFENSES, type Defenses, type MonitorMechanism } from '../../cloudvisor/monitor-events';
import type { VcpuId } from '../../sandbox/hyp';
import { loadGuestImage } from '../host/guest-images';
import { GuestSession, LABOS_PROMPT } from '../host/guest-session';
import { PatchLoadError, applyPatch, describePatchFault } from '../host/patch-loader';
import { VmmHost } from '../host/vmm-host';
import { GuestView } from './guest-view';
import type { LoadedScenario } from './scenario-loader';
import type {
  DefenseName, Exfiltrated, GoalResult, GuestFacts, GuestSnapshot, RunFacts, RunMode, Scenario, ScenarioGuest, ScenarioStep, Verdict,
} from './scenario';
import { decideVerdict, type VerdictDecision } from './verdict';

/** What the CLI's --modes takes: the two hosts, and `ablation` for each defense off in turn. */
export type ModeChoice = RunMode | 'ablation';

export interface RunSpec {
  readonly mode: RunMode;
  /** Protected runs: the one defense switched off (null: all on). */
  readonly defenseOff: DefenseName | null;
}

export interface RunnerOptions {
  readonly modes?: readonly ModeChoice[];
  /** Guest instructions allowed for each guest's boot. */
  readonly bootBudget?: number;
  /** Guest instructions allowed for each step without its own budget, and for the final selftest. */
  readonly stepBudget?: number;
  /** Called after each run (progress for the CLI). */
  readonly onRun?: (report: RunReport) => void;
}

export interface GuestSummary {
  readonly name: string;
  readonly domain: number;
  readonly booted: boolean;
  /** 'ok', 'FAIL ...' (the guest's own line), or 'no answer' (stalled, stopped or gone). */
  readonly selftest: string;
  readonly failStopped: string | null;
}

export interface RunReport {
  readonly scenario: string;
  readonly mode: RunMode;
  readonly defenseOff: DefenseName | null;
  readonly verdict: Verdict;
  readonly expected: Verdict | null;
  /** null when nothing was expected (an ablation the scenario does not predict). */
  readonly matches: boolean | null;
  readonly explanation: string;
  readonly defendedBy: readonly string[];
  readonly lost: readonly string[];
  readonly altered: readonly string[];
  readonly guests: readonly GuestSummary[];
  /** What left through the exfiltration channel: label, size, and the first 64 bytes (hex, and as text when printable). */
  readonly exfiltrated: readonly { readonly label: string; readonly bytes: number; readonly hex: string; readonly text: string | null }[];
  readonly monitor: { readonly allowed: number; readonly refused: number; readonly failStop: number; readonly refusals: readonly string[] };
  readonly failures: readonly string[];
  readonly instructions: number;
  readonly seconds: number;
}

export interface ScenarioReport {
  readonly id: string;
  readonly title: string;
  readonly file: string;
  readonly knownGap: string | null;
  readonly outOfScope: string | null;
  readonly runs: readonly RunReport[];
  /** Runs whose verdict differs from the expected one. */
  readonly mismatches: number;
}

const DEFAULT_BOOT_BUDGET = 100_000_000;
const DEFAULT_STEP_BUDGET = 50_000_000;
/** RAM CloudVisor keeps for itself (core/cloudvisor/monitor-launch.ts): added so the VMM's share is the same. */
const MONITOR_MIB = 8;
const MIB = 1024 * 1024;

export function runSpecs(modes: readonly ModeChoice[]): RunSpec[] {
  const specs: RunSpec[] = [];
  for (const mode of modes) {
    if (mode === 'ablation') {
      for (const name of Object.keys(ALL_DEFENSES) as DefenseName[]) specs.push({ mode: 'protected', defenseOff: name });
    } else specs.push({ mode, defenseOff: null });
  }
  return specs;
}

export function expectedVerdict(scenario: Scenario, spec: RunSpec): Verdict | null {
  if (spec.mode === 'bare') return scenario.expected.bare;
  if (spec.defenseOff === null) return scenario.expected.protected;
  return scenario.expected.ablation?.[spec.defenseOff] ?? null;
}

export async function runScenario(loaded: LoadedScenario, options: RunnerOptions = {}): Promise<ScenarioReport> {
  const { scenario } = loaded;
  const runs: RunReport[] = [];
  for (const spec of runSpecs(options.modes ?? ['bare', 'protected'])) {
    const report = await runOnce(loaded, spec, options);
    options.onRun?.(report);
    runs.push(report);
  }
  return {
    id: scenario.id,
    title: scenario.title,
    file: loaded.file,
    knownGap: scenario.knownGap ?? null,
    outOfScope: scenario.outOfScope ? `${scenario.outOfScope.class}: ${scenario.outOfScope.note}` : null,
    runs,
    mismatches: runs.filter((r) => r.matches === false).length,
  };
}

interface GuestState {
  readonly spec: ScenarioGuest;
  readonly domain: number;
  readonly vcpus: readonly VcpuId[];
  booted: boolean;
  readonly replies: { command: string; done: boolean; output: string; ticks: number }[];
  readonly observed: Record<string, GuestSnapshot>;
}

function hostRamMiB(scenario: Scenario): number {
  const guests = scenario.guests.reduce((sum, g) => sum + (g.memoryMiB ?? 32), 0);
  return scenario.host?.ramMiB ?? Math.max(64, 8 + guests + 16);
}

function diskMiB(scenario: Scenario): number {
  const volumes = scenario.guests.reduce((sum, g) => sum + (g.diskMiB ?? 0), 0);
  return scenario.host?.diskMiB ?? (volumes > 0 ? volumes + 8 : 0);
}

function createLine(guest: ScenarioGuest): string {
  const parts = [`create name=${guest.name} kernel=labos.elf memory=${guest.memoryMiB ?? 32} vcpus=${guest.vcpus ?? 1}`];
  if (guest.diskMiB !== undefined) parts.push(`disk=vol=${guest.name},size=${guest.diskMiB}M,access=rw`);
  if (guest.populate === 'lazy') parts.push('populate=lazy');
  return parts.join(' ');
}

/** A run that could not happen: the scenario itself failed. */
function errorReport(loaded: LoadedScenario, spec: RunSpec, explanation: string, started: number, failures: readonly string[] = []): RunReport {
  const expected = expectedVerdict(loaded.scenario, spec);
  return {
    scenario: loaded.scenario.id, mode: spec.mode, defenseOff: spec.defenseOff, verdict: 'error', expected,
    matches: expected === null ? null : expected === 'error', explanation, defendedBy: [], lost: [], altered: [], guests: [],
    exfiltrated: [], monitor: { allowed: 0, refused: 0, failStop: 0, refusals: [] }, failures, instructions: 0,
    seconds: (performance.now() - started) / 1000,
  };
}

function exfiltrationPreview(label: string, bytes: Uint8Array): RunReport['exfiltrated'][number] {
  const head = bytes.slice(0, 64);
  const printable = head.every((b) => b === 10 || (b >= 32 && b < 127));
  return { label, bytes: bytes.length, hex: Buffer.from(head).toString('hex'), text: printable ? Buffer.from(head).toString('latin1') : null };
}

function selftestOf(output: string): { ok: boolean; lines: string[] } {
  const lines = output.split(/\r?\n/).filter((l) => /^(selftest:|SELFTEST )/.test(l));
  return { ok: lines.some((l) => l.startsWith('SELFTEST ok')), lines };
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

export async function runOnce(loaded: LoadedScenario, spec: RunSpec, options: RunnerOptions = {}): Promise<RunReport> {
  const started = performance.now();
  const { scenario } = loaded;
  const bootBudget = options.bootBudget ?? DEFAULT_BOOT_BUDGET;
  const stepBudget = options.stepBudget ?? DEFAULT_STEP_BUDGET;
  const disk = diskMiB(scenario);
  const defenses: Defenses | null = spec.mode === 'protected' ? { ...ALL_DEFENSES, ...(spec.defenseOff ? { [spec.defenseOff]: false } : {}) } : null;
  let host: VmmHost;
  try {
    host = await VmmHost.create({
      seed: scenario.host?.seed ?? `scenario:${scenario.id}`,
      harts: scenario.host?.harts ?? 1,
      ramBytes: (hostRamMiB(scenario) + (spec.mode === 'protected' ? MONITOR_MIB : 0)) * MIB,
      ...(disk > 0 ? { disk: new MemoryDiskBacking(disk * MIB) } : {}),
      mode: spec.mode,
      ...(defenses ? { monitor: { defenses, ...(scenario.host?.policy ? { policy: scenario.host.policy } : {}) } } : {}),
    });
  } catch (error) {
    return errorReport(loaded, spec, `the host did not start: ${error instanceof Error ? error.message : String(error)}`, started);
  }
  try {
    const session = new GuestSession(host);
    const view = new GuestView(host);
    if (loaded.patch) {
      try {
        const { outcome } = applyPatch(host, loaded.patch.fileName, loaded.patch.source);
        if (!outcome.ok) return errorReport(loaded, spec, `the patch did not install: ${describePatchFault(outcome.fault)}`, started);
      } catch (error) {
        if (error instanceof PatchLoadError) return errorReport(loaded, spec, error.message, started);
        throw error;
      }
    }
    host.putFile('labos.elf', loadGuestImage('labos'));
    const guests = new Map<string, GuestState>();
    for (const g of scenario.guests) {
      const before = new Set(view.liveVcpus());
      const created = host.toolstack(createLine(g));
      const id = /created domain (\d+)/.exec(created.output)?.[1];
      if (!created.ok || id === undefined) return errorReport(loaded, spec, `creating ${g.name} failed: ${created.output.trim()}`, started, session.failures);
      const vcpus = view.liveVcpus().filter((v) => !before.has(v));
      guests.set(g.name, { spec: g, domain: Number(id), vcpus, booted: false, replies: [], observed: {} });
    }
    const snapshot = (g: GuestState): GuestSnapshot => view.snapshot(g.vcpus[0] ?? null);
    const runnable = (g: GuestState): boolean => snapshot(g).failStopped === null && domainRunning(host, g.domain);
    for (const g of guests.values()) g.booted = waitFor(host, session, g.domain, LABOS_PROMPT, 0, bootBudget, () => runnable(g));
    for (const step of scenario.steps) runStep(step, guests, session, host, { snapshot, runnable }, stepBudget);

    const finals = new Map([...guests].map(([name, g]) => [name, snapshot(g)]));
    const selftests = new Map<string, { ok: boolean; lines: string[] } | null>();
    for (const [name, g] of guests) {
      const final = finals.get(name);
      const alive = final !== undefined && final.registers !== null && final.failStopped === null && domainRunning(host, g.domain);
      const from = session.output(g.domain).length;
      const answered = alive && g.booted && typeLine(host, session, g.domain, 'selftest', stepBudget, () => runnable(g));
      selftests.set(name, answered ? selftestOf(session.output(g.domain).slice(from)) : null);
    }
    const facts = buildFacts(spec, defenses, guests, finals, selftests, session, view, host);
    let goal: GoalResult;
    try {
      goal = scenario.goal(facts);
    } catch (error) {
      return errorReport(loaded, spec, `the goal failed: ${error instanceof Error ? error.message : String(error)}`, started, session.failures);
    }
    const decision: VerdictDecision = decideVerdict(scenario, goal, session.monitorEvents, silentDefenses(host, guests, session));
    const expected = expectedVerdict(scenario, spec);
    const events = session.monitorEvents;
    return {
      scenario: scenario.id,
      mode: spec.mode,
      defenseOff: spec.defenseOff,
      verdict: decision.verdict,
      expected,
      matches: expected === null ? null : expected === decision.verdict,
      explanation: decision.explanation,
      defendedBy: decision.defendedBy,
      lost: decision.verdict === 'error' ? [] : [...(goal.lost ?? [])],
      altered: decision.verdict === 'error' ? [] : [...(goal.altered ?? [])],
      guests: [...guests].map(([name, g]) => {
        const st = selftests.get(name) ?? null;
        const failLine = st?.lines.find((l) => l.startsWith('SELFTEST ')) ?? 'SELFTEST FAIL (no summary line)';
        return {
          name, domain: g.domain, booted: g.booted,
          selftest: st === null ? 'no answer' : st.ok ? 'ok' : failLine.replace(/^SELFTEST /, ''),
          failStopped: finals.get(name)?.failStopped ?? null,
        };
      }),
      exfiltrated: session.exfiltrated.map((e) => exfiltrationPreview(e.label, e.bytes)),
      monitor: {
        allowed: events.filter((e) => e.outcome === 'allowed').length,
        refused: events.filter((e) => e.outcome === 'refused').length,
        failStop: events.filter((e) => e.outcome === 'fail-stop').length,
        refusals: [...new Set(events.filter((e) => e.outcome !== 'allowed').map((e) => `${e.outcome} ${e.mechanism} vm${e.vm ?? '-'}: ${e.attempted}`))].slice(0, 8),
      },
      failures: [...new Set(session.failures)].slice(0, 8),
      instructions: host.instructions,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    return errorReport(loaded, spec, `the run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, started);
  } finally {
    host.dispose();
  }
}

/** Defenses that act without a refusal event, with the evidence that they acted in this run. */
function silentDefenses(host: VmmHost, guests: ReadonlyMap<string, GuestState>, session: GuestSession): MonitorMechanism[] {
  const acted: MonitorMechanism[] = [];
  const monitor = host.monitor;
  if (monitor === null) return acted;
  const hid = [...guests.values()].some((g) =>
    g.vcpus.some((v) => {
      const audit = monitor.auditVcpu(v);
      if (audit === null || audit.seen === null) return false;
      const seen = audit.seen as unknown as Record<string, number>;
      const actual = audit.actual as unknown as Record<string, number>;
      return Object.keys(actual).some((k) => seen[k] === 0 && actual[k] !== 0);
    }),
  );
  if (hid && monitor.defenses.registerHiding) acted.push('register-hiding');
  if (session.monitorEvents.some((e) => e.mechanism === 'scrub' && /zeroed/.test(e.attempted))) acted.push('scrub');
  if (monitor.vmIds().some((vm) => (monitor.inspectDisk(vm)?.counters.encryptedSectors ?? 0) > 0)) acted.push('disk-crypto');
  return acted;
}

/** Guest instructions between two looks at whether the awaited guest can still run. */
const WAIT_CHUNK = 1_000_000;

/**
 * Runs until a guest's console shows `text` after `from`, within `budget` instructions and as many
 * ticks of virtual time (100 a tick), and gives up as soon as the guest cannot run any more
 * (stopped, crashed or destroyed while we wait), instead of spending the budget on it.
 */
function waitFor(host: VmmHost, session: GuestSession, domain: number, text: string, from: number, budget: number, alive: () => boolean): boolean {
  const shown = (): boolean => session.output(domain).slice(from).includes(text);
  const start = host.instructions;
  const clock = host.board.clock;
  const deadline = clock.now() + Math.ceil(budget / 100);
  while (!shown()) {
    if (host.failed !== null || host.instructions - start >= budget || clock.now() >= deadline || !alive()) return shown();
    if (!advance(host)) return shown();
  }
  return true;
}

/** One chunk of host time; false when nothing ran and time could not move (every hart waits for good). */
function advance(host: VmmHost): boolean {
  const before = host.board.clock.now();
  return host.run(WAIT_CHUNK) > 0 || host.board.clock.now() > before;
}

/** Lets the host run about `budget` instructions (or as many ticks), as far as anything can run. */
function runFor(host: VmmHost, budget: number): void {
  const start = host.instructions;
  const deadline = host.board.clock.now() + Math.ceil(budget / 100);
  while (host.failed === null && host.instructions - start < budget && host.board.clock.now() < deadline) {
    if (!advance(host)) return;
  }
}

/** Types one command line into a guest and waits for its prompt to come back. */
function typeLine(host: VmmHost, session: GuestSession, domain: number, line: string, budget: number, alive: () => boolean): boolean {
  const from = session.output(domain).length;
  host.consoleInput(domain, new TextEncoder().encode(`${line}\r`));
  return waitFor(host, session, domain, LABOS_PROMPT, from + line.length, budget, alive);
}

/**
 * Whether the VMM still runs this domain (not crashed, paused or gone). Waiting on a guest that
 * cannot run would only spend the budget; the VMM's answer decides nothing but whether to wait.
 */
function domainRunning(host: VmmHost, domain: number): boolean {
  const list = host.toolstack('list');
  const row = list.output.split('\n').map((l) => l.trim().split(/\s+/)).find((cols) => cols[1] === String(domain));
  const state = row?.[4];
  return state !== undefined && !/[cpsd]/.test(state);
}

function runStep(
  step: ScenarioStep,
  guests: ReadonlyMap<string, GuestState>,
  session: GuestSession,
  host: VmmHost,
  lab: { snapshot(g: GuestState): GuestSnapshot; runnable(g: GuestState): boolean },
  stepBudget: number,
): void {
  if ('toolstack' in step) {
    const result = host.toolstack(step.toolstack);
    session.logs.push(`xl ${step.toolstack}: ${result.ok ? 'ok' : 'failed'} ${result.output.trim()}`);
  } else if ('run' in step) {
    runFor(host, step.run);
  } else if ('observe' in step) {
    for (const g of guests.values()) g.observed[step.observe] = lab.snapshot(g);
  } else {
    const g = guests.get(step.guest);
    if (g === undefined) throw new Error(`a step names an unknown guest '${step.guest}'`);
    const from = session.output(g.domain).length;
    if (!lab.runnable(g)) {
      if ('type' in step) g.replies.push({ command: step.type, done: false, output: '', ticks: 0 });
      return;
    }
    if ('type' in step) {
      const typedAt = host.board.clock.now();
      const done = typeLine(host, session, g.domain, step.type, step.budget ?? stepBudget, () => lab.runnable(g));
      const ticks = host.board.clock.now() - typedAt;
      g.replies.push({ command: step.type, done, output: session.output(g.domain).slice(from + step.type.length), ticks });
    } else {
      waitFor(host, session, g.domain, step.waitFor, from, step.budget ?? stepBudget, () => lab.runnable(g));
    }
  }
}

function buildFacts(
  spec: RunSpec,
  defenses: Defenses | null,
  guests: ReadonlyMap<string, GuestState>,
  finals: ReadonlyMap<string, GuestSnapshot>,
  selftests: ReadonlyMap<string, { ok: boolean; lines: string[] } | null>,
  session: GuestSession,
  view: GuestView,
  host: VmmHost,
): RunFacts {
  const ram = host.board.ram;
  const guestFacts: GuestFacts[] = [...guests].map(([name, g]) => {
    const final = finals.get(name) ?? { secret: null, registers: null, failStopped: null };
    const vcpu = g.vcpus[0] ?? null;
    return {
      ...final,
      name,
      domain: g.domain,
      booted: g.booted,
      console: session.output(g.domain),
      replies: g.replies.map((r) => ({ ...r })),
      selftest: selftests.get(name) ?? null,
      observed: { ...g.observed },
      readGuestPhysical: (gpa, length) => (vcpu === null ? null : view.readPhysical(vcpu, gpa, length)),
      mapped: (gpa) => vcpu !== null && view.translate(vcpu, gpa) !== null,
    };
  });
  const exfiltrated: Exfiltrated[] = session.exfiltrated.map((e) => ({ label: e.label, bytes: e.bytes.slice() }));
  const events = [...session.monitorEvents];
  return {
    mode: spec.mode,
    defenses,
    guests: guestFacts,
    guest(name) {
      const found = guestFacts.find((g) => g.name === name);
      if (!found) throw new Error(`no guest named '${name}' in this scenario`);
      return found;
    },
    exfiltrated,
    monitorEvents: events,
    failures: [...session.failures],
    logs: [...session.logs],
    leaked(bytes) {
      if (bytes === null || bytes.length === 0) return null;
      return exfiltrated.find((e) => contains(e.bytes, bytes)) ?? null;
    },
    refusals(mechanism) {
      return events.filter((e) => e.outcome !== 'allowed' && (mechanism === undefined || e.mechanism === mechanism));
    },
    machine: {
      ramBase: ram.base,
      ramBytes: ram.size,
      monitorBase: host.launched === null ? null : ram.base + host.launched.vmmRamSize,
    },
    readHost(pa, length) {
      if (pa < ram.base || pa + length > ram.base + ram.size) return null;
      return host.board.bus.readBytes(pa, length);
    },
  };
}
