// Which machine a host worker builds. Plain data: it crosses into the worker as workerData.
import type { GuestConfig } from './host/vmm-machine';

export type MachineConfig =
  | { readonly kind: 'demo' }
  | {
      readonly kind: 'bare';
      readonly harts: number;
      readonly ramMiB: number;
      readonly guests: readonly GuestConfig[];
      /** The VMM alone, under CloudVisor, or one host of each side by side (default 'bare'). */
      readonly mode?: 'bare' | 'protected' | 'both';
    };

export interface HostWorkerData {
  readonly seed: string;
  readonly machine: MachineConfig;
  readonly autoStart: boolean;
}

/** Two labOS guests with a 4 MiB disk each on a two-hart host (bare unless `mode` says otherwise): what a session starts with. */
export function defaultBareConfig(guests = 2, mode: 'bare' | 'protected' | 'both' = 'bare'): MachineConfig {
  return {
    kind: 'bare',
    mode,
    harts: 2,
    ramMiB: 128,
    guests: Array.from({ length: guests }, (_, i) => ({ name: `vm${i + 1}`, image: 'labos', memoryMiB: 32, vcpus: 1, diskMiB: 4 })),
  };
}
