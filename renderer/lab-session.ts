// Wires one lab connection into the stores: connects the transport, attaches each store, and
// turns a refused or lost connection into the host store's phase, which the shell shows.
import type { Pinia } from 'pinia';
import { useConsolesStore } from './stores/consoles';
import { useEventsStore } from './stores/events';
import { useHostStore } from './stores/host';
import { TransportError, type LabTransport } from './transport/transport';

export async function startLabSession(
  pinia: Pinia,
  connect: () => Promise<LabTransport>,
): Promise<LabTransport | null> {
  const host = useHostStore(pinia);
  const consoles = useConsolesStore(pinia);
  const events = useEventsStore(pinia);
  let transport: LabTransport;
  try {
    transport = await connect();
  } catch (error) {
    if (error instanceof TransportError) {
      host.setPhase(error.kind === 'unauthorised' ? 'unauthorised' : 'unreachable', error.message);
    } else {
      host.setPhase('unreachable', `Could not connect to the lab host: ${String(error)}`);
    }
    return null;
  }
  events.attach(transport.api);
  await host.attach(transport.api, transport.mode);
  consoles.attach(transport.api, host.info?.consoles ?? []);
  transport.onLost((reason) => {
    host.setPhase('lost', `Connection to the lab host lost: ${reason}. Reload the page to reconnect.`);
    events.add('error', 'lab', `connection lost: ${reason}`);
  });
  return transport;
}
