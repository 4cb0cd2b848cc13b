// A digest of one VMM host's deterministic state: what a saved session is checked against after
// its replay. SHA-256 over RAM, every hart (registers, CSRs, pc, counters), the scheduler's time
// and instruction count, the devices' saved states (ACLINT, UARTs, PLIC, IOMMU, host disk and its
// contents, TPM), the random streams and the board's exit state, all as core/hw/snapshot saves
// them. The VMM's engine heap is not in it (it cannot be read out); what the VMM did to the
// machine is. Zero pages of RAM are skipped with their positions hashed, so digesting a mostly
// idle 128 MiB costs a scan, not a hash of every byte.
import { createHash, type Hash } from 'node:crypto';
import { saveAclintState } from '../../hw/snapshot/aclint-state';
import { saveHartState } from '../../hw/snapshot/hart-state';
import { saveUartState } from '../../hw/snapshot/uart-state';
import type { HostBoard } from '../../hw/host-board';

const PAGE_WORDS = 1024;
const DISK_CHUNK_SECTORS = 2048;

/** Feeds a saved state into the hash in one canonical form: typed, length-prefixed, keys sorted. */
function feed(hash: Hash, value: unknown): void {
  if (value === null || value === undefined) {
    hash.update('n');
  } else if (typeof value === 'number') {
    hash.update(`d${Object.is(value, -0) ? '-0' : String(value)};`);
  } else if (typeof value === 'boolean') {
    hash.update(value ? 't' : 'f');
  } else if (typeof value === 'string') {
    hash.update(`s${value.length}:`);
    hash.update(value);
  } else if (typeof value === 'bigint') {
    hash.update(`b${value.toString(16)};`);
  } else if (ArrayBuffer.isView(value)) {
    hash.update(`v${value.constructor.name}${value.byteLength}:`);
    hash.update(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  } else if (value instanceof Set) {
    feed(hash, [...value]);
  } else if (value instanceof Map) {
    hash.update(`m${value.size}:`);
    for (const [k, v] of value) {
      feed(hash, k);
      feed(hash, v);
    }
  } else if (Array.isArray(value)) {
    hash.update(`a${value.length}:`);
    for (const item of value) feed(hash, item);
  } else if (typeof value === 'object') {
    const keys = Object.keys(value).sort();
    hash.update(`o${keys.length}:`);
    for (const k of keys) {
      feed(hash, k);
      feed(hash, (value as Record<string, unknown>)[k]);
    }
  } else {
    throw new Error(`host digest: cannot hash a ${typeof value}`);
  }
}

/** RAM as runs of pages holding a non-zero byte, each run with its first page and length. */
function feedRam(hash: Hash, ram: Uint8Array): void {
  const words = new Int32Array(ram.buffer, ram.byteOffset, ram.byteLength >> 2);
  const pages = words.length / PAGE_WORDS;
  hash.update(`ram${ram.byteLength}:`);
  let runStart = -1;
  for (let p = 0; p <= pages; p++) {
    let used = false;
    if (p < pages) {
      for (let i = p * PAGE_WORDS, end = i + PAGE_WORDS; i < end; i++) {
        if (words[i] !== 0) {
          used = true;
          break;
        }
      }
    }
    if (used && runStart < 0) runStart = p;
    else if (!used && runStart >= 0) {
      // Hashed in place: a copy would cost more than the hash (every page of it newly mapped).
      hash.update(`r${runStart},${p - runStart};`);
      hash.update(ram.subarray(runStart * PAGE_WORDS * 4, p * PAGE_WORDS * 4));
      runStart = -1;
    }
  }
}

/** 'sha256:<hex>' of the board's deterministic state (see the file comment). */
export function hostDigest(board: HostBoard): string {
  const hash = createHash('sha256');
  feedRam(hash, board.ram.u8);
  feed(hash, {
    harts: board.harts.map(saveHartState),
    scheduler: board.scheduler.saveState(),
    aclint: saveAclintState(board.aclint, board.harts.length),
    uart: saveUartState(board.uart),
    monitorUart: saveUartState(board.monitorUart),
    plic: board.plic.saveState(),
    iommu: board.iommu.saveState(),
    hostDisk: board.hostDisk?.saveState() ?? null,
    tpm: board.tpm.saveState(),
    random: board.random.saveState(),
    tpmRandom: board.tpmRandom.saveState(),
    exit: board.exit,
    failure: board.failure,
    resets: board.resets,
  });
  const disk = board.diskBacking;
  if (disk !== null) {
    hash.update(`disk${disk.sectorCount}:`);
    for (let s = 0; s < disk.sectorCount; s += DISK_CHUNK_SECTORS) hash.update(disk.read(s, Math.min(DISK_CHUNK_SECTORS, disk.sectorCount - s)));
  }
  return `sha256:${hash.digest('hex')}`;
}
