// Which machine a host worker builds. Plain data: it crosses into the worker as workerData.

export type MachineConfig = { readonly kind: 'demo' };

export interface HostWorkerData {
  readonly seed: string;
  readonly machine: MachineConfig;
  readonly autoStart: boolean;
}
