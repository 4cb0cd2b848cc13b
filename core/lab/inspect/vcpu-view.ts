// The vCPU inspector (issue 9): a guest's real registers and H controls next to what the VMM
// reads (under CloudVisor: only what its last exit needs, the rest zero) and what it tried to
// write since. On a bare host the VMM reads and writes everything, so seen equals actual.
import { LabError } from '../protocol';
import type { InspectContext } from './inspect-context';
import type { RegisterRow, VcpuView } from './inspect-types';

export function vcpuView(ctx: InspectContext, domainId: number, index: number): VcpuView {
  const domain = ctx.domain(domainId);
  const facts = domain.vcpus.find((v) => v.index === index);
  if (!facts) throw new LabError('bad-request', `dom${domainId} has no vCPU ${index} (it has ${domain.vcpus.length})`);
  const hyp = ctx.host.hyp;
  const monitor = ctx.host.monitor;
  const actual = hyp.vcpu.regs(facts.vcpu) as unknown as Record<string, number>;
  const audit = monitor?.auditVcpu(facts.vcpu) ?? null;
  const seen = monitor ? (audit?.seen as unknown as Record<string, number> | null) ?? null : actual;
  const attempted = audit?.attempted ?? {};
  const refused = new Set(audit?.refused ?? []);
  const registers: RegisterRow[] = Object.keys(actual).map((name) => ({
    name,
    actual: (actual[name] ?? 0) >>> 0,
    seen: seen ? (seen[name] ?? 0) >>> 0 : null,
    attempted: attempted[name] === undefined ? null : attempted[name] >>> 0,
    refused: refused.has(name),
  }));
  const real = hyp.vcpu.controls(facts.vcpu) as unknown as Record<string, number>;
  const vmmControls = (monitor ? monitor.vcpu.controls(facts.vcpu) : real) as unknown as Record<string, number>;
  return {
    host: ctx.name,
    mode: ctx.mode,
    domain: domainId,
    index,
    vcpu: facts.vcpu,
    hsm: facts.hsm,
    exits: facts.exits,
    lastExit: audit?.lastExit ? JSON.stringify(audit.lastExit) : null,
    registers,
    controls: Object.keys(real).map((name) => ({ name, actual: real[name] ?? 0, seen: vmmControls[name] ?? 0 })),
  };
}
