// The scenario format: one attack (or one lab exercise) as a TypeScript file the lab loads at run
// time. A scenario names its host, its guests and their scripted commands, the VMM patch it
// applies (source a user can open and edit), and a goal the trusted lab evaluates after the run
// over facts the attacker cannot forge. The runner turns the goal's answer plus the monitor's
// events into one verdict per run; the expected verdicts are part of the file, so a test can run
// the whole catalog and fail on any mismatch.
//
// Writing a scenario file (assets/scenarios/*.ts, assets/exercises/*.ts, or a fuzzer finding):
//
//   import type { Scenario } from '../../core/lab/scenarios/scenario';
//   const scenario: Scenario = {
//     id: 'steal-secret', title: '...', description: '...', references: [...],
//     guests: [{ name: 'vm1' }],
//     steps: [{ guest: 'vm1', type: 'secret where' }],
//     patch: { file: 'steal-secret.patch.ts' },
//     goal: (facts) => { const g = facts.guest('vm1'); const hit = facts.leaked(g.secret); ... },
//     expected: { bare: 'compromised', protected: 'defended' },
//   };
//   export default scenario;
//
// Rules the loader enforces: the file is self-contained (only `import type` is allowed, it is
// erased when the file is transpiled), its default export is the scenario, and `goal` is a plain
// function of the facts. Everything the goal needs arrives in `RunFacts`, helpers included. The
// goal runs on the lab side, never inside the VMM's engine; it must decide from the facts marked
// "unforgeable" below, and treat the console (which passes through the VMM) as a claim.
// New facts and new step kinds may be added; existing fields keep their meaning.
import type { Defenses, DetectionPolicy, MonitorEvent, MonitorMechanism } from '../../cloudvisor/monitor-events';
import type { GuestRegs } from '../../sandbox/hyp';

/** One run's outcome. `defended` and `out-of-scope` are explained in the run's report. */
export type Verdict = 'compromised' | 'defended' | 'out-of-scope' | 'error';

export type RunMode = 'bare' | 'protected';

/** A monitor defense, as named in ALL_DEFENSES (core/cloudvisor/monitor-events.ts). */
export type DefenseName = keyof Defenses;

/** Where the attack is shown in the real world. */
export interface ScenarioReference {
  readonly kind: 'paper' | 'cve' | 'publication' | 'design';
  /** e.g. "Morbitzer et al., SEVered, EuroSec 2018" or "CVE-2019-9836". */
  readonly title: string;
  readonly url?: string;
}

/**
 * What the threat model leaves out (CLOUDVISOR.md, "Threat model"). When a scenario carries a
 * scope and its goal is achieved, the verdict is `out-of-scope`, and the report prints `note`
 * (e.g. "availability is not protected: the VMM may stop scheduling a VM").
 */
export interface OutOfScope {
  readonly class: 'availability' | 'side-channel' | 'iago' | 'guest-bug';
  readonly note: string;
}

/** The emulated host. Defaults: 1 hart, 64 MiB of RAM, seed `scenario:<id>`, fail-stop. */
export interface ScenarioHost {
  readonly harts?: number;
  readonly ramMiB?: number;
  readonly seed?: string;
  /** Protected runs: the monitor's policy on detection. */
  readonly policy?: DetectionPolicy;
  /** A host disk of this many MiB, shared by the guests that ask for a disk. */
  readonly diskMiB?: number;
}

/** One guest, created in order before the steps run; the runner waits for its shell prompt. */
export interface ScenarioGuest {
  /** Domain name, and how steps and facts refer to the guest. */
  readonly name: string;
  /** A shipped guest image (core/lab/host/guest-images.ts). Default 'labos'. */
  readonly image?: 'labos';
  /** Default 32. */
  readonly memoryMiB?: number;
  /** Default 1. */
  readonly vcpus?: number;
  /** A virtio-blk volume of this many MiB on the host disk (labOS keeps /secret on it). */
  readonly diskMiB?: number;
  /** How the VMM backs guest RAM (xl.cfg `populate`). Default 'eager'. */
  readonly populate?: 'eager' | 'lazy';
}

/**
 * One scripted step, in order. Every step has a budget in guest instructions (default: the
 * runner's); a step that does not complete is recorded in the facts, it does not abort the run.
 */
