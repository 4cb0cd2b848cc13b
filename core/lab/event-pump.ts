// Sends host events to one receiver in numbered batches and waits for acknowledgements, with at
// most `maxInFlight` batches unacknowledged. While the receiver is behind, events wait in a
// bounded backlog where console text is coalesced per console (keeping the newest bytes), only
// the newest status survives, and anything beyond the cap is counted as dropped: the producer
// (the host) never blocks and memory stays bounded.
import type { EventBatchMessage, HostStatus, LabEvent } from './protocol';

export interface EventPumpOptions {
  /** Delivers a batch to the receiver. */
  readonly send: (batch: EventBatchMessage) => void;
  /** Batches sent but not yet acknowledged before the pump holds back. */
  readonly maxInFlight?: number;
  /** Events per batch. */
  readonly maxBatch?: number;
  /** Events kept while the receiver is behind (beyond: dropped and counted). */
  readonly maxBacklog?: number;
  /** Console characters kept per console while the receiver is behind (oldest dropped). */
  readonly maxConsoleBacklog?: number;
}

export class EventPump {
  private readonly send: (batch: EventBatchMessage) => void;
  private readonly maxInFlight: number;
  private readonly maxBatch: number;
  private readonly maxBacklog: number;
  private readonly maxConsoleBacklog: number;
  private backlog: LabEvent[] = [];
  private latestStatus: HostStatus | null = null;
  private dropped = 0;
  private nextSeq = 1;
  private lastAcked = 0;

  constructor(options: EventPumpOptions) {
    this.send = options.send;
    this.maxInFlight = options.maxInFlight ?? 4;
    this.maxBatch = options.maxBatch ?? 512;
    this.maxBacklog = options.maxBacklog ?? 4096;
    this.maxConsoleBacklog = options.maxConsoleBacklog ?? 256 * 1024;
  }

  get inFlight(): number {
    return this.nextSeq - 1 - this.lastAcked;
  }

  get pending(): number {
    return this.backlog.length + (this.latestStatus ? 1 : 0);
  }

  get droppedTotal(): number {
    return this.dropped;
  }

  push(event: LabEvent): void {
    if (event.kind === 'status') {
      this.latestStatus = event.status;
      return;
    }
    if (event.kind === 'console') {
      this.pushConsole(event.console, event.data);
      return;
    }
    if (this.backlog.length >= this.maxBacklog) {
      this.dropped++;
      return;
    }
    this.backlog.push(event);
  }

  /** Sends what the in-flight window allows; call on a timer and after each acknowledgement. */
  flush(): void {
    while (this.inFlight < this.maxInFlight && this.pending > 0) {
      const events = this.backlog.splice(0, this.maxBatch);
      if (this.latestStatus && events.length < this.maxBatch) {
        events.push({ kind: 'status', status: this.latestStatus });
        this.latestStatus = null;
      }
      const batch: EventBatchMessage = { type: 'events', seq: this.nextSeq++, events, dropped: this.dropped };
      this.dropped = 0;
      this.send(batch);
    }
  }

  ack(seq: number): void {
    if (seq > this.lastAcked && seq < this.nextSeq) this.lastAcked = seq;
  }

  private pushConsole(console: string, data: string): void {
    const last = this.backlog[this.backlog.length - 1];
    if (last && last.kind === 'console' && last.console === console) {
      let merged = last.data + data;
      if (merged.length > this.maxConsoleBacklog) {
        this.dropped++;
        merged = merged.slice(merged.length - this.maxConsoleBacklog);
      }
      this.backlog[this.backlog.length - 1] = { kind: 'console', console, data: merged };
      return;
    }
    if (this.backlog.length >= this.maxBacklog) {
      this.dropped++;
      return;
    }
    this.backlog.push({ kind: 'console', console, data: data.slice(-this.maxConsoleBacklog) });
  }
}
