// The host panel's facts (issue 9): each hart and what it runs, the VMM's domains and their
// state, the mode, and in protected mode the monitor's defenses and frame census.
import { SLOT } from '../../hw/cpu';
import type { InspectContext } from './inspect-context';
import type { HartView, HostView } from './inspect-types';
import { describeOwner, type FrameOwners } from '../../cloudvisor/frame-owners';
import { vmidOfHgatp } from './g-stage-mappings';

const PRIV = ['U', 'S', 'H', 'M'] as const;

export function hostView(ctx: InspectContext): HostView {
  const host = ctx.host;
  const monitor = host.monitor;
  const owners = host.launched?.owners;
  const census = owners ? frameCensus(owners) : null;
  return {
    name: ctx.name,
    mode: ctx.mode,
    ramBase: ctx.ramBase,
    ramBytes: ctx.ramSize,
    instructions: host.instructions,
    virtualTime: host.board.clock.now(),
    failed: host.failed,
    harts: host.board.harts.map((_, id) => hartView(ctx, id)),
    domains: ctx.domains().map((d) => ({
      id: d.id,
      name: d.name,
      state: d.state,
      vmid: d.vmid,
      memoryBytes: d.memoryBytes,
      populatedPages: d.populatedPages,
      vcpus: d.vcpus.map((v) => ({ index: v.index, vcpu: v.vcpu, hsm: v.hsm, exits: v.exits })),
      failStopped: d.vmid !== null && monitor ? monitor.inspectVm(d.vmid)?.failStopped ?? null : null,
      console: ctx.consoleOf(ctx.name, d.id),
    })),
    monitor: monitor
      ? { defenses: { ...monitor.defenses }, policy: monitor.policy, frames: Object.fromEntries([...(census ?? [])].map(([k, n]) => [frameOwnerName(ctx, k), n])) }
      : null,
  };
}

function hartView(ctx: InspectContext, id: number): HartView {
  const hart = ctx.host.board.harts[id];
  if (!hart) throw new RangeError(`no hart ${id}`);
  const hgatp = (hart.csr[SLOT.HGATP] ?? 0) >>> 0;
  const last = hgatp === 0 ? null : ctx.domainOfVmid(vmidOfHgatp(hgatp));
  const under = ctx.mode === 'protected' ? 'CloudVisor (HS) under the VMM' : 'the VMM (HS)';
  const priv = `${hart.virt ? 'V' : ''}${hart.priv === 1 && !hart.virt ? 'HS' : PRIV[hart.priv] ?? '?'}`;
  return {
    id,
    pc: hart.pc >>> 0,
    priv,
    runs: last ? `${under}; last entered dom${last.id} (${last.name})` : `${under}; no guest entered yet`,
    lastDomain: last?.id ?? null,
    retired: hart.retired,
  };
}

/** The owner table names VMs by VMID ('vm3'); the lab names them by the VMM's domain id, as everywhere else. */
function frameOwnerName(ctx: InspectContext, owner: string): string {
  const vmid = /^vm(\d+)$/.exec(owner)?.[1];
  const domain = vmid === undefined ? null : ctx.domainOfVmid(Number(vmid));
  return domain ? `dom${domain.id}` : owner;
}

/** Frames per owner, counted over a copy of the owner table (one label per owner, not per frame). */
function frameCensus(owners: FrameOwners): Map<string, number> {
  const codes = owners.snapshot();
  const counts = new Map<number, { count: number; first: number }>();
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i] ?? 0;
    const entry = counts.get(code);
    if (entry) entry.count++;
    else counts.set(code, { count: 1, first: i });
  }
  const census = new Map<string, number>();
  for (const { count, first } of counts.values()) {
    const owner = owners.ownerOf(owners.firstFrame + first);
    if (owner) census.set(describeOwner(owner), count);
  }
  return census;
}
