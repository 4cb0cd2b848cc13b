// Test fixture: a manufacturer CA and TPMs made from fixed seeds, with a settable virtual clock.
import { ManufacturerCa } from '../../../core/hw/tpm/manufacturer-ca';
import { Tpm } from '../../../core/hw/tpm/tpm';
import { SeededRandom } from '../../../core/hw/seeded-random';

export interface TpmFixture {
  readonly ca: ManufacturerCa;
  readonly tpm: Tpm;
  readonly clock: { ticks: number; now(): number };
}

export function makeTpm(seed = 'tpm-test', ca?: ManufacturerCa): TpmFixture {
  const root = SeededRandom.fromSeed(seed);
  const theCa = ca ?? new ManufacturerCa(root.fork('manufacturer'));
  const clock = {
    ticks: 0,
    now(): number {
      return this.ticks;
    },
  };
  return { ca: theCa, tpm: Tpm.manufacture(root.fork('tpm'), theCa, clock), clock };
}
