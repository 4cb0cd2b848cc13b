// Reads one address space from one viewpoint (issue 9's memory inspector): host physical RAM, the
// VMM's view (EPT-x: under CloudVisor only the VMM's own frames are readable, the rest refused),
// a guest's physical memory through the G-stage the hart walks, a guest's virtual memory through
// its own Sv32 table. Page by page: each span says whether its bytes are shown and, if not, why.
import { LabError } from '../protocol';
import { gpaToPa, gvaToGpa, vsatpOf } from './address-translation';
import { PAGE, type DomainFacts, type InspectContext } from './inspect-context';
import type { MemoryView, PageSpan, Viewpoint } from './inspect-types';

export const MAX_READ = 64 * 1024;
/** Guest RAM starts here in every domain (core/vmm/platform-map.ts, QEMU virt's map). */
export const GUEST_RAM_BASE = 0x8000_0000;
const SPACE_32 = 0x1_0000_0000;

const hex = (n: number): string => `0x${n.toString(16)}`;

interface Piece {
  readonly span: PageSpan;
  readonly bytes: Uint8Array | null;
}

export interface ReadTarget {
  readonly viewpoint: Viewpoint;
  readonly domain: DomainFacts | null;
  /** The guest's vsatp, read once per request (guest-virtual only). */
  readonly vsatp: number;
}

export function readTarget(ctx: InspectContext, viewpoint: Viewpoint, domainId: number | undefined): ReadTarget {
  const guest = viewpoint === 'guest-physical' || viewpoint === 'guest-virtual';
  if (guest && domainId === undefined) throw new LabError('bad-request', `the ${viewpoint} viewpoint needs a domain`);
  const domain = guest && domainId !== undefined ? ctx.domain(domainId) : null;
  const vsatp = viewpoint === 'guest-virtual' && domain ? vsatpOf(ctx, domain) : 0;
  return { viewpoint, domain, vsatp };
}

export function readMemory(ctx: InspectContext, target: ReadTarget, address: number, length: number): MemoryView {
  checkRange(address, length);
  const { bytes, spans } = readRegion(ctx, target, address, length);
  const [spaceBase, spaceBytes] = spaceOf(ctx, target);
  return {
    host: ctx.name,
    viewpoint: target.viewpoint,
    domain: target.domain?.id ?? null,
    address,
    length,
    bytes: Buffer.from(bytes).toString('base64'),
    spans,
    spaceBase,
    spaceBytes,
  };
}

/** The bytes and spans of [address, address+length) from the target's viewpoint (no size limit). */
export function readRegion(ctx: InspectContext, target: ReadTarget, address: number, length: number): { bytes: Uint8Array; spans: PageSpan[] } {
  const bytes = new Uint8Array(length);
  const spans: PageSpan[] = [];
  let at = address;
  while (at < address + length) {
    const size = Math.min(PAGE - (at % PAGE), address + length - at);
    const piece = readPiece(ctx, target, at, size);
    if (piece.bytes) bytes.set(piece.bytes, at - address);
    const last = spans.at(-1);
    if (last && canMerge(last, piece.span)) spans[spans.length - 1] = { ...last, length: last.length + size };
    else spans.push(piece.span);
    at += size;
  }
  return { bytes, spans };
}

export function checkRange(address: number, length: number, max = MAX_READ): void {
  if (!Number.isSafeInteger(address) || address < 0 || address >= SPACE_32) {
    throw new LabError('bad-request', `address must be from 0 to 0xffffffff, not ${String(address)}`);
  }
  if (!Number.isSafeInteger(length) || length < 1 || length > max) {
    throw new LabError('bad-request', `length must be 1 to ${max} bytes, not ${String(length)}`);
  }
  if (address + length > SPACE_32) throw new LabError('bad-request', `${hex(address)} + ${length} runs past the 32-bit address space`);
}

function spaceOf(ctx: InspectContext, target: ReadTarget): [number, number] {
  if (target.viewpoint === 'guest-virtual') return [0, SPACE_32];
  if (target.viewpoint === 'guest-physical') return [GUEST_RAM_BASE, target.domain?.memoryBytes ?? 0];
  return [ctx.ramBase, ctx.ramSize];
}

/** Spans of the same kind that continue each other (contiguous backing too) become one. */
function canMerge(a: PageSpan, b: PageSpan): boolean {
  if (a.access !== b.access || a.owner !== b.owner || a.reason !== b.reason) return false;
  const follows = (x: number | null, y: number | null): boolean => (x === null ? y === null : y === x + a.length);
  return follows(a.gpa, b.gpa) && follows(a.pa, b.pa);
}

function readPiece(ctx: InspectContext, target: ReadTarget, address: number, size: number): Piece {
  switch (target.viewpoint) {
    case 'host':
      return physical(ctx, address, size, null, false);
    case 'vmm':
      return physical(ctx, address, size, null, true);
    case 'guest-physical':
      return guestPhysical(ctx, target, address, size, address);
    case 'guest-virtual': {
      const gpa = target.domain ? gvaToGpa(ctx, target.domain, address, target.vsatp) : null;
      if (!gpa?.ok) return blank(address, size, 'unmapped', null, null, gpa?.reason ?? 'no domain');
      return guestPhysical(ctx, target, address, size, gpa.address);
    }
  }
}

function guestPhysical(ctx: InspectContext, target: ReadTarget, address: number, size: number, gpa: number): Piece {
  const pa = target.domain ? gpaToPa(ctx, target.domain, gpa) : null;
  if (!pa?.ok) return blank(address, size, 'unmapped', gpa, null, pa?.reason ?? 'no domain');
  const piece = physical(ctx, pa.address, size, gpa, false);
  return { bytes: piece.bytes, span: { ...piece.span, address } };
}

/** Physical bytes at `pa`; as the VMM, only what EPT-x lets it read. Devices are never read (side effects). */
function physical(ctx: InspectContext, pa: number, size: number, gpa: number | null, asVmm: boolean): Piece {
  const bytes = ctx.readRam(pa, size);
  if (!bytes) return blank(pa, size, 'not-ram', gpa, pa, 'not RAM: the inspector does not read device registers');
  const owner = ctx.ownerOf(Math.floor(pa / PAGE));
  if (asVmm) {
    const refusal = vmmRefusal(ctx, owner);
    if (refusal) return blank(pa, size, 'refused', gpa, pa, refusal, owner);
  }
  return { bytes, span: { address: pa, length: size, access: 'ok', gpa, pa, owner, reason: null } };
}

/** Mirrors MonitorHyp's EPT-x check without making a VMM access (so no event is recorded). */
function vmmRefusal(ctx: InspectContext, owner: string): string | null {
  const monitor = ctx.host.monitor;
  if (!monitor || !monitor.defenses.eptx || owner === 'vmm') return null;
  return `frame owned by ${owner}: CloudVisor's EPT-x refuses the VMM (an access fault and an 'ept-x' event)`;
}

function blank(
  address: number,
  size: number,
  access: PageSpan['access'],
  gpa: number | null,
  pa: number | null,
  reason: string,
  owner: string | null = null,
): Piece {
  return { bytes: null, span: { address, length: size, access, gpa, pa, owner, reason } };
}
