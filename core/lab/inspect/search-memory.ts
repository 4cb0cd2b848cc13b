// Byte search in one viewpoint. Host and VMM viewpoints search RAM in place (one native indexOf
// over the whole range); guest viewpoints read their space in chunks that overlap by the
// pattern's length, so a match across a chunk border is found. A match counts only when it lies
// wholly in readable spans: the zeros shown for refused or unmapped pages never match.
import { LabError } from '../protocol';
import type { InspectContext } from './inspect-context';
import type { PageSpan, SearchResult } from './inspect-types';
import { MAX_READ, checkRange, readRegion, type ReadTarget } from './memory-view';

/** How far one search may look: all of a 256 MiB host's RAM. */
export const MAX_SEARCH = 256 * 1024 * 1024;
const MAX_PATTERN = 256;

export function parsePattern(text: string): Uint8Array {
  const digits = text.replace(/[\s,]|0x/gi, '');
  if (digits.length === 0 || digits.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(digits)) {
    throw new LabError('bad-request', `search pattern must be hex bytes like "de ad be ef", not ${JSON.stringify(text)}`);
  }
  if (digits.length / 2 > MAX_PATTERN) throw new LabError('bad-request', `search pattern is longer than ${MAX_PATTERN} bytes`);
  return Uint8Array.from(digits.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

export function searchMemory(ctx: InspectContext, target: ReadTarget, from: number, length: number, pattern: Uint8Array): SearchResult {
  checkRange(from, length, MAX_SEARCH);
  const found = target.viewpoint === 'host' || target.viewpoint === 'vmm'
    ? searchRam(ctx, target, from, from + length, pattern)
    : searchChunks(ctx, target, from, from + length, pattern);
  return found === null ? { address: null, scanned: length } : { address: found, scanned: found - from };
}

function searchRam(ctx: InspectContext, target: ReadTarget, from: number, end: number, pattern: Uint8Array): number | null {
  const start = Math.max(from, ctx.ramBase);
  const stop = Math.min(end, ctx.ramBase + ctx.ramSize);
  if (stop - start < pattern.length) return null;
  const ram = Buffer.from(ctx.host.board.ram.buffer);
  let index = ram.indexOf(pattern, start - ctx.ramBase);
  while (index >= 0 && ctx.ramBase + index + pattern.length <= stop) {
    const address = ctx.ramBase + index;
    // As the VMM, a match counts only inside frames EPT-x lets it read.
    if (target.viewpoint === 'host' || readable(readRegion(ctx, target, address, pattern.length).spans)) return address;
    index = ram.indexOf(pattern, index + 1);
  }
  return null;
}

function searchChunks(ctx: InspectContext, target: ReadTarget, from: number, end: number, pattern: Uint8Array): number | null {
  const step = MAX_READ - pattern.length;
  for (let at = from; at < end; at += step) {
    const size = Math.min(MAX_READ, end - at);
    if (size < pattern.length) break;
    const { bytes, spans } = readRegion(ctx, target, at, size);
    if (spans.every((s) => s.access !== 'ok')) continue;
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let index = buffer.indexOf(pattern);
    while (index >= 0) {
      const address = at + index;
      if (readable(spans.filter((s) => overlaps(s, address, pattern.length)))) return address;
      index = buffer.indexOf(pattern, index + 1);
    }
  }
  return null;
}

const overlaps = (s: PageSpan, address: number, length: number): boolean => s.address < address + length && s.address + s.length > address;

function readable(spans: readonly PageSpan[]): boolean {
  return spans.every((s) => s.access === 'ok');
}
