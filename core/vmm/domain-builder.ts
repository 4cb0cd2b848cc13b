// Domain lifecycle, as Xen's toolstack and hypervisor split it: build (VMID, RAM, G-stage
// tables, image and DTB loaded before launch, devices, vCPUs), destroy (vCPUs gone, RAM scrubbed
// back to the pool, volumes detached), pause/unpause, and SBI-requested shutdown and reboot.
// Invariant: a failed build undoes every step it made, so nothing leaks and no state changes.
import type { DomainId } from '../sandbox/hyp';
import { Domain } from './domain';
import { VirtioBlk, type BlkRequest } from './devices/virtio-blk';
import { VirtioRng } from './devices/virtio-rng';
import type { VirtioBackend } from './devices/virtio-mmio';
import { parseElf32 } from './elf-loader';
import { buildGuestDtb } from './guest-dtb';
import { GuestMemory } from './guest-memory';
import type { DomainInfo } from './patch-api';
import { GUEST_DTB_RESERVE, GUEST_MAP } from './platform-map';
import { HCOUNTEREN_DEFAULT, HEDELEG_DEFAULT, HIDELEG_DEFAULT } from './riscv-h';
import { SBI_SRST } from '../spec/sbi';
import { VirtualCpu } from './virtual-cpu';
import type { Vmm } from './vmm';
import type { Volume } from './volume-store';
import type { DomainConfig } from './xl-config';

const VMID_COUNT = 128;
const RNG_SEED_BYTES = 32;

/** Requests waiting for their completion to be delivered through 'virtio.blk.complete'. */
export const blkFinishers = new WeakMap<BlkRequest, (request: BlkRequest) => void>();

function allocateVmid(vmm: Vmm): number {
  const used = new Set([...vmm.domains.values()].map((d) => d.vmid));
  for (let id = 1; id < VMID_COUNT; id++) if (!used.has(id)) return id;
  throw new Error(`all ${VMID_COUNT - 1} VMIDs are in use`);
}

/** Builds and launches a domain; returns its id. `image` is an ELF32 RISC-V kernel. */
export function createDomain(vmm: Vmm, config: DomainConfig, image: Uint8Array): DomainId {
  const undo: (() => void)[] = [];
  try {
    return build(vmm, config, image, undo);
  } catch (error) {
    for (let i = undo.length - 1; i >= 0; i--) undo[i]?.();
    throw error;
  }
}

function build(vmm: Vmm, config: DomainConfig, image: Uint8Array, undo: (() => void)[]): DomainId {
  if ([...vmm.domains.values()].some((d) => d.name === config.name)) throw new Error(`a domain named '${config.name}' exists`);
  const elf = parseElf32(image);
  const ramEnd = GUEST_MAP.RAM_BASE + config.memoryBytes;
  const dtbGpa = ramEnd - GUEST_DTB_RESERVE;
  for (const s of elf.segments) {
    if (s.paddr < GUEST_MAP.RAM_BASE || s.paddr + s.memSize > dtbGpa) {
      throw new Error(`kernel segment 0x${s.paddr.toString(16)}+0x${s.memSize.toString(16)} is outside guest RAM below the DTB (0x${dtbGpa.toString(16)})`);
    }
  }
  const volumes = attachVolumes(vmm, config, undo);
  const vmid = allocateVmid(vmm);
  const id = vmm.nextDomainId;
  const memory = new GuestMemory(vmm.hyp, vmm.frames, GUEST_MAP.RAM_BASE, config.memoryBytes, vmid);
  undo.push(() => memory.release());
  if (config.populate === 'eager') memory.populateAll();
  for (const s of elf.segments) if (s.fileSize > 0) memory.write(s.paddr, image.subarray(s.fileOffset, s.fileOffset + s.fileSize));
  // /chosen/rng-seed from the host's random source, as QEMU fills it from its own (virt.c).
  const rngSeed = vmm.hyp.tpm.random(RNG_SEED_BYTES);
  const dtb = buildGuestDtb({ vcpus: config.vcpus, ramSize: config.memoryBytes, rngSeed, ...(config.bootargs === null ? {} : { bootargs: config.bootargs }) });
  if (dtb.length > GUEST_DTB_RESERVE) throw new Error(`guest DTB of ${dtb.length} bytes exceeds its ${GUEST_DTB_RESERVE}-byte area`);
  memory.write(dtbGpa, dtb);
  const backends: VirtioBackend[] = volumes.map(({ volume, readOnly }) => blkBackend(vmm, id, volume, readOnly));
  if (config.rng) backends.push(new VirtioRng((n) => vmm.fns.rngEntropy(id, n), (q, c) => vmm.registry.emit('virtio.request', id, 'rng', q, c)));
  const d = new Domain(id, config, memory, vmid, (t) => vmm.log(t), backends);
  d.dtbGpa = dtbGpa;
  d.entry = elf.entry;
  d.kernelImage = image;
  createVcpus(vmm, d, undo);
  vmm.hyp.vcpu.setRegs(d.vcpus[0]?.id ?? 0, { pc: elf.entry, a0: 0, a1: dtbGpa });
  const first = d.vcpus[0];
  if (first !== undefined) first.hsm = 'started';
  initVolumes(vmm, d, config, volumes);
  for (const { volume } of volumes) volume.attachedTo = id;
  vmm.nextDomainId++;
  vmm.domains.set(id, d);
  d.state = 'running';
  vmm.refreshSchedule();
  vmm.event('created', id, `${config.name}: ${config.memoryBytes >> 20} MiB, ${config.vcpus} vCPU(s), entry 0x${elf.entry.toString(16)}, DTB at 0x${dtbGpa.toString(16)}`);
  vmm.registry.emit('domain.create', id, domainInfo(d));
  vmm.kick();
  return id;
}

