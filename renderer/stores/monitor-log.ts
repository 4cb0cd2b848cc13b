// The monitor's event log as a console: every decision CloudVisor takes on a protected host
// (allowed, refused, fail-stop; by mechanism, hart and VM) is one line in a read-only terminal
// named '<host>:monitor', so the consoles' search, copy and resize work on it too. The host keeps
// the decisions in a bounded log; this store asks for the new ones a few times a second.
import { defineStore } from 'pinia';
import type { LabApi } from '../../core/lab/lab-api';
import { VIRTUAL_TICKS_PER_SECOND, type HostMode, type MonitorDecision } from '../../core/lab/protocol';
import { useConsolesStore } from './consoles';

export const MONITOR_POLL_MS = 500;

const OUTCOME_STYLE: Record<MonitorDecision['outcome'], string> = {
  allowed: '\x1b[32mallowed  \x1b[0m',
  refused: '\x1b[1;31mrefused  \x1b[0m',
  'fail-stop': '\x1b[1;41;97mfail-stop\x1b[0m',
};

export function monitorConsoleOf(host: HostMode): string {
  return `${host}:monitor`;
}

/** One decision as a terminal line: virtual time, hart, VM, mechanism, outcome, what was tried. */
export function formatDecision(d: MonitorDecision): string {
  const seconds = (d.time / VIRTUAL_TICKS_PER_SECOND).toFixed(6).padStart(12);
  const vm = d.vm === null ? '-' : `vm${d.vm}`;
  return `\x1b[2m${seconds} s\x1b[0m  hart ${d.hart}  ${vm.padEnd(5)} \x1b[1m${d.mechanism.padEnd(13)}\x1b[0m ${OUTCOME_STYLE[d.outcome]}  ${d.attempted}\r\n`;
}

export const useMonitorLogStore = defineStore('monitor-log', () => {
  // Kept across reconnections, like the consoles' scrollback, so no decision is shown twice.
  const next = new Map<HostMode, number>();

  function attach(api: LabApi): () => void {
    const consoles = useConsolesStore();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;

    async function poll(hosts: readonly HostMode[]): Promise<void> {
      for (const host of hosts) {
        let since = next.get(host) ?? 0;
        let { decisions, next: after } = await api.request('monitor.decisions', { host, since });
        if (stopped) return;
        const name = monitorConsoleOf(host);
        if (after < since) {
          // Hosts built afresh (a session opened) start a new log: read it from its start.
          consoles.feed(name, '\r\n\x1b[33m--- the host was built afresh; its monitor starts a new log ---\x1b[0m\r\n');
          since = 0;
          ({ decisions, next: after } = await api.request('monitor.decisions', { host, since }));
          if (stopped) return;
        } else if (since > 0 && after - decisions.length > since) consoles.feed(name, `\x1b[33m--- ${after - decisions.length - since} decisions fell out of the host's bounded log ---\x1b[0m\r\n`);
        if (decisions.length > 0) consoles.feed(name, decisions.map(formatDecision).join(''));
        next.set(host, after);
      }
    }

    async function start(): Promise<void> {
      let hosts: HostMode[];
      try {
        hosts = (await api.request('patch.list', {})).hosts.filter((h) => h === 'protected');
      } catch {
        return; // A host without VMM hosts (the demo program) has no monitor to log.
      }
      if (stopped || hosts.length === 0) return;
      for (const host of hosts) consoles.declareLog(monitorConsoleOf(host));
      const round = async (): Promise<void> => {
        try {
          await poll(hosts);
        } catch {
          // A lost connection is reported by the session; the next round asks again.
        }
        if (!stopped) timer = setTimeout(() => void round(), MONITOR_POLL_MS);
      };
      await round();
    }

    void start();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  return { attach };
});