export type ScenarioStep =
  /** Types a shell command into a guest and waits for the prompt to come back. */
  | { readonly guest: string; readonly type: string; readonly budget?: number }
  /** Runs until a guest's console shows `text` (after the previous step). */
  | { readonly guest: string; readonly waitFor: string; readonly budget?: number }
  /** One xl command at the management domain (e.g. `destroy vm1`, `create ...`). */
  | { readonly toolstack: string }
  /** Lets the host run this many guest instructions. */
  | { readonly run: number }
  /** The lab reads facts now (secret, registers) and keeps them under `label`. */
  | { readonly observe: string };

/** A patch: a file next to the scenario file (the user opens and edits it), or inline source. */
export type ScenarioPatch =
  | { readonly file: string }
  | { readonly fileName: string; readonly source: string };

/** A guest's vCPU registers as the hart really holds them (read by the lab, not the VMM). */
export type RegisterFacts = Readonly<GuestRegs>;

/** What the lab knows about one guest at one moment. */
export interface GuestSnapshot {
  /**
   * Unforgeable: the guest's 32-byte key, read by the lab from the guest's memory at the key's
   * virtual address through the translations the hart really uses (the guest's page table, then
   * the G-stage the hart walks). null if the guest is gone or its key page is not mapped.
   */
  readonly secret: Uint8Array | null;
  /** Unforgeable: the guest's vCPU 0 as the hart holds it; null when it has no vCPU. */
  readonly registers: RegisterFacts | null;
  /** Unforgeable (protected runs): the monitor has fail-stopped this VM, with its reason. */
  readonly failStopped: string | null;
}

export interface GuestFacts extends GuestSnapshot {
  readonly name: string;
  readonly domain: number;
  /** The guest's shell prompt came back after boot. */
  readonly booted: boolean;
  /**
   * Everything the guest printed. A claim: it passed through the VMM's console path, which a
   * patch can rewrite. Use it for what the guest reports about itself only when the other
   * facts back it, or when the VMM altering it is itself the attack.
   */
  readonly console: string;
  /**
   * This guest's `type` steps, in order: the output (a slice of `console`, same caveat), whether
   * the prompt came back, and how long that took in host timebase ticks (10 MHz), by the lab's
   * own clock (unforgeable).
   */
  readonly replies: readonly { readonly command: string; readonly done: boolean; readonly output: string; readonly ticks: number }[];
  /** The runner's final `selftest`: null if the guest did not answer (stalled, stopped, gone). */
  readonly selftest: { readonly ok: boolean; readonly lines: readonly string[] } | null;
  /** Snapshots taken by `observe` steps, by label (the final one is the guest's own fields). */
  readonly observed: Readonly<Record<string, GuestSnapshot>>;
  /**
   * Unforgeable: `length` bytes at a guest physical address as the guest sees them now (through
   * the G-stage the hart really walks); null where the guest has no page.
   */
  readGuestPhysical(gpa: number, length: number): Uint8Array | null;
  /** Whether the hart's real G-stage for this guest maps `gpa` now. */
  mapped(gpa: number): boolean;
}

export interface Exfiltrated {
  readonly label: string;
  readonly bytes: Uint8Array;
}

/** Everything the goal may look at after a run. */
export interface RunFacts {
  readonly mode: RunMode;
  /** Protected runs: the defenses that were on. */
  readonly defenses: Defenses | null;
  readonly guests: readonly GuestFacts[];
  /** The guest by name; throws for an unknown name (a scenario bug is an `error` verdict). */
  guest(name: string): GuestFacts;
  /** Unforgeable: what the patch sent through the lab's exfiltration channel. */
  readonly exfiltrated: readonly Exfiltrated[];
  /** Unforgeable: every decision of the monitor (empty on a bare host). */
  readonly monitorEvents: readonly MonitorEvent[];
  /** Patch faults and VMM failures, as the lab reported them. */
  readonly failures: readonly string[];
  /** The patch's and the VMM's log lines. */
  readonly logs: readonly string[];
  /** The first exfiltration that contains `bytes` (none for null or empty bytes). */
  leaked(bytes: Uint8Array | null): Exfiltrated | null;
  /** Monitor events that refused or fail-stopped something, optionally for one mechanism. */
  refusals(mechanism?: MonitorMechanism): readonly MonitorEvent[];
  /** The machine's RAM, and where the monitor keeps its own (null on a bare host). */
  readonly machine: { readonly ramBase: number; readonly ramBytes: number; readonly monitorBase: number | null };
  /** Unforgeable: machine memory as the lab reads it after the run (null outside RAM). */
  readHost(pa: number, length: number): Uint8Array | null;
}

