// Two VMM hosts run side by side as one machine (issue 9: "side-by-side sessions of both"): the
// same guests from the same seed on a bare host and on a host under CloudVisor. Consoles carry the
// host's name ('bare:dom1', 'protected:xl'); each slice gives both hosts the same instruction
// budget, so their virtual clocks advance together with the guest instructions they retire.
import type { HostMode } from '../protocol';
import type { Machine, MachineDescription, RunSlice } from '../machine';
import { VmmMachine, type VmmMachineConfig } from './vmm-machine';
import type { VmmHost } from './vmm-host';

export type SideBySideConfig = Omit<VmmMachineConfig, 'mode' | 'consolePrefix'>;

export class SideBySideMachine implements Machine {
  readonly description: MachineDescription;

  private constructor(private readonly machines: ReadonlyMap<HostMode, VmmMachine>) {
    const all = [...machines.values()];
    const first = all[0];
    if (!first) throw new Error('a side-by-side machine needs hosts');
    this.description = {
      machine: `bare and protected hosts side by side: ${[...machines.keys()].join(' | ')}`,
      harts: first.description.harts,
      ramBytes: first.description.ramBytes,
      devices: first.description.devices,
      consoles: all.flatMap((m) => m.description.consoles),
    };
  }

  static async create(config: SideBySideConfig): Promise<SideBySideMachine> {
    const bare = await VmmMachine.create({ ...config, mode: 'bare', consolePrefix: 'bare:' });
    const guarded = await VmmMachine.create({ ...config, mode: 'protected', consolePrefix: 'protected:' });
    return new SideBySideMachine(new Map<HostMode, VmmMachine>([['bare', bare], ['protected', guarded]]));
  }

  get vmmHosts(): ReadonlyMap<HostMode, VmmHost> {
    return new Map([...this.machines].map(([mode, m]) => [mode, m.vmmHost]));
  }

  consoleOf(host: HostMode, domain: number): string | null {
    return this.machines.get(host)?.consoleOf(host, domain) ?? null;
  }

  get instructions(): number {
    let sum = 0;
    for (const m of this.machines.values()) sum += m.instructions;
    return sum;
  }

  /** The slower clock: both hosts have reached at least this time. */
  get virtualTime(): number {
    return Math.min(...[...this.machines.values()].map((m) => m.virtualTime));
  }

  reset(): void {
    for (const m of this.machines.values()) m.reset();
  }

  /** Both hosts built afresh from the seed (VmmMachine.rebuild), for a session replay. */
  async rebuild(): Promise<void> {
    for (const m of this.machines.values()) await m.rebuild();
  }

  run(budget: number): RunSlice {
    const share = Math.max(1, Math.floor(budget / this.machines.size));
    let retired = 0;
    for (const m of this.machines.values()) retired += m.run(share).retired;
    return { retired, halted: false };
  }

  consoleInput(console: string, data: Uint8Array): number {
    for (const m of this.machines.values()) {
      if (m.description.consoles.includes(console)) return m.consoleInput(console, data);
    }
    return 0;
  }

  onConsoleOutput(listener: (console: string, data: Uint8Array) => void): () => void {
    const stops = [...this.machines.values()].map((m) => m.onConsoleOutput(listener));
    return () => stops.forEach((stop) => stop());
  }
}
