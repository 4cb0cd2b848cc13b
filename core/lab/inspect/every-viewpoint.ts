// "Same address, every viewpoint" (issue 9): one guest address followed down the stages the hart
// uses (guest-virtual -> guest-physical -> host physical) and read at each, plus what the VMM gets
// at that frame: the guest's plaintext next to the VMM's refusal under CloudVisor.
import { gpaToPa, gvaToGpa, vsatpOf } from './address-translation';
import type { InspectContext } from './inspect-context';
import type { MemoryView, ViewpointsView } from './inspect-types';
import { checkRange, readMemory } from './memory-view';

export const MAX_VIEWPOINT_BYTES = 4096;

export function everyViewpoint(
  ctx: InspectContext,
  domainId: number,
  space: 'guest-virtual' | 'guest-physical',
  address: number,
  length: number,
): ViewpointsView {
  checkRange(address, length, MAX_VIEWPOINT_BYTES);
  const domain = ctx.domain(domainId);
  const vsatp = vsatpOf(ctx, domain);
  const views: MemoryView[] = [];
  let gpa: number | null = address;
  if (space === 'guest-virtual') {
    views.push(readMemory(ctx, { viewpoint: 'guest-virtual', domain, vsatp }, address, length));
    const t = gvaToGpa(ctx, domain, address, vsatp);
    gpa = t.ok ? t.address : null;
  }
  let pa: number | null = null;
  if (gpa !== null) {
    views.push(readMemory(ctx, { viewpoint: 'guest-physical', domain, vsatp }, gpa, length));
    const t = gpaToPa(ctx, domain, gpa);
    pa = t.ok ? t.address : null;
  }
  if (pa !== null) {
    views.push(readMemory(ctx, { viewpoint: 'host', domain: null, vsatp: 0 }, pa, length));
    views.push(readMemory(ctx, { viewpoint: 'vmm', domain: null, vsatp: 0 }, pa, length));
  }
  return { host: ctx.name, domain: domainId, gva: space === 'guest-virtual' ? address : null, gpa, pa, views };
}
