// The snapshot file: a versioned, deflate-compressed, checksummed image of the whole machine.
// Layout (little-endian): "CVLABSNP" magic, u32 format version, u32 header length, header JSON
// (board description, seed, scheduling, boot mode), u32 payload length, payload (deflate of:
// u32 state-JSON length, state JSON, sparse RAM image: ram-pages.ts), then SHA-256 of everything before it.
// Decoding checks magic, version, lengths, checksum and every state part before it builds anything.
import { createHash } from 'node:crypto';
import { deflateSync, inflateSync } from 'fflate';
import { validateBoardDescription, type BoardDescription } from '../board-description';
import { createMachine, type ElfMachine } from '../boot-elf';
import { MemoryDiskBacking, type DiskBacking } from '../devices/disk-backing';
import { applyMachine, captureMachine, type MachineState } from './machine-state';
import { packRam, unpackRam } from './ram-pages';

export const SNAPSHOT_MAGIC = 'CVLABSNP';
export const SNAPSHOT_VERSION = 1;
const DIGEST = 32;

export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
}

export interface SnapshotHeader {
  readonly description: BoardDescription;
  readonly seed: { readonly text: string } | { readonly base64: string };
  readonly instructionsPerTick: number;
  readonly quantum: number;
  readonly bootMode: 'bare' | 'sbi';
  /** Instructions retired when the snapshot was taken (for display). */
  readonly instructions: number;
}

type Tagged = { $t: 'u8' | 'i32' | 'f64'; b64: string };

function replacer(_key: string, v: unknown): unknown {
  if (v instanceof Uint8Array) return { $t: 'u8', b64: Buffer.from(v).toString('base64') } satisfies Tagged;
  if (v instanceof Int32Array)
    return {
      $t: 'i32',
      b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'),
    } satisfies Tagged;
  if (v instanceof Float64Array)
    return {
      $t: 'f64',
      b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'),
    } satisfies Tagged;
  return v;
}

function reviver(_key: string, v: unknown): unknown {
  if (typeof v !== 'object' || v === null || !('$t' in v) || !('b64' in v)) return v;
  const t = (v as Tagged).$t;
  const raw = Buffer.from(String((v as Tagged).b64), 'base64');
  const bytes = new Uint8Array(raw.length);
  bytes.set(raw);
  if (t === 'u8') return bytes;
  if (t === 'i32' && bytes.length % 4 === 0) return new Int32Array(bytes.buffer);
  if (t === 'f64' && bytes.length % 8 === 0) return new Float64Array(bytes.buffer);
  throw new SnapshotError(`snapshot: bad typed array ${String(t)}`);
}

function u32le(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

/** Serialises the whole machine. Reads only; the machine keeps running afterwards. */
export function encodeSnapshot(m: ElfMachine): Uint8Array {
  const b = m.board;
  const state = captureMachine(m);
  const header: SnapshotHeader = {
    description: b.description,
    seed: typeof b.seed === 'string' ? { text: b.seed } : { base64: Buffer.from(b.seed).toString('base64') },
    instructionsPerTick: b.scheduler.instructionsPerTick,
    quantum: b.scheduler.quantum,
    bootMode: m.boot.mode,
    instructions: b.instructions,
  };
  const { ram, ...rest } = state;
  const json = new TextEncoder().encode(JSON.stringify(rest, replacer));
  const payload = deflateSync(Buffer.concat([u32le(json.length), json, packRam(ram)]), { level: 1 });
  const head = new TextEncoder().encode(JSON.stringify(header));
  const body = Buffer.concat([
    new TextEncoder().encode(SNAPSHOT_MAGIC),
    u32le(SNAPSHOT_VERSION),
    u32le(head.length),
    head,
    u32le(payload.length),
    payload,
  ]);
  const digest = createHash('sha256').update(body).digest();
  return new Uint8Array(Buffer.concat([body, digest]));
}

export interface DecodedSnapshot {
  readonly header: SnapshotHeader;
  readonly state: MachineState;
}

function readU32(bytes: Uint8Array, at: number, what: string): number {
  if (at + 4 > bytes.length) throw new SnapshotError(`snapshot is truncated (no room for the ${what})`);
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at, true);
}

function parseJson(bytes: Uint8Array, what: string, revive: boolean): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes), revive ? reviver : undefined);
  } catch (e) {
    throw new SnapshotError(`snapshot ${what} is not valid JSON: ${(e as Error).message}`);
  }
}

