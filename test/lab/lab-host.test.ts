// LabHost with a real worker thread: the built host worker, and a worker that crashes.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LabHost } from '../../core/lab/lab-host';
import type { LabEvent } from '../../core/lab/protocol';

describe('LabHost', () => {
  it('runs the host in a worker thread and answers requests', async () => {
    const host = new LabHost({ seed: '0123', autoStart: true });
    try {
      const events: LabEvent[] = [];
      host.onEvents((batch) => events.push(...batch));
      const info = await host.request('host.info', {});
      expect(info.seed).toBe('0123');
      const deadline = Date.now() + 5000;
      while (!events.some((e) => e.kind === 'console') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(events.some((e) => e.kind === 'console' && e.data.includes('demo source'))).toBe(true);
    } finally {
      await host.close();
    }
  });

  it('reports a crashed worker as an error event and fails requests instead of hanging', async () => {
    const host = new LabHost({
      workerPath: fileURLToPath(new URL('./fixtures/crashing-worker.mjs', import.meta.url)),
      requestTimeoutMs: 0,
    });
    const events: LabEvent[] = [];
    host.onEvents((batch) => events.push(...batch));
    const pending = host.request('host.info', {});
    await expect(pending).rejects.toMatchObject({ code: 'closed' });
    const error = events.find((e) => e.kind === 'host-error');
    expect(error && error.kind === 'host-error' ? error.message : '').toContain('simulated fatal bug');
    expect(host.isClosed).toBe(true);
    await host.close();
  });
});
