// A bare VMM host as the lab host worker runs it (the Machine contract): one console for the
// toolstack ('xl', line-edited, one xl command per line) and one per guest ('dom1', 'dom2', ...).
// Guests are created when the machine starts; reset destroys and re-creates them from the same
// configuration (the host board keeps running, as after `xl destroy` + `xl create`).
import { MemoryDiskBacking } from '../../hw/devices/disk-backing';
import { SeededRandom } from '../../hw/seeded-random';
import { ManufacturerCa } from '../../hw/tpm/manufacturer-ca';
import type { Machine, MachineDescription, RunSlice } from '../machine';
import { loadGuestImage, type GuestImageName } from './guest-images';
import { VmmHost } from './vmm-host';

export interface GuestConfig {
  readonly name: string;
  readonly image: GuestImageName;
  readonly memoryMiB: number;
  readonly vcpus: number;
  /** A volume of this many MiB on the host disk, attached read-write as the guest's virtio-blk disk. */
  readonly diskMiB?: number;
}

export interface VmmMachineConfig {
  readonly seed: string;
  readonly harts: number;
  readonly ramMiB: number;
  readonly guests: readonly GuestConfig[];
  /** 'protected': CloudVisor under the VMM (default 'bare'). */
  readonly mode?: 'bare' | 'protected';
  /** Prefix of every console name ('bare:' gives 'bare:xl', 'bare:dom1'), for hosts side by side. */
  readonly consolePrefix?: string;
}

const PROMPT = 'xl> ';
const encoder = new TextEncoder();

export class VmmMachine implements Machine {
  readonly description: MachineDescription;
  private readonly listeners = new Set<(console: string, data: Uint8Array) => void>();
  private line = '';
  private domains: number[] = [];

  private constructor(
    private host: VmmHost,
    private readonly config: VmmMachineConfig,
  ) {
    const board = host.board;
    this.description = {
      machine: `${host.monitor ? 'protected host: Xen-like VMM under CloudVisor' : 'bare host: Xen-like VMM'} with ${config.guests.length} guest(s)`,
      harts: board.harts.length,
      ramBytes: board.ram.size,
      devices: board.description.devices.map((d) => ({ name: d.kind, base: d.base, size: d.size })),
      consoles: [this.xl, ...config.guests.map((_, i) => `${this.prefix}dom${i + 1}`)],
    };
    this.listen(host);
  }

  private listen(host: VmmHost): void {
    host.onEvent((event) => {
      // A rebuilt machine's old host is disposed; anything it still says is not this machine's.
      if (host !== this.host) return;
      // Consoles are named by guest slot: after a reset re-creates the guests, dom1 is still the first.
      if (event.kind === 'guest-output') this.print(`${this.prefix}dom${this.domains.indexOf(event.domain) + 1}`, event.bytes);
      else if (event.kind === 'host-console') this.print(this.xl, event.bytes);
      else if (event.kind === 'vmm-failed') this.print(this.xl, encoder.encode(`\r\n[host] ${event.reason}\r\n`));
      else if (event.kind === 'exfiltrated') this.print(this.xl, encoder.encode(`\r\n[lab] exfiltrated ${event.label}: ${event.bytes.length} bytes\r\n`));
    });
  }

  static async create(config: VmmMachineConfig): Promise<VmmMachine> {
    const machine = new VmmMachine(await VmmMachine.boot(config), config);
    machine.createGuests();
    return machine;
  }

  /** A host as at power-on: the VMM booted from the seed, the guest images in its file store. */
  private static async boot(config: VmmMachineConfig): Promise<VmmHost> {
    // The lab is the TPM vendor here: it keeps the CA so the attestation panel can verify quotes.
    const manufacturer = new ManufacturerCa(SeededRandom.fromSeed(config.seed, 'cloudvisor-lab tpm manufacturer'));
    // The host disk holds every guest's volume and 8 MiB to spare (for volumes made from the xl console).
    const volumesMiB = config.guests.reduce((sum, g) => sum + (g.diskMiB ?? 0), 0);
    const disk = volumesMiB > 0 ? { disk: new MemoryDiskBacking((volumesMiB + 8) * 1024 * 1024) } : {};
    const host = await VmmHost.create({ seed: config.seed, harts: config.harts, ramBytes: config.ramMiB * 1024 * 1024, manufacturer, mode: config.mode ?? 'bare', ...disk });
    for (const image of new Set(config.guests.map((g) => g.image))) host.putFile(`${image}.elf`, loadGuestImage(image));
    return host;
  }

