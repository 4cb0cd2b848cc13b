// Entry point of the worker thread that owns one emulated host. Everything the host does runs
// here; the main thread (Electron main, the web server, the CLI) only relays messages.
import { parentPort, workerData } from 'node:worker_threads';
import { DemoMachine } from './demo-machine';
import { SideBySideMachine } from './host/side-by-side-machine';
import { VmmMachine } from './host/vmm-machine';
import { HostSession } from './host-session';
import { serveLab } from './lab-endpoint';
import type { HostWorkerData, MachineConfig } from './machine-config';
import type { Machine } from './machine';
import type { MessagePortLike } from './message-port';
import type { ServerMessage } from './protocol';

async function createMachine(config: MachineConfig, seed: string): Promise<Machine> {
  switch (config.kind) {
    case 'demo':
      return new DemoMachine();
    case 'bare': {
      const host = { seed, harts: config.harts, ramMiB: config.ramMiB, guests: config.guests };
      if (config.mode === 'both') return SideBySideMachine.create(host);
      return VmmMachine.create({ ...host, mode: config.mode ?? 'bare' });
    }
  }
}

if (!parentPort) throw new Error('host-worker must run as a worker thread');
const parent = parentPort;
const data = workerData as HostWorkerData;

const port: MessagePortLike<ServerMessage> = {
  send: (message) => parent.postMessage(message),
  onMessage: (listener) => {
    parent.on('message', listener);
    return () => parent.off('message', listener);
  },
  onClose: (listener) => {
    const onClose = (): void => listener('the main thread closed the channel');
    parent.on('close', onClose);
    return () => parent.off('close', onClose);
  },
  close: () => parent.close(),
};

const session = new HostSession(await createMachine(data.machine, data.seed), { seed: data.seed });
serveLab(session, port);
if (data.autoStart) void session.handle('host.start', {});
