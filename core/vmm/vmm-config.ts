// The VMM's boot configuration from the host (vmmInit): harts, the RAM it owns, what it must
// leave alone at the bottom of RAM, scheduling and I/O parameters. Validated once, as outside data.
import { PAGE_SIZE } from '../spec/riscv-priv';

export interface VmmConfig {
  readonly harts: number;
  readonly ramBase: number;
  readonly ramSize: number;
  /** Bytes at ramBase the VMM must not allocate (firmware, monitor, its own image). */
  readonly vmmReservedBytes: number;
  readonly seed: number;
  /** Host quanta a vCPU keeps a hart before round robin moves on (default 1). */
  readonly sliceQuanta: number;
  /** Who moves pc past a handled ECALL/MMIO/WFI: the Hyp (the monitor's rule, default) or the VMM. */
  readonly pcAdvance: 'hyp' | 'vmm';
  /** 64 KiB bounce buffers for the host disk (default 8). */
  readonly bounceSlots: number;
  /** The host vouches that the VMM's RAM is all zeroes at boot (fresh machine): skip first wipes. */
  readonly ramZeroed: boolean;
}

export type VmmConfigInput = Partial<VmmConfig> & Pick<VmmConfig, 'harts' | 'ramBase' | 'ramSize'>;

function int(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new Error(`vmm config: ${what} must be an integer in ${min}..${max}, got ${String(v)}`);
  return v;
}

function bool(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') throw new Error(`vmm config: ${what} must be true or false, got ${String(v)}`);
  return v;
}

export function validateVmmConfig(raw: unknown): VmmConfig {
  if (typeof raw !== 'object' || raw === null) throw new Error('vmm config must be an object');
  const r = raw as Record<string, unknown>;
  const ramBase = int(r['ramBase'], 'ramBase', 0, 2 ** 34 - PAGE_SIZE);
  const ramSize = int(r['ramSize'], 'ramSize', PAGE_SIZE, 2 ** 32);
  const vmmReservedBytes = int(r['vmmReservedBytes'] ?? 0, 'vmmReservedBytes', 0, ramSize - PAGE_SIZE);
  if (ramBase % PAGE_SIZE !== 0 || ramSize % PAGE_SIZE !== 0 || vmmReservedBytes % PAGE_SIZE !== 0) {
    throw new Error('vmm config: ramBase, ramSize and vmmReservedBytes must be multiples of 4 KiB');
  }
  const pcAdvance = r['pcAdvance'] ?? 'hyp';
  if (pcAdvance !== 'hyp' && pcAdvance !== 'vmm') throw new Error("vmm config: pcAdvance must be 'hyp' or 'vmm'");
  return {
    harts: int(r['harts'], 'harts', 1, 32),
    ramBase,
    ramSize,
    vmmReservedBytes,
    seed: int(r['seed'] ?? 0, 'seed', -(2 ** 31), 2 ** 32 - 1),
    sliceQuanta: int(r['sliceQuanta'] ?? 1, 'sliceQuanta', 1, 1000),
    pcAdvance,
    bounceSlots: int(r['bounceSlots'] ?? 8, 'bounceSlots', 1, 64),
    ramZeroed: bool(r['ramZeroed'] ?? false, 'ramZeroed'),
  };
}
