// The trusted-side facts one inspection needs about a VmmHost, gathered once per request: the
// VMM's domains (through its read-only vmmStatus entry point) with each vCPU's G-stage root, and
// who owns each frame. Reads RAM directly and never through the bus or the VMM's hypervisor
// interface, so inspecting has no side effect: no device register is read, no monitor event made.
import { describeOwner } from '../../cloudvisor/frame-owners';
import type { PhysicalMemoryPort } from '../../cloudvisor/physical-memory-port';
import type { VmmHost } from '../host/vmm-host';
import { LabError } from '../protocol';
import { gStageMappings, vmidOfHgatp } from './g-stage-mappings';
import { RamReader } from './ram-reader';
import type { FrameOwnerLabel } from './inspect-types';

export const PAGE = 4096;

export interface VcpuFacts {
  readonly index: number;
  readonly vcpu: number;
  readonly hsm: string;
  readonly exits: number;
}

export interface DomainFacts {
  readonly id: number;
  readonly name: string;
  readonly state: string;
  readonly memoryBytes: number;
  readonly populatedPages: number;
  readonly vcpus: readonly VcpuFacts[];
  /** The G-stage root the VMM gave its vCPUs (what it believes the hart walks). */
  readonly vmmHgatp: number | null;
  /** The G-stage root in the vCPU's real context: what the hart walks (CloudVisor's shadow when protected). */
  readonly hartHgatp: number | null;
  readonly vmid: number | null;
}

/** Which console a domain of a host prints on (the machine's naming). */
export type ConsoleResolver = (host: string, domain: number) => string | null;

export class InspectContext {
  readonly mode: 'bare' | 'protected';
  readonly memory: PhysicalMemoryPort;
  private domainList: DomainFacts[] | null = null;
  /** Bare host: per RAM frame, the domain whose G-stage maps it (0: none, the VMM's). */
  private bareOwners: Uint16Array | null = null;
  private readonly shadows = new Map<number, ReadonlyMap<number, number>>();

  constructor(
    readonly name: string,
    readonly host: VmmHost,
    readonly consoleOf: ConsoleResolver = () => null,
  ) {
    this.mode = host.monitor ? 'protected' : 'bare';
    this.memory = new RamReader(host.board.ram);
  }

  get ramBase(): number {
    return this.host.board.ram.base;
  }

  get ramSize(): number {
    return this.host.board.ram.size;
  }

  domains(): DomainFacts[] {
    this.domainList ??= readDomains(this.host);
    return this.domainList;
  }

  domain(id: number): DomainFacts {
    const found = this.domains().find((d) => d.id === id);
    if (found) return found;
    const known = this.domains().map((d) => d.id).join(', ') || 'none';
    throw new LabError('bad-request', `host '${this.name}' has no domain ${id} (domains: ${known})`);
  }

  domainOfVmid(vmid: number): DomainFacts | null {
    return this.domains().find((d) => d.vmid === vmid) ?? null;
  }

  /** RAM bytes at [pa, pa+length), or null when any of it lies outside RAM. */
  readRam(pa: number, length: number): Uint8Array | null {
    const ram = this.host.board.ram;
    if (!ram.contains(pa, length)) return null;
    return ram.u8.subarray(pa - ram.base, pa - ram.base + length);
  }

  read32(pa: number): number | null {
    const bytes = this.readRam(pa, 4);
    if (!bytes) return null;
    return ((bytes[0] ?? 0) | ((bytes[1] ?? 0) << 8) | ((bytes[2] ?? 0) << 16) | ((bytes[3] ?? 0) << 24)) >>> 0;
  }

  /** The owner of a frame: the monitor's owner table, or on a bare host the VMM's own G-stage tables. */
  ownerOf(frame: number): FrameOwnerLabel {
    const pa = frame * PAGE;
    if (!this.host.board.ram.contains(pa, PAGE)) return 'none';
    const owners = this.host.launched?.owners;
    if (owners) {
      const owner = owners.ownerOf(frame);
      if (!owner) return 'none';
      if (owner.kind !== 'vm') return describeOwner(owner);
      const domain = this.domainOfVmid(owner.vm);
      return domain ? `dom${domain.id}` : `vm${owner.vm}`;
    }
    const domain = this.bareOwnerMap()[frame - this.ramBase / PAGE] ?? 0;
    return domain === 0 ? 'vmm' : `dom${domain}`;
  }

