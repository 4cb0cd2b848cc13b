// The `--machine`, `--guests` and `--harts` options shared by the commands that start a host.
import { UsageError } from '../cli-command';
import { isGuestImageName } from '../host/guest-images';
import { defaultBareConfig, type MachineConfig } from '../machine-config';

export const MACHINE_USAGE = '[--machine bare|demo] [--mode bare|protected|both] [--guests labos[,labos...]] [--harts N]';

/** `defaultMode` is what a command runs without --mode (serve: both hosts, as the desktop app). */
export function machineConfigFrom(
  values: { machine?: string; mode?: string; guests?: string; harts?: string },
  defaultMode: 'bare' | 'protected' | 'both' = 'bare',
): MachineConfig {
  const kind = values.machine ?? 'bare';
  if (kind === 'demo') return { kind: 'demo' };
  if (kind !== 'bare') throw new UsageError(`--machine must be bare or demo, not '${kind}'`);
  const names = (values.guests ?? 'labos,labos').split(',').map((g) => g.trim());
  for (const name of names) if (!isGuestImageName(name)) throw new UsageError(`unknown guest image '${name}' (known: labos)`);
  if (names.length < 1 || names.length > 8) throw new UsageError('--guests takes 1 to 8 images');
  const base = defaultBareConfig(names.length);
  if (base.kind !== 'bare') return base;
  const harts = values.harts === undefined ? base.harts : Number(values.harts);
  if (!Number.isInteger(harts) || harts < 1 || harts > 8) throw new UsageError('--harts must be 1 to 8');
  const mode = values.mode ?? defaultMode;
  if (mode !== 'bare' && mode !== 'protected' && mode !== 'both') throw new UsageError(`--mode must be bare, protected or both, not '${mode}'`);
  return { ...base, harts, mode };
}

export const MACHINE_OPTIONS = {
  machine: { type: 'string' },
  mode: { type: 'string' },
  guests: { type: 'string' },
  harts: { type: 'string' },
} as const;
