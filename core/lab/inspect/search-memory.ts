// Byte search in one viewpoint: reads the space in chunks (each overlapping the next by the
// pattern's length, so a match across a chunk border is found) and accepts only matches lying
// wholly in readable spans: the zeros shown for refused or unmapped pages never match.
import { LabError } from '../protocol';
import type { InspectContext } from './inspect-context';
import type { MemoryView, SearchResult } from './inspect-types';
import { MAX_READ, checkRange, readMemory, type ReadTarget } from './memory-view';

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
  const end = from + length;
  const step = MAX_READ - pattern.length;
  for (let at = from; at < end; at += step) {
    const size = Math.min(MAX_READ, end - at);
    if (size < pattern.length) break;
    const view = readMemory(ctx, target, at, size);
    const found = findReadable(view, pattern);
    if (found !== null) return { address: found, scanned: found - from };
  }
  return { address: null, scanned: length };
}

function findReadable(view: MemoryView, pattern: Uint8Array): number | null {
  const bytes = Buffer.from(view.bytes, 'base64');
  let index = bytes.indexOf(pattern);
  while (index >= 0) {
    const address = view.address + index;
    if (readable(view, address, pattern.length)) return address;
    index = bytes.indexOf(pattern, index + 1);
  }
  return null;
}

function readable(view: MemoryView, address: number, length: number): boolean {
  return view.spans.every(
    (s) => s.access === 'ok' || s.address + s.length <= address || s.address >= address + length,
  );
}