function checkHeader(raw: unknown): SnapshotHeader {
  if (typeof raw !== 'object' || raw === null) throw new SnapshotError('snapshot header is not an object');
  const h = raw as Record<string, unknown>;
  const description = validateBoardDescription(h['description']);
  const seed = h['seed'] as Record<string, unknown> | undefined;
  if (
    typeof seed !== 'object' ||
    seed === null ||
    (typeof seed['text'] !== 'string' && typeof seed['base64'] !== 'string')
  )
    throw new SnapshotError('snapshot header: bad seed');
  if (
    typeof h['instructionsPerTick'] !== 'number' ||
    !Number.isInteger(h['quantum']) ||
    (h['bootMode'] !== 'bare' && h['bootMode'] !== 'sbi') ||
    typeof h['instructions'] !== 'number'
  )
    throw new SnapshotError('snapshot header: bad scheduling or boot mode');
  return { ...(h as unknown as SnapshotHeader), description };
}

/** Checks the container (magic, version, lengths, checksum) and decompresses the state. */
export function decodeSnapshot(bytes: Uint8Array): DecodedSnapshot {
  const magic = new TextEncoder().encode(SNAPSHOT_MAGIC);
  if (bytes.length < magic.length + 8 || !magic.every((c, i) => bytes[i] === c))
    throw new SnapshotError('not a CloudVisor Lab machine snapshot (bad magic)');
  const version = readU32(bytes, 8, 'version');
  if (version !== SNAPSHOT_VERSION)
    throw new SnapshotError(
      `snapshot format version ${version} is not supported (this build reads version ${SNAPSHOT_VERSION})`,
    );
  const headLen = readU32(bytes, 12, 'header length');
  const payloadLen = readU32(bytes, 16 + headLen, 'payload length');
  const end = 20 + headLen + payloadLen;
  if (bytes.length < end + DIGEST)
    throw new SnapshotError(`snapshot is truncated: ${bytes.length} bytes, ${end + DIGEST} expected`);
  if (bytes.length > end + DIGEST)
    throw new SnapshotError(`snapshot has ${bytes.length - end - DIGEST} trailing bytes`);
  const digest = createHash('sha256').update(bytes.subarray(0, end)).digest();
  if (!digest.equals(Buffer.from(bytes.subarray(end, end + DIGEST))))
    throw new SnapshotError('snapshot is corrupted (SHA-256 checksum mismatch)');
  const header = checkHeader(parseJson(bytes.subarray(16, 16 + headLen), 'header', false));
  let payload: Uint8Array;
  try {
    payload = inflateSync(bytes.subarray(20 + headLen, end));
  } catch (e) {
    throw new SnapshotError(`snapshot payload does not decompress: ${(e as Error).message}`);
  }
  const jsonLen = readU32(payload, 0, 'state length');
  if (4 + jsonLen > payload.length) throw new SnapshotError('snapshot payload is shorter than its state');
  const rest = parseJson(payload.subarray(4, 4 + jsonLen), 'state', true) as Omit<MachineState, 'ram'>;
  let ram: Uint8Array;
  try {
    ram = unpackRam(payload.subarray(4 + jsonLen), header.description.ram.size);
  } catch (e) {
    throw new SnapshotError((e as Error).message);
  }
  return { header, state: { ...rest, ram } };
}

export interface RestoreOptions {
  /** The disk file, for snapshots of machines with a file-backed host disk. */
  readonly disk?: DiskBacking;
}

/**
 * A new machine in the snapshot's state: the same board is rebuilt from the header, powered on,
 * and every part of the state loaded over it. Nothing running is touched; bad input throws.
 */
export function restoreSnapshot(bytes: Uint8Array, options: RestoreOptions = {}): ElfMachine {
  const { header, state } = decodeSnapshot(bytes);
  const hasDisk = header.description.devices.some((d) => d.kind === 'host-disk');
  let disk: DiskBacking | undefined = options.disk;
  if (state.memoryDisk !== null) disk = MemoryDiskBacking.loadState(state.memoryDisk);
  if (hasDisk && disk === undefined)
    throw new SnapshotError('snapshot: the machine had a file-backed host disk; pass it in options.disk');
  if (!(state.boot?.elf instanceof Uint8Array))
    throw new SnapshotError('snapshot: the boot image is missing');
  const seed =
    'text' in header.seed ? header.seed.text : new Uint8Array(Buffer.from(header.seed.base64, 'base64'));
  let machine: ElfMachine;
  try {
    machine = createMachine(
      { mode: header.bootMode, elf: state.boot.elf },
      {
        description: header.description,
        seed,
        instructionsPerTick: header.instructionsPerTick,
        quantum: header.quantum,
        ...(hasDisk && disk !== undefined ? { disk } : {}),
      },
    );
    applyMachine(machine, state);
  } catch (e) {
    if (e instanceof SnapshotError) throw e;
    throw new SnapshotError(`snapshot state is invalid: ${(e as Error).message}`);
  }
  return machine;
}
