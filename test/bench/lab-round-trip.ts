// Cost of one request through the lab stack: main thread -> host worker -> answer, the path
// every UI action takes.
import { LabHost } from '../../core/lab/lab-host';
import type { Bench } from './report';

export const labRoundTrip: Bench = async () => {
  const host = new LabHost({ seed: 'bench' });
  try {
    for (let i = 0; i < 200; i++) await host.request('host.status', {});
    const count = 5000;
    const started = performance.now();
    for (let i = 0; i < count; i++) await host.request('host.status', {});
    const microseconds = ((performance.now() - started) * 1000) / count;
    return {
      name: 'lab round trip',
      lines: [`lab request round trip (main -> worker -> main)  ${microseconds.toFixed(1)} us`],
      metrics: { labRoundTripMicroseconds: microseconds },
    };
  } finally {
    await host.close();
  }
};
