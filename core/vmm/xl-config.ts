// Domain configuration in xl.cfg syntax (a subset): `key = value` lines with "strings",
// numbers and [ "lists" ], '#' comments, plus `key=value` overrides from the command line.
// Keys: name, kernel, memory (MiB), vcpus, disk, rng, populate ("eager"|"lazy"), extra (bootargs).
// Disk specs are comma-separated key=value: vol=NAME (required), size=N[K|M|G], access=rw|ro,
// image=FILE (initial contents of a new volume). Invariant: a parsed config is fully validated.
import { isBareWord, isConfigKey, isDecimal, isHexLiteral, isName } from './chars';
import { GUEST_MAX_VCPUS, GUEST_RAM_MAX, GUEST_RAM_MIN, GUEST_VIRTIO_SLOTS } from './platform-map';
import type { DiskSpec, DomainConfig } from './patch-api';

export type { DiskSpec, DomainConfig } from './patch-api';

type Value = string | number | string[];


function parseValue(raw: string, where: string): Value {
  const t = raw.trim();
  if (t.startsWith('[')) {
    if (!t.endsWith(']')) throw new Error(`${where}: list is not closed with ']'`);
    const inner = t.slice(1, -1).trim();
    if (inner === '') return [];
    return splitList(inner, where).map((item) => {
      const v = parseValue(item, where);
      if (typeof v !== 'string') throw new Error(`${where}: list items must be strings`);
      return v;
    });
  }
  const q = t[0];
  if (q === '"' || q === "'") {
    if (t.length < 2 || t[t.length - 1] !== q) throw new Error(`${where}: unterminated string`);
    return t.slice(1, -1);
  }
  if (isHexLiteral(t) || isDecimal(t)) return Number(t);
  // Unquoted words are accepted on the command line (`xl create cfg memory=64 name=web`).
  if (isBareWord(t)) return t;
  throw new Error(`${where}: cannot parse value '${t}'`);
}

function splitList(inner: string, where: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  for (const ch of inner) {
    if (quote !== '') {
      cur += ch;
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur += ch;
    } else if (ch === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (quote !== '') throw new Error(`${where}: unterminated string in list`);
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

/** Parses config text and overrides into raw key/values. */
export function parseXlText(text: string, overrides: readonly string[]): Map<string, Value> {
  const values = new Map<string, Value>();
  const take = (line: string, where: string): void => {
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`${where}: expected 'key = value'`);
    const key = line.slice(0, eq).trim();
    if (!isConfigKey(key)) throw new Error(`${where}: bad key '${key}'`);
    values.set(key, parseValue(line.slice(eq + 1), `${where} (${key})`));
  };
  text.split('\n').forEach((raw, i) => {
    const line = stripComment(raw).trim();
    if (line !== '') take(line, `line ${i + 1}`);
  });
  overrides.forEach((o, i) => take(o, `override ${i + 1}`));
  return values;
}

function stripComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote !== '') {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#') return line.slice(0, i);
  }
  return line;
}

export function parseSize(text: string, where: string): number {
  const t = text.trim();
  const last = t.slice(-1).toUpperCase();
  const unit = last === 'K' ? 1024 : last === 'M' ? 1024 ** 2 : last === 'G' ? 1024 ** 3 : 1;
  const digits = unit === 1 ? t : t.slice(0, -1);
  if (!isDecimal(digits)) throw new Error(`${where}: size '${text}' is not N, NK, NM or NG`);
  return Number(digits) * unit;
}

export function parseDiskSpec(spec: string): DiskSpec {
  const fields = new Map<string, string>();
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`disk '${spec}': '${part}' is not key=value`);
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  for (const k of fields.keys()) if (!['vol', 'size', 'access', 'image'].includes(k)) throw new Error(`disk '${spec}': unknown key '${k}'`);
  const vol = fields.get('vol');
  if (vol === undefined || !isName(vol, 32)) throw new Error(`disk '${spec}': vol=NAME is required (letters, digits, . _ -)`);
  const size = fields.get('size');
  const bytes = size === undefined ? null : parseSize(size, `disk '${spec}'`);
  if (bytes !== null && (bytes === 0 || bytes % 512 !== 0)) throw new Error(`disk '${spec}': size must be a non-zero multiple of 512 bytes`);
  const access = fields.get('access') ?? 'rw';
  if (access !== 'rw' && access !== 'ro') throw new Error(`disk '${spec}': access must be rw or ro`);
  return { vol, sectors: bytes === null ? null : bytes / 512, readOnly: access === 'ro', image: fields.get('image') ?? null };
}

/** Validates raw values into a DomainConfig. */
export function toDomainConfig(values: Map<string, Value>): DomainConfig {
  const known = ['name', 'kernel', 'memory', 'vcpus', 'disk', 'rng', 'populate', 'extra'];
  for (const k of values.keys()) if (!known.includes(k)) throw new Error(`unknown config key '${k}' (known: ${known.join(', ')})`);
  const str = (k: string): string | undefined => {
    const v = values.get(k);
    if (v !== undefined && typeof v !== 'string') throw new Error(`${k} must be a string`);
    return v;
  };
  const num = (k: string, dflt: number): number => {
    const v = values.get(k) ?? dflt;
    const n = typeof v === 'string' && isDecimal(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) throw new Error(`${k} must be an integer`);
    return n;
  };
  const name = str('name');
  if (name === undefined || !isName(name, 32)) throw new Error('name = "..." is required (1-32 letters, digits, . _ -)');
  const kernel = str('kernel');
  if (kernel === undefined || kernel === '') throw new Error('kernel = "FILE" is required');
  const memoryBytes = num('memory', 64) * 1024 * 1024;
  if (memoryBytes < GUEST_RAM_MIN || memoryBytes > GUEST_RAM_MAX) throw new Error(`memory must be ${GUEST_RAM_MIN >> 20}..${GUEST_RAM_MAX >> 20} MiB`);
  const vcpus = num('vcpus', 1);
  if (vcpus < 1 || vcpus > GUEST_MAX_VCPUS) throw new Error(`vcpus must be 1..${GUEST_MAX_VCPUS}`);
  const rawDisks = values.get('disk') ?? [];
  const diskList = typeof rawDisks === 'string' ? [rawDisks] : rawDisks;
  if (!Array.isArray(diskList)) throw new Error('disk must be a list of strings');
  const disks = diskList.map(parseDiskSpec);
  const rng = num('rng', 0) !== 0;
  if (disks.length + (rng ? 1 : 0) > GUEST_VIRTIO_SLOTS) throw new Error(`at most ${GUEST_VIRTIO_SLOTS} virtio devices (disks + rng)`);
  if (new Set(disks.map((d) => d.vol)).size !== disks.length) throw new Error('a volume is listed twice');
  const populate = str('populate') ?? 'eager';
  if (populate !== 'eager' && populate !== 'lazy') throw new Error('populate must be "eager" or "lazy"');
  return { name, kernel, memoryBytes, vcpus, disks, rng, populate, bootargs: str('extra') ?? null };
}
