// Lets a main-thread LabApi (a LabHost) be served again to more front ends (WebSocket clients,
// Electron windows), each with its own event pump.
import type { LabApi } from './lab-api';
import type { LabBackend } from './lab-endpoint';
import type { LabEvent, LabMethod } from './protocol';

export function relayBackend(api: LabApi): LabBackend {
  return {
    handle: (method: LabMethod, params: unknown) => api.request(method, params as never),
    onEvent: (listener: (event: LabEvent) => void) =>
      api.onEvents((events, dropped) => {
        if (dropped > 0) {
          listener({ kind: 'log', level: 'warn', source: 'lab', message: `${dropped} host events were dropped` });
        }
        for (const event of events) listener(event);
      }),
  };
}
