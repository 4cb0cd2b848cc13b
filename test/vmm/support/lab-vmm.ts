// Builds a whole VMM over the in-memory Hyp, with a recording lab channel, for the VMM tests.
import { createVmm } from '../../../core/vmm/entry';
import type { Vmm } from '../../../core/vmm/vmm';
import { MemoryHyp, type MemoryHypOptions } from './memory-hyp';
import { patternKernel } from './tiny-elf';

export interface LabRecord {
  exfiltrated: { label: string; bytes: Uint8Array }[];
  logs: string[];
}

export function labVmm(options: MemoryHypOptions & { sliceQuanta?: number } = {}): { vmm: Vmm; hyp: MemoryHyp; lab: LabRecord } {
  const hyp = new MemoryHyp({ ramSize: 32 * 1024 * 1024, ...options });
  const lab: LabRecord = { exfiltrated: [], logs: [] };
  const vmm = createVmm(hyp, { exfiltrate: (label, bytes) => lab.exfiltrated.push({ label, bytes }), log: (t) => lab.logs.push(t) }, {
    harts: hyp.harts, ramBase: hyp.ramBase, ramSize: hyp.ram.length, vmmReservedBytes: 1024 * 1024, sliceQuanta: options.sliceQuanta ?? 1,
  });
  vmm.files.set('kernel.elf', patternKernel());
  return { vmm, hyp, lab };
}

/** `xl create` with inline keys; throws on failure. */
export function create(vmm: Vmm, keys: string): number {
  const out = vmm.fns.toolstackCommand(`create kernel=kernel.elf ${keys}`);
  const m = /created domain (\d+)/.exec(out);
  if (m === null) throw new Error(`create failed: ${out}`);
  return Number(m[1]);
}