  /**
   * Replaces the host with one built afresh from the same seed and configuration, guests created
   * as at start: unlike reset(), the board starts over too, so a session log replays from here.
   */
  async rebuild(): Promise<void> {
    const fresh = await VmmMachine.boot(this.config);
    const old = this.host;
    this.host = fresh;
    this.line = '';
    this.listen(fresh);
    old.dispose();
    this.createGuests();
  }

  private get prefix(): string {
    return this.config.consolePrefix ?? '';
  }

  private get xl(): string {
    return `${this.prefix}xl`;
  }

  get vmmHost(): VmmHost {
    return this.host;
  }

  get vmmHosts(): ReadonlyMap<'bare' | 'protected', VmmHost> {
    return new Map([[this.host.monitor === null ? 'bare' : 'protected', this.host]]);
  }

  /** The guest slot's console of `domain` ('dom1' for the first configured guest, whatever its id). */
  consoleOf(_host: string, domain: number): string | null {
    const slot = this.domains.indexOf(domain);
    return slot < 0 ? null : `${this.prefix}dom${slot + 1}`;
  }

  get instructions(): number {
    return this.host.instructions;
  }

  get virtualTime(): number {
    return this.host.board.clock.now();
  }

  reset(): void {
    for (const id of this.domains) this.host.toolstack(`destroy ${id}`);
    this.createGuests();
  }

  run(budget: number): RunSlice {
    const retired = this.host.run(budget);
    return { retired, halted: false };
  }

  consoleInput(console: string, data: Uint8Array): number {
    if (console === this.xl) return this.toolstackInput(data);
    const domain = this.description.consoles.indexOf(console);
    if (domain < 1) return 0;
    return this.host.consoleInput(this.domains[domain - 1] ?? -1, data);
  }

  onConsoleOutput(listener: (console: string, data: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private createGuests(): void {
    this.domains = this.config.guests.map((g) => {
      const disk = g.diskMiB === undefined ? '' : ` disk=vol=${g.name},size=${g.diskMiB}M,access=rw`;
      const result = this.host.toolstack(`create name=${g.name} kernel=${g.image}.elf memory=${g.memoryMiB} vcpus=${g.vcpus}${disk}`);
      this.print(this.xl, encoder.encode(`${result.output}\r\n`));
      const id = /created domain (\d+)/.exec(result.output)?.[1];
      return id === undefined ? -1 : Number(id);
    });
    this.print(this.xl, encoder.encode(PROMPT));
  }

  private toolstackInput(data: Uint8Array): number {
    for (const byte of data) {
      if (byte === 13 || byte === 10) {
        this.print(this.xl, encoder.encode('\r\n'));
        const command = this.line.trim();
        this.line = '';
        if (command !== '') {
          const { output } = this.host.toolstack(command);
          if (output !== '') this.print(this.xl, encoder.encode(`${output.replace(/\n/g, '\r\n')}\r\n`));
        }
        this.print(this.xl, encoder.encode(PROMPT));
      } else if (byte === 127 || byte === 8) {
        if (this.line.length > 0) {
          this.line = this.line.slice(0, -1);
          this.print(this.xl, encoder.encode('\b \b'));
        }
      } else if (byte >= 32 && byte < 127) {
        this.line += String.fromCharCode(byte);
        this.print(this.xl, Uint8Array.of(byte));
      }
    }
    return data.length;
  }

  private print(console: string, data: Uint8Array): void {
    for (const listener of this.listeners) listener(console, data);
  }
}
