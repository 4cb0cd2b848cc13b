// Random malicious-VMM sequences from a seed: the same seed and options give the same operations.
// Weights favour the attacks the design names (remaps, aliases, foreign reads, DMA, register
// tampering, forged entries) while leaving room for the VMM to keep scheduling the guests.
import { HVIP } from '../../spec/riscv-priv';
import type { FrameChoice, FuzzOp, FuzzOpKind } from './fuzz-op';
import { FuzzRandom } from './fuzz-random';

export interface GeneratorOptions {
  /** Guests on the host (operations name guests 0..guests-1). */
  readonly guests: number;
  /** Spawned vCPUs may join a running guest's VM (an attack on the entry rules). */
  readonly join: boolean;
  /** Operation kinds left out (e.g. 'rounds' where the harness schedules by itself). */
  readonly exclude?: readonly FuzzOpKind[];
}

const GUEST_RAM_BASE = 0x8000_0000;
const KERNEL_BASE = 0x8020_0000;
const REG_NAMES = [
  'pc', 'ra', 'sp', 'gp', 'tp', 'a0', 'a1', 'a2', 'a7', 's0', 't0', 'x5', 'x10', 'x11', 'x31',
  'vsstatus', 'vsepc', 'vstvec', 'vscause', 'vsatp', 'vsscratch', 'vsie', 'vsip',
];
const HVIP_BITS = [0, HVIP.VSSIP, HVIP.VSTIP, HVIP.VSEIP];

const WEIGHTS: readonly (readonly [number, FuzzOpKind])[] = [
  [14, 'map'],
  [8, 'fence'],
  [14, 'read'],
  [8, 'write'],
  [6, 'dma'],
  [10, 'set-regs'],
  [5, 'set-controls'],
  [6, 'peek-regs'],
  [4, 'spawn'],
  [6, 'run-spawned'],
  [2, 'destroy-spawned'],
  [1, 'destroy-guest'],
  [6, 'rounds'],
];

export function generateOps(seed: string, steps: number, options: GeneratorOptions): FuzzOp[] {
  const rng = new FuzzRandom(seed);
  const excluded = new Set(options.exclude ?? []);
  const table = WEIGHTS.filter(([, kind]) => !excluded.has(kind));
  const ops: FuzzOp[] = [];
  while (ops.length < steps) ops.push(generateOp(rng, rng.weighted(table), options));
  return ops;
}

function frame(rng: FuzzRandom, guests: number): FrameChoice {
  const guest = rng.below(guests);
  const page = rng.below(1 << 16);
  return rng.weighted<FrameChoice>([
    [5, { kind: 'guest', guest, page }],
    [3, { kind: 'guest-secret', guest }],
    [3, { kind: 'guest-table', guest, page }],
    [3, { kind: 'vmm', page }],
    [2, { kind: 'monitor', page }],
  ]);
}

function value(rng: FuzzRandom): number {
  return rng.weighted([
    [3, rng.next()],
    [2, 0],
    [2, KERNEL_BASE + rng.below(0x8000) * 4],
    [1, GUEST_RAM_BASE + rng.below(0x100_0000)],
  ]);
}

function regChanges(rng: FuzzRandom): Record<string, number> {
  const changes: Record<string, number> = {};
  const n = 1 + rng.below(3);
  for (let i = 0; i < n; i++) changes[rng.pick(REG_NAMES)] = value(rng);
  return changes;
}

function generateOp(rng: FuzzRandom, kind: FuzzOpKind, options: GeneratorOptions): FuzzOp {
  const guests = options.guests;
  const guest = rng.below(guests);
  switch (kind) {
    case 'map':
      return {
        op: 'map', guest, gpa: rng.chance(60) ? 'populated' : 'fresh', page: rng.below(1 << 16), target: frame(rng, guests),
        superpage: rng.chance(15),
      };
    case 'fence':
      return { op: 'fence', guest: rng.chance(70) ? guest : null };
    case 'read':
      return { op: 'read', target: frame(rng, guests), offset: rng.below(4096 / 4) * 4, length: rng.pick([4, 32, 512, 4096]) };
    case 'write':
      return { op: 'write', target: frame(rng, guests), offset: rng.below(4096 / 4) * 4, value: value(rng) };
    case 'dma':
      return {
        op: 'dma', direction: rng.chance(60) ? 'to-memory' : 'from-memory', target: frame(rng, guests),
        offset: rng.below(8) * 512, sector: rng.below(2048), count: rng.pick([1, 8]),
      };
    case 'set-regs':
      return { op: 'set-regs', guest, changes: regChanges(rng) };
    case 'set-controls':
      return { op: 'set-controls', guest, vmid: rng.chance(50) ? 1 + rng.below(127) : null, hvip: rng.chance(60) ? rng.pick(HVIP_BITS) : null };
    case 'peek-regs':
      return { op: 'peek-regs', guest };
    case 'spawn':
      return { op: 'spawn', table: guest, join: options.join && rng.chance(50), pc: value(rng), regs: regChanges(rng) };
    case 'run-spawned':
      return { op: 'run-spawned', index: rng.below(4) };
    case 'destroy-spawned':
      return { op: 'destroy-spawned', index: rng.below(4) };
    case 'destroy-guest':
      return { op: 'destroy-guest', guest };
    case 'rounds':
      return { op: 'rounds', count: 1 + rng.below(2) };
  }
}
