// Wires the lab connection into the stores: connects the transport, attaches each store, and
// turns a refused or lost connection into the host store's phase, which the shell shows. The
// session can connect again (Reconnect) without reloading the page, keeping console scrollback
// and the event log; a reconnect first closes the previous transport and its listeners.
import type { Pinia } from 'pinia';
import type { InjectionKey } from 'vue';
import type { LabApi } from '../core/lab/lab-api';
import type { HostInfo } from '../core/lab/protocol';
import { useConsolesStore } from './stores/consoles';
import { useEventsStore } from './stores/events';
import { useHostStore } from './stores/host';
import { TransportError, type LabTransport } from './transport/transport';

/** Connects a panel's store to the lab; returns what detaches it. */
export type LabAttachment = (api: LabApi, info: HostInfo | null) => () => void;

export class LabSession {
  private transport: LabTransport | null = null;
  private stopWatchingLoss: (() => void) | null = null;
  private attempt = 0;
  private readonly attachments = new Set<LabAttachment>();
  private detachers: (() => void)[] = [];

  constructor(
    private readonly pinia: Pinia,
    private readonly connect: () => Promise<LabTransport>,
  ) {}

  /** Connects (or reconnects); resolves once the stores show the outcome. */
  async start(): Promise<void> {
    const attempt = ++this.attempt;
    const host = useHostStore(this.pinia);
    const consoles = useConsolesStore(this.pinia);
    const events = useEventsStore(this.pinia);
    this.dispose();
    host.setPhase('connecting', 'Connecting to the lab host...');
    let transport: LabTransport;
    try {
      transport = await this.connect();
    } catch (error) {
      if (attempt !== this.attempt) return;
      if (error instanceof TransportError) {
        host.setPhase(error.kind === 'unauthorised' ? 'unauthorised' : 'unreachable', error.message);
      } else {
        host.setPhase('unreachable', `Could not connect to the lab host: ${String(error)}`);
      }
      return;
    }
    if (attempt !== this.attempt) {
      transport.close(); // a newer attempt superseded this one
      return;
    }
    this.transport = transport;
    // Listen before the first await, so no console output or event is missed while connecting.
    events.attach(transport.api);
    consoles.attach(transport.api);
    await host.attach(transport.api, transport.mode);
    consoles.declare(host.info?.consoles ?? []);
    for (const attach of this.attachments) this.detachers.push(attach(transport.api, host.info));
    this.stopWatchingLoss = transport.onLost((reason) => {
      host.setPhase('lost', `Connection to the lab host lost: ${reason}. Press Reconnect once it is back.`);
      events.add('error', 'lab', `connection lost: ${reason}`);
    });
  }

  /**
   * Later panels (memory inspector, patch editor...) attach their stores here: called on every
   * (re)connection, detached before the next one. Returns what unregisters it.
   */
  attach(attachment: LabAttachment): () => void {
    this.attachments.add(attachment);
    if (this.transport) this.detachers.push(attachment(this.transport.api, useHostStore(this.pinia).info));
    return () => this.attachments.delete(attachment);
  }

  /** Detaches the stores and closes the transport. */
  dispose(): void {
    for (const detach of this.detachers.splice(0)) detach();
    this.stopWatchingLoss?.();
    this.stopWatchingLoss = null;
    useHostStore(this.pinia).detach();
    useConsolesStore(this.pinia).detach();
    useEventsStore(this.pinia).detach();
    this.transport?.close();
    this.transport = null;
  }
}

export const LAB_SESSION: InjectionKey<LabSession> = Symbol('lab-session');