/** The goal's answer: did the attack achieve what it set out to, and what did the victim lose. */
export interface GoalResult {
  readonly achieved: boolean;
  /** One sentence for the report: what happened. */
  readonly summary: string;
  /** Confidentiality: data the attacker obtained (e.g. "vm1 secret key, 32 bytes"). */
  readonly lost?: readonly string[];
  /** Integrity: state the attacker changed (e.g. "vm1 pc redirected to 0x80001000"). */
  readonly altered?: readonly string[];
}

/** What a correct submission for an exercise achieves, checked over the runner's reports. */
export interface ExerciseSpec {
  readonly title: string;
  /** 1 (first steps) .. 5 (hard). */
  readonly level: 1 | 2 | 3 | 4 | 5;
  /** The goal in words, as the student reads it. */
  readonly goal: string;
  readonly hints: readonly string[];
  /** The modes a submission is run in (default: the scenario's expected modes). */
  readonly modes?: readonly RunMode[];
  /**
   * The verdict each mode must reach with the submitted patch, and optionally the monitor
   * mechanism that must appear among the refusals (for "make the monitor refuse ...").
   */
  readonly pass: Readonly<Partial<Record<RunMode, { readonly verdict: Verdict; readonly mechanism?: MonitorMechanism }>>>;
  /**
   * An explanation the student must send through the exfiltration channel under `label` (text)
   * in the protected run, mentioning at least one of `mentions` (e.g. the refusing mechanism).
   */
  readonly explain?: { readonly label: string; readonly mentions: readonly string[] };
  /** Source patterns (regular expressions) a submission must not contain, each with the reason. */
  readonly forbidden?: readonly { readonly pattern: string; readonly why: string }[];
}

export interface Scenario {
  /** kebab-case, unique in the catalog. */
  readonly id: string;
  readonly title: string;
  /** What the attacker does and why it matters, for the report and the UI. */
  readonly description: string;
  readonly references: readonly ScenarioReference[];
  readonly host?: ScenarioHost;
  readonly guests: readonly ScenarioGuest[];
  readonly steps: readonly ScenarioStep[];
  /** The VMM patch; null runs the unmodified VMM (a baseline). For an exercise: the starting patch. */
  readonly patch: ScenarioPatch | null;
  /** Evaluated by the lab after the run; a throw is an `error` verdict. */
  goal(facts: RunFacts): GoalResult;
  readonly outOfScope?: OutOfScope;
  /** Verdicts this scenario must produce; `ablation` gives a defense switched off (others on). */
  readonly expected: {
    readonly bare: Verdict;
    readonly protected: Verdict;
    readonly ablation?: Readonly<Partial<Record<DefenseName, Verdict>>>;
  };
  /**
   * The monitor mechanism this scenario exercises. Named in a `defended` verdict when it acted
   * without a refusal event (register hiding and scrubbing work silently), once the runner has
   * seen evidence that it acted.
   */
  readonly countermeasure?: MonitorMechanism;
  /** A gap in the monitor this scenario shows on purpose: one line saying why. */
  readonly knownGap?: string;
  /** Present when the scenario is a lab exercise; `patch` is then the student's starting point. */
  readonly exercise?: ExerciseSpec;
  /** Where the scenario came from when a tool wrote it (a fuzzer finding keeps its replay data). */
  readonly origin?: ScenarioOrigin;
}

/**
 * A fuzzer finding: the seed and step that produced it and the invariant it broke. The finding's
 * patch is inline (`{ fileName, source }`), already minimized; its goal re-checks the invariant
 * over the facts, and its expected protected verdict is the one the monitor should give
 * ('defended'), so replaying it fails until the gap is fixed.
 */
export interface ScenarioOrigin {
  readonly kind: 'fuzzer';
  readonly seed: string;
  readonly step: number;
  readonly invariant: string;
}
