// One emulated host running the Xen-like VMM in bare mode: the HostBoard, the firmware's hand-off
// of HS-mode, the VMM bundle inside its QuickJS engine over the bare hypervisor interface, and the
// host rounds that give each hart one quantum through the VMM's scheduler. A VMM that hangs or
// throws is reported as an event and the host stays up; only the guests stall, as under a hung Xen.
import type { DiskBacking } from '../../hw/devices/disk-backing';
import { HostBoard, hostBoardDescription } from '../../hw/host-board';
import type { ManufacturerCa } from '../../hw/tpm/manufacturer-ca';
import { SeededRandom } from '../../hw/seeded-random';
import { BusMemoryPort } from '../../cloudvisor/bus-memory-port';
import type { Defenses, DetectionPolicy, MonitorEvent } from '../../cloudvisor/monitor-events';
import type { MonitorHyp } from '../../cloudvisor/monitor-hyp';
import { InterposableBackend } from '../../cloudvisor/interposable-backend';
import { MONITOR_BYTES, launchMonitor, type LaunchedMonitor } from '../../cloudvisor/monitor-launch';
import { LOCALITY_DRTM } from '../../hw/tpm/tpm-constants';
import { EngineError } from '../../sandbox/engine-errors';
import { VmmEngine, type PatchFault } from '../../sandbox/vmm-engine';
import { BareHyp } from '../bare/bare-hyp';
import { HS_RESERVED_BYTES, handOffToBareHs, iommuAccess } from './bare-hardware';
import { loadVmmBundle } from './vmm-bundle';

/** HART_RESULT bits of core/vmm/vmm.ts. */
const IDLE = 2;
const OUTPUT = 4;

export interface VmmHostOptions {
  readonly seed: string;
  readonly harts?: number;
  readonly ramBytes?: number;
  readonly disk?: DiskBacking;
  /** Guest instructions per hart per host round. */
  readonly quantum?: number;
  /** 'protected': CloudVisor runs underneath the VMM (it keeps the top 8 MiB of RAM). */
  readonly mode?: 'bare' | 'protected';
  /** The virtual VMCS optimisation (off by default): register accesses without a trap per access. */
  readonly virtualVmcs?: boolean;
  /** A bare host that keeps a region for a later `launchMonitor()` (late launch over running guests). */
  readonly lateLaunch?: boolean;
  /** Protected mode: defenses switched off and the policy on detection (default: all on, fail-stop). */
  readonly monitor?: { readonly defenses?: Partial<Defenses>; readonly policy?: DetectionPolicy };
  /** The TPM vendor's CA, when the lab must verify this host's quotes (its certificate is the trust anchor). */
  readonly manufacturer?: ManufacturerCa;
}

export type VmmHostEvent =
  | { readonly kind: 'guest-output'; readonly domain: number; readonly bytes: Uint8Array }
  | { readonly kind: 'host-console'; readonly bytes: Uint8Array }
  | { readonly kind: 'exfiltrated'; readonly label: string; readonly bytes: Uint8Array }
  | { readonly kind: 'vmm-log'; readonly text: string }
  | { readonly kind: 'vmm-event'; readonly event: unknown }
  | { readonly kind: 'vmm-failed'; readonly reason: string; readonly detail: string }
  | { readonly kind: 'patch-fault'; readonly fault: PatchFault }
  | { readonly kind: 'monitor'; readonly event: MonitorEvent };

interface DrainResult {
  readonly console: readonly { readonly domain: number; readonly data: string }[];
  readonly events: readonly unknown[];
}

export class VmmHost {
  private readonly idle: boolean[];
  private readonly listeners = new Set<(event: VmmHostEvent) => void>();
  private failure: string | null = null;
  readonly quantum: number;
  /** The monitor under the VMM in protected mode; null on a bare host. */
  monitor: MonitorHyp | null = null;
  /** The monitor with its owner table and frame pool (trusted side, for the lab's views). */
  launched: LaunchedMonitor | null = null;
  private backend: InterposableBackend | null = null;
  private monitorOptions: NonNullable<VmmHostOptions['monitor']> = {};
  private launchable = false;
  /** The TPM vendor's CA this host's board was made with, when the lab was given one. */
  manufacturer: ManufacturerCa | null = null;

  private constructor(
    readonly board: HostBoard,
    readonly hyp: BareHyp,
    readonly engine: VmmEngine,
  ) {
    this.idle = board.harts.map(() => false);
    this.quantum = 100_000;
  }

