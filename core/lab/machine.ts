// What the lab host drives: one emulated machine, run in instruction budgets so the host's
// worker can answer requests between slices. The real board implements it; so does the demo.
import type { VmmHost } from './host/vmm-host';
import type { DeviceInfo, HostMode } from './protocol';

export interface MachineDescription {
  readonly machine: string;
  readonly harts: number;
  readonly ramBytes: number;
  readonly devices: readonly DeviceInfo[];
  readonly consoles: readonly string[];
}

export interface RunSlice {
  /** Instructions retired during this slice. */
  readonly retired: number;
  /** The machine stopped for good (powered off, test finisher, fatal error) during the slice. */
  readonly halted: boolean;
  readonly exitCode?: number;
}

export interface Machine {
  readonly description: MachineDescription;
  readonly instructions: number;
  readonly virtualTime: number;
  reset(): void;
  run(budget: number): RunSlice;
  /** Queues input bytes on a console; returns how many were accepted. */
  consoleInput(console: string, data: Uint8Array): number;
  onConsoleOutput(listener: (console: string, data: Uint8Array) => void): () => void;
  /**
   * The VMM hosts this machine runs, by mode (a bare one, a protected one, or both side by side):
   * what patches, attestation and performance sampling work on. Absent for machines without a VMM.
   */
  readonly vmmHosts?: ReadonlyMap<HostMode, VmmHost>;
  /** The console a domain of one of those hosts prints on (its slot, kept across resets); null if none. */
  consoleOf?(host: HostMode, domain: number): string | null;
}
