// The main-thread handle on one emulated host: starts the host's worker thread and speaks the
// lab protocol to it. If the worker dies, every pending request is rejected and listeners get a
// 'host-error' event naming the cause: a crash is reported, never a hang.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EventListener, LabApi } from './lab-api';
import { LabClient } from './lab-client';
import type { HostWorkerData, MachineConfig } from './machine-config';
import type { MessagePortLike } from './message-port';
import type { ClientMessage, LabMethod, LabParams, LabResult } from './protocol';

export interface LabHostOptions {
  /** The built worker script (dist/node/host-worker.mjs unless given). */
  readonly workerPath?: string;
  /** Seed of every random number in the host; random when not given. */
  readonly seed?: string;
  readonly machine?: MachineConfig;
  readonly autoStart?: boolean;
  readonly requestTimeoutMs?: number;
}

export function defaultWorkerPath(): string {
  const candidates = [
    new URL('./host-worker.mjs', import.meta.url), // running from the dist/node bundle
    new URL('../../dist/node/host-worker.mjs', import.meta.url), // running from core/lab sources
  ];
  for (const url of candidates) {
    const path = fileURLToPath(url);
    if (existsSync(path)) return path;
  }
  throw new Error('the host worker is not built: run `npm run build:node` first');
}

export class LabHost implements LabApi {
  private readonly worker: Worker;
  private readonly client: LabClient;
  readonly seed: string;

  constructor(options: LabHostOptions = {}) {
    this.seed = options.seed ?? randomBytes(8).toString('hex');
    const data: HostWorkerData = {
      seed: this.seed,
      machine: options.machine ?? { kind: 'demo' },
      autoStart: options.autoStart ?? false,
    };
    this.worker = new Worker(options.workerPath ?? defaultWorkerPath(), { workerData: data });
    this.client = new LabClient(workerPort(this.worker), {
      ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    });
  }

  request<M extends LabMethod>(method: M, params: LabParams<M>): Promise<LabResult<M>> {
    return this.client.request(method, params);
  }

  onEvents(listener: EventListener): () => void {
    return this.client.onEvents(listener);
  }

  get isClosed(): boolean {
    return this.client.isClosed;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

function workerPort(worker: Worker): MessagePortLike<ClientMessage> {
  let closeReason: string | null = null;
  const closeListeners = new Set<(reason: string) => void>();
  const closeWith = (reason: string): void => {
    if (closeReason !== null) return;
    closeReason = reason;
    for (const listener of closeListeners) listener(reason);
  };
  worker.on('error', (error) => closeWith(`the host worker crashed: ${error.message}`));
  worker.on('exit', (code) => closeWith(`the host worker exited with code ${code}`));
  return {
    send: (message) => {
      if (closeReason === null) worker.postMessage(message);
    },
    onMessage: (listener) => {
      worker.on('message', listener);
      return () => worker.off('message', listener);
    },
    onClose: (listener) => {
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
    close: () => void worker.terminate(),
  };
}
