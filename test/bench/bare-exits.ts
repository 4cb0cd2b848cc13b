// SBI-call exits per second through the VMM: labOS's `bench exit` runs in a guest (VS-mode) and
// every call traps to the VMM inside its QuickJS engine and back, on a bare host and under
// CloudVisor, side by side in one run. Timed in host wall-clock seconds.
import { GuestSession } from '../../core/lab/host/guest-session';
import { VmmHost } from '../../core/lab/host/vmm-host';
import type { Bench } from './report';

const BUDGET = 2_000_000_000;
const CALLS = 20_000;

/** Wall seconds a labOS shell command takes in a guest on a fresh host of `mode`. */
async function timeCommand(mode: 'bare' | 'protected', command: string, expect: RegExp): Promise<number> {
  const host = await VmmHost.create({ seed: 'bench', mode });
  try {
    const session = new GuestSession(host);
    const dom = session.createGuest('bench', 'labos', 32);
    if (!session.waitFor(dom, 'labos> ', BUDGET)) throw new Error(`labOS did not boot (${mode})`);
    const before = session.output(dom).length;
    const started = performance.now();
    if (!session.type(dom, command, BUDGET)) throw new Error(`'${command}' did not finish (${mode})`);
    const seconds = (performance.now() - started) / 1000;
    if (!expect.test(session.output(dom).slice(before))) throw new Error(`'${command}' printed no result (${mode})`);
    return seconds;
  } finally {
    host.dispose();
  }
}

// Typing the command and the shell's own work are in the time too: a slight underestimate.
const exitsPerSecond = async (mode: 'bare' | 'protected'): Promise<number> =>
  CALLS / (await timeCommand(mode, `bench exit ${CALLS}`, /BENCH exit calls\/s \d+/));
const cpuSeconds = (mode: 'bare' | 'protected'): Promise<number> => timeCommand(mode, 'bench cpu 20', /BENCH cpu rounds\/s \d+/);

export const bareExits: Bench = async () => {
  const bare = await exitsPerSecond('bare');
  const protectedRate = await exitsPerSecond('protected');
  const ratio = bare / protectedRate;
  const cpuBare = await cpuSeconds('bare');
  const cpuProtected = await cpuSeconds('protected');
  return {
    name: 'exits through the VMM',
    lines: [
      `labOS bench exit in a guest, ${CALLS} SBI calls`,
      `bare       ${Math.round(bare)} exits/s   ${(1e6 / bare).toFixed(1)} us per exit`,
      `protected  ${Math.round(protectedRate)} exits/s   ${(1e6 / protectedRate).toFixed(1)} us per exit`,
      `protected / bare cost per exit  ${ratio.toFixed(2)}x`,
      `labOS bench cpu 20: bare ${cpuBare.toFixed(2)} s, protected ${cpuProtected.toFixed(2)} s wall (${((cpuProtected / cpuBare - 1) * 100).toFixed(1)}%)`,
    ],
    metrics: {
      bareExitsPerSecond: bare,
      protectedExitsPerSecond: protectedRate,
      protectedOverBareCost: ratio,
      cpuBareSeconds: cpuBare,
      cpuProtectedSeconds: cpuProtected,
    },
  };
};