function createVcpus(vmm: Vmm, d: Domain, undo: (() => void)[]): void {
  const hgatp = d.memory.table.hgatp();
  for (let i = 0; i < d.config.vcpus; i++) {
    const vid = vmm.hyp.vcpu.create();
    undo.push(() => vmm.hyp.vcpu.destroy(vid));
    vmm.hyp.vcpu.setControls(vid, { hgatp, hedeleg: HEDELEG_DEFAULT, hideleg: HIDELEG_DEFAULT, hcounteren: HCOUNTEREN_DEFAULT, htimedelta: 0, hvip: 0 });
    d.vcpus.push(new VirtualCpu(d.id, i, vid));
  }
}

function attachVolumes(vmm: Vmm, config: DomainConfig, undo: (() => void)[]): { volume: Volume; readOnly: boolean; fresh: boolean }[] {
  return config.disks.map((spec) => {
    const existing = vmm.volumes.get(spec.vol);
    if (existing !== undefined) {
      if (existing.attachedTo !== null) throw new Error(`volume '${spec.vol}' is in use by domain ${existing.attachedTo}`);
      if (spec.sectors !== null && spec.sectors !== existing.sectors) throw new Error(`volume '${spec.vol}' exists with ${existing.sectors} sectors, not ${spec.sectors}`);
      return { volume: existing, readOnly: spec.readOnly, fresh: false };
    }
    if (spec.sectors === null) throw new Error(`volume '${spec.vol}' does not exist: give size=... to create it`);
    if (spec.image !== null && !vmm.files.has(spec.image)) throw new Error(`no file '${spec.image}' for volume '${spec.vol}'`);
    const volume = vmm.volumes.create(spec.vol, spec.sectors);
    undo.push(() => vmm.volumes.remove(spec.vol));
    return { volume, readOnly: spec.readOnly, fresh: true };
  });
}

/** Writes image files into fresh volumes; the domain waits (setupPending) until they are on disk. */
function initVolumes(vmm: Vmm, d: Domain, config: DomainConfig, volumes: readonly { volume: Volume; fresh: boolean }[]): void {
  config.disks.forEach((spec, i) => {
    const v = volumes[i];
    if (v === undefined || !v.fresh || spec.image === null) return;
    const file = vmm.files.get(spec.image) ?? new Uint8Array(0);
    const sectors = Math.min(v.volume.sectors, Math.ceil(file.length / 512));
    if (sectors === 0) return;
    const data = new Uint8Array(sectors * 512);
    data.set(file.subarray(0, data.length));
    d.setupPending++;
    vmm.disk.write(v.volume.start, data, (status) => {
      d.setupPending--;
      if (status !== 'ok') vmm.log(`dom${d.id}: writing '${spec.image}' to volume '${spec.vol}' failed: ${status}`);
      vmm.kick();
    });
  });
}

