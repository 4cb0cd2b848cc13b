// The registry of wrappable VMM functions: each dotted path of patch-api.ts's VmmFunctionMap is
// defined here with the VMM's own implementation, and the VMM calls it only through the returned
// dispatcher, so a patch's wrapper sees (and may change) every call. Invariant: FUNCTION_PATHS and
// this table list the same paths (checked by a test).
import type { DomainId } from '../sandbox/hyp';
import type { BlkRequest } from './devices/virtio-blk';
import {
  blkFinishers, createDomain, destroyDomain, pauseDomain, requireDomain, startVcpu, systemReset, unpauseDomain,
} from './domain-builder';
import type { VcpuRef, VmmFunctionMap } from './patch-api';
import { handleSbi, type SbiPlatform, type SbiResult } from './sbi';
import { Scheduler } from './scheduler';
import { runToolstack } from './toolstack';
import type { Vmm } from './vmm';
import type { DomainConfig } from './xl-config';

export interface VmmFunctionTable {
  sbiCall: VmmFunctionMap['sbi.call'];
  mmioLoad: VmmFunctionMap['mmio.load'];
  mmioStore: VmmFunctionMap['mmio.store'];
  memoryPopulate: VmmFunctionMap['memory.populate'];
  blkSubmit: VmmFunctionMap['virtio.blk.submit'];
  blkComplete: VmmFunctionMap['virtio.blk.complete'];
  rngEntropy: VmmFunctionMap['virtio.rng.entropy'];
  consoleFlush: VmmFunctionMap['console.flush'];
  consoleInput: VmmFunctionMap['console.input'];
  schedulerPick: VmmFunctionMap['scheduler.pick'];
  domainCreate: VmmFunctionMap['domain.create'];
  domainDestroy: VmmFunctionMap['domain.destroy'];
  domainPause: VmmFunctionMap['domain.pause'];
  domainUnpause: VmmFunctionMap['domain.unpause'];
  toolstackCommand: VmmFunctionMap['toolstack.command'];
}

function sbiPlatform(vmm: Vmm): SbiPlatform {
  return {
    startVcpu: (_d, t, pc, opaque) => startVcpu(vmm, t, pc, opaque),
    stopVcpu: (_d, v) => {
      v.hsm = 'stopped';
      v.blocked = false;
    },
    systemReset: (d, type, reason) => systemReset(vmm, d, type, reason, d.kernelImage),
    kick: () => vmm.kick(),
    fenceVvmaHere: (d) => vmm.hyp.fence.vvma(d.vmid),
  };
}

export function defineVmmFunctions(vmm: Vmm): VmmFunctionTable {
  const r = vmm.registry;
  const platform = sbiPlatform(vmm);
  return {
    sbiCall: r.define('sbi.call', (domain: DomainId, vcpu: number, ext: number, fid: number, args: readonly number[]): SbiResult | null => {
      const d = requireDomain(vmm, domain);
      const v = d.vcpus[vcpu];
      if (v === undefined) throw new Error(`domain ${domain} has no vCPU ${vcpu}`);
      return handleSbi(platform, d, v, ext, fid, args);
    }),
    mmioLoad: r.define('mmio.load', (domain: DomainId, vcpu: number, gpa: number, width: number): number => {
      const d = requireDomain(vmm, domain);
      const value = d.memory.contains(gpa, width) ? ramAccess(vmm, domain, gpa, width, null) : d.mmioLoad(gpa, width);
      if (r.hasListeners('mmio')) r.emit('mmio', domain, d.vcpus[vcpu]?.id ?? -1, 'load', gpa, width, value);
      return value;
    }),
    mmioStore: r.define('mmio.store', (domain: DomainId, vcpu: number, gpa: number, width: number, value: number): void => {
      const d = requireDomain(vmm, domain);
      if (r.hasListeners('mmio')) r.emit('mmio', domain, d.vcpus[vcpu]?.id ?? -1, 'store', gpa, width, value);
      if (d.memory.contains(gpa, width)) ramAccess(vmm, domain, gpa, width, value);
      else d.mmioStore(gpa, width, value);
    }),
    memoryPopulate: r.define('memory.populate', (domain: DomainId, gpa: number): boolean => {
      const d = requireDomain(vmm, domain);
      const ok = d.memory.populate(gpa);
      if (ok && r.hasListeners('memory.map')) r.emit('memory.map', domain, gpa - (gpa % 4096), d.memory.machineAddress(gpa - (gpa % 4096)));
      return ok;
    }),
    // The original does nothing: this is the point where a request's data is on its way to disk.
    blkSubmit: r.define('virtio.blk.submit', (_request: BlkRequest): void => undefined),
    blkComplete: r.define('virtio.blk.complete', (request: BlkRequest): void => {
      const finish = blkFinishers.get(request);
      blkFinishers.delete(request);
      finish?.(request);
    }),
    rngEntropy: r.define('virtio.rng.entropy', (_domain: DomainId, length: number): Uint8Array => vmm.hyp.tpm.random(length)),
    consoleFlush: r.define('console.flush', (_domain: DomainId, bytes: Uint8Array): Uint8Array => bytes),
    consoleInput: r.define('console.input', (domain: DomainId, bytes: Uint8Array): number => requireDomain(vmm, domain).uart.receive(bytes)),
    schedulerPick: r.define('scheduler.pick', (hart: number, runnable: readonly VcpuRef[]): VcpuRef | null => Scheduler.roundRobin(hart, runnable)),
    domainCreate: r.define('domain.create', (config: DomainConfig, image: Uint8Array): DomainId => createDomain(vmm, config, image)),
    domainDestroy: r.define('domain.destroy', (domain: DomainId): void => destroyDomain(vmm, domain)),
    domainPause: r.define('domain.pause', (domain: DomainId): void => pauseDomain(vmm, domain)),
    domainUnpause: r.define('domain.unpause', (domain: DomainId): void => unpauseDomain(vmm, domain)),
    toolstackCommand: r.define('toolstack.command', (line: string): string => runToolstack(vmm, line)),
  };
}

/**
 * A trapped access that lands in guest RAM: the page was not mapped yet (lazy population). The
 * hart already decoded the access and moved pc on, so the VMM maps the page and completes it.
 */
function ramAccess(vmm: Vmm, domain: DomainId, gpa: number, width: number, store: number | null): number {
  const d = requireDomain(vmm, domain);
  vmm.fns.memoryPopulate(domain, gpa);
  const bytes = d.memory.read(gpa, width);
  if (store === null) return bytes.reduceRight((acc, b) => acc * 256 + b, 0);
  const out = new Uint8Array(width);
  for (let i = 0; i < width; i++) out[i] = (store >>> (8 * i)) & 0xff;
  d.memory.write(gpa, out);
  return store;
}
