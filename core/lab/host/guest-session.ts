// Drives a VmmHost the way the CLI, the scenarios and the tests do: create guests, wait for a
// guest's console to show something, type commands and wait for the prompt to come back, and
// collect everything that happened (consoles, VMM events, exfiltrated bytes, failures).
import type { MonitorEvent } from '../../cloudvisor/monitor-events';
import { loadGuestImage, type GuestImageName } from './guest-images';
import { describePatchFault } from './patch-loader';
import type { VmmHost } from './vmm-host';

export const LABOS_PROMPT = 'labos> ';

export interface Exfiltration {
  readonly label: string;
  readonly bytes: Uint8Array;
}

export class GuestSession {
  readonly consoles = new Map<number, string>();
  readonly hostConsole: string[] = [];
  readonly events: unknown[] = [];
  readonly exfiltrated: Exfiltration[] = [];
  readonly failures: string[] = [];
  readonly logs: string[] = [];
  /** CloudVisor's decisions (protected mode only). */
  readonly monitorEvents: MonitorEvent[] = [];

  constructor(readonly host: VmmHost) {
    host.onEvent((e) => {
      switch (e.kind) {
        case 'guest-output':
          this.consoles.set(e.domain, (this.consoles.get(e.domain) ?? '') + Buffer.from(e.bytes).toString('latin1'));
          break;
        case 'host-console':
          this.hostConsole.push(Buffer.from(e.bytes).toString('latin1'));
          break;
        case 'exfiltrated':
          this.exfiltrated.push({ label: e.label, bytes: e.bytes });
          break;
        case 'vmm-event':
          this.events.push(e.event);
          break;
        case 'vmm-log':
          this.logs.push(e.text);
          break;
        case 'vmm-failed':
          this.failures.push(e.reason);
          break;
        case 'patch-fault':
          this.failures.push(describePatchFault(e.fault));
          break;
        case 'monitor':
          this.monitorEvents.push(e.event);
          break;
      }
    });
  }

  /** Creates a guest from a shipped image; returns its domain id. */
  createGuest(name: string, image: GuestImageName, memoryMiB: number, vcpus = 1): number {
    this.host.putFile(`${image}.elf`, loadGuestImage(image));
    const result = this.host.toolstack(`create name=${name} kernel=${image}.elf memory=${memoryMiB} vcpus=${vcpus}`);
    const id = /created domain (\d+)/.exec(result.output)?.[1];
    if (!result.ok || id === undefined) throw new Error(`creating ${name} failed: ${result.output}`);
    return Number(id);
  }

  output(domain: number): string {
    return this.consoles.get(domain) ?? '';
  }

  /**
   * Runs until `test` holds or `budget` instructions have passed; true when it held.
   */
  runUntil(test: () => boolean, budget: number): boolean {
    const start = this.host.instructions;
    const clock = this.host.board.clock;
    // Budget in instructions, and the same amount of virtual time (1 GHz nominal: 100 per tick),
    // so guests that only idle cannot keep the loop alive.
    const deadline = clock.now() + Math.ceil(budget / 100);
    while (!test()) {
      if (this.host.failed !== null || this.host.instructions - start >= budget || clock.now() >= deadline) return test();
      const before = clock.now();
      // Nothing retired and time stood still: every hart waits for something that never comes.
      if (this.host.run(1_000_000) === 0 && (!this.host.canProgress() || clock.now() === before)) return test();
    }
    return true;
  }

  /** Waits for `text` in a guest console after position `from`. */
  waitFor(domain: number, text: string | RegExp, budget: number, from = 0): boolean {
    const matches = (): boolean => {
      const out = this.output(domain).slice(from);
      return typeof text === 'string' ? out.includes(text) : text.test(out);
    };
    return this.runUntil(matches, budget);
  }

  /** Types one command line and waits for the prompt to return; true when it did. */
  type(domain: number, line: string, budget: number): boolean {
    const from = this.output(domain).length;
    this.host.consoleInput(domain, new TextEncoder().encode(`${line}\r`));
    return this.waitFor(domain, LABOS_PROMPT, budget, from + line.length);
  }
}
