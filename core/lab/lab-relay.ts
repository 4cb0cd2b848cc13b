// Lets a main-thread LabApi (a LabHost) be served again to more front ends (WebSocket clients,
// Electron windows), each with its own event pump. The relay keeps the tail of every console and
// the latest status, so a window that connects late (or reloads) starts with what the guests
// already printed rather than a blank terminal.
import type { LabApi } from './lab-api';
import type { LabBackend } from './lab-endpoint';
import type { HostStatus, LabEvent, LabMethod } from './protocol';

/** Characters of console history kept per console for late-joining front ends. */
export const CONSOLE_HISTORY_CHARS = 64 * 1024;

export function relayBackend(api: LabApi): LabBackend {
  const history = new Map<string, string>();
  let status: HostStatus | null = null;
  const listeners = new Set<(event: LabEvent) => void>();
  api.onEvents((events, dropped) => {
    if (dropped > 0) {
      const note: LabEvent = { kind: 'log', level: 'warn', source: 'lab', message: `${dropped} host events were dropped` };
      for (const listener of listeners) listener(note);
    }
    for (const event of events) {
      if (event.kind === 'console') {
        const text = (history.get(event.console) ?? '') + event.data;
        history.set(event.console, text.length > CONSOLE_HISTORY_CHARS ? text.slice(-CONSOLE_HISTORY_CHARS) : text);
      } else if (event.kind === 'status') {
        status = event.status;
      }
      for (const listener of listeners) listener(event);
    }
  });
  return {
    handle: (method: LabMethod, params: unknown) => api.request(method, params as never),
    onEvent: (listener: (event: LabEvent) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    history: (): LabEvent[] => {
      const events: LabEvent[] = [...history].map(([console, data]) => ({ kind: 'console', console, data }));
      if (status !== null) events.push({ kind: 'status', status });
      return events;
    },
  };
}
