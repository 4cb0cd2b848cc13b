// The virtio entropy device (virtio 1.2, section 5.4): one request queue of device-writable
// buffers, each filled with bytes from the host's hardware random source (the TPM's RNG, seeded
// per session so runs replay). Invariant: at most ENTROPY_CHUNK bytes per buffer chain.
import { scatter } from './virtqueue';
import type { VirtioBackend, VirtioMmio } from './virtio-mmio';
import type { VirtqChain } from './virtqueue';

export const VIRTIO_RNG = { DEVICE_ID: 4, QUEUE_SIZE: 64, ENTROPY_CHUNK: 256 } as const;

export class VirtioRng implements VirtioBackend {
  readonly deviceId = VIRTIO_RNG.DEVICE_ID;
  readonly name = 'rng';
  readonly queueCount = 1;
  readonly queueMax = VIRTIO_RNG.QUEUE_SIZE;

  constructor(
    private readonly entropy: (length: number) => Uint8Array,
    private readonly onRequest: (queue: number, chain: VirtqChain) => void,
  ) {}

  features(): readonly [number, number] {
    return [0, 1];
  }

  configRead(): number {
    return 0;
  }

  configWrite(): void {
    // No configuration space (5.4.4).
  }

  reset(): void {
    // Stateless beyond its queue, which the transport resets.
  }

  process(t: VirtioMmio, queue: number): void {
    for (let chain = t.pop(queue); chain !== null; chain = t.pop(queue)) {
      this.onRequest(queue, chain);
      const want = Math.min(VIRTIO_RNG.ENTROPY_CHUNK, chain.writable.reduce((n, b) => n + b.len, 0));
      const written = want === 0 ? 0 : scatter(t.mem, chain.writable, this.entropy(want));
      t.complete(queue, chain.head, written);
    }
  }
}