  /** Protected mode: the monitor's shadow map of a domain (guest page -> frame); null on a bare host. */
  shadowOf(domain: DomainFacts): ReadonlyMap<number, number> | null {
    const monitor = this.host.monitor;
    if (!monitor || domain.vmid === null) return null;
    let shadow = this.shadows.get(domain.id);
    if (!shadow) {
      shadow = monitor.inspectVm(domain.vmid)?.shadow ?? new Map<number, number>();
      this.shadows.set(domain.id, shadow);
    }
    return shadow;
  }

  /** On a bare host every frame is the VMM's; those it mapped into a domain are shown as that domain's. */
  private bareOwnerMap(): Uint16Array {
    if (this.bareOwners) return this.bareOwners;
    const owners = new Uint16Array(this.ramSize / PAGE);
    const first = this.ramBase / PAGE;
    for (const d of this.domains()) {
      if (d.vmmHgatp === null) continue;
      for (const m of gStageMappings(this.memory, d.vmmHgatp)) {
        const i = Math.floor(m.pa / PAGE) - first;
        if (i >= 0 && i < owners.length) owners[i] = d.id;
      }
    }
    this.bareOwners = owners;
    return owners;
  }
}

interface RawDomain {
  id: number;
  name: string;
  state: string;
  memoryBytes: number;
  populatedPages: number;
  vcpus: { index: number; vcpu: number; hsm: string; exits: number }[];
}

function isRawDomain(value: unknown): value is RawDomain {
  if (typeof value !== 'object' || value === null) return false;
  const d = value as Record<string, unknown>;
  return typeof d.id === 'number' && typeof d.name === 'string' && typeof d.state === 'string' && Array.isArray(d.vcpus);
}

/** The VMM's domain table is untrusted data from inside its engine: checked before use. */
function readDomains(host: VmmHost): DomainFacts[] {
  // A VMM that stopped answering would make every inspection wait out its budget: it has no domains to report.
  if (host.failed !== null) return [];
  let raw: unknown;
  try {
    raw = host.engine.call('vmmStatus');
  } catch (error) {
    throw new LabError('host-failed', `the VMM did not report its domains: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!Array.isArray(raw)) return [];
  return raw.filter(isRawDomain).map((d) => {
    const vcpus = d.vcpus.map((v) => ({ index: Number(v.index), vcpu: Number(v.vcpu), hsm: String(v.hsm), exits: Number(v.exits) }));
    const first = vcpus[0];
    const vmmHgatp = first === undefined ? null : vmmHgatpOf(host, first.vcpu);
    const hartHgatp = first === undefined ? null : hartHgatpOf(host, first.vcpu);
    return {
      id: d.id,
      name: d.name,
      state: d.state,
      memoryBytes: Number(d.memoryBytes),
      populatedPages: Number(d.populatedPages),
      vcpus,
      vmmHgatp,
      hartHgatp,
      vmid: vmmHgatp === null || vmmHgatp === 0 ? null : vmidOfHgatp(vmmHgatp),
    };
  });
}

/** The hgatp in the vCPU's real context; 0 until the monitor first runs it under protected mode. */
function hartHgatpOf(host: VmmHost, vcpu: number): number | null {
  try {
    return host.hyp.vcpu.controls(vcpu).hgatp >>> 0;
  } catch {
    return null;
  }
}

/** The hgatp the VMM set: the monitor remembers it under protected mode; the hart's context holds it on a bare host. */
function vmmHgatpOf(host: VmmHost, vcpu: number): number | null {
  try {
    return (host.monitor ?? host.hyp).vcpu.controls(vcpu).hgatp >>> 0;
  } catch {
    return null;
  }
}
