// The VMM bundle's entry points, called by the host through the sandbox engine: `vmmHart` on the
// numeric fast path (numbers in, a number out), the others with JSON arguments and results
// (bytes cross as base64). `hyp` and `lab` are the globals the engine's prelude defines;
// `patchApi` is what the prelude's patch facade calls. `createVmm` builds the same VMM from an
// explicit Hyp, for tests and for hosts that run it without an engine.
import type { Hyp, LabChannel, Unsubscribe, VmmApi } from '../sandbox/hyp';
import { base64ToBytes, bytesToBase64 } from './base64';
import { isName } from './chars';
import { domainInfo } from './domain-builder';
import type { DomainInfo } from './patch-api';
import { HOOK_NAMES } from './patch-paths';
import { ensureTextEncoder } from './text-codec';
import { Vmm, type VmmEvent } from './vmm';
import type { VmmConfigInput } from './vmm-config';

export { HART_RESULT } from './vmm';

let instance: Vmm | null = null;

/** Builds the whole VMM over a Hyp and a lab channel. */
export function createVmm(hyp: Hyp, lab: LabChannel, config: VmmConfigInput): Vmm {
  ensureTextEncoder();
  return new Vmm(hyp, lab, { sliceQuanta: 1, pcAdvance: 'hyp', bounceSlots: 8, vmmReservedBytes: 0, seed: 0, ramZeroed: false, ...config });
}

function engineGlobals(): { hyp: Hyp; lab: LabChannel } {
  const g = globalThis as { hyp?: Hyp; lab?: LabChannel };
  if (g.hyp === undefined || g.lab === undefined) throw new Error('vmmInit: the engine provides no hyp/lab globals');
  return { hyp: g.hyp, lab: g.lab };
}

function vmm(): Vmm {
  if (instance === null) throw new Error('the VMM is not initialised: call vmmInit first');
  return instance;
}

/** Boots the VMM in this engine; returns a one-line summary. */
export function vmmInit(config: VmmConfigInput): string {
  if (instance !== null) throw new Error('the VMM is already initialised');
  const { hyp, lab } = engineGlobals();
  instance = createVmm(hyp, lab, config);
  return instance.dmesg[0] ?? 'vmm: up';
}

/** One host quantum of `hartId`: HART_RESULT bits (RAN, IDLE, OUTPUT). */
export function vmmHart(hartId: number): number {
  return vmm().hart(hartId);
}

export interface DrainResult {
  readonly console: { readonly domain: number; readonly data: string }[];
  readonly events: VmmEvent[];
}

/** Guest console output (base64) and VMM events since the last drain. */
export function vmmDrain(): DrainResult {
  const { console, events } = vmm().drain();
  return { console: console.map((c) => ({ domain: c.domain, data: bytesToBase64(c.bytes) })), events };
}

/** One xl command line. */
export function vmmToolstack(line: string): { ok: boolean; output: string } {
  if (typeof line !== 'string') return { ok: false, output: 'xl: the command must be a string' };
  try {
    return { ok: true, output: vmm().fns.toolstackCommand(line) };
  } catch (error) {
    return { ok: false, output: `xl: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Bytes (base64) typed at a guest's console; returns how many were accepted. */
export function vmmConsoleInput(domain: number, data: string): number {
  return vmm().consoleInput(domain, base64ToBytes(data, 'console input'));
}

/** Puts a file (base64) in the management domain's store: kernel images, configs, disk images. */
export function vmmPutFile(name: string, data: string): number {
  if (typeof name !== 'string' || !isName(name, 64)) throw new Error(`bad file name '${String(name)}'`);
  const bytes = base64ToBytes(data, name);
  vmm().files.set(name, bytes);
  return bytes.length;
}

export function vmmGetFile(name: string): string {
  const f = vmm().files.get(name);
  if (f === undefined) throw new Error(`no file '${name}'`);
  return bytesToBase64(f);
}

export interface DomainStatus {
  id: number;
  name: string;
  state: string;
  memoryBytes: number;
  populatedPages: number;
  vcpus: { index: number; vcpu: number; hsm: string; blocked: boolean; exits: number }[];
  /** The volumes attached to the domain, as the VMM's volume table holds them (sectors of the host disk). */
  disks: { volume: string; start: number; sectors: number; readOnly: boolean }[];
}

/** The domains as the lab's host panel shows them. */
export function vmmStatus(): DomainStatus[] {
  return [...vmm().domains.values()].map((d) => ({
    id: d.id, name: d.name, state: d.state, memoryBytes: d.config.memoryBytes, populatedPages: d.memory.populatedPages,
    vcpus: d.vcpus.map((v) => ({ index: v.index, vcpu: v.id, hsm: v.hsm, blocked: v.blocked, exits: v.exits })),
    disks: vmm().volumes.list().filter((v) => v.attachedTo === d.id).map((v) => ({
      volume: v.name, start: v.start, sectors: v.sectors, readOnly: d.config.disks.some((s) => s.vol === v.name && s.readOnly),
    })),
  }));
}

/** Beyond hyp.ts's VmmApi: the domain table and direct calls of any VMM function by path. */
export interface VmmApiExtras {
  domains(): DomainInfo[];
  call(path: string, ...args: unknown[]): unknown;
}

type AnyWrapper = (original: (...args: unknown[]) => unknown, ...args: unknown[]) => unknown;

const api = {
  hooks: {
    on(name: string, fn: (...args: unknown[]) => void): Unsubscribe {
      if (!(HOOK_NAMES as readonly string[]).includes(name)) throw new Error(`no VMM hook '${name}'; hooks: ${HOOK_NAMES.join(', ')}`);
      return vmm().registry.on(name, 'patch', fn);
    },
  },
  wrap(path: string, fn: AnyWrapper): Unsubscribe {
    return vmm().registry.wrap(path, 'patch', fn);
  },
  exfiltrate(label: string, bytes: Uint8Array): void {
    vmm().lab.exfiltrate(label, bytes);
  },
  domains(): DomainInfo[] {
    return [...vmm().domains.values()].map(domainInfo);
  },
  call(path: string, ...args: unknown[]): unknown {
    return vmm().registry.call(path, args);
  },
};

/**
 * The VMM as patches reach it (through the engine's per-patch facade, which adds the guards).
 * The cast is the one place where the typed per-path signatures of VmmApi meet the registry's
 * untyped dispatch; the registry checks every path at run time.
 */
export const patchApi = api as unknown as VmmApi & VmmApiExtras;
