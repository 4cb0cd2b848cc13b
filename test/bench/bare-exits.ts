// Exits and CPU-bound guest work, bare versus protected (and protected with the virtual VMCS),
// side by side in one run: one host of each mode boots a labOS guest, then the same shell command runs alternately on each, several
// times, and the medians are compared. Timed in this process's CPU seconds (the host is one
// thread), which other load on the machine disturbs far less than wall-clock time.
import { GuestSession } from '../../core/lab/host/guest-session';
import { VmmHost } from '../../core/lab/host/vmm-host';
import type { Bench } from './report';

const BUDGET = 4_000_000_000;
const CALLS = 20_000;
const ROUNDS = 5;

type Mode = 'bare' | 'protected' | 'vmcs';
const MODES: readonly Mode[] = ['bare', 'protected', 'vmcs'];

interface Guest {
  readonly host: VmmHost;
  readonly session: GuestSession;
  readonly dom: number;
}

/** 'vmcs': protected, with the virtual VMCS option. */
async function bootGuest(mode: Mode): Promise<Guest> {
  const host = await VmmHost.create({ seed: 'bench', mode: mode === 'bare' ? 'bare' : 'protected', virtualVmcs: mode === 'vmcs' });
  const session = new GuestSession(host);
  const dom = session.createGuest('bench', 'labos', 32);
  if (!session.waitFor(dom, 'labos> ', BUDGET)) throw new Error(`labOS did not boot (${mode})`);
  return { host, session, dom };
}

/** CPU seconds one command takes in the guest (typing it and the shell's own work included). */
function timeCommand(guest: Guest, command: string, expect: RegExp): number {
  const before = guest.session.output(guest.dom).length;
  const started = process.cpuUsage();
  if (!guest.session.type(guest.dom, command, BUDGET)) throw new Error(`'${command}' did not finish`);
  const used = process.cpuUsage(started);
  if (!expect.test(guest.session.output(guest.dom).slice(before))) throw new Error(`'${command}' printed no result`);
  return (used.user + used.system) / 1e6;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Median seconds of `command` on each guest; the order of the modes rotates every round. */
function alternate(guests: Record<Mode, Guest>, command: string, expect: RegExp): Record<Mode, number> {
  const times: Record<Mode, number[]> = { bare: [], protected: [], vmcs: [] };
  for (let i = 0; i < ROUNDS; i++) {
    for (let k = 0; k < MODES.length; k++) {
      const mode = MODES[(i + k) % MODES.length] ?? 'bare';
      times[mode].push(timeCommand(guests[mode], command, expect));
    }
  }
  return { bare: median(times.bare), protected: median(times.protected), vmcs: median(times.vmcs) };
}

export const bareExits: Bench = async () => {
  const guests = { bare: await bootGuest('bare'), protected: await bootGuest('protected'), vmcs: await bootGuest('vmcs') };
  try {
    const exit = alternate(guests, `bench exit ${CALLS}`, /BENCH exit calls\/s \d+/);
    const cpu = alternate(guests, 'bench cpu 100', /BENCH cpu rounds\/s \d+/);
    const bare = CALLS / exit.bare;
    const protectedRate = CALLS / exit.protected;
    const vmcsRate = CALLS / exit.vmcs;
    const cpuOverhead = (cpu.protected / cpu.bare - 1) * 100;
    return {
      name: 'exits through the VMM',
      lines: [
        `labOS bench exit in a guest, ${CALLS} SBI calls, median of ${ROUNDS} alternating runs (CPU time)`,
        `bare       ${Math.round(bare)} exits/s   ${(1e6 / bare).toFixed(1)} us per exit`,
        `protected  ${Math.round(protectedRate)} exits/s   ${(1e6 / protectedRate).toFixed(1)} us per exit`,
        `protected / bare cost per exit  ${(exit.protected / exit.bare).toFixed(2)}x   (target at most 2x)`,
        `protected, virtual VMCS  ${Math.round(vmcsRate)} exits/s   ${(1e6 / vmcsRate).toFixed(1)} us per exit   (${(exit.vmcs / exit.protected).toFixed(2)}x the protected cost)`,
        `labOS bench cpu 100: bare ${cpu.bare.toFixed(3)} s, protected ${cpu.protected.toFixed(3)} s CPU (${cpuOverhead >= 0 ? '+' : ''}${cpuOverhead.toFixed(1)}%, target within 2%)`,
      ],
      metrics: {
        bareExitsPerSecond: bare,
        protectedExitsPerSecond: protectedRate,
        protectedOverBareCost: exit.protected / exit.bare,
        virtualVmcsExitsPerSecond: vmcsRate,
        virtualVmcsOverProtectedCost: exit.vmcs / exit.protected,
        cpuBareSeconds: cpu.bare,
        cpuProtectedSeconds: cpu.protected,
        cpuOverheadPercent: cpuOverhead,
      },
    };
  } finally {
    for (const mode of MODES) guests[mode].host.dispose();
  }
};