function blkBackend(vmm: Vmm, id: number, volume: Volume, readOnly: boolean): VirtioBlk {
  return new VirtioBlk(id, volume, readOnly, vmm.disk, {
    submit: (r) => vmm.fns.blkSubmit(r),
    complete: (r, finish) => {
      blkFinishers.set(r, finish);
      vmm.fns.blkComplete(r);
      return r.status;
    },
    request: (q, chain) => vmm.registry.emit('virtio.request', id, 'blk', q, chain),
  });
}

export function domainInfo(d: Domain): DomainInfo {
  return {
    id: d.id, name: d.name, vmid: d.vmid, hgatp: d.memory.table.hgatp(), ramBase: d.memory.base, ramSize: d.memory.size,
    vcpus: d.vcpus.map((v) => v.id),
    translate: (gpa) => d.memory.machineAddress(gpa),
  };
}

export function requireDomain(vmm: Vmm, id: DomainId): Domain {
  const d = vmm.domains.get(id);
  if (d === undefined) throw new Error(`no domain ${id}`);
  return d;
}

export function destroyDomain(vmm: Vmm, id: DomainId): void {
  const d = requireDomain(vmm, id);
  if (d.vcpus.some((v) => v.running)) throw new Error(`domain ${id} is running on a hart right now`);
  vmm.domains.delete(id);
  vmm.refreshSchedule();
  for (const slot of d.virtio) slot.detached = true;
  for (const v of d.vcpus) vmm.hyp.vcpu.destroy(v.id);
  d.memory.release();
  for (const vol of vmm.volumes.list()) if (vol.attachedTo === id) vol.attachedTo = null;
  vmm.event('destroyed', id, d.name);
  vmm.registry.emit('domain.destroy', id);
}

export function pauseDomain(vmm: Vmm, id: DomainId): void {
  const d = requireDomain(vmm, id);
  if (d.state !== 'running') throw new Error(`domain ${id} is ${d.state}, not running`);
  d.state = 'paused';
  vmm.event('paused', id, '');
}

export function unpauseDomain(vmm: Vmm, id: DomainId): void {
  const d = requireDomain(vmm, id);
  if (d.state !== 'paused') throw new Error(`domain ${id} is ${d.state}, not paused`);
  d.state = 'running';
  vmm.event('unpaused', id, '');
  vmm.kick();
}

/** SBI SRST / legacy shutdown: poweroff destroys the domain, reboot rebuilds it from its config. */
export function systemReset(vmm: Vmm, d: Domain, type: number, reason: number, image: Uint8Array | undefined): void {
  const why = reason === SBI_SRST.REASON_SYSTEM_FAILURE ? 'system failure' : 'no reason';
  if (type === SBI_SRST.SHUTDOWN || image === undefined) {
    vmm.event('shutdown', d.id, `${d.name} powered off (${why})`);
    d.vcpus.forEach((v) => (v.running = false));
    destroyDomain(vmm, d.id);
    return;
  }
  vmm.event('reboot', d.id, `${d.name} ${type === SBI_SRST.COLD_REBOOT ? 'cold' : 'warm'} reboot (${why})`);
  d.vcpus.forEach((v) => (v.running = false));
  destroyDomain(vmm, d.id);
  createDomain(vmm, d.config, image);
}

/** SBI HSM hart_start: the target starts at `pc` with a0 = hartid, a1 = opaque, satp = 0, SIE = 0. */
export function startVcpu(vmm: Vmm, t: VirtualCpu, pc: number, opaque: number): void {
  vmm.hyp.vcpu.setRegs(t.id, { pc, a0: t.index, a1: opaque, vsatp: 0, vsstatus: 0 });
  t.hsm = 'started';
  t.blocked = false;
  t.deadline = Number.POSITIVE_INFINITY;
}
