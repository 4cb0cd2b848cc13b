// Page tables (issue 9): a guest's VS-stage table (its own Sv32, at its vsatp) and the VMM's
// G-stage table as the VMM built it, next to the monitor's shadow, the table the hart really walks
// under CloudVisor. A G-stage row is flagged when the two differ or the VMM's frame belongs to
// someone the monitor would not give this VM (another VM, the monitor): the refused entries.
import { guestLeaves, gpaToPa, vsatpOf } from './address-translation';
import { gStageMappings, pteFlags } from './g-stage-mappings';
import { PAGE, type DomainFacts, type InspectContext } from './inspect-context';
import type { GStageRow, PageTableView, VsStageRow } from './inspect-types';

export const MAX_ROWS = 2048;

export interface PageTableWindow {
  readonly offset: number;
  readonly limit: number;
  readonly flaggedOnly: boolean;
}

export function gStageView(ctx: InspectContext, domainId: number, window: PageTableWindow): PageTableView {
  const domain = ctx.domain(domainId);
  const rows = gStageRows(ctx, domain);
  const flagged = rows.filter((r) => r.status !== 'same');
  const chosen = window.flaggedOnly ? flagged : rows;
  return {
    stage: 'g-stage',
    host: ctx.name,
    domain: domainId,
    vmmHgatp: domain.vmmHgatp ?? 0,
    hartHgatp: domain.hartHgatp || null,
    total: chosen.length,
    flagged: flagged.length,
    offset: window.offset,
    rows: chosen.slice(window.offset, window.offset + window.limit),
  };
}

function gStageRows(ctx: InspectContext, domain: DomainFacts): GStageRow[] {
  const vmm = domain.vmmHgatp ? gStageMappings(ctx.memory, domain.vmmHgatp) : [];
  const shadow = ctx.shadowOf(domain);
  const rows: GStageRow[] = [];
  const seen = new Set<number>();
  for (const m of vmm) {
    const page = Math.floor(m.gpa / PAGE);
    seen.add(page);
    const owner = ctx.ownerOf(Math.floor(m.pa / PAGE));
    const shadowFrame = shadow ? shadow.get(page) : Math.floor(m.pa / PAGE);
    const shadowPa = shadowFrame === undefined ? null : shadowFrame * PAGE;
    rows.push({ gpa: m.gpa, vmmPa: m.pa, vmmFlags: pteFlags(m.pte), shadowPa, owner, ...compare(domain, m.pa, shadowPa, owner) });
  }
  for (const [page, frame] of shadow ?? []) {
    if (seen.has(page)) continue;
    rows.push({
      gpa: page * PAGE, vmmPa: null, vmmFlags: '', shadowPa: frame * PAGE, owner: ctx.ownerOf(frame),
      status: 'shadow-only', note: 'the VMM dropped this GPA; the monitor keeps its frame (a populated GPA is never unmapped)',
    });
  }
  return rows.sort((a, b) => a.gpa - b.gpa);
}

function compare(domain: DomainFacts, vmmPa: number, shadowPa: number | null, owner: string): Pick<GStageRow, 'status' | 'note'> {
  const foreign = owner !== `dom${domain.id}` && owner !== 'vmm';
  const walks = shadowPa === null ? 'nothing' : `0x${shadowPa.toString(16)}`;
  if (foreign && shadowPa !== vmmPa) {
    return { status: 'refused', note: `frame owned by ${owner}: the monitor refuses it to dom${domain.id} (the hart walks ${walks})` };
  }
  if (shadowPa === vmmPa) return { status: 'same', note: null };
  if (shadowPa !== null) return { status: 'differs', note: `the VMM maps 0x${vmmPa.toString(16)}, the hart walks ${walks}` };
  return { status: 'not-shadowed', note: "not in the shadow yet: the monitor maps it on the guest's first touch" };
}

export function vsStageView(ctx: InspectContext, domainId: number, window: PageTableWindow): PageTableView {
  const domain = ctx.domain(domainId);
  const vsatp = vsatpOf(ctx, domain);
  const leaves = guestLeaves(ctx, domain, vsatp);
  const slice = leaves.slice(window.offset, window.offset + window.limit);
  const rows: VsStageRow[] = slice.map((leaf) => {
    const pa = gpaToPa(ctx, domain, leaf.gpa);
    return {
      va: leaf.va,
      gpa: leaf.gpa,
      flags: pteFlags(leaf.pte),
      level: leaf.level,
      pa: pa.ok ? pa.address : null,
      owner: pa.ok ? ctx.ownerOf(Math.floor(pa.address / PAGE)) : null,
    };
  });
  return { stage: 'vs-stage', host: ctx.name, domain: domainId, vsatp, total: leaves.length, flagged: 0, offset: window.offset, rows };
}
