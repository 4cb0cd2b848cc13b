// SBI-call exits per second through the VMM on a bare host: labOS's `bench exit` runs in a guest
// (VS-mode) and every call traps to the VMM inside its QuickJS engine and back. Timed in host
// wall-clock seconds, the figure the lab's responsiveness depends on.
import { GuestSession } from '../../core/lab/host/guest-session';
import { VmmHost } from '../../core/lab/host/vmm-host';
import type { Bench } from './report';

const BUDGET = 2_000_000_000;
const CALLS = 20_000;

export const bareExits: Bench = async () => {
  const host = await VmmHost.create({ seed: 'bench' });
  try {
    const session = new GuestSession(host);
    const dom = session.createGuest('bench', 'labos', 32);
    if (!session.waitFor(dom, 'labos> ', BUDGET)) throw new Error('labOS did not boot');
    const before = session.output(dom).length;
    const started = performance.now();
    if (!session.type(dom, `bench exit ${CALLS}`, BUDGET)) throw new Error('bench exit did not finish');
    const seconds = (performance.now() - started) / 1000;
    if (!/BENCH exit calls\/s \d+/.test(session.output(dom).slice(before))) throw new Error('no BENCH exit line');
    // Typing the command and the shell's own work are in the time too: a slight underestimate.
    const perSecond = CALLS / seconds;
    return {
      name: 'bare-mode exits',
      lines: [
        `labOS bench exit in a guest: ${CALLS} SBI calls in ${seconds.toFixed(2)} s wall`,
        `exits per second through the VMM (bare)  ${Math.round(perSecond)}`,
      ],
      metrics: { bareExitsPerSecond: perSecond, bareExitWallSeconds: seconds },
    };
  } finally {
    host.dispose();
  }
};
