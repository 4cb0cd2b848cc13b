// xl save / restore in bare mode: a domain's memory, vCPU state and device state as they are,
// in one file of the management domain: "CVLSAVE1", a u32 header length, a JSON header, the
// kernel image (kept for reboots), then every populated 4 KiB guest page in header order.
// Invariants: a save is taken only of a paused domain with no disk I/O in flight; restore checks
// the whole file before building anything, and a failed restore leaves no domain behind.
import type { GuestControls, GuestRegs } from '../sandbox/hyp';
import type { Domain } from './domain';
import { VirtioBlk } from './devices/virtio-blk';
import type { UartState } from './devices/ns16550a';
import type { VirtualPlicState } from './devices/vplic';
import type { VirtioMmioState } from './devices/virtio-mmio';
import { requireDomain } from './domain-builder';
import { HVIP, PAGE_SIZE } from '../spec/riscv-priv';
import { utf8Decode, utf8Encode } from './text-codec';
import type { HsmState } from './virtual-cpu';
import type { Vmm } from './vmm';
import type { DomainConfig } from './xl-config';

const MAGIC = 'CVLSAVE1';
const VERSION = 1;

interface SavedVcpu {
  regs: GuestRegs;
  controls: Pick<GuestControls, 'htimedelta' | 'hvip'>;
  hsm: HsmState;
  blocked: boolean;
  deadline: number | null;
  softPending: boolean;
}

interface SaveHeader {
  version: number;
  config: DomainConfig;
  imageBytes: number;
  pages: number[];
  vcpus: SavedVcpu[];
  uart: UartState;
  plic: VirtualPlicState;
  virtio: VirtioMmioState[];
}

export function saveDomain(vmm: Vmm, id: number): Uint8Array {
  const d = requireDomain(vmm, id);
  if (d.state !== 'paused') throw new Error(`domain ${id} must be paused to be saved (it is ${d.state})`);
  if (d.virtio.some((s) => s.backend instanceof VirtioBlk && s.backend.inflight > 0)) throw new Error(`domain ${id} has disk I/O in flight; retry`);
  const image = d.kernelImage ?? new Uint8Array(0);
  const pages: number[] = [];
  d.memory.forEachPopulated((gpa) => pages.push(gpa));
  const header: SaveHeader = {
    version: VERSION, config: d.config, imageBytes: image.length, pages,
    vcpus: d.vcpus.map((v) => {
      const c = vmm.hyp.vcpu.controls(v.id);
      return {
        regs: vmm.hyp.vcpu.regs(v.id), controls: { htimedelta: c.htimedelta, hvip: c.hvip }, hsm: v.hsm, blocked: v.blocked,
        deadline: v.deadline === Number.POSITIVE_INFINITY ? null : v.deadline, softPending: v.softPending,
      };
    }),
    uart: d.uart.snapshot(), plic: d.plic.snapshot(), virtio: d.virtio.map((s) => s.snapshot()),
  };
  const json = utf8Encode(JSON.stringify(header));
  const out = new Uint8Array(12 + json.length + image.length + pages.length * PAGE_SIZE);
  out.set(utf8Encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(image, 12 + json.length);
  let at = 12 + json.length + image.length;
  for (const gpa of pages) {
    out.set(vmm.hyp.mem.read(d.memory.machineAddress(gpa), PAGE_SIZE), at);
    at += PAGE_SIZE;
  }
  return out;
}

function parseSave(file: Uint8Array): { header: SaveHeader; image: Uint8Array; pageData: Uint8Array } {
  if (file.length < 12 || utf8Decode(file.subarray(0, 8)) !== MAGIC) throw new Error('not a CloudVisor Lab save file (bad magic)');
  const len = new DataView(file.buffer, file.byteOffset, file.byteLength).getUint32(8, true);
  if (12 + len > file.length) throw new Error('save file header runs past the end of the file');
  let header: SaveHeader;
  try {
    header = JSON.parse(utf8Decode(file.subarray(12, 12 + len))) as SaveHeader;
  } catch {
    throw new Error('save file header is not valid JSON');
  }
  if (header.version !== VERSION) throw new Error(`save file version ${String(header.version)} is not ${VERSION}`);
  if (!Array.isArray(header.pages) || !Array.isArray(header.vcpus) || !Array.isArray(header.virtio)) throw new Error('save file header is incomplete');
  const imageEnd = 12 + len + header.imageBytes;
  if (imageEnd + header.pages.length * PAGE_SIZE !== file.length) throw new Error('save file length does not match its header');
  if (header.vcpus.length !== header.config.vcpus) throw new Error('save file vCPU count does not match its config');
  return { header, image: file.subarray(12 + len, imageEnd), pageData: file.subarray(imageEnd) };
}

/** Rebuilds a saved domain (paused while restoring, running after) and returns its new id. */
export function restoreDomain(vmm: Vmm, file: Uint8Array): number {
  const { header, image, pageData } = parseSave(file);
  const id = vmm.fns.domainCreate(header.config, image);
  const d = requireDomain(vmm, id);
  d.state = 'paused';
  try {
    header.pages.forEach((gpa, i) => d.memory.write(gpa, pageData.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE)));
    restoreVcpus(vmm, d, header.vcpus);
    d.uart.restore(header.uart);
    d.plic.restore(header.plic);
    header.virtio.forEach((s, i) => d.virtio[i]?.restore(s));
  } catch (error) {
    vmm.fns.domainDestroy(id);
    throw error;
  }
  d.state = 'running';
  vmm.kick();
  return id;
}

function restoreVcpus(vmm: Vmm, d: Domain, saved: readonly SavedVcpu[]): void {
  saved.forEach((s, i) => {
    const v = d.vcpus[i];
    if (v === undefined) return;
    // vsip is a view of hvip (priv 1.12, 8.2.3), restored through the controls below.
    const { vsip: _vsip, ...regs } = s.regs;
    vmm.hyp.vcpu.setRegs(v.id, regs);
    vmm.hyp.vcpu.setControls(v.id, { htimedelta: s.controls.htimedelta, hvip: s.controls.hvip });
    v.hsm = s.hsm;
    v.blocked = s.blocked;
    v.deadline = s.deadline ?? Number.POSITIVE_INFINITY;
    v.softPending = s.softPending;
    v.hvipLevels = s.controls.hvip & (HVIP.VSTIP | HVIP.VSEIP);
  });
}
