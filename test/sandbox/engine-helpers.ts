// Shared setup for the sandbox tests: a fresh engine on an in-memory hypervisor, and a way to load
// a small VMM bundle written inline as an ES module.
import { VmmEngine, type EngineLimits, type PatchFault, type VmmEngineOptions } from '../../core/sandbox/vmm-engine';
import { InMemoryHyp, RecordingLab } from './in-memory-hyp';

export interface TestEngine {
  readonly engine: VmmEngine;
  readonly hyp: InMemoryHyp;
  readonly lab: RecordingLab;
  readonly faults: PatchFault[];
}

export async function testEngine(
  limits: Partial<EngineLimits> = {},
  bundle?: string,
  extra: Pick<VmmEngineOptions, 'regExp' | 'seed' | 'virtualVmcs'> = {},
): Promise<TestEngine> {
  const hyp = new InMemoryHyp();
  const lab = new RecordingLab();
  const faults: PatchFault[] = [];
  const engine = await VmmEngine.create({ ...extra, backend: hyp, lab, limits, onPatchFault: (f) => faults.push(f) });
  if (bundle !== undefined) engine.loadBundle({ code: bundle, fileName: 'vmm.js' });
  return { engine, hyp, lab, faults };
}
