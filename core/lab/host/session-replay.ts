// What a session replay needs from a machine: its VMM hosts' positions and digests, and a way to
// build them afresh from the seed. Each host runs on its own clock (side by side they share
// nothing), so a stamp names a position per host and each host is run to its own.
import type { Machine } from '../machine';
import type { HostMode, HostPositions } from '../protocol';
import { hostDigest } from './host-digest';
import type { VmmHost } from './vmm-host';

/** A machine whose VMM hosts can be built afresh (VmmMachine, SideBySideMachine). */
export interface ReplayableMachine extends Machine {
  readonly vmmHosts: ReadonlyMap<HostMode, VmmHost>;
  rebuild(): Promise<void>;
}

export function isReplayable(machine: Machine): machine is ReplayableMachine {
  return machine.vmmHosts !== undefined && typeof (machine as Partial<ReplayableMachine>).rebuild === 'function';
}

export function positionsOf(hosts: ReadonlyMap<HostMode, VmmHost>): HostPositions {
  const out: { -readonly [M in HostMode]?: number } = {};
  for (const [mode, host] of hosts) out[mode] = host.position;
  return out;
}

/** Each host's state digest (all at the same point: nothing runs meanwhile) and the wall milliseconds they took. */
export function digestsOf(hosts: ReadonlyMap<HostMode, VmmHost>): { digests: { [M in HostMode]?: string }; ms: number } {
  const started = performance.now();
  const digests: { [M in HostMode]?: string } = {};
  for (const [mode, host] of hosts) digests[mode] = hostDigest(host.board);
  return { digests, ms: performance.now() - started };
}

/** Retired instructions per run call between yields: about 10-50 ms of wall time. */
const CHUNK = 2_000_000;

/**
 * Runs every host to its position in `target`, yielding to the event loop between chunks so the
 * worker keeps answering; null once all stand there, else why one could not get there. `between`
 * runs at each yield; false from it stops the run there (the user paused the replay).
 */
export async function runHostsTo(
  hosts: ReadonlyMap<HostMode, VmmHost>,
  target: HostPositions,
  between: () => boolean,
): Promise<string | null> {
  for (const [mode, host] of hosts) {
    const position = target[mode];
    if (position === undefined) return `the log names no position for the ${mode} host`;
    for (;;) {
      const state = host.runToward(position, CHUNK);
      if (state === 'reached') break;
      if (state === 'diverged') {
        return `the ${mode} host could not stop at ${position} (it stands at ${host.position}${host.failed ? `; ${host.failed}` : ''})`;
      }
      if (!between()) return `the replay was stopped with the ${mode} host at ${host.position}, before ${position}`;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  return null;
}
