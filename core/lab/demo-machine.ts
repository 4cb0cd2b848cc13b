// The host's stand-in until a board is configured: a deterministic source that "retires" a fixed
// number of instructions per tick of virtual time, prints a heartbeat on its console and echoes
// what is typed. It exercises the whole lab pipeline (worker, protocol, event batching,
// consoles) with predictable output; it emulates nothing and says so in its banner.
import type { Machine, MachineDescription, RunSlice } from './machine';

// The session runs the demo at up to 50M instructions per 10 ms slice: one line a few times a second.
const HEARTBEAT_EVERY = 1_000_000_000;
const TICKS_PER_INSTRUCTION = 0.01; // a 10 MHz timebase at 1 GIPS nominal

export class DemoMachine implements Machine {
  readonly description: MachineDescription = {
    machine: 'demo (no board configured)',
    harts: 1,
    ramBytes: 0,
    devices: [],
    consoles: ['demo'],
  };
  private retired = 0;
  private beats = 0;
  private bannerShown = false;
  private readonly listeners = new Set<(console: string, data: Uint8Array) => void>();
  private readonly encoder = new TextEncoder();
  private lineBuffer = '';

  get instructions(): number {
    return this.retired;
  }

  get virtualTime(): number {
    return Math.floor(this.retired * TICKS_PER_INSTRUCTION);
  }

  reset(): void {
    this.retired = 0;
    this.beats = 0;
    this.bannerShown = false;
    this.lineBuffer = '';
  }

  run(budget: number): RunSlice {
    if (!this.bannerShown) {
      this.bannerShown = true;
      this.print('CloudVisor Lab demo source: no board is configured, this console only echoes.\r\n');
    }
    const start = this.retired;
    this.retired += budget;
    const beats = Math.floor(this.retired / HEARTBEAT_EVERY);
    while (this.beats < beats) {
      this.beats++;
      this.print(`heartbeat ${this.beats} at instruction ${this.beats * HEARTBEAT_EVERY}\r\n`);
    }
    return { retired: this.retired - start, halted: false };
  }

  consoleInput(console: string, data: Uint8Array): number {
    if (console !== 'demo') return 0;
    const text = new TextDecoder().decode(data);
    for (const ch of text) {
      if (ch === '\r' || ch === '\n') {
        this.print(`\r\nyou typed: ${this.lineBuffer}\r\n`);
        this.lineBuffer = '';
      } else {
        this.lineBuffer += ch;
        this.print(ch);
      }
    }
    return data.length;
  }

  onConsoleOutput(listener: (console: string, data: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private print(text: string): void {
    const bytes = this.encoder.encode(text);
    for (const listener of this.listeners) listener('demo', bytes);
  }
}