  static async create(options: VmmHostOptions): Promise<VmmHost> {
    const harts = options.harts ?? 1;
    const ramBytes = options.ramBytes ?? 128 * 1024 * 1024;
    const board = new HostBoard({
      seed: options.seed,
      description: hostBoardDescription(harts, ramBytes, { disk: options.disk !== undefined }),
      ...(options.disk ? { disk: options.disk } : {}),
      ...(options.manufacturer ? { manufacturer: options.manufacturer } : {}),
    });
    const bundle = loadVmmBundle();
    const hyp = new BareHyp(handOffToBareHs(board, bundle.bytes));
    const backend = new InterposableBackend(hyp);
    let host: VmmHost | null = null;
    const engine = await VmmEngine.create({
      backend,
      ...(options.virtualVmcs === true ? { virtualVmcs: true } : {}),
      lab: {
        exfiltrate: (label, bytes) => host?.emit({ kind: 'exfiltrated', label, bytes: bytes.slice() }),
        log: (text) => host?.emit({ kind: 'vmm-log', text }),
      },
      onPatchFault: (fault) => host?.emit({ kind: 'patch-fault', fault }),
    });
    host = new VmmHost(board, hyp, engine);
    host.backend = backend;
    host.monitorOptions = options.monitor ?? {};
    host.launchable = options.mode === 'protected' || options.lateLaunch === true;
    host.manufacturer = options.manufacturer ?? null;
    board.onOutput((bytes) => host?.emit({ kind: 'host-console', bytes }));
    engine.loadBundle({ code: bundle.code, fileName: bundle.fileName, sourceMap: bundle.sourceMap });
    // The firmware reserves the monitor's region when a launch may come: the VMM never owns it.
    engine.call('vmmInit', {
      harts,
      ramBase: board.ram.base,
      ramSize: host.launchable ? board.ram.size - MONITOR_BYTES : board.ram.size,
      vmmReservedBytes: HS_RESERVED_BYTES,
      seed: 0,
      ramZeroed: true,
    });
    // Protected mode: the VMM has booted; the monitor is launched under it before any guest.
    if (options.mode === 'protected') host.launchMonitor();
    return host;
  }

  /**
   * The measured late launch of CloudVisor under the running VMM (CLOUDVISOR.md section 1): the
   * platform measures the monitor's image into the TPM's dynamic PCR, the monitor claims its
   * region, takes the IOMMU and demotes the VMM, whose next privileged call traps into it. VMs
   * created before this run on, unprotected, and the monitor's events say so.
   */
  launchMonitor(): LaunchedMonitor {
    if (this.launched) throw new Error('CloudVisor is already running on this host');
    if (!this.launchable) throw new Error('this host was booted without a region reserved for the monitor (boot with lateLaunch or in protected mode)');
    const board = this.board;
    const launched = launchMonitor(this.hyp, new BusMemoryPort(board.bus, board.ram.base, board.ram.size), {
      onEvent: (event) => this.emit({ kind: 'monitor', event }),
      ...this.monitorOptions,
      monitorBytes: MONITOR_BYTES,
      // The monitor's own key material (disk keys): a stream of the session seed apart from the
      // board's, so drawing it moves no other key, nonce or rng-seed of the host.
      keyMaterial: SeededRandom.fromSeed(board.seed, 'cloudvisor monitor key material').bytes(32),
      iommu: iommuAccess(board),
      drtm: {
        measure: (image) => {
          const result = board.tpm.dynamicLaunch(LOCALITY_DRTM, image);
          if (!result.ok) throw new Error(`the TPM refused the dynamic launch: ${result.message}`);
        },
      },
      preexisting: this.hyp.vcpuIds(),
    });
    this.backend?.interpose(launched.hyp);
    this.monitor = launched.hyp;
    this.launched = launched;
    return launched;
  }

  get failed(): string | null {
    return this.failure;
  }

  get instructions(): number {
    return this.board.instructions;
  }

