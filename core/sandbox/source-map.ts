// Source Map v3 decoding (mappings VLQ) and position lookup, enough to map QuickJS stack frames
// back to TypeScript line:column. Lines and columns at this API are 1-based, as in stack traces
// and editors; the map's own 0-based numbers never leak out.

export interface RawSourceMap {
  readonly version: number;
  readonly sources: readonly string[];
  readonly mappings: string;
  readonly sourceRoot?: string;
  readonly sourcesContent?: readonly (string | null)[];
  readonly file?: string;
}

export interface OriginalPosition {
  readonly source: string;
  readonly line: number;
  readonly column: number;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64.length; i++) DIGIT[BASE64.charCodeAt(i)] = i;

/** Decodes one segment's VLQ fields into `out`; returns how many fields it had. */
function decodeSegment(text: string, out: number[]): number {
  let count = 0;
  let value = 0;
  let shift = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = DIGIT[text.charCodeAt(i)] ?? -1;
    if (digit < 0) throw new Error(`source map: invalid mapping character '${text[i] ?? ''}'`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    out[count++] = value & 1 ? -(value >>> 1) : value >>> 1;
    value = 0;
    shift = 0;
  }
  return count;
}

/** Parses a map (JSON text or object) and answers generated -> original position queries. */
export class SourceMapper {
  /** Per generated line: flat [genCol, srcIndex, srcLine, srcCol] quadruples sorted by genCol. */
  private readonly lines: Int32Array[] = [];
  private readonly sources: string[];

  constructor(map: RawSourceMap | string) {
    const raw = typeof map === 'string' ? SourceMapper.parse(map) : map;
    if (raw.version !== 3) throw new Error(`source map: version ${String(raw.version)} is not supported`);
    const root = raw.sourceRoot ?? '';
    this.sources = raw.sources.map((s) => (root && !root.endsWith('/') ? `${root}/${s}` : root + s));
    const fields: number[] = [0, 0, 0, 0, 0];
    let src = 0;
    let srcLine = 0;
    let srcCol = 0;
    for (const line of raw.mappings.split(';')) {
      const segments: number[] = [];
      let genCol = 0;
      for (const segment of line.split(',')) {
        if (segment === '') continue;
        const n = decodeSegment(segment, fields);
        genCol += fields[0] ?? 0;
        if (n < 4) continue;
        src += fields[1] ?? 0;
        srcLine += fields[2] ?? 0;
        srcCol += fields[3] ?? 0;
        segments.push(genCol, src, srcLine, srcCol);
      }
      this.lines.push(Int32Array.from(segments));
    }
  }

  private static parse(text: string): RawSourceMap {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) throw new Error('source map: not a JSON object');
    const o = value as Record<string, unknown>;
    if (!Array.isArray(o['sources']) || typeof o['mappings'] !== 'string') {
      throw new Error('source map: sources and mappings are required');
    }
    return value as RawSourceMap;
  }

  /** The original position of generated `line`:`column` (1-based), or undefined if unmapped. */
  originalPosition(line: number, column: number): OriginalPosition | undefined {
    const segs = this.lines[line - 1];
    if (segs === undefined || segs.length === 0) return undefined;
    const col = column - 1;
    let best = 0;
    for (let i = 0; i < segs.length; i += 4) {
      if ((segs[i] ?? 0) > col) break;
      best = i;
    }
    const source = this.sources[segs[best + 1] ?? -1];
    if (source === undefined) return undefined;
    return { source, line: (segs[best + 2] ?? 0) + 1, column: (segs[best + 3] ?? 0) + 1 };
  }
}
