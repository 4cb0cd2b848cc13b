// CloudVisor's disk protection, bare versus protected in one run: labOS `bench disk` (sequential
// and random 4 KiB writes and verified reads) on a guest of each mode, alternating, timed in this
// process's CPU seconds (the guest's own KiB/s figure is in virtual time, which the monitor's
// host-side crypto does not advance); then the monitor's per-sector work on its own (encrypt, leaf
// and tree update on a write; path check and decrypt on a read).
import { MemoryDiskBacking } from '../../core/hw/devices/disk-backing';
import { SectorTree, sectorLeaf } from '../../core/cloudvisor/sector-tree';
import { SECTOR_BYTES, XtsCipher } from '../../core/cloudvisor/xts-cipher';
import { GuestSession } from '../../core/lab/host/guest-session';
import { loadGuestImage } from '../../core/lab/host/guest-images';
import { VmmHost } from '../../core/lab/host/vmm-host';
import type { Bench } from './report';

const BUDGET = 4_000_000_000;
const BLOCKS = 64;
const ROUNDS = 3;
const PAGE_SECTORS = 8;

interface Guest {
  readonly host: VmmHost;
  readonly session: GuestSession;
}

async function bootGuest(mode: 'bare' | 'protected'): Promise<Guest> {
  const host = await VmmHost.create({ seed: 'bench-disk', mode, disk: new MemoryDiskBacking(16 << 20) });
  const session = new GuestSession(host);
  host.putFile('labos.elf', loadGuestImage('labos'));
  if (!host.toolstack('create name=bench kernel=labos.elf memory=32 disk=vol=bench,size=8M,access=rw').ok) throw new Error('no guest');
  if (!session.waitFor(1, 'labos> ', BUDGET)) throw new Error(`labOS did not boot (${mode})`);
  return { host, session };
}

function timeBench(guest: Guest): { seconds: number; kibPerSecond: number } {
  const before = guest.session.output(1).length;
  const started = process.cpuUsage();
  if (!guest.session.type(1, `bench disk ${BLOCKS}`, BUDGET)) throw new Error('bench disk did not finish');
  const used = process.cpuUsage(started);
  const m = /BENCH disk KiB\/s (\d+)/.exec(guest.session.output(1).slice(before));
  if (!m) throw new Error('bench disk printed no result');
  return { seconds: (used.user + used.system) / 1e6, kibPerSecond: Number(m[1]) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Microseconds per 512-byte sector of the monitor's own work, over 4 KiB requests. */
function cryptoCost(): { write: number; read: number } {
  const xts = new XtsCipher(new Uint8Array(32).map((_, i) => i + 1));
  const tree = new SectorTree();
  const page = new Uint8Array(PAGE_SECTORS * SECTOR_BYTES).fill(0x5a);
  const requests = 2000;
  let started = process.hrtime.bigint();
  for (let r = 0; r < requests; r++) {
    const first = (r * PAGE_SECTORS) % 65_536;
    const ct = xts.encrypt(first, page);
    tree.updateMany(Array.from({ length: PAGE_SECTORS }, (_, s) => [first + s, sectorLeaf(first + s, 1, ct.subarray(s * SECTOR_BYTES, (s + 1) * SECTOR_BYTES))] as const));
  }
  const write = Number(process.hrtime.bigint() - started) / 1e3 / (requests * PAGE_SECTORS);
  const ct = xts.encrypt(0, page);
  started = process.hrtime.bigint();
  for (let r = 0; r < requests; r++) {
    for (let s = 0; s < PAGE_SECTORS; s++) tree.holds(s, sectorLeaf(s, 1, ct.subarray(s * SECTOR_BYTES, (s + 1) * SECTOR_BYTES)));
    xts.decrypt(0, ct);
  }
  const read = Number(process.hrtime.bigint() - started) / 1e3 / (requests * PAGE_SECTORS);
  return { write, read };
}

export const diskCrypto: Bench = async () => {
  const guests = { bare: await bootGuest('bare'), protected: await bootGuest('protected') };
  try {
    const times = { bare: [] as number[], protected: [] as number[] };
    const rates = { bare: [] as number[], protected: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      for (const mode of i % 2 === 0 ? (['bare', 'protected'] as const) : (['protected', 'bare'] as const)) {
        const run = timeBench(guests[mode]);
        times[mode].push(run.seconds);
        rates[mode].push(run.kibPerSecond);
      }
    }
    const bare = median(times.bare);
    const guarded = median(times.protected);
    const cost = cryptoCost();
    return {
      name: 'disk protection',
      lines: [
        `labOS bench disk ${BLOCKS} (${4 * BLOCKS * 4} KiB moved), median of ${ROUNDS} alternating runs (CPU time)`,
        `bare ${bare.toFixed(3)} s, protected ${guarded.toFixed(3)} s: protected / bare ${(guarded / bare).toFixed(2)}x` +
          `   (guest-reported, virtual time: ${median(rates.bare)} vs ${median(rates.protected)} KiB/s)`,
        `monitor per 512-byte sector: write ${cost.write.toFixed(1)} us (XTS + leaf + tree update, 4 KiB requests), read ${cost.read.toFixed(1)} us (leaf check + XTS)`,
      ],
      metrics: {
        diskBareSeconds: bare,
        diskProtectedSeconds: guarded,
        diskProtectedOverBare: guarded / bare,
        diskBareGuestKiBps: median(rates.bare),
        diskProtectedGuestKiBps: median(rates.protected),
        sectorWriteMicros: cost.write,
        sectorReadMicros: cost.read,
      },
    };
  } finally {
    guests.bare.host.dispose();
    guests.protected.host.dispose();
  }
};