  onEvent(listener: (event: VmmHostEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Puts a file (kernel image, config) into the management domain's store. */
  putFile(name: string, bytes: Uint8Array): void {
    this.engine.call('vmmPutFile', name, Buffer.from(bytes).toString('base64'));
  }

  /** One xl command, as typed at the toolstack prompt. */
  toolstack(line: string): { ok: boolean; output: string } {
    try {
      const result = this.engine.call('vmmToolstack', line) as { ok: boolean; output: string };
      this.drain();
      return result;
    } catch (error) {
      return { ok: false, output: this.fail(error) };
    }
  }

  consoleInput(domain: number, bytes: Uint8Array): number {
    try {
      return this.engine.call('vmmConsoleInput', domain, Buffer.from(bytes).toString('base64')) as number;
    } catch (error) {
      this.fail(error);
      return 0;
    }
  }

  /** Runs host rounds until about `instructions` guest instructions have retired or time passed. */
  run(instructions: number): number {
    const start = this.board.instructions;
    const until = start + instructions;
    // Rounds in which nothing retires (every guest stalled, stopped or gone) still move time to the
    // next timer: the same budget in virtual time (100 instructions a tick) bounds them.
    const clock = this.board.clock;
    const timeLimit = clock.now() + Math.ceil(instructions / 100);
    while (this.board.instructions < until && this.failure === null && clock.now() < timeLimit) {
      if (!this.round()) break;
    }
    return this.board.instructions - start;
  }

  /**
   * Where the host is in its run: virtual time in instructions at the last round boundary. Every
   * round moves it forward (idle rounds jump to the next timer), so it names one round boundary:
   * a session replay stops each host exactly there (run() may end anywhere past its budget).
   */
  get position(): number {
    return this.board.scheduler.saveState().elapsed;
  }

  /**
   * Runs whole rounds toward `position`, retiring at most about `instructions` per call (a replay
   * yields between calls): 'reached' once the host stands exactly there, 'running' if the budget
   * ran out first, 'diverged' if it went past or can no longer run (the replay does not match).
   */
  runToward(position: number, instructions: number): 'reached' | 'running' | 'diverged' {
    const until = this.board.instructions + instructions;
    while (this.position < position && this.board.instructions < until) {
      if (this.failure !== null || !this.round()) return 'diverged';
    }
    if (this.position === position) return 'reached';
    return this.position > position ? 'diverged' : 'running';
  }

  /** False once no hart can run and no timer will ever wake one. */
  canProgress(): boolean {
    return this.failure === null && Number.isFinite(this.board.scheduler.nextDeadline());
  }

  /** One host round: each hart gets a quantum through the VMM. False when nothing can ever run. */
  private round(): boolean {
    const scheduler = this.board.scheduler;
    let progressed = 0;
    for (let h = 0; h < this.board.harts.length && this.failure === null; h++) {
      const hart = this.board.harts[h];
      this.hyp.quantumLeft[h] = this.quantum;
      if (!hart || (this.idle[h] && !this.hyp.interruptPending(h))) continue;
      this.hyp.hartId = h;
      let result = 0;
      let failed = false;
      const retired = scheduler.hsTurn(hart, () => {
        try {
          result = this.engine.callNumbers('vmmHart', h);
        } catch (error) {
          failed = true;
          this.fail(error);
        }
      });
      // A failed call still spends the hart's quantum: time moves on and the next round retries.
      progressed = Math.max(progressed, failed ? this.quantum : retired);
      this.idle[h] = (result & IDLE) !== 0;
      if ((result & OUTPUT) !== 0) this.drain();
    }
    return scheduler.endHsRound(progressed);
  }

  private drain(): void {
    let drained: DrainResult;
    try {
      drained = this.engine.call('vmmDrain') as unknown as DrainResult;
    } catch (error) {
      this.fail(error);
      return;
    }
    for (const c of drained.console) this.emit({ kind: 'guest-output', domain: c.domain, bytes: Buffer.from(c.data, 'base64') });
    for (const event of drained.events) this.emit({ kind: 'vmm-event', event });
  }

  private fail(error: unknown): string {
    // A runaway or throwing patch has its own 'patch-fault' event; the engine disabled it.
    if (error instanceof EngineError && error.patch !== undefined) return `patch '${error.patch.name}' was stopped: ${error.message}`;
    const reason =
      error instanceof EngineError && error.kind === 'unresponsive'
        ? 'VMM unresponsive: it did not return within its budget (guests stall, as under a hung hypervisor)'
        : `the VMM failed: ${error instanceof Error ? error.message : String(error)}`;
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    // A VMM that hangs by itself is gone (only the guests stall); a throw leaves it running.
    if (error instanceof EngineError && error.kind === 'unresponsive') this.failure = reason;
    this.emit({ kind: 'vmm-failed', reason, detail });
    return reason;
  }

  private emit(event: VmmHostEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  dispose(): void {
    this.engine.dispose();
  }
}
