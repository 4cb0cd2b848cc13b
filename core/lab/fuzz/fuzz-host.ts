// The fuzzer's target: a protected host (CloudVisor under the unmodified VMM) with labOS guests
// booted to their prompt, and what the trusted lab side knows of each guest: its domain, VM and
// vCPU, where its secret key lives and the key's real bytes (read through the bare hardware, never
// through the VMM). The host disk holds a marker pattern, so a byte DMA-ed from it into a guest or
// monitor frame can be recognised wherever it lands.
import type { Defenses, DetectionPolicy } from '../../cloudvisor/monitor-events';
import type { LaunchedMonitor } from '../../cloudvisor/monitor-launch';
import type { MonitorHyp } from '../../cloudvisor/monitor-hyp';
import { MemoryDiskBacking } from '../../hw/devices/disk-backing';
import { GuestSession, LABOS_PROMPT } from '../host/guest-session';
import { applyPatch, describePatchFault } from '../host/patch-loader';
import { VmmHost } from '../host/vmm-host';

export interface FuzzHostOptions {
  readonly seed: string;
  readonly guests?: number;
  readonly memoryMiB?: number;
  readonly policy?: DetectionPolicy;
  readonly defenses?: Partial<Defenses>;
  /** A VMM patch applied before the guests are created. */
  readonly patch?: { readonly fileName: string; readonly source: string };
}

export interface FuzzGuest {
  readonly index: number;
  readonly domain: number;
  readonly vm: number;
  readonly vcpu: number;
  readonly secretGpa: number;
  /** The key's host physical address (trusted view). */
  readonly secretPa: number;
  readonly secret: Uint8Array;
}

/** 8 bytes that start every 16-byte record of the fuzz disk: "CVLABDMA". */
export const DMA_MARKER = Buffer.from('CVLABDMA', 'latin1');
export const FUZZ_DISK_SECTORS = 2048;
export const BOOT_BUDGET = 400_000_000;
const RUN_SLICE = 1_000_000;
/** Host runs in a row that retire nothing before a wait gives up. */
const IDLE_RUNS = 3;
const SECRET_LINE = /SECRET where va 0x[0-9a-f]+ pa 0x([0-9a-f]+) len (\d+)/;

function markerDisk(): MemoryDiskBacking {
  const bytes = Buffer.alloc(FUZZ_DISK_SECTORS * 512);
  for (let at = 0; at < bytes.length; at += 16) {
    DMA_MARKER.copy(bytes, at);
    bytes.writeUInt32LE(at >>> 9, at + 8);
    bytes.writeUInt32LE(at & 511, at + 12);
  }
  return new MemoryDiskBacking(bytes);
}

export class FuzzHost {
  private constructor(
    readonly host: VmmHost,
    readonly session: GuestSession,
    readonly guests: readonly FuzzGuest[],
    readonly disk: MemoryDiskBacking,
  ) {}

  get monitor(): MonitorHyp {
    if (!this.host.monitor) throw new Error('the fuzz host is not protected');
    return this.host.monitor;
  }

  get launched(): LaunchedMonitor {
    if (!this.host.launched) throw new Error('the fuzz host is not protected');
    return this.host.launched;
  }

  static async boot(options: FuzzHostOptions): Promise<FuzzHost> {
    const count = options.guests ?? 2;
    const disk = markerDisk();
    const host = await VmmHost.create({
      seed: options.seed,
      harts: count,
      mode: 'protected',
      disk,
      monitor: { ...(options.policy ? { policy: options.policy } : {}), ...(options.defenses ? { defenses: options.defenses } : {}) },
    });
    try {
      const session = new GuestSession(host);
      if (options.patch) {
        const { outcome } = applyPatch(host, options.patch.fileName, options.patch.source);
        if (!outcome.ok) throw new Error(`the fuzz patch did not install: ${describePatchFault(outcome.fault)}`);
      }
      const domains = Array.from({ length: count }, (_, i) => session.createGuest(`vm${i + 1}`, 'labos', options.memoryMiB ?? 16));
      for (const d of domains) {
        if (!session.waitFor(d, LABOS_PROMPT, BOOT_BUDGET)) throw new Error(`guest dom${d} did not boot: ${session.output(d).slice(-300)}`);
      }
      const guests = domains.map((domain, index) => describeGuest(host, session, domain, index));
      return new FuzzHost(host, session, guests, disk);
    } catch (error) {
      host.dispose();
      throw error;
    }
  }

  /**
   * Types a command and runs until the prompt is back, at most `budget` guest instructions.
   * Unlike GuestSession.type it also gives up once the host stops retiring instructions: when the
   * fuzzed VMM stops every guest mid-command, the host can have a timer pending that never runs
   * anything, and an instruction budget alone would never run out.
   */
  type(domain: number, line: string, budget: number): boolean {
    const from = this.session.output(domain).length + line.length;
    this.host.consoleInput(domain, new TextEncoder().encode(`${line}\r`));
    let idle = 0;
    for (let spent = 0; spent < budget && idle < IDLE_RUNS && this.host.failed === null;) {
      if (this.session.output(domain).slice(from).includes(LABOS_PROMPT)) return true;
      const ran = this.host.run(RUN_SLICE);
      idle = ran === 0 ? idle + 1 : 0;
      spent += ran;
    }
    return this.session.output(domain).slice(from).includes(LABOS_PROMPT);
  }

  dispose(): void {
    this.host.dispose();
  }
}

function describeGuest(host: VmmHost, session: GuestSession, domain: number, index: number): FuzzGuest {
  const monitor = host.monitor;
  if (!monitor) throw new Error('not protected');
  const from = session.output(domain).length;
  if (!session.type(domain, 'secret where', BOOT_BUDGET)) throw new Error(`dom${domain} did not answer 'secret where'`);
  const match = SECRET_LINE.exec(session.output(domain).slice(from));
  if (!match) throw new Error(`dom${domain} printed no secret location`);
  const secretGpa = parseInt(match[1] ?? '0', 16);
  const status = host.engine.call('vmmStatus') as unknown as readonly { id: number; vcpus: readonly { vcpu: number }[] }[];
  const vcpu = status.find((d) => d.id === domain)?.vcpus[0]?.vcpu;
  if (vcpu === undefined) throw new Error(`dom${domain} has no vCPU`);
  const vm = monitor.auditVcpu(vcpu)?.vm;
  if (vm === null || vm === undefined) throw new Error(`vCPU ${vcpu} of dom${domain} is in no VM`);
  const frame = monitor.inspectVm(vm)?.shadow.get(Math.floor(secretGpa / 4096));
  if (frame === undefined) throw new Error(`the secret page of dom${domain} is not mapped`);
  const secretPa = frame * 4096 + (secretGpa % 4096);
  const secret = host.hyp.mem.read(secretPa, Number(match[2]));
  return { index, domain, vm, vcpu, secretGpa, secretPa, secret };
}
